import { PE_CODES, PeApiError, validationError } from "./errors";

/**
 * Bodies arrive as raw bytes (express.raw) and are parsed here, so malformed JSON is our 4xx
 * and amounts can be judged on their exact source text ("150.500" must be refused even though
 * it parses to 150.5).
 */
export interface ParsedJson {
  value: unknown;
  /** The literal text of a number as it appeared in the body, e.g. "150.50". */
  numberSource(holder: unknown, key: string): string | undefined;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

export function bodyText(raw: unknown): string {
  if (raw === undefined || raw === null) return "";
  if (!(raw instanceof Uint8Array)) return "";
  try {
    return decoder.decode(raw);
  } catch {
    throw validationError([{ code: 300, field: "body", message: "El cuerpo no es UTF-8 válido." }]);
  }
}

export function parseJsonBody(raw: unknown): ParsedJson {
  const text = bodyText(raw).replace(/^\uFEFF/, "");
  if (text.trim() === "") {
    throw validationError([{ code: 300, field: "body", message: "El cuerpo es requerido." }]);
  }
  const sources = new WeakMap<object, Map<string, string>>();
  let value: unknown;
  try {
    value = JSON.parse(text, function (this: unknown, key: string, v: unknown, ctx?: unknown) {
      const source = (ctx as { source?: unknown } | undefined)?.source;
      if (typeof v === "number" && typeof this === "object" && this !== null) {
        let map = sources.get(this);
        if (!map) sources.set(this, (map = new Map()));
        map.set(key, typeof source === "string" ? source : String(v));
      }
      return v;
    } as (key: string, value: unknown) => unknown);
  } catch {
    throw validationError([{ code: 300, field: "body", message: "El cuerpo no es JSON válido." }]);
  }
  return {
    value,
    numberSource: (holder, key) =>
      typeof holder === "object" && holder !== null ? sources.get(holder)?.get(key) : undefined,
  };
}

/** Control endpoints also accept HTML form posts (the agent page works without JavaScript). */
export function parseControlBody(raw: unknown, contentType: string | undefined): ParsedJson {
  const text = bodyText(raw);
  if (contentType?.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
    const obj: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(text)) obj[k] = v;
    return { value: obj, numberSource: () => undefined };
  }
  if (text.trim() === "") return { value: {}, numberSource: () => undefined };
  return parseJsonBody(raw);
}

export function isFormPost(contentType: string | undefined): boolean {
  return !!contentType?.toLowerCase().startsWith("application/x-www-form-urlencoded");
}

export function payloadTooLarge(): PeApiError {
  return new PeApiError(413, PE_CODES.tooLarge, "La solicitud es demasiado grande.");
}
