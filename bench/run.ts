/**
 * Runs every `bench/*.bench.ts` (or only those whose name contains an argument), merges the
 * figures into bench/results.json (a flat object of named numbers) and prints one table.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const benchDir = resolve(process.cwd(), "bench");
const resultsPath = join(benchDir, "results.json");
const filters = process.argv.slice(2);

const files = readdirSync(benchDir)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

const results: Record<string, number> = existsSync(resultsPath)
  ? (JSON.parse(readFileSync(resultsPath, "utf8")) as Record<string, number>)
  : {};

for (const file of files) {
  process.stdout.write(`running ${file} …\n`);
  const mod = (await import(pathToFileURL(join(benchDir, file)).href)) as {
    default: () => Promise<Record<string, number>>;
  };
  const figures = await mod.default();
  Object.assign(results, figures);
  writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
}

const width = Math.max(...Object.keys(results).map((k) => k.length), 10);
console.log(`\n${"figure".padEnd(width)}  value`);
for (const [name, value] of Object.entries(results).sort(([a], [b]) => a.localeCompare(b))) {
  const shown = Number.isInteger(value) ? String(value) : value.toFixed(3);
  console.log(`${name.padEnd(width)}  ${shown}`);
}
process.exit(0);
