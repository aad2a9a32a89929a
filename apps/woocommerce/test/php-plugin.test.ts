import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const EXT = join(__dirname, "..", "..", "..", "extensions", "woocommerce-pagoefectivo");

function phpFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === "vendor" ? [] : phpFiles(p);
    return name.endsWith(".php") ? [p] : [];
  });
}

const files = phpFiles(EXT);

test("the plugin has PHP files to check", () => {
  expect(files.length).toBeGreaterThan(8);
});

test.each(files.map((f) => [f.slice(EXT.length + 1), f]))("php -l %s", (_name, file) => {
  const r = spawnSync("php", ["-l", file], { encoding: "utf8" });
  if (r.status !== 0) console.error(r.stdout, r.stderr);
  expect(r.status).toBe(0);
});

test("PHPUnit suite of the plugin passes", () => {
  const r = spawnSync("phpunit", ["-c", join(EXT, "phpunit.xml")], { encoding: "utf8", cwd: EXT });
  if (r.status !== 0) console.error(r.stdout, r.stderr);
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/OK \(\d+ tests?/);
});
