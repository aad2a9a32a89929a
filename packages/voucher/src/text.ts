import { sanitizeText } from "@pe-pay/core";
import type { RichText } from "./types";

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML element content and quoted attribute values alike. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

const STRONG_KEYS = new Set(["cip", "amount", "currencyOption"]);
const PLACEHOLDER = /\{(\w+)\}/g;

/** Fills a copy template into text parts; unknown placeholders stay visible so review sees them. */
export function fillRich(template: string, vars: Record<string, string>): RichText {
  const parts: RichText = [];
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    const key = m[1]!;
    const value = vars[key];
    if (value === undefined) continue;
    if (m.index > last) parts.push({ text: template.slice(last, m.index) });
    parts.push(STRONG_KEYS.has(key) ? { text: value, strong: true } : { text: value });
    last = m.index + m[0].length;
  }
  if (last < template.length) parts.push({ text: template.slice(last) });
  return parts;
}

export function fill(template: string, vars: Record<string, string>): string {
  return template.replace(PLACEHOLDER, (whole, key: string) => vars[key] ?? whole);
}

export function plain(rich: RichText): string {
  return rich.map((p) => p.text).join("");
}

export function richHtml(rich: RichText): string {
  return rich
    .map((p) => (p.strong ? `<strong>${escapeHtml(p.text)}</strong>` : escapeHtml(p.text)))
    .join("");
}

/**
 * Core's sanitizer: drops control and bidi characters (used to spoof text) and lone surrogates,
 * collapses whitespace, NFC-normalises and cuts on grapheme boundaries.
 */
export function cleanLabel(value: string, maxLength: number): string {
  return sanitizeText(value, maxLength);
}
