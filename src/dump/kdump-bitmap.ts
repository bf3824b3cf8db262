/**
 * The kdump bitmaps: bit n of byte n>>3 (LSB first) stands for pfn n (crash diskdump.c
 * get_bit/page_is_dumpable). Helpers to test bits, count them (crash's valid_pages[] prefix
 * counts) and turn runs of set bits into physical ranges.
 */
import type { PhysRange } from './types.js';

const POP8 = Uint8Array.from({ length: 256 }, (_, b) => {
  let n = 0;
  for (let v = b; v; v &= v - 1) n++;
  return n;
});

export function bit(map: Uint8Array, pfn: number): boolean {
  return ((map[pfn >> 3] >> (pfn & 7)) & 1) !== 0;
}

/** Set bits for pfns from..to inclusive (to < from counts nothing). */
export function countBits(map: Uint8Array, from: number, to: number): number {
  let n = 0;
  let p = from;
  while (p <= to && (p & 7) !== 0) n += (map[p >> 3] >> (p++ & 7)) & 1;
  const lastFull = (to + 1) >> 3; // bytes [p>>3, lastFull) are whole
  for (let i = p >> 3; i < lastFull; i++) n += POP8[map[i]];
  if (p <= to) for (p = Math.max(p, lastFull << 3); p <= to; p++) n += (map[p >> 3] >> (p & 7)) & 1;
  return n;
}

/** cum[k] = set bits for pfns [lo, lo + k*sect), k = 0..ceil((hi-lo)/sect). */
export function sectionCounts(map: Uint8Array, lo: number, hi: number, sect: number): Float64Array {
  const n = Math.ceil((hi - lo) / sect);
  const cum = new Float64Array(n + 1);
  for (let k = 0; k < n; k++) {
    const from = lo + k * sect;
    cum[k + 1] = cum[k] + countBits(map, from, Math.min(from + sect, hi) - 1);
  }
  return cum;
}

/** Runs of set bits among pfns [lo, hi), as physical ranges of `pageSize`-byte pages. */
export function bitRuns(map: Uint8Array, lo: number, hi: number, pageSize: number): PhysRange[] {
  const out: PhysRange[] = [];
  const ps = BigInt(pageSize);
  let run = -1;
  const close = (pfn: number) => {
    if (run >= 0) out.push({ start: BigInt(run) * ps, end: BigInt(pfn) * ps });
    run = -1;
  };
  for (let pfn = lo; pfn < hi; ) {
    const byte = map[pfn >> 3];
    if ((pfn & 7) === 0 && pfn + 8 <= hi && (byte === 0 || byte === 0xff)) {
      if (byte === 0) close(pfn);
      else if (run < 0) run = pfn;
      pfn += 8;
      continue;
    }
    if ((byte >> (pfn & 7)) & 1) {
      if (run < 0) run = pfn;
    } else close(pfn);
    pfn++;
  }
  close(hi);
  return out;
}

/** crash's valid_pages[]-style index of one map: cum[k] = set bits among pfns [lo, lo + k*sect). */
export interface SectionIndex {
  cum: Float64Array;
  lo: number;
  sect: number;
}

/**
 * The first pfn in [from, to) whose bit is set in both `a` and `b` (they may be the same map), or
 * `to`. With `idx` (sectionCounts of `b`), whole sections where `b` has no bit set are passed by
 * one binary search over the counts: a run of millions of clear pfns costs O(log sections) plus
 * at most a section's bytes at its ends; without it, a byte (8 pfns) at a time.
 */
export function firstSetInBoth(a: Uint8Array, b: Uint8Array, from: number, to: number, idx?: SectionIndex): number {
  let p = from;
  while (p < to) {
    let scanEnd = to;
    if (idx) {
      const s = Math.floor((p - idx.lo) / idx.sect);
      const { cum } = idx;
      if (s < 0 || s + 1 >= cum.length) return to; // outside what the index (and the dump) covers
      if (cum[s + 1] === cum[s]) {
        // no bit of `b` in section s: the first section m-1 with one is where cum first exceeds cum[s]
        let lo = s + 1;
        let hi = cum.length - 1;
        let m = -1;
        while (lo <= hi) {
          const mid = (lo + hi) >> 1;
          if (cum[mid] > cum[s]) {
            m = mid;
            hi = mid - 1;
          } else lo = mid + 1;
        }
        if (m < 0) return to;
        p = idx.lo + (m - 1) * idx.sect;
        continue;
      }
      scanEnd = Math.min(to, idx.lo + (s + 1) * idx.sect);
    }
    while (p < scanEnd) {
      const i = p >> 3;
      const both = a[i] & b[i];
      if ((p & 7) === 0 && p + 8 <= scanEnd && both === 0) {
        p += 8;
        continue;
      }
      if ((both >> (p & 7)) & 1) return p;
      p++;
    }
  }
  return to;
}
