/**
 * A strict decoder for raw snappy (what makedumpfile -p writes with snappy_compress and crash
 * reads with snappy_uncompress), from the format description in google/snappy
 * format_description.txt: a varint preamble with the uncompressed length, then literals and
 * copies with 1-, 2- or 4-byte offsets.
 *
 * Why our own: snappyjs (the pure-JS package on npm) does not check that the stream fills the
 * length its preamble declares, so a truncated page comes back silently part-zero; here it is
 * an error, as it is for the C library. Never reads or writes out of bounds; O(input + output).
 */
export class SnappyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnappyError';
  }
}

/** The preamble: uncompressed length as a little-endian base-128 varint (at most 32 bits). */
function preamble(src: Uint8Array): { len: number; at: number } {
  let len = 0;
  for (let i = 0; i < 5 && i < src.length; i++) {
    len += (src[i] & 0x7f) * 2 ** (7 * i);
    if (src[i] < 0x80) return { len, at: i + 1 };
  }
  throw new SnappyError('bad length preamble');
}

export function snappyDecompress(src: Uint8Array, outLen: number): Uint8Array {
  const { len, at } = preamble(src);
  if (len !== outLen) throw new SnappyError(`stream holds ${len} bytes, expected ${outLen}`);
  const out = new Uint8Array(outLen);
  const n = src.length;
  let ip = at;
  let op = 0;
  const le = (k: number) => {
    if (ip + k > n) throw new SnappyError(`input overrun at ${ip}`);
    let v = 0;
    for (let i = 0; i < k; i++) v += src[ip + i] * 2 ** (8 * i);
    ip += k;
    return v;
  };
  while (ip < n) {
    const tag = src[ip++];
    const kind = tag & 3;
    if (kind === 0) {
      let k = tag >> 2;
      k = k < 60 ? k + 1 : le(k - 59) + 1;
      if (ip + k > n) throw new SnappyError(`input overrun at ${ip}`);
      if (op + k > outLen) throw new SnappyError(`output overrun at ${op}`);
      out.set(src.subarray(ip, ip + k), op);
      ip += k;
      op += k;
      continue;
    }
    let k: number;
    let dist: number;
    if (kind === 1) {
      k = 4 + ((tag >> 2) & 7);
      dist = ((tag >> 5) << 8) | le(1);
    } else {
      k = 1 + (tag >> 2);
      dist = le(kind === 2 ? 2 : 4);
    }
    if (dist === 0 || dist > op) throw new SnappyError(`bad copy offset ${dist} at ${op}`);
    if (op + k > outLen) throw new SnappyError(`output overrun at ${op}`);
    for (let i = 0; i < k; i++, op++) out[op] = out[op - dist];
  }
  if (op !== outLen) throw new SnappyError(`decompressed ${op} bytes, expected ${outLen}`);
  return out;
}
