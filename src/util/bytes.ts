/** Little helpers over Uint8Array/DataView; all 64-bit quantities are bigint. */

export function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

export function u64le(b: Uint8Array, off: number): bigint {
  return view(b).getBigUint64(off, true);
}

export function u32le(b: Uint8Array, off: number): number {
  return view(b).getUint32(off, true);
}

export function cstring(b: Uint8Array, off = 0, max = b.length - off): string {
  let end = off;
  const lim = Math.min(b.length, off + max);
  while (end < lim && b[end] !== 0) end++;
  return latin1(b.subarray(off, end));
}

/**
 * `s` without its trailing NULs. (A regex /\0+$/ backtracks over every NUL run that is not at
 * the end: quadratic, and minutes for a garbage note of a megabyte of NULs and one byte.)
 */
export function trimNuls(s: string): string {
  let e = s.length;
  while (e > 0 && s.charCodeAt(e - 1) === 0) e--;
  return e === s.length ? s : s.slice(0, e);
}

export function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) {
    s += String.fromCharCode(...b.subarray(i, Math.min(b.length, i + 8192)));
  }
  return s;
}

export const hex = (v: bigint | number): string => v.toString(16);

/** Two's-complement view of a 64-bit value as unsigned. */
export const U64_MASK = (1n << 64n) - 1n;
export const toU64 = (v: bigint): bigint => v & U64_MASK;
export function toS64(v: bigint): bigint {
  v &= U64_MASK;
  return v >= 1n << 63n ? v - (1n << 64n) : v;
}

/** The parts one after the other in one new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
