import {
  BarcodeFormat,
  BinaryBitmap,
  Code128Reader,
  DecodeHintType,
  HybridBinarizer,
  MultiFormatReader,
  RGBLuminanceSource,
} from "@zxing/library";
import bwipjs from "bwip-js/node";
import fc from "fast-check";
import { PNG } from "pngjs";
import { clockAt, sampleInput } from "../test/fixtures";
import { code128Png, code128Svg } from "./barcode";
import { code128Modules } from "./code128";
import { buildVoucherViewModel, renderVoucherEmail } from "./index";

/** Decodes a PNG with ZXing, a decoder independent of our encoder. */
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

/** Black (1) / white (0) of every pixel of row `y`. */
function pixelRow(img: PNG, y: number): number[] {
  return Array.from({ length: img.width }, (_, x) =>
    img.data[(y * img.width + x) * 4]! < 128 ? 1 : 0,
  );
}

/** The bars of the SVG as [x, width] pairs, and its viewBox size. */
function svgBars(svg: string): { bars: [number, number][]; width: number; height: number } {
  const [, w, h] = /viewBox="0 0 (\d+) (\d+)"/.exec(svg)!;
  const d = /<path [^>]*d="([^"]*)"/.exec(svg)![1]!;
  const bars = [...d.matchAll(/M(\d+) 2h(\d+)v40h-\2z/g)].map(
    (m) => [Number(m[1]), Number(m[2])] as [number, number],
  );
  expect(bars.map((b) => `M${b[0]} 2h${b[1]}v40h-${b[1]}z`).join("")).toBe(d); // nothing else drawn
  return { bars, width: Number(w), height: Number(h) };
}

const cipArb = fc.stringMatching(/^\d{4,20}$/);

describe("Code 128 of the CIP", () => {
  it.each([
    "2495383",
    "123456789",
    "249538300",
    "1000000001",
    "0012345",
    "1234",
    "98765432109876543210",
  ])("PNG decodes back to %s with ZXing", (cip) => {
    const png = code128Png(cip);
    expect(decodePng(png, "code128")).toEqual({ text: cip, format: "CODE_128" });
    expect(decodePng(png, "multi").text).toBe(cip);
  });

  it("any CIP (4 to 20 digits) decodes back with ZXing", () => {
    fc.assert(
      fc.property(cipArb, (cip) => {
        expect(decodePng(code128Png(cip), "code128").text).toBe(cip);
      }),
      { numRuns: 30 },
    );
  });

  it("PNG: 3 px per module, 10-module quiet zones, bars 40 modules tall with 2 blank above and below", () => {
    const cip = "249538300";
    const modules = code128Modules(cip); // 101 modules
    const img = PNG.sync.read(code128Png(cip));
    expect([img.width, img.height]).toEqual([(101 + 20) * 3, 44 * 3]);
    const blank = new Array<number>(img.width).fill(0);
    const bars = [
      ...new Array<number>(30).fill(0),
      ...[...modules].flatMap((m) => [m, m, m]),
      ...new Array<number>(30).fill(0),
    ];
    for (let y = 0; y < img.height; y++) {
      expect(pixelRow(img, y)).toEqual(y >= 6 && y < 126 ? bars : blank);
    }
  });

  it("PNG is pixel for pixel what bwip-js drew before (same options), for any CIP", async () => {
    await fc.assert(
      fc.asyncProperty(cipArb, async (cip) => {
        const ours = PNG.sync.read(code128Png(cip));
        const theirs = PNG.sync.read(
          await bwipjs.toBuffer({
            bcid: "code128",
            text: cip,
            height: 14,
            paddingwidth: 10,
            paddingheight: 2,
            scale: 3,
            backgroundcolor: "FFFFFF",
          }),
        );
        expect([ours.width, ours.height]).toEqual([theirs.width, theirs.height]);
        expect(ours.data.equals(theirs.data)).toBe(true); // both opaque black or white RGBA
      }),
      { numRuns: 30 },
    );
  });

  it("SVG draws the same modules as the PNG", () => {
    fc.assert(
      fc.property(cipArb, (cip) => {
        const { bars, width, height } = svgBars(code128Svg(cip, "x"));
        const img = PNG.sync.read(code128Png(cip));
        expect([width * 3, height * 3]).toEqual([img.width, img.height]);
        const fromSvg = new Array<number>(width).fill(0);
        for (const [x, w] of bars) fromSvg.fill(1, x, x + w);
        expect(fromSvg.flatMap((m) => [m, m, m])).toEqual(pixelRow(img, 66));
      }),
      { numRuns: 30 },
    );
  });

  it("SVG is inline, self-contained and labelled", () => {
    const svg = code128Svg("2495383", 'CIP "249 53 83" <x>');
    expect(
      svg.startsWith(
        '<svg class="barcode" role="img" aria-label="CIP &quot;249 53 83&quot; &lt;x&gt;"',
      ),
    ).toBe(true);
    expect(svg).toContain('preserveAspectRatio="none" viewBox="0 0 110 44"');
    expect(svg).not.toMatch(/href|<image|<script|style=|\n/);
    expect(svg).toMatch(/<\/svg>$/);
  });

  it("the e-mail attaches the PNG of its CIP and shows the digits as text", async () => {
    const vm = buildVoucherViewModel(sampleInput({ cip: "249538300" }), { clock: clockAt() });
    const mail = await renderVoucherEmail(vm);
    const [att] = mail.attachments;
    expect(decodePng(att!.content, "code128").text).toBe("249538300");
    expect(mail.html).toContain(">249 538 300<");
    expect(mail.text).toContain("249 538 300");
  });

  it("refuses anything that is not a CIP", () => {
    expect(() => code128Svg("12a4567", "x")).toThrow(RangeError);
    expect(() => code128Png("")).toThrow("cip must be 4 to 20 digits");
    expect(() => code128Png("123")).toThrow(RangeError);
    expect(() => code128Png("1".repeat(21))).toThrow(RangeError);
    expect(() => code128Png("１２３４５")).toThrow(RangeError); // full-width digits are not ASCII
  });
});
