import type { z } from "zod";
import {
  PagoEfectivoAuthError,
  PagoEfectivoConflictError,
  PagoEfectivoMalformedResponseError,
  PagoEfectivoNotFoundError,
  PagoEfectivoRejectedError,
  PagoEfectivoUnavailableError,
  PagoEfectivoValidationError,
  type PagoEfectivoErrorInfo,
  type UnavailableReason,
} from "./errors";
import type { Exchange, ExchangeOutcome, HttpMethod } from "./http-exchange";
import { collectPersonalValues, redactPagoEfectivoPayload, scrubSecrets } from "./redact";
import { backoffDelayMs, type RetryPolicy } from "./retry";
import { describeIssues, parsePagoEfectivoJson, readErrorEnvelope } from "./schemas";
import type { TokenCache } from "./token-cache";

/**
 * One HTTP exchange with PagoEfectivo: common headers, per-attempt timeout, 401 → one
 * re-authorization, backoff on transient failures for calls that are safe to repeat, error
 * mapping, audit. The public client (client.ts) only describes requests and parses answers.
 */

export type { FetchLike, HttpMethod } from "./http-exchange";

export interface PagoEfectivoAuditEntry {
  method: HttpMethod;
  /** Path and query, without the base URL. */
  path: string;
  /** HTTP status, or null when no answer arrived (network error, timeout). */
  status: number | null;
  durationMs: number;
  /** 1 for the first send of a call, 2 for its first retry or re-authorized resend, … */
  attempt: number;
  outcome: "response" | "network_error" | "timeout";
  requestBody?: unknown;
  responseBody?: unknown;
}

export interface TransportConfig {
  exchange: Exchange;
  timeoutMs: number;
  retry: RetryPolicy;
  random: () => number;
  sleep: (ms: number) => Promise<void>;
  acceptLanguage: string;
  onAudit?: (entry: PagoEfectivoAuditEntry) => void;
  /** Values that must never leave the client (secretKey, accessKey, issued tokens). */
  secrets: () => readonly string[];
}

export interface RequestSpec {
  method: HttpMethod;
  path: string;
  /** Exact text sent; a function when it must be rebuilt per attempt (auth's dateRequest). */
  body?: string | (() => string);
  /** Extra headers computed per attempt (refund PE-Timestamp/PE-Signature). */
  headers?: (body: string | undefined) => Record<string, string>;
  accept?: string;
  /** Sends `Authorization: Bearer`; false only for POST /v1/authorizations itself. */
  authenticated: boolean;
  /**
   * Safe to send again after a failure that may have reached PagoEfectivo (5xx, timeout, a
   * connection dropped mid-request). False only for CIP creation.
   */
  idempotent: boolean;
  /** Any definite 4xx from this endpoint means bad credentials (the authorization call). */
  isAuthorization?: boolean;
}

export interface RawAnswer {
  status: number;
  text: string;
  info: PagoEfectivoErrorInfo;
}

type Attempt = ExchangeOutcome;

/**
 * Thrown by `send` when the call cannot be completed; carries what a caller of a
 * non-idempotent request needs to decide whether the request might have been applied.
 */
export class TransientFailure extends Error {
  constructor(
    readonly error: PagoEfectivoUnavailableError,
    /** True when PagoEfectivo certainly did not apply the request (429, connection refused). */
    readonly definitelyNotApplied: boolean,
  ) {
    super(error.message);
  }
}

const AUDIT_TEXT_LIMIT = 4096;

export function createTransport(cfg: TransportConfig) {
  function scrubInfo(info: PagoEfectivoErrorInfo): PagoEfectivoErrorInfo {
    const s = cfg.secrets();
    const scrub = (v: string | undefined) => (v === undefined ? undefined : scrubSecrets(v, s));
    return {
      ...info,
      code: scrub(info.code),
      message: scrub(info.message),
      field: scrub(info.field),
      issues: info.issues.map((i) => ({
        field: scrubSecrets(i.field, s),
        code: scrubSecrets(i.code, s),
        message: scrubSecrets(i.message, s),
      })),
    };
  }

  function readForAudit(text: string | undefined): unknown {
    if (text === undefined || text === "") return undefined;
    try {
      return JSON.parse(text);
    } catch {
      return text.length > AUDIT_TEXT_LIMIT
        ? `${text.slice(0, AUDIT_TEXT_LIMIT)}…[truncated]`
        : text;
    }
  }

  function audit(entry: PagoEfectivoAuditEntry): void {
    if (!cfg.onAudit) return;
    try {
      cfg.onAudit(entry);
    } catch {
      // An audit sink failing must not turn a successful payment call into an error.
    }
  }

  async function sendOnce(
    spec: RequestSpec,
    token: string | undefined,
    attemptNo: number,
  ): Promise<Attempt> {
    const body = typeof spec.body === "function" ? spec.body() : spec.body;
    const headers: Record<string, string> = {
      "Content-Type": "application/json",
      Accept: spec.accept ?? "application/json",
      "Accept-Language": cfg.acceptLanguage,
      Origin: "web",
      ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
      ...(spec.headers ? spec.headers(body) : {}),
    };
    const started = performance.now();
    const attempt = await cfg.exchange({
      method: spec.method,
      path: spec.path,
      headers,
      body,
      timeoutMs: cfg.timeoutMs,
    });
    if (cfg.onAudit) auditAttempt(spec, body, attempt, attemptNo, started);
    return attempt;
  }

  /** Only with a sink: parsing and redacting both bodies is most of an attempt's own CPU. */
  function auditAttempt(
    spec: RequestSpec,
    body: string | undefined,
    attempt: Attempt,
    attemptNo: number,
    started: number,
  ): void {
    const requestBody = readForAudit(body);
    const personal = collectPersonalValues(requestBody);
    const redacted = (v: unknown) =>
      v === undefined ? undefined : redactPagoEfectivoPayload(v, cfg.secrets(), personal);
    audit({
      method: spec.method,
      path: spec.path,
      status: attempt.kind === "response" ? attempt.status : null,
      durationMs: Math.round(performance.now() - started),
      attempt: attemptNo,
      outcome:
        attempt.kind === "response"
          ? "response"
          : attempt.kind === "timeout"
            ? "timeout"
            : "network_error",
      requestBody: redacted(requestBody),
      responseBody: attempt.kind === "response" ? redacted(readForAudit(attempt.text)) : undefined,
    });
  }

  function errorInfo(spec: RequestSpec, status?: number, text?: string): PagoEfectivoErrorInfo {
    let parsed: unknown;
    if (text) {
      try {
        parsed = parsePagoEfectivoJson(text);
      } catch {
        parsed = undefined;
      }
    }
    const pe = readErrorEnvelope(parsed);
    return scrubInfo({ method: spec.method, path: spec.path, status, ...pe });
  }

  function definiteHttpError(spec: RequestSpec, status: number, text: string): Error {
    const info = errorInfo(spec, status, text);
    if (spec.isAuthorization) return new PagoEfectivoAuthError(info, "credentials refused");
    if (status === 400 || status === 422) return new PagoEfectivoValidationError(info);
    if (status === 401 || status === 403) return new PagoEfectivoAuthError(info);
    if (status === 404) return new PagoEfectivoNotFoundError(info);
    if (status === 409) return new PagoEfectivoConflictError(info);
    return new PagoEfectivoRejectedError(info);
  }

  function transient(spec: RequestSpec, attempt: Attempt, attempts: number): TransientFailure {
    let reason: UnavailableReason;
    let info: PagoEfectivoErrorInfo;
    let cause: unknown;
    let definitelyNotApplied = false;
    if (attempt.kind === "response") {
      info = errorInfo(spec, attempt.status, attempt.text);
      reason = attempt.status === 429 ? "rate_limited" : "http_5xx";
      definitelyNotApplied = attempt.status === 429;
    } else if (attempt.kind === "timeout") {
      info = errorInfo(spec);
      reason = "timeout";
    } else {
      info = errorInfo(spec);
      reason = "network";
      cause = attempt.error;
      definitelyNotApplied = attempt.notSent;
    }
    return new TransientFailure(
      new PagoEfectivoUnavailableError(info, reason, attempts, cause),
      definitelyNotApplied,
    );
  }

  /**
   * Sends `spec` and returns the 2xx answer, or throws a typed error. For a non-idempotent
   * request, a failure that may have reached PagoEfectivo is thrown as a TransientFailure
   * without resending, so the caller can turn it into its own "outcome unknown" error.
   */
  async function send(spec: RequestSpec, tokens?: TokenCache): Promise<RawAnswer> {
    let reauthorized = false;
    let failures = 0;
    let sends = 0;
    for (;;) {
      const token = spec.authenticated ? await tokens!.get() : undefined;
      const attempt = await sendOnce(spec, token, ++sends);
      if (attempt.kind === "response") {
        const { status, text } = attempt;
        if (status >= 200 && status < 300) {
          return {
            status,
            text,
            info: scrubInfo({ method: spec.method, path: spec.path, status, issues: [] }),
          };
        }
        if (status === 401 && token !== undefined) {
          if (!reauthorized) {
            // A 401 means the request was refused, so resending is safe even for createCip.
            reauthorized = true;
            tokens!.invalidate(token);
            continue;
          }
          throw new PagoEfectivoAuthError(
            errorInfo(spec, status, text),
            "token refused again after re-authorization",
          );
        }
        if (status !== 429 && status < 500) throw definiteHttpError(spec, status, text);
      }
      failures++;
      const failure = transient(spec, attempt, failures);
      if (!spec.idempotent && !failure.definitelyNotApplied) throw failure;
      if (failures >= cfg.retry.maxAttempts) {
        if (spec.idempotent) throw failure.error;
        throw failure;
      }
      await cfg.sleep(backoffDelayMs(failures, cfg.retry, cfg.random));
    }
  }

  /** Parses a 2xx JSON answer with `schema`; anything off is a malformed-response error. */
  function parseJson<S extends z.ZodType>(answer: RawAnswer, schema: S): z.output<S> {
    let json: unknown;
    try {
      json = answer.text.trim() === "" ? {} : parsePagoEfectivoJson(answer.text);
    } catch {
      throw new PagoEfectivoMalformedResponseError(answer.info, ["body is not valid JSON"]);
    }
    const result = schema.safeParse(json);
    if (!result.success) {
      throw new PagoEfectivoMalformedResponseError(answer.info, describeIssues(result.error));
    }
    return result.data;
  }

  return { send, parseJson };
}

export type Transport = ReturnType<typeof createTransport>;
