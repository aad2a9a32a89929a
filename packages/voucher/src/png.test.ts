import { inflateSync } from "node:zlib";
import fc from "fast-check";
import { PNG } from "pngjs";
import { bilevelPng } from "./png";

/** Bitwise CRC-32 (ISO 3309, as PNG uses it), written here so the test does not trust zlib's. */
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

interface Chunk {
  type: string;
  data: Buffer;
}

/** Splits a PNG into chunks, checking the signature, every length and every CRC. */
function chunks(png: Buffer): Chunk[] {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const out: Chunk[] = [];
  let at = 8;
  while (at < png.length) {
    const length = png.readUInt32BE(at);
    const typeAndData = png.subarray(at + 4, at + 8 + length);
    expect(png.readUInt32BE(at + 8 + length)).toBe(crc32(typeAndData));
    out.push({
      type: typeAndData.subarray(0, 4).toString("latin1"),
      data: png.subarray(at + 8, at + 8 + length),
    });
    at += 12 + length;
  }
  expect(at).toBe(png.length);
  return out;
}

const pixelRows = (width: number, height: number) =>
  fc.array(fc.uint8Array({ minLength: width, maxLength: width, min: 0, max: 1 }), {
    minLength: height,
    maxLength: height,
  });

describe("bilevelPng", () => {
  it("is a valid PNG: signature, IHDR 1-bit grayscale of the right size, IDAT, IEND, CRCs", () => {
    const black = new Uint8Array(13).fill(1);
    const white = new Uint8Array(13);
    const png = bilevelPng(13, [white, black, black, white]);
    const parts = chunks(png);
    expect(parts.map((c) => c.type)).toEqual(["IHDR", "IDAT", "IEND"]);
    const ihdr = parts[0]!.data;
    expect(ihdr).toHaveLength(13);
    expect(ihdr.readUInt32BE(0)).toBe(13); // width
    expect(ihdr.readUInt32BE(4)).toBe(4); // height
    expect([...ihdr.subarray(8)]).toEqual([1, 0, 0, 0, 0]); // 1 bit, grayscale, deflate, filter 0, no interlace
    expect(parts[2]!.data).toHaveLength(0);
    // Each row: filter byte 0, then 13 pixels in 2 bytes, MSB first, set bit = white.
    expect([...inflateSync(parts[1]!.data)]).toEqual([
      0, 0xff, 0xf8, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xf8,
    ]);
  });

  it("pngjs (an independent decoder) reads back every pixel", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 40 })
          .chain((w) =>
            fc
              .integer({ min: 1, max: 12 })
              .chain((h) => pixelRows(w, h).map((rows) => ({ w, rows }))),
          ),
        ({ w, rows }) => {
          const img = PNG.sync.read(bilevelPng(w, rows));
          expect([img.width, img.height]).toEqual([w, rows.length]);
          for (let y = 0; y < rows.length; y++) {
            for (let x = 0; x < w; x++) {
              const i = (y * w + x) * 4;
              const expected = rows[y]![x] === 1 ? 0 : 255;
              expect([img.data[i], img.data[i + 1], img.data[i + 2], img.data[i + 3]]).toEqual([
                expected,
                expected,
                expected,
                255,
              ]);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("a row repeated by reference is the same as distinct copies", () => {
    const row = Uint8Array.from([1, 0, 1, 1, 0, 0, 0, 1, 1]);
    const shared = bilevelPng(9, [row, row, row]);
    const copies = bilevelPng(9, [row, row.slice(), row.slice()]);
    expect(shared.equals(copies)).toBe(true);
  });

  it("refuses an empty image or a row of the wrong width", () => {
    expect(() => bilevelPng(0, [new Uint8Array(0)])).toThrow(RangeError);
    expect(() => bilevelPng(3, [])).toThrow(/at least 1×1/);
    expect(() => bilevelPng(3, [new Uint8Array(3), new Uint8Array(4)])).toThrow(
      /row 1 has 4 pixels, not 3/,
    );
  });
});
