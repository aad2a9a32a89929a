import { Router, type Request, type Response } from "express";
import { jsonDecimal, toLimaIso } from "@pe-pay/core";
import { z } from "zod";
import { cipSearchItem, refundData, type Emulator } from "../emulator";
import { PeApiError, validationError } from "../errors";
import { ok } from "../http";
import { isFormPost, parseControlBody, type ParsedJson } from "../json-body";
import {
  accessKeySchema,
  codeServiceSchema,
  feePercentSchema,
  idServiceSchema,
  notificationUrlSchema,
  publicMerchant,
  secretKeySchema,
  toMerchant,
} from "../merchants";
import type { Notifier } from "../notifier";
import type { CipRecord, FaultConfig } from "../state";
import { FieldErrors, checkAmount, fieldError, requireObject } from "../validation";
import { errorPage, langOf } from "./pages";

const rate = z.number().min(0).max(1);
const faultsSchema = z.strictObject({
  notifications: z
    .strictObject({
      dropRate: rate.optional(),
      duplicateRate: rate.optional(),
      delayMs: z.number().int().min(0).max(600_000).optional(),
      reorder: z.boolean().optional(),
    })
    .optional(),
  api: z
    .strictObject({
      latencyMs: z.number().int().min(0).max(60_000).optional(),
      errorRate: rate.optional(),
      failNext: z.number().int().min(0).max(1_000_000).optional(),
      errorStatus: z.number().int().min(500).max(599).optional(),
      path: z
        .string()
        .regex(/^\/[\x21-\x7e]{0,200}$/)
        .optional(),
    })
    .optional(),
});

const merchantUpdateSchema = z.strictObject({
  accessKey: accessKeySchema.optional(),
  secretKey: secretKeySchema.optional(),
  codeService: codeServiceSchema.optional(),
  notificationUrl: notificationUrlSchema.optional(),
  feePercent: feePercentSchema.optional(),
});

const flag = z.union([z.boolean(), z.enum(["true", "false", "on", ""])]).optional();
const paySchema = z.object({
  channel: z
    .string()
    .regex(/^[\p{L}\p{N} +._-]{0,40}$/u)
    .optional(),
  force: flag,
  lang: z.string().optional(),
});
const rejectSchema = z.object({
  reasonCode: z
    .string()
    .regex(/^[A-Z0-9_]{1,20}$/)
    .optional(),
  lang: z.string().optional(),
});
const clockSchema = z.strictObject({
  offsetMs: z
    .number()
    .int()
    .min(-10 * 365 * 86_400_000)
    .max(10 * 365 * 86_400_000),
});

const MAX_OFFSET_DIGITS = /^-?\d{1,15}$/;

/**
 * Sandbox-only controls (not PagoEfectivo's API). No auth, but every input is validated and
 * answered with the same envelope; HTML form posts from the agent page get a 303 back to "/".
 */
export function controlsRouter(emu: Emulator, notifier: Notifier): Router {
  const r = Router();
  const { state } = emu;

  const control =
    (fn: (req: Request, body: ParsedJson) => unknown) =>
    (req: Request, res: Response): void => {
      const form = isFormPost(req.get("content-type"));
      let body: ParsedJson | undefined;
      try {
        body = parseControlBody(req.body, req.get("content-type"));
        const data = fn(req, body);
        if (form) {
          res.redirect(303, langOf(body.value) === "en" ? "/?lang=en" : "/");
          return;
        }
        ok(res, data);
      } catch (e) {
        if (form && e instanceof PeApiError) {
          res
            .status(e.httpStatus)
            .type("html")
            .send(errorPage(e, langOf(body?.value)));
          return;
        }
        throw e;
      }
    };

  const findCip = (req: Request): CipRecord => emu.findCip(undefined, String(req.params.cip));

  r.get("/_sandbox/merchants", (_req, res) => {
    ok(res, [...state.merchants.values()].map(publicMerchant));
  });

  r.put(
    "/_sandbox/merchants/:idService",
    control((req, parsed) => {
      const idText = String(req.params.idService);
      const id = /^\d{1,10}$/.test(idText) ? Number(idText) : NaN;
      if (!idServiceSchema.safeParse(id).success)
        throw validationError([fieldError("idService", "invalid")]);
      const body = requireObject(parsed);
      const errors = new FieldErrors();
      const input = errors.check(merchantUpdateSchema, body);
      const existing = state.merchants.get(id);
      if (!existing && input) {
        if (!input.accessKey) errors.add(fieldError("accessKey", "required"));
        if (!input.secretKey) errors.add(fieldError("secretKey", "required"));
      }
      errors.throwIfAny();
      const base =
        existing ??
        toMerchant({ idService: id, accessKey: input!.accessKey!, secretKey: input!.secretKey! });
      const next = {
        ...base,
        ...(input!.accessKey ? { accessKey: input!.accessKey } : {}),
        ...(input!.secretKey ? { secretKey: input!.secretKey } : {}),
        ...(input!.codeService ? { codeService: input!.codeService } : {}),
        ...(input!.notificationUrl !== undefined
          ? { notificationUrl: input!.notificationUrl }
          : {}),
        ...(input!.feePercent !== undefined ? { feeBps: Math.round(input!.feePercent * 100) } : {}),
      };
      if (existing && next.secretKey !== existing.secretKey) {
        // New keys invalidate the tokens issued under the old ones.
        for (const [t, rec] of state.tokens) if (rec.idService === id) state.tokens.delete(t);
      }
      state.merchants.set(id, next);
      return publicMerchant(next);
    }),
  );

  r.get("/_sandbox/cips", (req, res) => {
    emu.sweepExpired();
    const id = req.query.idService;
    const list = [...state.cips.values()].filter(
      (c) => id === undefined || String(c.idService) === id,
    );
    ok(res, list.map(controlCipView));
  });

  r.post(
    "/_sandbox/cips/:cip/pay",
    control((req, parsed) => {
      const record = findCip(req);
      const body = requireObject(parsed);
      const errors = new FieldErrors();
      const input = errors.check(paySchema, body);
      let amountMinor: number | undefined;
      if (body.amount !== undefined && body.amount !== null && body.amount !== "") {
        amountMinor = checkAmount(errors, parsed, body, "amount", { allowString: true });
      }
      errors.throwIfAny();
      const force = input!.force === true || input!.force === "true" || input!.force === "on";
      return controlCipView(
        emu.pay(record, { channel: input!.channel || "BCP-agente", amountMinor, force }),
      );
    }),
  );

  r.post(
    "/_sandbox/cips/:cip/expire",
    control((req, parsed) => {
      requireObject(parsed);
      return controlCipView(emu.expire(findCip(req)));
    }),
  );

  r.get("/_sandbox/refunds", (_req, res) => {
    ok(
      res,
      [...state.refunds.values()].map((x) => ({
        ...refundData(x),
        invoiceNumber: x.invoiceNumber,
      })),
    );
  });

  for (const outcome of ["complete", "reject"] as const) {
    r.post(
      `/_sandbox/refunds/:refundId/${outcome}`,
      control((req, parsed) => {
        const body = requireObject(parsed);
        const errors = new FieldErrors();
        const input = errors.check(rejectSchema, body);
        errors.throwIfAny();
        const refund = emu.processRefund(
          String(req.params.refundId),
          outcome === "complete" ? "completed" : "rejected",
          input!.reasonCode,
        );
        return refundData(refund);
      }),
    );
  }

  r.get("/_sandbox/notifications", (req, res) => {
    const id = req.query.idService;
    const type = req.query.eventType;
    ok(
      res,
      state.deliveries.filter(
        (d) =>
          (id === undefined || String(d.idService) === id) &&
          (type === undefined || d.eventType === type),
      ),
    );
  });

  r.get("/_sandbox/faults", (_req, res) => ok(res, state.faults));
  r.put(
    "/_sandbox/faults",
    control((_req, parsed) => {
      const body = requireObject(parsed);
      const errors = new FieldErrors();
      const input = errors.check(faultsSchema, body);
      errors.throwIfAny();
      state.faults = input as FaultConfig;
      if (!state.faults.notifications?.reorder) notifier.flushHeld(false);
      return state.faults;
    }),
  );

  r.get("/_sandbox/clock", (_req, res) => ok(res, clockView(emu)));
  r.put(
    "/_sandbox/clock",
    control((_req, parsed) => {
      const body = requireObject(parsed);
      const errors = new FieldErrors();
      const src = parsed.numberSource(body, "offsetMs");
      const input = errors.check(clockSchema, body);
      if (input && src !== undefined && !MAX_OFFSET_DIGITS.test(src)) {
        errors.add(fieldError("offsetMs", "invalid", "Entero de milisegundos."));
      }
      errors.throwIfAny();
      state.clockOffsetMs = input!.offsetMs;
      emu.sweepExpired();
      return clockView(emu);
    }),
  );

  r.post(
    "/_sandbox/reset",
    control(() => {
      notifier.cancelAll();
      state.reset();
      return { reset: true };
    }),
  );

  return r;
}

function clockView(emu: Emulator) {
  return { offsetMs: emu.state.clockOffsetMs, now: toLimaIso(emu.now()) };
}

export function controlCipView(c: CipRecord): Record<string, unknown> {
  return {
    ...cipSearchItem(c),
    idService: c.idService,
    guid: c.guid,
    channel: c.channel ?? null,
    paidAmount: c.paidAmountMinor === undefined ? null : jsonDecimal(c.paidAmountMinor),
    operationNumber: c.operationNumber ?? null,
  };
}
