import { Router, type Request } from "express";
import { isCurrency } from "@pe-pay/core";
import type { Emulator } from "../emulator";
import { cipCreatedData, cipSearchItem, refundData } from "../emulator";
import { PE_CODES, PeApiError, validationError } from "../errors";
import { ok } from "../http";
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

/** PagoEfectivo's own API: same paths, bodies, status codes and envelopes as the contract. */
export function apiRouter(
  emu: Emulator,
  voucherUrl: (req: Request, guid: string) => string,
): Router {
  const r = Router();
  const merchantOf = (req: Request): Merchant => emu.authenticate(req.get("authorization"));

  r.post("/v1/authorizations", (req, res) => {
    ok(res, emu.authorize(parseJsonBody(req.body)), 201);
  });

  r.post("/v1/cips", (req, res) => {
    const m = merchantOf(req);
    const cip = emu.createCip(m, parseJsonBody(req.body));
    ok(res, cipCreatedData(cip, voucherUrl(req, cip.guid)), 201);
  });

  r.post("/v1/cips/search", (req, res) => {
    const m = merchantOf(req);
    ok(res, emu.search(m, parseJsonBody(req.body)).map(cipSearchItem), 200, PE_CODES.searchOk);
  });

  r.patch("/v1/cips/:cip", (req, res) => {
    const m = merchantOf(req);
    const c = emu.extend(m, String(req.params.cip), parseJsonBody(req.body));
    ok(res, cipSearchItem(c));
  });

  r.delete("/v1/cips/:cip", (req, res) => {
    const m = merchantOf(req);
    ok(res, cipSearchItem(emu.remove(m, String(req.params.cip))));
  });

  r.post("/v2/refunds", (req, res) => {
    const m = merchantOf(req);
    const raw = req.body instanceof Uint8Array ? req.body : new Uint8Array();
    emu.checkRefundSignature(m, req.headers, raw);
    const { refund } = emu.createRefund(m, parseJsonBody(req.body));
    ok(res, refundData(refund));
  });

  r.get("/v2/refunds/:refundId", (req, res) => {
    const m = merchantOf(req);
    ok(res, refundData(emu.findRefund(m, String(req.params.refundId))));
  });

  r.get("/v1/settlements", (req, res) => {
    const m = merchantOf(req);
    const date = req.query.date;
    const currency = req.query.currency ?? "PEN";
    const errors = [];
    if (typeof date !== "string" || date === "") errors.push(fieldError("date", "required"));
    else if (!isValidDay(date)) errors.push(fieldError("date", "invalid", "Formato YYYY-MM-DD."));
    if (!isCurrency(currency)) errors.push(fieldError("currency", "invalid", "PEN o USD."));
    if (errors.length > 0) throw validationError(errors);
    ok(res, settlementData(settle(emu, m, date as string, currency as "PEN" | "USD")));
  });

  r.get("/v1/settlements/:file", (req, res) => {
    const m = merchantOf(req);
    const file = String(req.params.file);
    const parsed = file.endsWith(".csv") ? parseSettlementId(file.slice(0, -4)) : undefined;
    if (!parsed || parsed.idService !== m.idService || !isValidDay(parsed.date)) {
      throw new PeApiError(404, PE_CODES.settlementNotFound, "Liquidación no encontrada.");
    }
    const s = settle(emu, m, parsed.date, parsed.currency);
    res
      .status(200)
      .type("text/csv; charset=utf-8")
      .set("Content-Disposition", `attachment; filename="${s.settlementId}.csv"`)
      .send(settlementCsv(s));
  });

  return r;
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
