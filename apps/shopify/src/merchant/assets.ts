import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import type { Request, Response } from "express";
import polarisFiles from "./polaris-files.cjs";

/**
 * Polaris's own stylesheet, served by the app from the installed package. The URL carries the
 * package version, so browsers may keep it for a year and an upgrade is fetched at once.
 */
export const POLARIS_CSS_PATH = `/merchant/assets/polaris-${polarisFiles.version}.css`;

let cached: { css: Buffer; gzip: Buffer; etag: string } | undefined;

function stylesheet() {
  // Read on first use, not at import: a process that never serves a merchant page never pays.
  if (!cached) {
    const css = readFileSync(polarisFiles.stylesheetPath);
    cached = { css, gzip: gzipSync(css), etag: `"polaris-${polarisFiles.version}"` };
  }
  return cached;
}

export function servePolarisCss(req: Request, res: Response): void {
  const s = stylesheet();
  res.set({
    "Content-Type": "text/css; charset=utf-8",
    "Cache-Control": "public, max-age=31536000, immutable",
    ETag: s.etag,
    Vary: "Accept-Encoding",
    "X-Content-Type-Options": "nosniff",
  });
  if (req.headers["if-none-match"] === s.etag) {
    res.status(304).end();
    return;
  }
  // 0.5 MB of CSS is ~60 KB gzipped; express has no compression middleware here.
  if (/\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""))) {
    res.set("Content-Encoding", "gzip").status(200).send(s.gzip);
    return;
  }
  res.status(200).send(s.css);
}
