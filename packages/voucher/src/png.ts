import { crc32, deflateSync } from "node:zlib";

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * A black-and-white PNG: 1-bit grayscale, no palette, no interlace, every row filter "None".
 * `rows[y][x]` is 1 for a black pixel. A barcode has only a few distinct rows, so a row that is the
 * same array as an earlier one is packed once and copied.
 */
export function bilevelPng(width: number, rows: readonly Uint8Array[]): Buffer {
  const height = rows.length;
  if (!Number.isInteger(width) || width < 1 || height < 1) {
    throw new RangeError(`PNG size must be at least 1×1, got ${width}×${height}`);
  }
  const stride = 1 + Math.ceil(width / 8); // leading byte: filter type 0
  const raw = Buffer.alloc(stride * height);
  const packedAt = new Map<Uint8Array, number>();
  for (let y = 0; y < height; y++) {
    const row = rows[y]!;
    if (row.length !== width)
      throw new RangeError(`PNG row ${y} has ${row.length} pixels, not ${width}`);
    const offset = y * stride;
    const earlier = packedAt.get(row);
    if (earlier !== undefined) {
      raw.copy(raw, offset, earlier, earlier + stride);
      continue;
    }
    packedAt.set(row, offset);
    // Grayscale 1-bit: a set bit is white. Padding bits after the last pixel are left 0.
    for (let x = 0; x < width; x++) {
      if (row[x] === 0) raw[offset + 1 + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }

  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // colour type: grayscale
  // compression, filter method and interlace stay 0
  return Buffer.concat([
    SIGNATURE,
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "latin1");
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}
