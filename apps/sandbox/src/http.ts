import type { NextFunction, Request, Response } from "express";
import { PE_CODES, PeApiError } from "./errors";
import { payloadTooLarge } from "./json-body";
import type { SandboxLogger } from "./notifier";
import type { SandboxState } from "./state";
import { toWireJson } from "./wire-json";

export function sendJson(res: Response, status: number, value: unknown): void {
  res.status(status).type("application/json; charset=utf-8").send(toWireJson(value));
}

export function ok(res: Response, data: unknown, status = 200, code: number = PE_CODES.ok): void {
  const message = code === PE_CODES.searchOk ? "Consulta exitosa." : "Solicitud exitosa.";
  sendJson(res, status, { code, message, data });
}

/** Maps anything thrown to the envelope: body-parser errors to their 4xx, bugs to 500. */
export function errorHandler(logger: SandboxLogger) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction): void => {
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
    if (res.headersSent) return;
    if (e.httpStatus === 401) res.set("WWW-Authenticate", 'Bearer realm="pagoefectivo-sandbox"');
    sendJson(res, e.httpStatus, e.envelope());
  };
}

function isHttpError(e: unknown): e is { status: number } {
  return (
    typeof e === "object" && e !== null && typeof (e as { status?: unknown }).status === "number"
  );
}

/** API fault injection (latency, 5xx) for /v1 and /v2 only; it runs before any state change. */
export function apiFaults(state: SandboxState, random: () => number) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const f = state.faults.api;
    if (!f || (f.path && !`${req.baseUrl}${req.path}`.startsWith(f.path))) return next();
    if (f.latencyMs) await new Promise((r) => setTimeout(r, f.latencyMs));
    let fail = false;
    if (f.failNext && f.failNext > 0) {
      f.failNext -= 1;
      fail = true;
    } else if (f.errorRate && random() < f.errorRate) fail = true;
    if (fail) {
      const status = f.errorStatus ?? 503;
      sendJson(res, status, {
        code: PE_CODES.unavailable,
        message: "Servicio no disponible.",
        data: [],
      });
      return;
    }
    next();
  };
}

export function notFoundHandler(_req: Request, res: Response): void {
  sendJson(res, 404, { code: PE_CODES.routeNotFound, message: "Recurso no encontrado.", data: [] });
}
