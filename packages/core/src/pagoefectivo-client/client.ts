import { z } from "zod";
import { systemClock, toLimaIso, type Clock } from "../clock";
import { ValidationError, type FieldIssue } from "../errors";
import { isCurrency, type Currency, type Money } from "../money";
import { JsonDecimal, jsonDecimal, stringifyWithDecimals } from "../pagoefectivo-json";
import {
  authorizationHash,
  REFUND_SIGNATURE_HEADER,
  REFUND_TIMESTAMP_HEADER,
  signRefundRequest,
} from "../signatures";
import { parseCsv } from "./csv";
import {
  CipCreationOutcomeUnknownError,
  PagoEfectivoMalformedResponseError,
  type PagoEfectivoErrorInfo,
} from "./errors";
import { normalizeRetryPolicy, realSleep, type RetryPolicy } from "./retry";
import {
  anyEnvelopeSchema,
  authorizationResponseSchema,
  createCipResponseSchema,
  describeIssues,
  refundResponseSchema,
  searchItemSchema,
  searchResponseSchema,
  settlementItemSchema,
  settlementResponseSchema,
} from "./schemas";
import { createTokenCache, DEFAULT_TOKEN_SKEW_MS } from "./token-cache";
import { fetchExchange, nodeHttpExchange, type FetchLike } from "./http-exchange";
import {
  createTransport,
  TransientFailure,
  type PagoEfectivoAuditEntry,
  type RawAnswer,
} from "./transport";

export interface PagoEfectivoClientOptions {
  /** e.g. https://pre1a.services.pagoefectivo.pe or the local sandbox URL. */
  baseUrl: string;
  idService: number;
  accessKey: string;
  secretKey: string;
  clock?: Clock;
  /**
   * Sends through this fetch instead of node:http(s) with the shared keep-alive agents (tests,
   * custom dispatchers).
   */
  fetch?: FetchLike;
  /** Per attempt, covering connection, headers and body. Default 15 s. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** [0, 1) source for backoff jitter. Default Math.random. */
  random?: () => number;
  /** Backoff wait. Default setTimeout; tests inject a recorder. */
  sleep?: (ms: number) => Promise<void>;
  acceptLanguage?: "es-PE" | "en-US";
  /** Re-authorize this long before `tokenExpires`. Default 60 s. */
  tokenSkewMs?: number;
  /** One entry per HTTP attempt, secrets and personal data redacted. Must not throw. */
  onAudit?: (entry: PagoEfectivoAuditEntry) => void;
}

export const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * The POST /v1/cips body built by core's cip-request module. Only the fields the client itself
 * relies on are typed; everything else is sent as given. `amount` must be a JsonDecimal so the
 * wire text is `150.50`, never a float.
 */
export interface CipCreateBody {
  readonly transactionCode: string;
  readonly amount: JsonDecimal;
  readonly currency: string;
}

export interface CreatedCip {
  /** Digit string; CIPs are never handled as floats. */
  cip: string;
  transactionCode: string;
  /** As PagoEfectivo echoed it; absent if it did not. */
  amount?: Money;
  dateExpiry: Date | null;
  cipUrl: string;
}

export interface CipStatus {
  cip: string;
  transactionCode: string | null;
  amount: Money;
  /** Raw PagoEfectivo status (23 = "Pagado"); mapping lives in pagoefectivo-status. */
  status: number | string;
  statusName: string | null;
  dateCreation: Date | null;
  dateExpiry: Date | null;
  datePayment: Date | null;
  /** null while not removed (PagoEfectivo's 1900-01-01 sentinel). */
  dateRemoval: Date | null;
}

/** Answer to extend/delete, whose `data` the contract leaves undescribed. */
export interface PagoEfectivoAck {
  code?: string;
  message?: string;
  /** The CIP's state after the call, when PagoEfectivo echoed it in search-item shape. */
  cip: CipStatus | null;
}

export interface CreateRefundInput {
  /** The paid CIP. */
  transactionId: string;
  amount: Money;
  reason: string;
  /** Our unique id for this refund: PagoEfectivo's idempotency key. */
  reference: string;
  /** SUNAT credit note, e.g. FC01-00000123. */
  invoiceNumber: string;
}

export interface Refund {
  refundId: string;
  /** Raw status: "pending", "completed", "rejected", … */
  status: string;
  transactionId: string;
  amount: Money;
  reference: string | null;
  createdAt: Date | null;
  processedDate: Date | null;
  reasonCode: string | null;
}

/** Amounts are signed minor units (refunds and adjustments may be negative). */
export interface SettlementItem {
  type: string;
  cip: string | null;
  transactionCode: string | null;
  refundId: string | null;
  channel: string | null;
  operationDate: Date | null;
  amountMinor: number;
  feeMinor: number | null;
  netMinor: number | null;
}

export interface Settlement {
  settlementId: string;
  /** Lima calendar day, YYYY-MM-DD. */
  date: string;
  currency: Currency;
  payoutDate: string | null;
  grossMinor: number;
  feeMinor: number;
  refundMinor: number;
  netMinor: number;
  items: SettlementItem[];
}

export interface SettlementCsv {
  settlementId: string;
  /** The CSV exactly as received. */
  text: string;
  columns: string[];
  /** One record per line, values as raw strings keyed by header. */
  rows: Record<string, string>[];
  /** The same rows parsed like Settlement.items. */
  items: SettlementItem[];
}

export interface PagoEfectivoClient {
  createCip<B extends CipCreateBody>(body: B): Promise<CreatedCip>;
  searchCips(cips: readonly string[]): Promise<CipStatus[]>;
  extendCip(cip: string, dateExpiry: Date): Promise<PagoEfectivoAck>;
  deleteCip(cip: string): Promise<PagoEfectivoAck>;
  createRefund(input: CreateRefundInput): Promise<Refund>;
  getRefund(refundId: string): Promise<Refund>;
  /**
   * `date` is a Lima calendar day "YYYY-MM-DD", or an instant whose Lima day is used.
   * `currency` is only sent when given: the 2026 guide's URL has just `date`, but there is one
   * settlement per day *and currency* (our sandbox reads `currency`, default PEN).
   */
  getSettlement(date: string | Date, currency?: Currency): Promise<Settlement>;
  getSettlementCsv(settlementId: string): Promise<SettlementCsv>;
}

const DIGITS = /^\d{1,40}$/;
const SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const INVOICE = /^[FB][A-Z0-9]{3}-\d{1,8}$/;

const optionsSchema = z.object({
  baseUrl: z.string().regex(/^https?:\/\/[^\s]+$/, "must be an http(s) URL"),
  idService: z.number().int().positive(),
  accessKey: z.string().min(1),
  secretKey: z.string().min(1),
  timeoutMs: z.number().int().positive().optional(),
  tokenSkewMs: z.number().int().nonnegative().optional(),
  acceptLanguage: z.enum(["es-PE", "en-US"]).optional(),
});

function fail(issues: FieldIssue[]): never {
  throw new ValidationError(issues);
}

function requireCip(cip: unknown, field = "cip"): string {
  if (typeof cip !== "string" || !DIGITS.test(cip)) {
    fail([{ field, code: "invalid_format", message: "CIP must be a string of digits" }]);
  }
  return cip;
}

function requireSafeId(id: unknown, field: string): string {
  if (typeof id !== "string" || !SAFE_ID.test(id)) {
    fail([{ field, code: "invalid_format", message: `${field} must be 1-128 of [A-Za-z0-9_-]` }]);
  }
  return id;
}

function limaDay(date: string | Date): string {
  if (date instanceof Date) {
    if (Number.isNaN(date.getTime())) {
      fail([{ field: "date", code: "invalid_date", message: "date is not a valid Date" }]);
    }
    return toLimaIso(date).slice(0, 10);
  }
  const m = typeof date === "string" ? DATE_ONLY.exec(date) : null;
  const valid =
    m !== null &&
    new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!)).toISOString().slice(0, 10) === date;
  if (!valid) {
    fail([{ field: "date", code: "invalid_format", message: "date must be YYYY-MM-DD" }]);
  }
  return date as string;
}

/** CSV headers may come as snake_case or PascalCase; the JSON shape is camelCase. */
function csvKey(column: string): string {
  const camel = column.replace(/[_\s-]+([a-zA-Z0-9])/g, (_m, c: string) => c.toUpperCase());
  return camel.charAt(0).toLowerCase() + camel.slice(1);
}

function toSettlementItem(i: z.output<typeof settlementItemSchema>): SettlementItem {
  return {
    type: i.type,
    cip: i.cip ?? null,
    transactionCode: i.transactionCode ?? null,
    refundId: i.refundId ?? null,
    channel: i.channel ?? null,
    operationDate: i.operationDate ?? null,
    amountMinor: i.amount,
    feeMinor: i.feeAmount ?? null,
    netMinor: i.netAmount ?? null,
  };
}

function toRefund(d: z.output<typeof refundResponseSchema>["data"]): Refund {
  return {
    refundId: d.refundId,
    status: d.status,
    transactionId: d.transactionId,
    amount: { minor: d.amount, currency: d.currency },
    reference: d.reference ?? null,
    createdAt: d.createdAt ?? null,
    processedDate: d.processedDate ?? null,
    reasonCode: d.reasonCode ?? null,
  };
}

function toCipStatus(d: z.output<typeof searchItemSchema>): CipStatus {
  return {
    cip: d.cip,
    transactionCode: d.transactionCode ?? null,
    amount: { minor: d.amount, currency: d.currency },
    status: d.status,
    statusName: d.statusName ?? null,
    dateCreation: d.dateCreation ?? null,
    dateExpiry: d.dateExpiry ?? null,
    datePayment: d.datePayment ?? null,
    dateRemoval: d.dateRemoval ?? null,
  };
}

/**
 * The echoed CIP is read on first access: expiry and cancellation delete thousands of CIPs and
 * never look at it, and validating it was a good part of each delete's parsing.
 */
function ack(answer: { code?: string; message?: string; data?: unknown }): PagoEfectivoAck {
  let cip: CipStatus | null | undefined;
  return {
    code: answer.code,
    message: answer.message,
    get cip() {
      if (cip === undefined) {
        const echoed = searchItemSchema.safeParse(answer.data);
        cip = echoed.success ? toCipStatus(echoed.data) : null;
      }
      return cip;
    },
  };
}

export function createPagoEfectivoClient(options: PagoEfectivoClientOptions): PagoEfectivoClient {
  const checked = optionsSchema.safeParse(options);
  if (!checked.success) {
    // Zod messages never quote the value, so a mistyped secret cannot end up in this error.
    fail(
      checked.error.issues.map((i) => ({
        field: i.path.join(".") || "options",
        code: "invalid_option",
        message: i.message,
      })),
    );
  }
  const { idService, accessKey, secretKey } = options;
  const clock = options.clock ?? systemClock;

  let recentTokens: () => readonly string[] = () => [];
  const transport = createTransport({
    exchange: options.fetch
      ? fetchExchange(options.baseUrl, options.fetch)
      : nodeHttpExchange(options.baseUrl),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    retry: normalizeRetryPolicy(options.retry),
    random: options.random ?? Math.random,
    sleep: options.sleep ?? realSleep,
    acceptLanguage: options.acceptLanguage ?? "es-PE",
    onAudit: options.onAudit,
    secrets: () => [secretKey, accessKey, ...recentTokens()],
  });

  const tokens = createTokenCache({
    clock,
    skewMs: options.tokenSkewMs ?? DEFAULT_TOKEN_SKEW_MS,
    async authorize() {
      const answer = await transport.send({
        method: "POST",
        path: "/v1/authorizations",
        // Rebuilt per attempt: PagoEfectivo refuses a dateRequest far from its own clock.
        body: () => {
          const dateRequest = toLimaIso(clock.now());
          return JSON.stringify({
            accessKey,
            idService,
            dateRequest,
            hashString: authorizationHash({ idService, accessKey, secretKey, dateRequest }),
          });
        },
        authenticated: false,
        idempotent: true,
        isAuthorization: true,
      });
      const { data } = transport.parseJson(answer, authorizationResponseSchema);
      return {
        token: data.token,
        startsAt: data.tokenStart ?? undefined,
        expiresAt: data.tokenExpires!,
      };
    },
  });
  recentTokens = tokens.recentTokens;

  return {
    /**
     * Creating a CIP is the one call we never resend after a failure that may have reached
     * PagoEfectivo (5xx, timeout, connection dropped mid-request, or a 2xx we cannot read):
     * the first attempt may have created a CIP the shopper could pay, and a blind resend could
     * create a second one for the same order. Such failures throw
     * CipCreationOutcomeUnknownError carrying the `transactionCode` — the link back — so the
     * engine can keep the charge "outcome unknown" and settle it from the cip.paid notification
     * (which echoes transactionCode) or a later search, instead of guessing.
     * Failures that prove the request was not applied are safe and handled normally: a 401
     * (one re-authorization and resend), a 429 or a refused connection (backoff and resend),
     * and 4xx answers (a definite refusal, e.g. PagoEfectivoValidationError with the field list).
     */
    async createCip(body) {
      const issues: FieldIssue[] = [];
      if (typeof body?.transactionCode !== "string" || body.transactionCode.trim() === "") {
        issues.push({
          field: "transactionCode",
          code: "required",
          message: "transactionCode is required",
        });
      }
      if (!(body?.amount instanceof JsonDecimal)) {
        issues.push({
          field: "amount",
          code: "invalid_type",
          message: "amount must be a JsonDecimal built from minor units, never a float",
        });
      }
      if (issues.length) fail(issues);
      const transactionCode = body.transactionCode;
      const spec = {
        method: "POST" as const,
        path: "/v1/cips",
        body: stringifyWithDecimals(body),
        authenticated: true,
        idempotent: false,
      };
      let answer: RawAnswer;
      try {
        answer = await transport.send(spec, tokens);
      } catch (e) {
        if (e instanceof TransientFailure) {
          if (e.definitelyNotApplied) throw e.error;
          throw new CipCreationOutcomeUnknownError(
            transactionCode,
            e.error.reason,
            e.error.pagoEfectivo,
            e.error,
          );
        }
        throw e;
      }
      try {
        const { data } = transport.parseJson(answer, createCipResponseSchema);
        const currency = data.currency ?? (isCurrency(body.currency) ? body.currency : undefined);
        return {
          cip: data.cip,
          transactionCode: data.transactionCode ?? transactionCode,
          amount:
            data.amount !== undefined && currency ? { minor: data.amount, currency } : undefined,
          dateExpiry: data.dateExpiry ?? null,
          cipUrl: data.cipUrl,
        };
      } catch (e) {
        if (e instanceof PagoEfectivoMalformedResponseError) {
          throw new CipCreationOutcomeUnknownError(
            transactionCode,
            "malformed_success",
            e.pagoEfectivo,
            e,
          );
        }
        throw e;
      }
    },

    async searchCips(cips) {
      if (!Array.isArray(cips)) {
        fail([{ field: "cips", code: "invalid_type", message: "cips must be an array" }]);
      }
      cips.forEach((c, i) => requireCip(c, `cips[${i}]`));
      if (cips.length === 0) return [];
      // Written by hand so a CIP beyond 2^53 still goes out as its exact digits.
      const body = `{"data":[${cips.map((c) => `{"cip":${c}}`).join(",")}]}`;
      const answer = await transport.send(
        { method: "POST", path: "/v1/cips/search", body, authenticated: true, idempotent: true },
        tokens,
      );
      return transport.parseJson(answer, searchResponseSchema).data.map(toCipStatus);
    },

    async extendCip(cip, dateExpiry) {
      requireCip(cip);
      if (!(dateExpiry instanceof Date) || Number.isNaN(dateExpiry.getTime())) {
        fail([{ field: "dateExpiry", code: "invalid_date", message: "dateExpiry must be a Date" }]);
      }
      const answer = await transport.send(
        {
          method: "PATCH",
          path: `/v1/cips/${cip}`,
          body: JSON.stringify({ dateExpiry: toLimaIso(dateExpiry) }),
          authenticated: true,
          idempotent: true,
        },
        tokens,
      );
      return ack(transport.parseJson(answer, anyEnvelopeSchema));
    },

    async deleteCip(cip) {
      requireCip(cip);
      const answer = await transport.send(
        { method: "DELETE", path: `/v1/cips/${cip}`, authenticated: true, idempotent: true },
        tokens,
      );
      return ack(transport.parseJson(answer, anyEnvelopeSchema));
    },

    async createRefund(input) {
      const issues: FieldIssue[] = [];
      const text = (v: unknown) => typeof v === "string" && v.trim() !== "";
      if (typeof input?.transactionId !== "string" || !DIGITS.test(input.transactionId)) {
        issues.push({
          field: "transactionId",
          code: "invalid_format",
          message: "transactionId must be the paid CIP (digits)",
        });
      }
      const amount = input?.amount;
      if (!amount || !Number.isSafeInteger(amount.minor) || amount.minor <= 0) {
        issues.push({
          field: "amount",
          code: "invalid_amount",
          message: "amount must be positive integer minor units",
        });
      }
      if (!amount || !isCurrency(amount.currency)) {
        issues.push({
          field: "currency",
          code: "unsupported",
          message: "currency must be PEN or USD",
        });
      }
      if (!text(input?.reason)) {
        issues.push({ field: "reason", code: "required", message: "reason is required" });
      }
      if (!text(input?.reference)) {
        issues.push({ field: "reference", code: "required", message: "reference is required" });
      }
      if (typeof input?.invoiceNumber !== "string" || !INVOICE.test(input.invoiceNumber)) {
        issues.push({
          field: "invoiceNumber",
          code: "invalid_format",
          message: "invoiceNumber must be a SUNAT credit note like FC01-00000123",
        });
      }
      if (issues.length) fail(issues);
      // Serialized once: the signature covers these exact bytes and every attempt resends them
      // unchanged (same `reference`), which is what makes the retry safe.
      const body = stringifyWithDecimals({
        transactionId: input.transactionId,
        amount: jsonDecimal(input.amount.minor),
        currency: input.amount.currency,
        reason: input.reason,
        reference: input.reference,
        invoiceNumber: input.invoiceNumber,
      });
      const answer = await transport.send(
        {
          method: "POST",
          path: "/v2/refunds",
          body,
          // Fresh timestamp per attempt: PagoEfectivo refuses one more than 5 minutes old.
          headers: (sent) => {
            const timestamp = toLimaIso(clock.now());
            return {
              [REFUND_TIMESTAMP_HEADER]: timestamp,
              [REFUND_SIGNATURE_HEADER]: signRefundRequest(timestamp, sent ?? "", secretKey),
            };
          },
          authenticated: true,
          idempotent: true,
        },
        tokens,
      );
      return toRefund(transport.parseJson(answer, refundResponseSchema).data);
    },

    async getRefund(refundId) {
      requireSafeId(refundId, "refundId");
      const answer = await transport.send(
        { method: "GET", path: `/v2/refunds/${refundId}`, authenticated: true, idempotent: true },
        tokens,
      );
      return toRefund(transport.parseJson(answer, refundResponseSchema).data);
    },

    async getSettlement(date, currency) {
      const day = limaDay(date);
      if (currency !== undefined && !isCurrency(currency)) {
        fail([{ field: "currency", code: "unsupported", message: "currency must be PEN or USD" }]);
      }
      const answer = await transport.send(
        {
          method: "GET",
          path: `/v1/settlements?date=${day}${currency ? `&currency=${currency}` : ""}`,
          authenticated: true,
          idempotent: true,
        },
        tokens,
      );
      const { data } = transport.parseJson(answer, settlementResponseSchema);
      return {
        settlementId: data.settlementId,
        date: data.date,
        currency: data.currency,
        payoutDate: data.payoutDate ?? null,
        grossMinor: data.grossAmount,
        feeMinor: data.feeAmount,
        refundMinor: data.refundAmount,
        netMinor: data.netAmount,
        items: data.items.map(toSettlementItem),
      };
    },

    async getSettlementCsv(settlementId) {
      requireSafeId(settlementId, "settlementId");
      const answer = await transport.send(
        {
          method: "GET",
          path: `/v1/settlements/${settlementId}.csv`,
          accept: "text/csv",
          authenticated: true,
          idempotent: true,
        },
        tokens,
      );
      const csv = parseCsv(answer.text);
      if (!csv) throw malformed(answer.info, ["CSV is not well formed"]);
      const items: SettlementItem[] = [];
      const problems: string[] = [];
      csv.rows.forEach((row, n) => {
        const record: Record<string, string> = {};
        for (const [k, v] of Object.entries(row)) if (v.trim() !== "") record[csvKey(k)] = v;
        const parsed = settlementItemSchema.safeParse(record);
        if (parsed.success) items.push(toSettlementItem(parsed.data));
        else problems.push(...describeIssues(parsed.error).map((p) => `row ${n + 1}: ${p}`));
      });
      if (problems.length) throw malformed(answer.info, problems);
      return { settlementId, text: answer.text, columns: csv.columns, rows: csv.rows, items };
    },
  };
}

function malformed(info: PagoEfectivoErrorInfo, problems: string[]) {
  return new PagoEfectivoMalformedResponseError(info, problems);
}
