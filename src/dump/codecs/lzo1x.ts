/**
 * A bounded LZO1X decompressor (what makedumpfile -l writes with liblzo2's lzo1x_1_compress and
 * crash reads with lzo1x_decompress_safe). Written from the bitstream description in the Linux
 * kernel's Documentation/staging/lzo.rst ("LZO stream format as understood by Linux's LZO
 * decompressor"); the first-byte literal rule follows liblzo (byte > 17: t = byte - 17 literals,
 * t < 4 behaves like a match's trailing literals). The kernel's LZO-RLE extension is not part of
 * what makedumpfile writes and is not accepted.
 *
 * Why our own: on npm the LZO packages are native bindings (lzo, lzo-decompress: node-gyp builds)
 * or a browser FFmpeg port (lzo-wasm); none is a maintained pure-JS decoder. This one never reads
 * outside the input, never writes outside the `outLen` output, and loops at most once per input
 * byte, so garbage costs O(input) and ends in an LzoError.
 */

export class LzoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LzoError';
  }
}

/** Decompress `src` into exactly `outLen` bytes; anything else is an LzoError. */
export function lzo1xDecompress(src: Uint8Array, outLen: number): Uint8Array {
  const out = new Uint8Array(outLen);
  const n = src.length;
  let ip = 0;
  let op = 0;

  const need = (k: number) => {
    if (ip + k > n) throw new LzoError(`input overrun at ${ip}`);
  };
  const literals = (k: number) => {
    need(k);
    if (op + k > outLen) throw new LzoError(`output overrun at ${op}`);
    out.set(src.subarray(ip, ip + k), op);
    ip += k;
    op += k;
  };
  const copy = (dist: number, len: number) => {
    if (dist > op || dist <= 0) throw new LzoError(`lookbehind overrun: distance ${dist} at ${op}`);
    if (op + len > outLen) throw new LzoError(`output overrun at ${op}`);
    for (let k = 0; k < len; k++, op++) out[op] = out[op - dist]; // may overlap: byte by byte
  };
  /** Variable-length count: `base` plus 255 per zero byte plus the first non-zero byte. */
  const longLen = (base: number) => {
    let len = base;
    for (;;) {
      need(1);
      const b = src[ip++];
      if (b !== 0) return len + b;
      len += 255;
    }
  };

  // state: literals copied by the previous instruction (0..3), or 4 after a literal run
  let state = 0;
  need(1);
  if (src[0] > 17) {
    const t = src[ip++] - 17;
    literals(t);
    state = t < 4 ? t : 4;
  }
  for (;;) {
    need(1);
    const t = src[ip++];
    let trailing: number;
    if (t < 16) {
      if (state === 0) {
        // 0000LLLL: a literal run of 3 + (L or 15 + extension) bytes
        literals(3 + (t !== 0 ? t : longLen(15)));
        state = 4;
        continue;
      }
      need(1);
      const h = src[ip++];
      if (state === 4) copy((h << 2) + ((t >> 2) & 3) + 2049, 3); // 3 bytes from 2..3 kB
      else copy((h << 2) + ((t >> 2) & 3) + 1, 2); // 2 bytes within 1 kB
      trailing = t & 3;
    } else if (t < 32) {
      // 0001HLLL + LE16: 16..48 kB; distance 16384 is the end of the stream
      const len = 2 + ((t & 7) !== 0 ? t & 7 : longLen(7));
      need(2);
      const le = src[ip] | (src[ip + 1] << 8);
      ip += 2;
      const dist = 16384 + ((t & 8) << 11) + (le >> 2);
      if (dist === 16384) {
        if (len !== 3) throw new LzoError(`bad end-of-stream marker at ${ip - 3}`);
        break;
      }
      copy(dist, len);
      trailing = le & 3;
    } else if (t < 64) {
      // 001LLLLL + LE16: within 16 kB
      const len = 2 + ((t & 31) !== 0 ? t & 31 : longLen(31));
      need(2);
      const le = src[ip] | (src[ip + 1] << 8);
      ip += 2;
      copy((le >> 2) + 1, len);
      trailing = le & 3;
    } else {
      // 01LDDDSS / 1LLDDDSS + H: 3..8 bytes within 2 kB
      need(1);
      const h = src[ip++];
      const len = t < 128 ? 3 + ((t >> 5) & 1) : 5 + ((t >> 5) & 3);
      copy((h << 3) + ((t >> 2) & 7) + 1, len);
      trailing = t & 3;
    }
    literals(trailing);
    state = trailing;
  }
  if (op !== outLen) throw new LzoError(`decompressed ${op} bytes, expected ${outLen}`);
  if (ip !== n) throw new LzoError(`${n - ip} bytes of input left after the end of the stream`);
  return out;
}
