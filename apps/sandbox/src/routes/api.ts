import type { IncomingHttpHeaders } from "node:http";
import { Router, type Request, type Response } from "express";
import { isCurrency } from "@pe-pay/core";
import type { Emulator } from "../emulator";
import { cipCreatedData, cipSearchItem, refundData } from "../emulator";
import { PE_CODES, PeApiError, validationError } from "../errors";
import { okAnswer, writeAnswer, type ApiAnswer } from "../http";
import { parseJsonBody } from "../json-body";
import { isValidDay } from "../lima";
import type { Merchant } from "../merchants";
import {
  computeSettlement,
  parseSettlementId,
  settlementCsv,
  type Settlement,
} from "../settlement";
import { fieldError } from "../validation";
import { amount } from "../wire-json";

/**
 * One API request as the routes see it, whichever server path brought it (api-fast-path.ts for
 * plain requests, express for everything else), so both answer with the same code.
 */
export interface ApiCall {
  params: Record<string, string>;
  /** Parsed as express's "simple" query parser does (node:querystring). */
  query: Record<string, unknown>;
  headers: IncomingHttpHeaders;
  /** Raw body bytes; undefined when the request had none. */
  body: Uint8Array | undefined;
  /** `http(s)://host` the request was addressed to (voucher links default to it). */
  origin(): string;
}

export type ApiMethod = "GET" | "POST" | "PATCH" | "DELETE";

export interface ApiRoute {
  method: ApiMethod;
  /** Express path syntax: literal segments and `:name` parameters. */
  path: string;
  handle(call: ApiCall): ApiAnswer;
}

/** PagoEfectivo's own API: same paths, bodies, status codes and envelopes as the contract. */
export function apiRoutes(
  emu: Emulator,
  voucherUrl: (call: ApiCall, guid: string) => string,
): ApiRoute[] {
  const merchantOf = (call: ApiCall): Merchant => emu.authenticate(header(call, "authorization"));
  return [
    {
      method: "POST",
      path: "/v1/authorizations",
      handle: (call) => okAnswer(emu.authorize(parseJsonBody(call.body)), 201),
    },
    {
      method: "POST",
      path: "/v1/cips",
      handle(call) {
        const m = merchantOf(call);
        const cip = emu.createCip(m, parseJsonBody(call.body));
        return okAnswer(cipCreatedData(cip, voucherUrl(call, cip.guid)), 201);
      },
    },
    {
      method: "POST",
      path: "/v1/cips/search",
      handle(call) {
        const m = merchantOf(call);
        const found = emu.search(m, parseJsonBody(call.body)).map(cipSearchItem);
        return okAnswer(found, 200, PE_CODES.searchOk);
      },
    },
    {
      method: "PATCH",
      path: "/v1/cips/:cip",
      handle(call) {
        const m = merchantOf(call);
        return okAnswer(cipSearchItem(emu.extend(m, call.params.cip!, parseJsonBody(call.body))));
      },
    },
    {
      method: "DELETE",
      path: "/v1/cips/:cip",
      handle(call) {
        const m = merchantOf(call);
        return okAnswer(cipSearchItem(emu.remove(m, call.params.cip!)));
      },
    },
    {
      method: "POST",
      path: "/v2/refunds",
      handle(call) {
        const m = merchantOf(call);
        emu.checkRefundSignature(m, call.headers, call.body ?? new Uint8Array());
        const { refund } = emu.createRefund(m, parseJsonBody(call.body));
        return okAnswer(refundData(refund));
      },
    },
    {
      method: "GET",
      path: "/v2/refunds/:refundId",
      handle(call) {
        const m = merchantOf(call);
        return okAnswer(refundData(emu.findRefund(m, call.params.refundId!)));
      },
    },
    {
      method: "GET",
      path: "/v1/settlements",
      handle(call) {
        const m = merchantOf(call);
        const date = call.query.date;
        const currency = call.query.currency ?? "PEN";
        const errors = [];
        if (typeof date !== "string" || date === "") errors.push(fieldError("date", "required"));
        else if (!isValidDay(date))
          errors.push(fieldError("date", "invalid", "Formato YYYY-MM-DD."));
        if (!isCurrency(currency)) errors.push(fieldError("currency", "invalid", "PEN o USD."));
        if (errors.length > 0) throw validationError(errors);
        return okAnswer(settlementData(settle(emu, m, date as string, currency as "PEN" | "USD")));
      },
    },
    {
      method: "GET",
      path: "/v1/settlements/:file",
      handle(call) {
        const m = merchantOf(call);
        const file = call.params.file!;
        const parsed = file.endsWith(".csv") ? parseSettlementId(file.slice(0, -4)) : undefined;
        if (!parsed || parsed.idService !== m.idService || !isValidDay(parsed.date)) {
          throw new PeApiError(404, PE_CODES.settlementNotFound, "Liquidación no encontrada.");
        }
        const s = settle(emu, m, parsed.date, parsed.currency);
        return {
          status: 200,
          contentType: "text/csv; charset=utf-8",
          headers: { "Content-Disposition": `attachment; filename="${s.settlementId}.csv"` },
          body: settlementCsv(s),
        };
      },
    },
  ];
}

function header(call: ApiCall, name: string): string | undefined {
  const v = call.headers[name];
  return Array.isArray(v) ? v.join(", ") : v;
}

/** The routes for requests express handles (encoded paths, compressed or chunked bodies…). */
export function apiRouter(routes: readonly ApiRoute[]): Router {
  const r = Router();
  for (const route of routes) {
    const method = route.method.toLowerCase() as "get" | "post" | "patch" | "delete";
    r[method](route.path, (req: Request, res: Response) => {
      writeAnswer(res, route.handle(expressCall(req)));
    });
  }
  return r;
}

function expressCall(req: Request): ApiCall {
  return {
    params: req.params as Record<string, string>,
    query: req.query as Record<string, unknown>,
    headers: req.headers,
    body: req.body instanceof Uint8Array ? req.body : undefined,
    origin: () => `${req.protocol}://${req.get("host") ?? "localhost"}`,
  };
}

function settle(emu: Emulator, m: Merchant, date: string, currency: "PEN" | "USD"): Settlement {
  emu.sweepExpired();
  return computeSettlement({
    idService: m.idService,
    date,
    currency,
    feeBps: m.feeBps,
    cips: emu.state.cips.values(),
    refunds: emu.state.refunds.values(),
    cipByNumber: (n) => emu.state.cips.get(n),
  });
}

export function settlementData(s: Settlement): Record<string, unknown> {
  return {
    settlementId: s.settlementId,
    date: s.date,
    currency: s.currency,
    payoutDate: s.payoutDate,
    grossAmount: amount(s.grossMinor),
    feeAmount: amount(s.feeMinor),
    refundAmount: amount(s.refundMinor),
    netAmount: amount(s.netMinor),
    items: s.items.map((i) => ({
      type: i.type,
      cip: i.cip,
      transactionCode: i.transactionCode,
      ...(i.refundId ? { refundId: i.refundId } : {}),
      channel: i.channel,
      operationDate: i.operationDate,
      amount: amount(i.amountMinor),
      feeAmount: amount(i.feeMinor),
      netAmount: amount(i.netMinor),
    })),
  };
}
