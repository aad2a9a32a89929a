import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fixedClock } from "@pe-pay/core";
import { InMemoryReplayGuard } from "../src/memory";
import { PluginAuthError, signPluginRequest, verifyPluginRequest } from "../src/plugin-auth";
import { adminLoginUrl } from "../src/wiring/admin";
import { fixturePath } from "./support/woo-fakes";
import { tsSignedFixtures } from "./support/ts-signed-fixtures";

const EXT = join(__dirname, "..", "..", "..", "extensions", "woocommerce-pagoefectivo");
type Fixture = ReturnType<typeof tsSignedFixtures>[number];
const phpFixtures = JSON.parse(
  readFileSync(fixturePath("signed-requests.json"), "utf8"),
) as Fixture[];

function deps(secret: string, at: number) {
  const clock = fixedClock(new Date(at * 1000));
  return { secretFor: async () => secret, replayGuard: new InMemoryReplayGuard(clock), clock };
}
const reqOf = (
  f: Fixture,
  overrides: Partial<{ body: string; path: string; method: string }> = {},
) => ({
  method: overrides.method ?? f.method,
  path: overrides.path ?? f.path,
  rawBody: Buffer.from(overrides.body ?? f.body, "utf8"),
  headers: Object.fromEntries(Object.entries(f.headers).map(([k, v]) => [k.toLowerCase(), v])),
});

describe("plugin ↔ bridge signing", () => {
  test.each(phpFixtures.map((f) => [`${f.method} ${f.path}`, f] as const))(
    "TS verifies the PHP-signed %s",
    async (_n, f) => {
      await expect(verifyPluginRequest(deps(f.secret, f.timestamp), reqOf(f))).resolves.toEqual({
        storeId: f.store_id,
      });
    },
  );

  test("the PHP fixture file is exactly what the PHP signer prints today", () => {
    const out = execFileSync("php", [join(EXT, "tools", "make-signed-fixtures.php")], {
      encoding: "utf8",
    });
    expect(out).toBe(readFileSync(fixturePath("signed-requests.json"), "utf8"));
  });

  test("the TS fixture file the PHPUnit test verifies is current", () => {
    const committed = readFileSync(
      join(EXT, "tests", "fixtures", "signed-requests.from-ts.json"),
      "utf8",
    );
    expect(JSON.parse(committed)).toEqual(tsSignedFixtures());
  });

  test("TS signer reproduces the PHP signatures byte for byte", () => {
    for (const f of phpFixtures) {
      expect(
        signPluginRequest({
          storeId: f.store_id,
          secret: f.secret,
          method: f.method,
          path: f.path,
          body: f.body,
          timestamp: f.timestamp,
          nonce: f.nonce,
        }),
      ).toEqual(f.headers);
    }
  });

  test("the plugin's signed link to the bridge admin page is byte for byte the bridge's own", () => {
    const args = {
      publicUrl: "https://bridge.example.pe",
      storeId: "7d1f0c9e-3b2a-4c5d-8e6f-0a1b2c3d4e5f",
      pluginSecret: "a3f1c9e27b5d4086f1e2d3c4b5a69788",
      timestamp: 1742053618,
      nonce: "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    };
    const php = execFileSync(
      "php",
      [
        "-r",
        `define('ABSPATH', '/'); require '${join(EXT, "includes", "class-pe-signer.php")}';` +
          "echo PE_Signer::admin_login_url($argv[1] . '/', $argv[2], $argv[3], (int) $argv[4], $argv[5]);",
        "--",
        args.publicUrl,
        args.storeId,
        args.pluginSecret,
        String(args.timestamp),
        args.nonce,
      ],
      { encoding: "utf8" },
    );
    expect(php).toBe(adminLoginUrl(args));
  });

  const f = phpFixtures[0]!;
  const reason = (p: Promise<unknown>) =>
    p.then(
      () => "ok",
      (e: unknown) => (e instanceof PluginAuthError ? e.reason : String(e)),
    );

  test("a changed body, path or method is refused", async () => {
    expect(
      await reason(
        verifyPluginRequest(deps(f.secret, f.timestamp), reqOf(f, { body: f.body + " " })),
      ),
    ).toBe("bad_signature");
    expect(
      await reason(
        verifyPluginRequest(deps(f.secret, f.timestamp), reqOf(f, { path: "/plugin/v1/refunds" })),
      ),
    ).toBe("bad_signature");
    expect(
      await reason(verifyPluginRequest(deps(f.secret, f.timestamp), reqOf(f, { method: "PUT" }))),
    ).toBe("bad_signature");
    expect(await reason(verifyPluginRequest(deps("other", f.timestamp), reqOf(f)))).toBe(
      "bad_signature",
    );
  });

  test("±5 minutes: 300 s is accepted, 301 s is not", async () => {
    expect(await reason(verifyPluginRequest(deps(f.secret, f.timestamp + 300), reqOf(f)))).toBe(
      "ok",
    );
    expect(await reason(verifyPluginRequest(deps(f.secret, f.timestamp - 300), reqOf(f)))).toBe(
      "ok",
    );
    expect(await reason(verifyPluginRequest(deps(f.secret, f.timestamp + 301), reqOf(f)))).toBe(
      "stale_timestamp",
    );
  });

  test("a replayed (store, nonce) is refused; a forged request cannot burn a nonce", async () => {
    const d = deps(f.secret, f.timestamp);
    expect(await reason(verifyPluginRequest(d, reqOf(f, { body: "forged" })))).toBe(
      "bad_signature",
    );
    expect(await reason(verifyPluginRequest(d, reqOf(f)))).toBe("ok");
    expect(await reason(verifyPluginRequest(d, reqOf(f)))).toBe("replayed");
  });

  test("missing headers, unknown store, malformed timestamp", async () => {
    const r = reqOf(f);
    delete (r.headers as Record<string, string>)["x-pe-nonce"];
    expect(await reason(verifyPluginRequest(deps(f.secret, f.timestamp), r))).toBe(
      "missing_headers",
    );
    expect(
      await reason(
        verifyPluginRequest(
          { ...deps(f.secret, f.timestamp), secretFor: async () => null },
          reqOf(f),
        ),
      ),
    ).toBe("unknown_store");
    const bad = reqOf(f);
    (bad.headers as Record<string, string>)["x-pe-timestamp"] = "2025-03-15T10:00:00Z";
    expect(await reason(verifyPluginRequest(deps(f.secret, f.timestamp), bad))).toBe(
      "bad_timestamp",
    );
  });
});
