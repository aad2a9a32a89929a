import { isAppError } from "@pe-pay/core";
import type { ErrorRequestHandler, Response } from "express";
import type { Logger } from "./ports";

interface BodyParserError {
  type?: string;
  status?: number;
}

/**
 * Maps any error to a non-2xx answer: AppErrors keep their status (retryable ones become 5xx so
 * Shopify retries), body-parser failures are 4xx, anything unexpected is a 500 without detail.
 */
export function errorStatusAndBody(err: unknown): {
  status: number;
  body: Record<string, unknown>;
} {
  if (isAppError(err)) {
    let status = err.httpStatus;
    if (err.retryable && status < 500) status = 503;
    if (!err.retryable && status >= 500) status = 400;
    return { status, body: { error: err.toJSON() } };
  }
  const bp = err as BodyParserError;
  if (bp && typeof bp.type === "string" && typeof bp.status === "number" && bp.status < 500) {
    const code = bp.type === "entity.parse.failed" ? "malformed_json" : bp.type.replace(/\./g, "_");
    return {
      status: bp.status,
      body: { error: { code, message: "The request body could not be read", retryable: false } },
    };
  }
  return {
    status: 500,
    body: { error: { code: "internal_error", message: "Internal error", retryable: true } },
  };
}

export function sendError(res: Response, err: unknown, logger: Logger, ctx: object = {}): void {
  const { status, body } = errorStatusAndBody(err);
  const log = status >= 500 ? logger.error.bind(logger) : logger.warn.bind(logger);
  log(
    { ...ctx, status, code: (body.error as { code: string }).code, err: describe(err) },
    "request failed",
  );
  if (!res.headersSent) res.status(status).json(body);
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => sendError(res, err, logger);
}
