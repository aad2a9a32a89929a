import {
  authorizationHash,
  checkRefundRequestSignature,
  hexDigestEquals,
  jsonDecimal,
  readHeader,
  toLimaIso,
  type Clock,
  type Currency,
} from "@pe-pay/core";
import { timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { PE_CODES, PeApiError, notFoundCip, validationError } from "./errors";
import { newGuid, newRefundId, newToken } from "./ids";
import type { ParsedJson } from "./json-body";
import { DATE_SENTINEL, parseIsoInstant } from "./lima";
import type { Merchant } from "./merchants";
import type { Notifier } from "./notifier";
import { CIP_STATUS, type CipRecord, type RefundRecord, type SandboxState } from "./state";
import { FieldErrors, checkAmount, fieldError, isObject, requireObject } from "./validation";

export const DATE_REQUEST_TOLERANCE_MS = 5 * 60_000;
export const REFUND_WINDOW_MS = 90 * 24 * 3600_000;
export const DEFAULT_TOKEN_TTL_MS = 2 * 3600_000;
export const INVOICE_NUMBER = /^[FB][A-Z0-9]{3}-\d{1,8}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DOCUMENT_TYPES = ["DNI", "PAS", "LMI", "PAR", "NAN", "CE"] as const;

const email = z.string().max(254).regex(EMAIL);
const optText = (max: number) => z.string().max(max).nullish();

const authSchema = z.object({
  accessKey: z.string().min(1).max(64),
  idService: z.union([z.number().int().positive(), z.string().regex(/^\d{1,10}$/)]),
  dateRequest: z.string().min(1).max(64),
  hashString: z.string().regex(/^[0-9a-fA-F]{64}$/),
});

const cipSchema = z.object({
  currency: z.enum(["PEN", "USD"]),
  amount: z.number(),
  transactionCode: z.string().trim().min(1).max(64),
  userEmail: email,
  dateExpiry: z.string().min(1),
  adminEmail: email.nullish(),
  paymentConcept: optText(200),
  additionalData: optText(1000),
  userId: optText(64),
  userName: optText(100),
  userLastName: optText(100),
  userUbigeo: z
    .string()
    .regex(/^\d{6}$/)
    .nullish(),
  userCountry: optText(64),
  userDocumentType: z.enum(DOCUMENT_TYPES).nullish(),
  userDocumentNumber: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,20}$/)
    .nullish(),
  userCodeCountry: z
    .string()
    .regex(/^\+?\d{1,4}$/)
    .nullish(),
  userPhone: z
    .string()
    .regex(/^\+?\d{6,15}$/)
    .nullish(),
  serviceId: z.number().int().nullish(),
});

const DETAIL_FIELDS = [
  "adminEmail",
  "paymentConcept",
  "additionalData",
  "userId",
  "userName",
  "userLastName",
  "userUbigeo",
  "userCountry",
  "userDocumentType",
  "userDocumentNumber",
  "userCodeCountry",
  "userPhone",
] as const;

const refundSchema = z.object({
  transactionId: z.union([z.string().regex(/^\d{1,15}$/), z.number().int().positive()]),
  amount: z.number(),
  currency: z.enum(["PEN", "USD"]),
  reason: optText(250),
  reference: z.string().regex(/^[\x21-\x7e]{1,128}$/),
  invoiceNumber: z.string().regex(INVOICE_NUMBER, "Formato F###-######## o B###-########."),
});

export interface EmulatorOptions {
  tokenTtlMs: number;
}

/** The PagoEfectivo behaviour, independent of HTTP: routes only translate to and from it. */
export class Emulator {
  constructor(
    readonly state: SandboxState,
    readonly clock: Clock,
    readonly notifier: Notifier,
    private readonly opts: EmulatorOptions,
  ) {}

  now(): Date {
    return this.clock.now();
  }

  // ── authorization ────────────────────────────────────────────────────────────────────────

  authorize(parsed: ParsedJson) {
    const body = requireObject(parsed);
    const errors = new FieldErrors();
    const input = errors.check(authSchema, body);
    errors.throwIfAny();
    const { accessKey, dateRequest, hashString } = input!;
    const idService = Number(input!.idService);
    const merchant = this.state.merchants.get(idService);
    // Same work whether or not the merchant exists, so timing does not reveal valid ids.
    const expected = authorizationHash({
      idService,
      accessKey,
      secretKey: merchant?.secretKey ?? "x".repeat(40),
      dateRequest,
    });
    const keyOk = merchant !== undefined && safeEqualText(merchant.accessKey, accessKey);
    const hashOk = hexDigestEquals(expected, hashString.toLowerCase());
    if (!keyOk || !hashOk) {
      throw new PeApiError(401, PE_CODES.badCredentials, "Credenciales inválidas.");
    }
    const at = parseIsoInstant(dateRequest);
    const now = this.now();
    if (!at)
      throw validationError([fieldError("dateRequest", "invalid", "Fecha ISO-8601 con zona.")]);
    if (Math.abs(now.getTime() - at.getTime()) > DATE_REQUEST_TOLERANCE_MS) {
      throw new PeApiError(
        401,
        PE_CODES.staleDateRequest,
        "La fecha de la solicitud (dateRequest) está fuera del rango permitido.",
      );
    }
    this.pruneTokens(now);
    const token = newToken();
    const expires = new Date(now.getTime() + this.opts.tokenTtlMs);
    this.state.tokens.set(token, { idService, start: now, expires });
    return {
      token,
      codeService: merchant!.codeService,
      tokenStart: toLimaIso(now),
      tokenExpires: toLimaIso(expires),
    };
  }

  authenticate(authorization: string | undefined): Merchant {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
    const record = m ? this.state.tokens.get(m[1]!) : undefined;
    const merchant = record ? this.state.merchants.get(record.idService) : undefined;
    if (!record || !merchant || record.expires.getTime() <= this.now().getTime()) {
      throw new PeApiError(401, PE_CODES.badToken, "Token inválido o expirado.");
    }
    return merchant;
  }

  private pruneTokens(now: Date): void {
    if (this.state.tokens.size < 1000) return;
    for (const [t, r] of this.state.tokens) {
      if (r.expires.getTime() <= now.getTime()) this.state.tokens.delete(t);
    }
  }

  // ── CIPs ─────────────────────────────────────────────────────────────────────────────────

  createCip(merchant: Merchant, parsed: ParsedJson): CipRecord {
    const body = requireObject(parsed);
    const errors = new FieldErrors();
    const input = errors.check(cipSchema, body);
    const amountMinor = checkAmount(errors, parsed, body);
    const now = this.now();
    let dateExpiry: Date | undefined;
    if (!errors.has("dateExpiry")) {
      dateExpiry = parseIsoInstant(body.dateExpiry);
      if (!dateExpiry) {
        errors.add(fieldError("dateExpiry", "invalid", "Fecha ISO-8601 con zona horaria."));
      } else if (dateExpiry.getTime() <= now.getTime()) {
        errors.add(fieldError("dateExpiry", "invalid", "Debe ser una fecha futura."));
      }
    }
    if (
      typeof body.serviceId === "number" &&
      !errors.has("serviceId") &&
      body.serviceId !== merchant.idService
    ) {
      errors.add(fieldError("serviceId", "invalid", "No corresponde al token."));
    }
    errors.throwIfAny();
    const details: Record<string, string> = {};
    for (const f of DETAIL_FIELDS) {
      const v = input![f];
      if (typeof v === "string") details[f] = v;
    }
    const guid = newGuid();
    const record: CipRecord = {
      cip: this.state.nextCip++,
      guid,
      idService: merchant.idService,
      transactionCode: input!.transactionCode,
      currency: input!.currency,
      amountMinor: amountMinor!,
      dateCreation: now,
      dateExpiry: dateExpiry!,
      state: "generated",
      details,
    };
    this.state.cips.set(record.cip, record);
    this.state.cipsByGuid.set(guid, record);
    return record;
  }

  /** A CIP of this merchant (another merchant's CIP is "not found"), with lazy expiry applied. */
  findCip(merchant: Merchant | undefined, cipText: unknown): CipRecord {
    const cip = parseCipNumber(cipText);
    if (cip === undefined) {
      throw validationError([fieldError("cip", "invalid", "Debe ser un número de CIP.")]);
    }
    const record = this.state.cips.get(cip);
    if (!record || (merchant && record.idService !== merchant.idService)) throw notFoundCip();
    this.refreshExpiry(record);
    return record;
  }

  search(merchant: Merchant, parsed: ParsedJson): CipRecord[] {
    const body = requireObject(parsed);
    const list = body.data ?? body.Data;
    const field = body.data !== undefined ? "data" : "Data";
    if (list === undefined || list === null)
      throw validationError([fieldError("data", "required")]);
    if (!Array.isArray(list) || list.length === 0 || list.length > 100) {
      throw validationError([fieldError(field, "invalid", "Lista de 1 a 100 CIPs.")]);
    }
    const errors = new FieldErrors();
    const numbers: number[] = [];
    list.forEach((item, i) => {
      const raw = isObject(item) ? (item.cip ?? item.Cip) : undefined;
      const n = parseCipNumber(raw);
      if (n === undefined)
        errors.add(fieldError(`${field}[${i}].cip`, raw === undefined ? "required" : "invalid"));
      else numbers.push(n);
    });
    errors.throwIfAny();
    const found: CipRecord[] = [];
    for (const n of new Set(numbers)) {
      const r = this.state.cips.get(n);
      if (r && r.idService === merchant.idService) {
        this.refreshExpiry(r);
        found.push(r);
      }
    }
    return found;
  }

  extend(merchant: Merchant, cipText: string, parsed: ParsedJson): CipRecord {
    const record = this.findCip(merchant, cipText);
    const body = requireObject(parsed);
    const raw = body.dateExpiry;
    if (raw === undefined || raw === null || raw === "") {
      throw validationError([fieldError("dateExpiry", "required")]);
    }
    const at = parseIsoInstant(raw);
    if (!at)
      throw validationError([
        fieldError("dateExpiry", "invalid", "Fecha ISO-8601 con zona horaria."),
      ]);
    if (at.getTime() <= this.now().getTime()) {
      throw validationError([fieldError("dateExpiry", "invalid", "Debe ser una fecha futura.")]);
    }
    this.assertUnpaidAlive(record);
    record.dateExpiry = at;
    record.state = "generated";
    return record;
  }

  remove(merchant: Merchant, cipText: string): CipRecord {
    const record = this.findCip(merchant, cipText);
    this.assertUnpaidAlive(record);
    record.state = "removed";
    record.removedAt = this.now();
    return record;
  }

  private assertUnpaidAlive(record: CipRecord): void {
    if (record.state === "paid") {
      throw new PeApiError(409, PE_CODES.cipPaid, "El CIP ya fue pagado.");
    }
    if (record.state === "removed") {
      throw new PeApiError(409, PE_CODES.cipRemoved, "El CIP fue eliminado.");
    }
  }

  /** The agent takes the cash. `force` lets tests reproduce a payment after expiry/removal. */
  pay(
    record: CipRecord,
    opts: { channel: string; amountMinor?: number; force?: boolean },
  ): CipRecord {
    this.refreshExpiry(record);
    if (record.state === "paid")
      throw new PeApiError(409, PE_CODES.cipPaid, "El CIP ya fue pagado.");
    if (!opts.force && record.state === "removed") {
      throw new PeApiError(409, PE_CODES.cipRemoved, "El CIP fue eliminado.");
    }
    if (!opts.force && record.state === "expired") {
      throw new PeApiError(409, PE_CODES.cipExpired, "El CIP está expirado.");
    }
    const now = this.now();
    record.state = "paid";
    record.paidAt = now;
    record.paidAmountMinor = opts.amountMinor ?? record.amountMinor;
    record.channel = opts.channel;
    const delivery = this.notifier.emit(record.idService, "cip.paid", {
      cip: record.cip,
      currency: record.currency,
      amount: jsonDecimal(record.paidAmountMinor),
      paymentDate: toLimaIso(now),
      transactionCode: record.transactionCode,
    });
    record.operationNumber = delivery.operationNumber;
    return record;
  }

  /** Forces expiry now (the control); the CIP's dateExpiry becomes the current time. */
  expire(record: CipRecord): CipRecord {
    this.refreshExpiry(record);
    if (record.state === "expired") return record;
    this.assertUnpaidAlive(record);
    record.dateExpiry = this.now();
    this.markExpired(record);
    return record;
  }

  refreshExpiry(record: CipRecord): void {
    if (record.state === "generated" && record.dateExpiry.getTime() <= this.now().getTime()) {
      this.markExpired(record);
    }
  }

  /** Expires every CIP past its dateExpiry (the timer and the clock control call this). */
  sweepExpired(): number {
    let n = 0;
    const now = this.now().getTime();
    for (const r of this.state.cips.values()) {
      if (r.state === "generated" && r.dateExpiry.getTime() <= now) {
        this.markExpired(r);
        n++;
      }
    }
    return n;
  }

  private markExpired(record: CipRecord): void {
    record.state = "expired";
    this.notifier.emit(record.idService, "cip.expired", {
      cip: record.cip,
      currency: record.currency,
      amount: jsonDecimal(record.amountMinor),
      transactionCode: record.transactionCode,
    });
  }

  // ── refunds ──────────────────────────────────────────────────────────────────────────────

  checkRefundSignature(
    merchant: Merchant,
    headers: Record<string, string | string[] | undefined>,
    raw: Uint8Array,
  ): void {
    const result = checkRefundRequestSignature({
      timestamp: readHeader(headers, "PE-Timestamp")?.trim(),
      signature: readHeader(headers, "PE-Signature")?.trim(),
      rawBody: raw,
      secretKey: merchant.secretKey,
      now: this.now(),
    });
    if (result.ok) return;
    if (result.reason === "stale_timestamp" || result.reason === "bad_timestamp") {
      throw new PeApiError(
        401,
        PE_CODES.staleRefundTimestamp,
        "PE-Timestamp ausente, inválido o fuera del rango de 5 minutos.",
      );
    }
    throw new PeApiError(401, PE_CODES.badRefundSignature, "Firma PE-Signature inválida.");
  }

  createRefund(
    merchant: Merchant,
    parsed: ParsedJson,
  ): { refund: RefundRecord; replayed: boolean } {
    const body = requireObject(parsed);
    const errors = new FieldErrors();
    const input = errors.check(refundSchema, body);
    const amountMinor = checkAmount(errors, parsed, body);
    errors.throwIfAny();
    const cip = Number(input!.transactionId);
    const fingerprint = JSON.stringify([
      cip,
      amountMinor,
      input!.currency,
      input!.reason ?? null,
      input!.invoiceNumber,
    ]);
    const refKey = `${merchant.idService}:${input!.reference}`;
    const existing = this.state.refundsByReference.get(refKey);
    if (existing) {
      if (existing.fingerprint === fingerprint) return { refund: existing, replayed: true };
      throw new PeApiError(
        409,
        PE_CODES.refundReferenceConflict,
        "La referencia ya fue usada con otros datos.",
      );
    }
    const record = this.state.cips.get(cip);
    if (!record || record.idService !== merchant.idService) throw notFoundCip();
    this.refreshExpiry(record);
    if (
      record.state !== "paid" ||
      record.paidAt === undefined ||
      record.paidAmountMinor === undefined
    ) {
      throw new PeApiError(422, PE_CODES.cipNotPaid, "El CIP no está pagado.");
    }
    if (input!.currency !== record.currency) {
      throw new PeApiError(
        422,
        PE_CODES.currencyMismatch,
        "La moneda no coincide con la del CIP.",
        [fieldError("currency", "invalid", `El CIP está en ${record.currency}.`)],
      );
    }
    const now = this.now();
    if (now.getTime() - record.paidAt.getTime() > REFUND_WINDOW_MS) {
      throw new PeApiError(
        422,
        PE_CODES.refundWindowElapsed,
        "El plazo de 90 días para devolver este pago venció.",
      );
    }
    const committed = this.state
      .refundsOf(cip)
      .filter((r) => r.status !== "rejected")
      .reduce((sum, r) => sum + r.amountMinor, 0);
    if (committed + amountMinor! > record.paidAmountMinor) {
      throw new PeApiError(
        422,
        PE_CODES.refundExceedsBalance,
        "El monto supera el saldo reembolsable del CIP.",
      );
    }
    const refund: RefundRecord = {
      refundId: newRefundId(now),
      idService: merchant.idService,
      cip,
      amountMinor: amountMinor!,
      currency: record.currency,
      reason: input!.reason ?? null,
      reference: input!.reference,
      invoiceNumber: input!.invoiceNumber,
      status: "pending",
      createdAt: now,
      fingerprint,
    };
    this.state.refunds.set(refund.refundId, refund);
    this.state.refundsByReference.set(refKey, refund);
    return { refund, replayed: false };
  }

  findRefund(merchant: Merchant | undefined, refundId: string): RefundRecord {
    const r = this.state.refunds.get(refundId);
    if (!r || (merchant && r.idService !== merchant.idService)) {
      throw new PeApiError(404, PE_CODES.refundNotFound, "Reembolso no encontrado.");
    }
    return r;
  }

  processRefund(
    refundId: string,
    outcome: "completed" | "rejected",
    reasonCode?: string,
  ): RefundRecord {
    const r = this.findRefund(undefined, refundId);
    if (r.status !== "pending") {
      throw new PeApiError(409, PE_CODES.refundAlreadyProcessed, "El reembolso ya fue procesado.");
    }
    r.status = outcome;
    r.processedAt = this.now();
    if (outcome === "rejected") r.reasonCode = reasonCode ?? "R01";
    this.notifier.emit(r.idService, `refund.${outcome}`, refundData(r));
    return r;
  }
}

export function parseCipNumber(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isSafeInteger(v) && v > 0) return v;
  if (typeof v === "string" && /^\d{1,15}$/.test(v)) {
    const n = Number(v);
    return n > 0 ? n : undefined;
  }
  return undefined;
}

function safeEqualText(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

// ── views (wire shapes) ────────────────────────────────────────────────────────────────────

export function refundData(r: RefundRecord): Record<string, unknown> {
  return {
    refundId: r.refundId,
    transactionId: String(r.cip),
    amount: jsonDecimal(r.amountMinor),
    currency: r.currency,
    reference: r.reference,
    status: r.status,
    createdAt: toLimaIso(r.createdAt),
    ...(r.processedAt ? { processedDate: toLimaIso(r.processedAt) } : {}),
    ...(r.reasonCode ? { reasonCode: r.reasonCode } : {}),
  };
}

export function cipCreatedData(r: CipRecord, cipUrl: string): Record<string, unknown> {
  return {
    cip: r.cip,
    currency: r.currency,
    amount: jsonDecimal(r.amountMinor),
    transactionCode: r.transactionCode,
    dateExpiry: toLimaIso(r.dateExpiry),
    cipUrl,
  };
}

export function cipSearchItem(r: CipRecord): Record<string, unknown> {
  const status = CIP_STATUS[r.state];
  return {
    cip: r.cip,
    transactionCode: r.transactionCode,
    amount: jsonDecimal(r.amountMinor),
    currency: r.currency as Currency,
    status: status.code,
    statusName: status.name,
    dateCreation: toLimaIso(r.dateCreation),
    dateExpiry: toLimaIso(r.dateExpiry),
    datePayment: r.paidAt ? toLimaIso(r.paidAt) : DATE_SENTINEL,
    dateRemoval: r.removedAt ? toLimaIso(r.removedAt) : DATE_SENTINEL,
  };
}
