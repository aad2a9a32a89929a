import { CIP_PATTERN } from "./cip";
import { CODE128_QUIET_ZONE, code128Modules } from "./code128";
import { bilevelPng } from "./png";
import { BoundedCache } from "./svg-cache";
import { escapeHtml } from "./text";

/**
 * Code 128 of the CIP, drawn locally (no request to any barcode service) by our own encoder: the
 * page's SVG and the e-mail's PNG come from the same modules. The human-readable digits are not
 * drawn into the image: the page and the email print them as real text, larger and grouped for
 * dictation.
 *
 * Geometry in modules (the narrowest bar): a 10-module quiet zone left and right, bars 40 modules
 * tall with 2 blank modules above and below (what bwip-js drew with height 14 mm, padding 10×2).
 */
const BAR_HEIGHT = 40;
const PAD_Y = 2;
const HEIGHT = BAR_HEIGHT + 2 * PAD_Y;
/** E-mail PNG pixels per module. */
const PNG_SCALE = 3;

const svgCache = new BoundedCache<string>(512);

/** Inline `<svg>` (no width/height, so CSS sizes it); `label` becomes its accessible name. */
export function code128Svg(cip: string, label: string): string {
  assertCip(cip);
  const raw = svgCache.get(cip, () => svgOf(code128Modules(cip)));
  return raw.replace(
    "<svg ",
    `<svg class="barcode" role="img" aria-label="${escapeHtml(label)}" preserveAspectRatio="none" `,
  );
}

/** PNG for email clients (they do not show inline SVG): 3 px per module, black on white. */
export function code128Png(cip: string): Buffer {
  assertCip(cip);
  const modules = code128Modules(cip);
  const width = (modules.length + 2 * CODE128_QUIET_ZONE) * PNG_SCALE;
  const blank = new Uint8Array(width);
  const bars = new Uint8Array(width);
  let x = CODE128_QUIET_ZONE * PNG_SCALE;
  for (const m of modules) {
    if (m === 1) bars.fill(1, x, x + PNG_SCALE);
    x += PNG_SCALE;
  }
  const rows: Uint8Array[] = [];
  for (let y = 0; y < HEIGHT * PNG_SCALE; y++) {
    const inBars = y >= PAD_Y * PNG_SCALE && y < (PAD_Y + BAR_HEIGHT) * PNG_SCALE;
    rows.push(inBars ? bars : blank);
  }
  return bilevelPng(width, rows);
}

/** One path of rectangles, one per bar, in module units. */
function svgOf(modules: Uint8Array): string {
  const width = modules.length + 2 * CODE128_QUIET_ZONE;
  let d = "";
  for (let i = 0; i < modules.length;) {
    if (modules[i] === 0) {
      i++;
      continue;
    }
    let w = 1;
    while (modules[i + w] === 1) w++;
    d += `M${CODE128_QUIET_ZONE + i} ${PAD_Y}h${w}v${BAR_HEIGHT}h-${w}z`;
    i += w;
  }
  return `<svg viewBox="0 0 ${width} ${HEIGHT}" xmlns="http://www.w3.org/2000/svg"><path fill="#000000" d="${d}"/></svg>`;
}

function assertCip(cip: string): void {
  if (!CIP_PATTERN.test(cip)) throw new RangeError("cip must be 4 to 20 digits");
}
