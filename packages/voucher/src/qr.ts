import QRCode from "qrcode";
import { BoundedCache } from "./svg-cache";
import { escapeHtml } from "./text";

const cache = new BoundedCache<string>(512);

/**
 * QR code as inline SVG, built synchronously from the qrcode package's module matrix: one path
 * of horizontal runs, a 4-module quiet zone, crisp edges so phone cameras read it off a screen.
 */
export function qrSvg(text: string, label: string): string {
  const body = cache.get(text, () => {
    const { modules } = QRCode.create(text, { errorCorrectionLevel: "M" });
    const n = modules.size;
    const q = 4;
    let d = "";
    for (let y = 0; y < n; y++) {
      let x = 0;
      while (x < n) {
        if (!modules.data[y * n + x]) {
          x++;
          continue;
        }
        const start = x;
        while (x < n && modules.data[y * n + x]) x++;
        d += `M${start + q} ${y + q}h${x - start}v1h-${x - start}z`;
      }
    }
    const size = n + 2 * q;
    return `viewBox="0 0 ${size} ${size}" shape-rendering="crispEdges"><rect width="${size}" height="${size}" fill="#fff"/><path fill="#000" d="${d}"/></svg>`;
  });
  return `<svg class="qr" role="img" aria-label="${escapeHtml(label)}" xmlns="http://www.w3.org/2000/svg" ${body}`;
}
