import { X509Certificate, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { RequestListener } from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import type { TLSSocket } from "node:tls";
import type { RequestHandler } from "express";
import type { MtlsConfig } from "./config/env";
import { TransportAuthError } from "./errors";
import { sendError } from "./http-errors";
import { silentLogger, type Logger } from "./ports";

/**
 * Transport security for the session endpoints (contract §1.6). Shopify authenticates itself with
 * a client certificate from its Payments Platform CA; anything unverified is refused before the
 * body is read.
 */

export interface DirectMtlsFiles {
  /** PEM bundle of Shopify's Payments Platform CA chain (root + intermediates). */
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

/**
 * The certificates of a PEM bundle. Node's TLS silently ignores a CA bundle it cannot read and
 * then refuses every client, so an empty, truncated or garbled bundle is refused here instead.
 */
export function parseCaBundle(pem: Buffer | string): X509Certificate[] {
  const blocks = pem.toString("utf8").match(PEM_CERTIFICATE) ?? [];
  const certificates = blocks.map((block) => {
    try {
      return new X509Certificate(block);
    } catch {
      throw new Error("MTLS_CA_FILE holds a certificate that does not parse");
    }
  });
  if (certificates.length === 0) throw new Error("MTLS_CA_FILE holds no PEM certificate");
  return certificates;
}

function readTlsMaterial(files: DirectMtlsFiles, read: (path: string) => Buffer) {
  const ca = read(files.caFile);
  return {
    ca,
    cert: read(files.serverCertFile),
    key: read(files.serverKeyFile),
    authorities: parseCaBundle(ca),
  };
}

/** Safe to log: which CAs are trusted, never key material. */
export interface TrustedCa {
  subject: string;
  fingerprint256: string;
  validTo: string;
}

export interface MtlsServer {
  server: https.Server;
  /**
   * Re-reads the CA bundle and server key pair (Shopify rotates its CA; certificates renew) for
   * new connections, and returns the CAs now trusted. Throws, keeping the previous context, if a
   * file does not load.
   */
  reload(): TrustedCa[];
  /** The CAs trusted now. */
  trusted(): TrustedCa[];
}

function describeCas(certificates: X509Certificate[]): TrustedCa[] {
  return certificates.map((c) => ({
    subject: c.subject,
    fingerprint256: c.fingerprint256,
    validTo: c.validTo,
  }));
}

/**
 * Direct mode: TLS ends in this process. `rejectUnauthorized` makes the TLS handshake itself fail
 * without a certificate chaining to the configured CA, so no HTTP request (and no body) is ever
 * read on such a connection. Serve only the session router on this listener: browsers (OAuth,
 * voucher page) and webhooks carry no client certificate.
 */
export function createMtlsServer(
  handler: RequestListener,
  files: DirectMtlsFiles,
  read: (path: string) => Buffer = (p) => readFileSync(p),
): MtlsServer {
  const { authorities, ...material } = readTlsMaterial(files, read);
  let trusted = describeCas(authorities);
  const server = https.createServer(
    { ...material, requestCert: true, rejectUnauthorized: true, minVersion: "TLSv1.2" },
    handler,
  );
  return {
    server,
    reload() {
      // Read and check everything first: a bad file leaves the previous context in place.
      const { authorities: next, ...fresh } = readTlsMaterial(files, read);
      server.setSecureContext(fresh);
      // Session tickets issued under the old trust would let a client resume without showing
      // its certificate to the new CA bundle.
      server.setTicketKeys(randomBytes(48));
      trusted = describeCas(next);
      return trusted;
    },
    trusted: () => trusted,
  };
}

/** Defense in depth behind createMtlsServer: refuse if the socket is not an authorized TLS peer. */
export function requireVerifiedClientCert(logger: Logger = silentLogger): RequestHandler {
  return (req, res, next) => {
    const socket = req.socket as Partial<TLSSocket>;
    if (socket.encrypted && socket.authorized === true) return next();
    sendError(res, new TransportAuthError("a verified client certificate is required"), logger, {
      route: "mtls",
    });
  };
}

function normalizeAddress(address: string | undefined): string {
  if (!address) return "";
  const trimmed = address.trim().toLowerCase();
  return trimmed.startsWith("::ffff:") && isIP(trimmed.slice(7)) === 4 ? trimmed.slice(7) : trimmed;
}

export interface TrustedProxyOptions {
  proxyAddresses: string[];
  /** Header the proxy sets after verifying the client certificate, e.g. x-client-cert-verified. */
  header: string;
  headerValue: string;
}

/**
 * Proxy mode: TLS ends at a load balancer that verifies Shopify's client certificate. Only the
 * proxy's own address (the TCP peer, never X-Forwarded-For) carrying its verification header is
 * accepted. The proxy must strip that header from incoming client requests.
 */
export function trustedProxyGuard(
  options: TrustedProxyOptions,
  logger: Logger = silentLogger,
): RequestHandler {
  const allowed = new Set(options.proxyAddresses.map(normalizeAddress));
  const header = options.header.toLowerCase();
  return (req, res, next) => {
    const peer = normalizeAddress(req.socket.remoteAddress);
    const value = req.headers[header];
    const verified = typeof value === "string" && value.trim() === options.headerValue;
    if (allowed.has(peer) && verified) return next();
    sendError(
      res,
      new TransportAuthError("request did not come through the verifying proxy"),
      logger,
      {
        route: "mtls-proxy",
        peer,
      },
    );
  };
}

/** The guard to mount before the session router, per MTLS_MODE. */
export function transportGuard(mtls: MtlsConfig, logger: Logger = silentLogger): RequestHandler {
  switch (mtls.mode) {
    case "direct":
      return requireVerifiedClientCert(logger);
    case "proxy":
      return trustedProxyGuard(
        { proxyAddresses: mtls.proxyAddresses, header: mtls.header, headerValue: mtls.headerValue },
        logger,
      );
    case "off":
      logger.warn({ mtlsMode: "off" }, "MTLS IS OFF: session requests are not authenticated");
      return (_req, _res, next) => next();
  }
}
