/**
 * msw ≥ 2.12 depends on a few packages that ship only as ES modules (`rettime`,
 * `@open-draft/deferred-promise`…), and the root Jest config does not transform node_modules
 * (transformIgnorePatterns), so `require("msw")` fails under Jest on Node 22. Until the root
 * config lists them, this helper compiles each such file to CommonJS with SWC (already a dev
 * dependency) and registers it as a module mock before msw loads. Tests import msw only from here.
 */
import type * as Msw from "msw";
import type * as MswNode from "msw/node";
import type * as SwcCore from "@swc/core";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

function loadEsmAsCjs(file: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const swc = require("@swc/core") as typeof SwcCore;
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

function requireWithEsmShims<T>(id: string): T {
  for (let attempt = 0; attempt < 20; attempt++) {
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

const msw = requireWithEsmShims<typeof Msw>("msw");
const mswNode = requireWithEsmShims<typeof MswNode>("msw/node");

export const { http, HttpResponse } = msw;
export const { setupServer } = mswNode;
