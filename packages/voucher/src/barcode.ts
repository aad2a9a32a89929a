import bwipjs from "bwip-js/node";
import { CIP_PATTERN } from "./cip";
import { BoundedCache } from "./svg-cache";
import { escapeHtml } from "./text";

/**
 * Code 128 of the CIP, drawn locally by bwip-js (no request to any barcode service).
 * The human-readable digits are not drawn into the image: the page and the email print them as
 * real text, larger and grouped for dictation.
 */
const BASE = { bcid: "code128", height: 14, paddingwidth: 10, paddingheight: 2 } as const;

const svgCache = new BoundedCache<string>(512);

/** Inline `<svg>` (no width/height, so CSS sizes it); `label` becomes its accessible name. */
export function code128Svg(cip: string, label: string): string {
  assertCip(cip);
  const raw = svgCache.get(cip, () => bwipjs.toSVG({ ...BASE, text: cip, scale: 2 }));
  return raw
    .replace(
      "<svg ",
      `<svg class="barcode" role="img" aria-label="${escapeHtml(label)}" preserveAspectRatio="none" `,
    )
    .replace(/\n/g, "");
}

/** PNG for email clients (they do not show inline SVG): 3 px per module, white background. */
export function code128Png(cip: string): Promise<Buffer> {
  assertCip(cip);
  return bwipjs.toBuffer({ ...BASE, text: cip, scale: 3, backgroundcolor: "FFFFFF" });
}

function assertCip(cip: string): void {
  if (!CIP_PATTERN.test(cip)) throw new RangeError("cip must be 4 to 20 digits");
}
