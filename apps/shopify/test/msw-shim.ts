/**
 * msw ≥ 2.12 depends on ESM-only packages and the root Jest config does not transform
 * node_modules, so a plain `import "msw"` fails under Jest on Node 22. Each such file is compiled
 * to CommonJS with SWC and registered as a module mock before msw loads. (Same approach as
 * packages/core; drop both once the root Jest config transforms msw's dependencies.)
 */
import type * as Swc from "@swc/core";
import type * as Msw from "msw";
import type * as MswNode from "msw/node";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

function loadEsmAsCjs(file: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const swc = require("@swc/core") as typeof Swc;
  const { code } = swc.transformSync(readFileSync(file, "utf8"), {
    filename: file,
    jsc: { target: "es2022", parser: { syntax: "ecmascript" } },
    module: { type: "commonjs" },
  });
  const mod = { exports: {} as Record<string, unknown> };
  const nodeRequire = createRequire(file);
  const localRequire = (id: string): unknown =>
    id.startsWith(".") ? loadEsmAsCjs(join(dirname(file), id)) : nodeRequire(id);
  new Function("module", "exports", "require", code)(mod, mod.exports, localRequire);
  return mod.exports;
}

const ESM_ERROR = /Must use import to load ES Module: (\S+\.m?js)/;

function requireLoadingEsm<T>(id: string): T {
  for (let tries = 0; tries < 20; tries++) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return require(id) as T;
    } catch (error) {
      const file = ESM_ERROR.exec(String((error as Error).message))?.[1];
      if (!file) throw error;
      jest.doMock(file, () => loadEsmAsCjs(file));
    }
  }
  throw new Error(`could not load ${id} under Jest`);
}

const msw = requireLoadingEsm<typeof Msw>("msw");
const mswNode = requireLoadingEsm<typeof MswNode>("msw/node");

export const { http, HttpResponse, delay } = msw;
export const { setupServer } = mswNode;
