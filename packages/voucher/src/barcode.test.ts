import {
  BarcodeFormat,
  BinaryBitmap,
  Code128Reader,
  DecodeHintType,
  HybridBinarizer,
  MultiFormatReader,
  RGBLuminanceSource,
} from "@zxing/library";
import { PNG } from "pngjs";
import { code128Png, code128Svg } from "./barcode";

/** Decodes a PNG with ZXing, a decoder independent of bwip-js. */
function decodePng(png: Buffer, reader: "code128" | "multi"): { text: string; format: string } {
  const img = PNG.sync.read(png);
  const lum = new Uint8ClampedArray(img.width * img.height);
  for (let i = 0; i < lum.length; i++) {
    const a = img.data[i * 4 + 3]! / 255;
    const rgb =
      0.299 * img.data[i * 4]! + 0.587 * img.data[i * 4 + 1]! + 0.114 * img.data[i * 4 + 2]!;
    lum[i] = Math.round(rgb * a + 255 * (1 - a)); // transparent = white paper
  }
  const bitmap = new BinaryBitmap(
    new HybridBinarizer(new RGBLuminanceSource(lum, img.width, img.height)),
  );
  if (reader === "code128") {
    const r = new Code128Reader().decode(bitmap, new Map());
    return { text: r.getText(), format: BarcodeFormat[r.getBarcodeFormat()] };
  }
  const multi = new MultiFormatReader();
  multi.setHints(
    new Map<DecodeHintType, unknown>([
      [DecodeHintType.POSSIBLE_FORMATS, [BarcodeFormat.CODE_128]],
      [DecodeHintType.TRY_HARDER, true],
    ]),
  );
  const r = multi.decode(bitmap);
  return { text: r.getText(), format: BarcodeFormat[r.getBarcodeFormat()] };
}

describe("Code 128 of the CIP", () => {
  it.each(["2495383", "123456789", "1000000001", "0012345"])(
    "PNG decodes back to %s with ZXing",
    async (cip) => {
      const png = await code128Png(cip);
      expect(decodePng(png, "code128")).toEqual({ text: cip, format: "CODE_128" });
      expect(decodePng(png, "multi").text).toBe(cip);
    },
  );

  it("SVG is inline, self-contained and labelled", () => {
    const svg = code128Svg("2495383", 'CIP "249 53 83" <x>');
    expect(
      svg.startsWith(
        '<svg class="barcode" role="img" aria-label="CIP &quot;249 53 83&quot; &lt;x&gt;"',
      ),
    ).toBe(true);
    expect(svg).not.toMatch(/href|<image|<script|style=/);
    expect(svg).toMatch(/<\/svg>$/);
  });

  it("refuses anything that is not a CIP", async () => {
    expect(() => code128Svg("12a4567", "x")).toThrow(RangeError);
    expect(() => code128Png("")).toThrow(RangeError);
  });
});
