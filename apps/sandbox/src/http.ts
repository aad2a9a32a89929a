import type { ServerResponse } from "node:http";
import type { NextFunction, Request, Response } from "express";
import { PE_CODES, PeApiError } from "./errors";
import { payloadTooLarge } from "./json-body";
import type { SandboxLogger } from "./notifier";
import type { SandboxState } from "./state";
import { toWireJson } from "./wire-json";

/** A complete answer, written the same way whichever server path handled the request. */
export interface ApiAnswer {
  status: number;
  contentType: string;
  headers?: Record<string, string>;
  body: string;
}

export function jsonAnswer(status: number, value: unknown): ApiAnswer {
  return { status, contentType: "application/json; charset=utf-8", body: toWireJson(value) };
}

export function okAnswer(data: unknown, status = 200, code: number = PE_CODES.ok): ApiAnswer {
  const message = code === PE_CODES.searchOk ? "Consulta exitosa." : "Solicitud exitosa.";
  return jsonAnswer(status, { code, message, data });
}

/**
 * Written straight to the response: express's send() would add an ETag (a SHA-1 of every body,
 * which PagoEfectivo does not send) and a freshness check no API client uses.
 */
export function writeAnswer(res: ServerResponse, answer: ApiAnswer): void {
  res.statusCode = answer.status;
  res.setHeader("Content-Type", answer.contentType);
  if (answer.headers) for (const [k, v] of Object.entries(answer.headers)) res.setHeader(k, v);
  res.setHeader("Content-Length", Buffer.byteLength(answer.body));
  res.end(answer.body);
}

export function sendJson(res: Response, status: number, value: unknown): void {
  writeAnswer(res, jsonAnswer(status, value));
}

export function ok(res: Response, data: unknown, status = 200, code: number = PE_CODES.ok): void {
  writeAnswer(res, okAnswer(data, status, code));
}

/** Anything thrown as the envelope: body-parser errors to their 4xx, bugs to 500. */
export function errorAnswer(err: unknown, logger: SandboxLogger): ApiAnswer {
  let e: PeApiError;
  if (err instanceof PeApiError) e = err;
  else if (isHttpError(err) && err.status === 413) e = payloadTooLarge();
  else if (isHttpError(err) && err.status >= 400 && err.status < 500) {
    e = new PeApiError(err.status, PE_CODES.validation, "Error de validación.", [
      { code: 300, field: "body", message: "El cuerpo de la solicitud no se pudo leer." },
    ]);
  } else {
    logger.error(
      `unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    );
    e = new PeApiError(500, PE_CODES.internal, "Error interno del sandbox.");
  }
  const answer = jsonAnswer(e.httpStatus, e.envelope());
  if (e.httpStatus === 401)
    answer.headers = { "WWW-Authenticate": 'Bearer realm="pagoefectivo-sandbox"' };
  return answer;
}

export function errorHandler(logger: SandboxLogger) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    const answer = errorAnswer(err, logger);
    if (res.headersSent) return;
    writeAnswer(res, answer);
  };
}

function isHttpError(e: unknown): e is { status: number } {
  return (
    typeof e === "object" && e !== null && typeof (e as { status?: unknown }).status === "number"
  );
}

/**
 * The API fault configured for `path` (/v1 and /v2 only), applied before any state change:
 * waits the injected latency, then answers the injected failure or undefined to go on.
 * Synchronous (no promise) when no API fault is configured, the usual case.
 */
export function apiFault(
  state: SandboxState,
  random: () => number,
  path: string,
): undefined | Promise<ApiAnswer | undefined> {
  const f = state.faults.api;
  if (!f || (f.path && !path.startsWith(f.path))) return undefined;
  return (async () => {
    if (f.latencyMs) await new Promise((r) => setTimeout(r, f.latencyMs));
    let fail = false;
    if (f.failNext && f.failNext > 0) {
      f.failNext -= 1;
      fail = true;
    } else if (f.errorRate && random() < f.errorRate) fail = true;
    if (!fail) return undefined;
    return jsonAnswer(f.errorStatus ?? 503, {
      code: PE_CODES.unavailable,
      message: "Servicio no disponible.",
      data: [],
    });
  })();
}

/** apiFault as express middleware, mounted on /v1 and /v2. */
export function apiFaults(state: SandboxState, random: () => number) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const fault = await apiFault(state, random, `${req.baseUrl}${req.path}`);
    if (fault) writeAnswer(res, fault);
    else next();
  };
}

export function notFoundHandler(_req: Request, res: Response): void {
  sendJson(res, 404, { code: PE_CODES.routeNotFound, message: "Recurso no encontrado.", data: [] });
}
