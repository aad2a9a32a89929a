import { createHmac, timingSafeEqual } from "node:crypto";
import {
  isNotificationSignatureValid,
  parseMoney,
  signNotification,
} from "../packages/core/src/index";
import { opsPerSecond } from "./measure";

const SECRET = "sk_demo_4f1c2a9b7e6d5c3b2a1f0e9d8c7b6a5f";
const body = Buffer.from(
  '{"eventType":"cip.paid","operationNumber":"91827364","data":{"cip":2495383,"currency":"PEN","amount":150.50,"paymentDate":"2026-11-22T11:02:13-05:00","transactionCode":"1001"}}',
);
const signature = signNotification(body, SECRET);

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
  return {
    raw_hmac_sha256_per_s: raw,
    core_notification_verify_per_s: verify,
    core_notification_verify_ratio: Math.round((verify / raw) * 100) / 100,
    core_money_parse_per_s: parse,
  };
}
