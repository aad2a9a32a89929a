import {
  authorizationHash,
  jsonDecimal,
  stringifyWithDecimals,
  toLimaIso,
} from "../packages/core/src/index";
import { startSandbox } from "../apps/sandbox/src/index";
import { peakRssMb } from "./measure";

const DEMO = {
  idService: 1234,
  accessKey: "AK9X2M7Q4T8W1Z5R3P6N",
  secretKey: "sk_demo_4f1c2a9b7e6d5c3b2a1f0e9d8c7b6a5f",
};
const CONCURRENCY = 32;
const DURATION_MS = 4000;

/** CIP creation over real HTTP on loopback: one token, CONCURRENCY workers, a few seconds. */
export default async function sandboxBench(): Promise<Record<string, number>> {
  const running = await startSandbox({ port: 0, expirySweepMs: 0 });
  try {
    const dateRequest = toLimaIso(new Date());
    const auth = await fetch(`${running.url}/v1/authorizations`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        ...DEMO,
        secretKey: undefined,
        dateRequest,
        hashString: authorizationHash({ ...DEMO, dateRequest }),
      }),
    });
    const token = ((await auth.json()) as { data: { token: string } }).data.token;
    const dateExpiry = toLimaIso(new Date(Date.now() + 48 * 3600_000));
    let n = 0;
    const create = async () => {
      const res = await fetch(`${running.url}/v1/cips`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
        body: stringifyWithDecimals({
          currency: "PEN",
          amount: jsonDecimal(15050),
          transactionCode: String(n++),
          userEmail: "rosa.quispe@example.pe",
          dateExpiry,
        }),
      });
      await res.arrayBuffer();
      if (res.status !== 201) throw new Error(`create failed: ${res.status}`);
    };
    for (let i = 0; i < 200; i++) await create(); // warm up
    let done = 0;
    const start = process.hrtime.bigint();
    const deadline = Date.now() + DURATION_MS;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (Date.now() < deadline) {
          await create();
          done++;
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return {
      sandbox_cip_create_per_s: Math.round(done / seconds),
      sandbox_bench_peak_rss_mb: peakRssMb(),
    };
  } finally {
    await running.close();
  }
}
