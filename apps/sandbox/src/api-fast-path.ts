import type { IncomingMessage, ServerResponse } from "node:http";
import { parse as parseQuery } from "node:querystring";
import { apiFault, errorAnswer, writeAnswer, type ApiAnswer } from "./http";
import type { SandboxLogger } from "./notifier";
import type { ApiCall, ApiRoute } from "./routes/api";
import type { SandboxState } from "./state";

interface CompiledRoute {
  route: ApiRoute;
  /** Literal segment, or null for a `:param` (its name in `names`). */
  segments: (string | null)[];
  names: string[];
}

/**
 * Plain API requests straight from node:http to the routes, without express: its router, body
 * parser and response helpers cost more CPU than the emulator's own work on a request (the
 * engine benchmarks send thousands of DELETE /v1/cips/{cip}). "Plain" is the canonical path
 * (no percent-escapes, no trailing slash, lower case), an identity body with a Content-Length
 * within the limit, and a method a route declares. Anything else returns false and goes to
 * express, which serves the same routes (routes/api.ts) and also knows compressed or chunked
 * bodies, HEAD, case-insensitive paths and the 413 of an oversized body; the answers are the
 * same either way.
 */
export function apiFastPath(opts: {
  routes: readonly ApiRoute[];
  state: SandboxState;
  random: () => number;
  logger: SandboxLogger;
  bodyLimitBytes: number;
}): (req: IncomingMessage, res: ServerResponse) => boolean {
  const compiled: CompiledRoute[] = opts.routes.map((route) => {
    const names: string[] = [];
    const segments = route.path.split("/").map((s) => {
      if (!s.startsWith(":")) return s;
      names.push(s.slice(1));
      return null;
    });
    return { route, segments, names };
  });

  function match(
    method: string,
    path: string,
  ): { route: ApiRoute; params: Record<string, string> } | undefined {
    const parts = path.split("/");
    for (const c of compiled) {
      if (c.route.method !== method || c.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let n = 0;
      let ok = true;
      for (let i = 0; i < parts.length && ok; i++) {
        const want = c.segments[i];
        if (want === null) {
          if (parts[i] === "") ok = false;
          else params[c.names[n++]!] = parts[i]!;
        } else ok = want === parts[i];
      }
      if (ok) return { route: c.route, params };
    }
    return undefined;
  }

  function answer(res: ServerResponse, a: ApiAnswer): void {
    if (!res.headersSent) writeAnswer(res, a);
  }

  function run(route: ApiRoute, call: ApiCall, res: ServerResponse): void {
    try {
      answer(res, route.handle(call));
    } catch (e) {
      answer(res, errorAnswer(e, opts.logger));
    }
  }

  return (req, res) => {
    const url = req.url ?? "";
    if (!url.startsWith("/v1/") && !url.startsWith("/v2/")) return false;
    const q = url.indexOf("?");
    const path = q < 0 ? url : url.slice(0, q);
    if (path.includes("%")) return false;
    const h = req.headers;
    if (h["transfer-encoding"] !== undefined) return false;
    const encoding = h["content-encoding"];
    if (encoding !== undefined && encoding.toLowerCase() !== "identity") return false;
    const declared = h["content-length"];
    const length = declared === undefined ? 0 : Number(declared);
    if (!Number.isSafeInteger(length) || length < 0 || length > opts.bodyLimitBytes) return false;
    const found = match(req.method ?? "", path);
    if (!found) return false;

    const call: ApiCall = {
      params: found.params,
      query: q < 0 ? {} : parseQuery(url.slice(q + 1)),
      headers: h,
      body: undefined,
      origin: () =>
        `${(req.socket as { encrypted?: boolean }).encrypted ? "https" : "http"}://${h.host ?? "localhost"}`,
    };
    const go = () => {
      const fault = apiFault(opts.state, opts.random, path);
      if (fault === undefined) return run(found.route, call, res);
      fault.then(
        (a) => (a ? answer(res, a) : run(found.route, call, res)),
        (e: unknown) => answer(res, errorAnswer(e, opts.logger)),
      );
    };
    if (declared === undefined) {
      // Nothing to read; resuming spares node a dump of the (empty) stream after the answer.
      req.resume();
      go();
      return true;
    }
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      call.body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      go();
    });
    // The client went away mid-body: nobody is left to answer.
    req.on("error", () => res.destroy());
    return true;
  };
}
