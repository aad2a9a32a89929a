import { signPluginRequest } from "../../src/plugin-auth";

/**
 * Deterministic TypeScript-signed requests. Written to
 * extensions/woocommerce-pagoefectivo/tests/fixtures/signed-requests.from-ts.json, where the
 * PHPUnit SignerTest verifies them; plugin-auth.test.ts keeps that file current.
 */
export function tsSignedFixtures() {
  const secret = "5be0c7d2a1f94e3b8c6d0a2f4e6b8d0c5be0c7d2a1f94e3b8c6d0a2f4e6b8d0c";
  const storeId = "wc_0a1b2c3d4e5f60718293a4b5";
  const cases: Array<[string, string, string, number, string]> = [
    [
      "POST",
      "/plugin/v1/vouchers",
      JSON.stringify({
        order_id: 77,
        attempt: 1,
        order_number: "77",
        amount: "1234.50",
        currency: "PEN",
        email: "ñandú@example.pe",
        first_name: 'Ñusta "Killa"',
        note: "a/b\\c\n€",
      }),
      1742053618,
      "tsnonce01a2b3c4d5e6f7",
    ],
    [
      "POST",
      "/plugin/v1/refunds",
      JSON.stringify({
        order_id: 77,
        wc_refund_id: 90,
        amount: "0.10",
        currency: "USD",
        reason: "",
      }),
      1742053619,
      "tsnonce02a2b3c4d5e6f7",
    ],
    ["GET", "/plugin/v1/vouchers/77", "", 1742053620, "tsnonce03a2b3c4d5e6f7"],
  ];
  return cases.map(([method, path, body, timestamp, nonce]) => ({
    store_id: storeId,
    secret,
    method,
    path,
    body,
    timestamp,
    nonce,
    headers: signPluginRequest({ storeId, secret, method, path, body, timestamp, nonce }),
  }));
}
