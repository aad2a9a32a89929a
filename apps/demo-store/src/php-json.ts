/**
 * JSON exactly as PHP's `json_encode` / WordPress's `wp_json_encode` writes it with default flags:
 * compact, `/` escaped as `\/`, every non-ASCII code unit as `\uXXXX` (UTF-16, so astral
 * characters become surrogate pairs, like PHP). Webhook signatures are computed over these bytes,
 * so the bridge must verify the raw body, never a re-serialisation.
 *
 * Numbers: integers print as integers; other finite numbers use JS's shortest round-trip form,
 * which equals PHP ≥ 7.1 (serialize_precision = -1) for the values a store produces (34.9, 18.5).
 */
export function phpJsonEncode(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new RangeError("PHP cannot encode NaN/Infinity");
    return Object.is(value, -0) ? "-0" : String(value);
  }
  if (typeof value === "string") return phpString(value);
  if (Array.isArray(value)) return `[${value.map((v) => phpJsonEncode(v)).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(
      ([, v]) => v !== undefined,
    );
    return `{${entries.map(([k, v]) => `${phpString(k)}:${phpJsonEncode(v)}`).join(",")}}`;
  }
  throw new TypeError(`cannot encode ${typeof value}`);
}

function phpString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i]!;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "/") out += "\\/";
    else if (c === 0x08) out += "\\b";
    else if (c === 0x0c) out += "\\f";
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c < 0x20 || c > 0x7f) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}
