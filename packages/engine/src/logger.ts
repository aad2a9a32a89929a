import pino, { type DestinationStream, type Logger } from "pino";

/**
 * Paths pino replaces with "[redacted]" before a line is written. Secrets, tokens and shopper
 * personal data may sit inside objects that get logged whole (a request, an error context); the
 * list is the last line of defence, not a licence to log such objects.
 * pino's `*` matches one level, so the common keys are listed at the top level and one level down.
 */
const SENSITIVE_KEYS = [
  "password",
  "secret",
  "secretKey",
  "accessKey",
  "hashString",
  "token",
  "accessToken",
  "refreshToken",
  "apiKey",
  "consumerKey",
  "consumerSecret",
  "credentials",
  "peCredentials",
  "platformCredentials",
  "encryptionKey",
  "authorization",
  "Authorization",
  "cookie",
  "Cookie",
  '"set-cookie"',
  '"x-shopify-access-token"',
  '"X-Shopify-Access-Token"',
  "email",
  "userEmail",
  "shopperEmail",
  "adminEmail",
  "userPhone",
  "userDocumentNumber",
  "userName",
  "userLastName",
  "firstName",
  "lastName",
  "shopperFirstName",
];

export const REDACT_PATHS: readonly string[] = [
  ...SENSITIVE_KEYS,
  ...SENSITIVE_KEYS.map((k) => `*.${k}`),
  ...SENSITIVE_KEYS.map((k) => `*.*.${k}`),
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["pe-signature"]',
  'req.headers["x-shopify-hmac-sha256"]',
  'req.headers["x-wc-webhook-signature"]',
];

export interface LoggerOptions {
  name: string;
  level?: string;
  /** Where lines go (tests pass a stream to inspect output); stdout by default. */
  destination?: DestinationStream;
}

export function createLogger(opts: LoggerOptions): Logger {
  return pino(
    {
      name: opts.name,
      level: opts.level ?? process.env.LOG_LEVEL ?? "info",
      redact: { paths: [...REDACT_PATHS], censor: "[redacted]" },
      base: { name: opts.name },
    },
    opts.destination,
  );
}

export type { Logger };
