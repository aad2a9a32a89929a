import { createHmac, timingSafeEqual } from "node:crypto";
import {
  isNotificationSignatureValid,
  jsonDecimal,
  parseMoney,
  signNotification,
  stringifyWithDecimals,
} from "../packages/core/src/index";
import { createLogger } from "../packages/engine/src/logger";
import { opsPerSecond } from "./measure";

const SECRET = "sk_demo_4f1c2a9b7e6d5c3b2a1f0e9d8c7b6a5f";
const body = Buffer.from(
  '{"eventType":"cip.paid","operationNumber":"91827364","data":{"cip":2495383,"currency":"PEN","amount":150.50,"paymentDate":"2026-11-22T11:02:13-05:00","transactionCode":"1001"}}',
);
const signature = signNotification(body, SECRET);

/** A CIP request as serializeCipRequest sends it (17 members, one amount). */
const cipRequest = {
  currency: "PEN",
  amount: jsonDecimal(15050),
  transactionCode: "ORD-10023",
  adminEmail: "admin@tienda.pe",
  dateExpiry: "2026-11-23 18:00:00-05:00",
  paymentConcept: "Pedido #10023 en Tienda Demo",
  additionalData: "order 10023",
  userEmail: "ana.quispe@example.pe",
  userId: "c-123",
  userName: "Ana",
  userLastName: "Quispe",
  userUbigeo: "150101",
  userCountry: "PERU",
  userDocumentType: "DNI",
  userDocumentNumber: "44556677",
  userCodeCountry: "+51",
  userPhone: "987654321",
};

export default async function coreBench(): Promise<Record<string, number>> {
  const expected = Buffer.from(signature, "hex");
  // The floor: one HMAC plus a constant-time compare, nothing else.
  const rawOnce = () => {
    const d = createHmac("sha256", SECRET).update(body).digest();
    if (!timingSafeEqual(d, expected)) throw new Error("mismatch");
  };
  const verifyOnce = () => {
    if (!isNotificationSignatureValid(body, signature, SECRET)) throw new Error("mismatch");
  };
  // Alternate short rounds and keep each side's best, so a burst of load from another process
  // hits both sides alike instead of skewing the ratio.
  let raw = 0;
  let verify = 0;
  for (let round = 0; round < 5; round++) {
    raw = Math.max(raw, opsPerSecond(rawOnce, 300));
    verify = Math.max(verify, opsPerSecond(verifyOnce, 300));
  }
  const parse = opsPerSecond(() => {
    parseMoney("1234.50", "PEN");
  });
  const peJson = opsPerSecond(() => {
    stringifyWithDecimals(cipRequest);
  });
  // Log lines as the engine writes them on a request (see ingest-notification.ts and the outbox),
  // formatted and redacted in full; only the write to the destination is skipped.
  const logger = createLogger({ name: "bench", level: "info", destination: { write() {} } });
  const line = opsPerSecond(() => {
    logger.info(
      { tenantId: "t_9f2c", inboxId: "in_123", cip: "2495383", outcome: "applied" },
      "payment notification processed",
    );
  });
  const nestedLine = opsPerSecond(() => {
    logger.warn(
      { outboxId: "o_1", voucherId: "v_1", err: { code: "pe_timeout", message: "timed out" } },
      "outbox retry",
    );
  });
  return {
    raw_hmac_sha256_per_s: raw,
    core_notification_verify_per_s: verify,
    core_notification_verify_ratio: Math.round((verify / raw) * 100) / 100,
    core_money_parse_per_s: parse,
    core_pe_json_stringify_per_s: peJson,
    engine_log_line_us: Math.round((1e6 / line) * 100) / 100,
    engine_log_line_nested_us: Math.round((1e6 / nestedLine) * 100) / 100,
  };
}
