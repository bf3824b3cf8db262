import type { Kernel } from '../kernel.js';
import { checkpoint, rethrowInterrupt, type ProgressHooks } from '../../util/interrupt.js';

/**
 * The scan behind `search` (memory.c search_virtual/search_physical): a range of addresses is
 * translated page by page (or a whole mapping at a time), unmapped stretches are skipped in one
 * step, and each readable page is searched for values (8/4/2 bytes, with a don't-care mask) or
 * strings, exactly as crash scans a page: whole longs, strings reported with what follows them
 * up to 56 characters or the end of the page, a string split across two contiguous pages found.
 */

export type SearchMode = 'ulong' | 'uint' | 'ushort' | 'chars';

export interface SearchSpec {
  mode: SearchMode;
  values: bigint[];
  mask: bigint;
  strings: Uint8Array[];
}

export interface RawHit {
  addr: bigint;
  /** which of spec.values / spec.strings matched */
  index: number;
  value?: bigint;
  /** -c: the match and what follows, non-printables as '.' */
  text?: string;
}

/**
 * Where a virtual address lives: `paddr` and how many bytes from there are contiguous, or the
 * next address worth trying (undefined: nothing more in this range).
 */
export type Xlate = (v: bigint) => { paddr: bigint; len: bigint } | { next: bigint | undefined };

/**
 * Work done by every scan since the process started (tests and benchmarks compare before/after):
 * pages handed to a Scanner, and bytes passed over because the dump knows they read as zeros or
 * does not hold them.
 */
export const scanWork = { pagesScanned: 0, zeroBytesSkipped: 0n, absentBytesSkipped: 0n };

const CHARS_CTX = 56;
const READ_CHUNK = 64n * 1024n;

const printable = (b: Uint8Array, from: number, n: number): string => {
  let s = '';
  for (let i = from; i < from + n && i < b.length; i++) s += b[i] >= 0x20 && b[i] < 0x7f ? String.fromCharCode(b[i]) : '.';
  return s;
};

/** A scanner over one search: keeps the cross-page string state between pages. */
export class Scanner {
  private readonly unit: number;
  private readonly vals: { lo: number; hi: number }[];
  private readonly mlo: number;
  private readonly mhi: number;
  private cross: { addr: bigint; hits: boolean[] }[] = [];
  private crossNext: bigint | undefined;
  pagesRead = 0;

  constructor(
    readonly spec: SearchSpec,
    readonly onHit: (h: RawHit) => void,
  ) {
    this.unit = { ulong: 8, uint: 4, ushort: 2, chars: 1 }[spec.mode];
    const m64 = (1n << 64n) - 1n;
    this.mlo = Number(spec.mask & 0xffffffffn);
    this.mhi = Number((spec.mask >> 32n) & 0xffffffffn);
    this.vals = spec.values.map((v) => ({ lo: Number((v | spec.mask) & m64 & 0xffffffffn) >>> 0, hi: Number(((v | spec.mask) & m64) >> 32n) >>> 0 }));
  }

  /**
   * Could a page of zeros produce a hit? A value whose bits outside the mask (and the width) are
   * all zero matches a zero word; a string holding a NUL could match in, into or out of a zero page.
   */
  get zeroCanHit(): boolean {
    if (this.spec.mode === 'chars') return this.spec.strings.some((t) => t.includes(0));
    const width = (1n << BigInt(this.unit * 8)) - 1n;
    return this.spec.values.some((v) => (v & ~this.spec.mask & width) === 0n);
  }

  /** Search one page's worth of bytes (whole longs) found at `addr`. */
  page(addr: bigint, b: Uint8Array): void {
    this.pagesRead++;
    scanWork.pagesScanned++;
    if (this.spec.mode === 'chars') return this.chars(addr, b);
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const n = Math.floor(b.length / this.unit);
    const { mlo, mhi, vals } = this;
    if (this.unit === 8 && vals.length === 1) {
      // the common case, one 64-bit value: compare 32-bit halves in a typed array
      const words = b.byteOffset % 4 === 0 ? new Uint32Array(b.buffer, b.byteOffset, n * 2) : new Uint32Array(b.slice(0, n * 8).buffer);
      const { lo: vlo, hi: vhi } = vals[0];
      for (let i = 0; i < n; i++) {
        if (((words[2 * i] | mlo) >>> 0) !== vlo || ((words[2 * i + 1] | mhi) >>> 0) !== vhi) continue;
        this.onHit({ addr: addr + BigInt(i * 8), index: 0, value: dv.getBigUint64(i * 8, true) });
      }
      return;
    }
    for (let i = 0; i < n; i++) {
      const o = i * this.unit;
      let lo: number;
      let hi = 0;
      if (this.unit === 8) {
        lo = (dv.getUint32(o, true) | mlo) >>> 0;
        hi = (dv.getUint32(o + 4, true) | mhi) >>> 0;
      } else if (this.unit === 4) lo = (dv.getUint32(o, true) | mlo) >>> 0;
      else lo = (dv.getUint16(o, true) | (mlo & 0xffff)) >>> 0;
      for (let j = 0; j < vals.length; j++) {
        const v = vals[j];
        const vlo = this.unit === 2 ? v.lo & 0xffff : v.lo;
        if (lo !== vlo || (this.unit === 8 && hi !== v.hi)) continue;
        const raw = this.unit === 8 ? dv.getBigUint64(o, true) : BigInt(this.unit === 4 ? dv.getUint32(o, true) : dv.getUint16(o, true));
        this.onHit({ addr: addr + BigInt(o), index: j, value: raw });
      }
    }
  }

  /** search_chars(): matches within the page, and those that began at the end of the previous one. */
  private chars(addr: bigint, b: Uint8Array): void {
    const targets = this.spec.strings;
    if (this.crossNext === addr) {
      targets.forEach((t, j) => {
        const c = this.cross[j];
        if (!c) return;
        for (let i = 0; i < t.length - 1; i++) {
          if (!c.hits[i]) continue;
          const tail = t.subarray(t.length - 1 - i);
          if (b.length >= tail.length && tail.every((x, q) => b[q] === x)) {
            this.onHit({ addr: c.addr + BigInt(i), index: j, text: printable(t, 0, t.length) + printable(b, i + 1, CHARS_CTX - t.length) });
          }
        }
      });
    }
    this.crossNext = addr + BigInt(b.length);
    this.cross = targets.map((t) => ({ addr: addr + BigInt(b.length - (t.length - 1)), hits: new Array<boolean>(Math.max(0, t.length - 1)).fill(false) }));
    const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
    const found: RawHit[] = [];
    targets.forEach((t, j) => {
      const tb = Buffer.from(t.buffer, t.byteOffset, t.byteLength);
      for (let i = buf.indexOf(tb); i >= 0 && i + t.length <= b.length; i = buf.indexOf(tb, i + 1)) {
        found.push({ addr: addr + BigInt(i), index: j, text: printable(b, i, Math.min(CHARS_CTX, b.length - i)) });
      }
      // a prefix of the target at the very end of the page
      for (let i = Math.max(0, b.length - t.length + 1); i < b.length; i++) {
        const n = b.length - i;
        if (t.subarray(0, n).every((x, q) => b[i + q] === x)) this.cross[j].hits[t.length + i - b.length - 1] = true;
      }
    });
    // crash reports in address order, trying every target at each byte
    found.sort((x, y) => (x.addr < y.addr ? -1 : x.addr > y.addr ? 1 : x.index - y.index)).forEach((h) => this.onHit(h));
  }
}

/**
 * search_virtual()/search_physical() over [start, end): translate, read whole stretches, skip what
 * is not there, and hand each page's longs to the scanner. `read` reads physical memory. When no
 * hit can come from zeros, whole pages the dump knows to read as zeros (Memory.zeroRunEnd) are
 * passed over without being read: the hits are the same, only the work differs.
 */
export function scanRange(k: Kernel, start: bigint, end: bigint, xlate: Xlate, sc: Scanner, hooks?: ProgressHooks, read = (p: bigint, n: number) => k.mem.readPhys(p, n, 'search page')): void {
  const ps = BigInt(k.arch.pageSize);
  const total = Number((end - start + ps - 1n) / ps);
  const min = (a: bigint, b: bigint) => (a < b ? a : b);
  const skipZeros = !sc.zeroCanHit;
  let v = start;
  let steps = 0;
  while (v < end) {
    checkpoint(hooks, Number((v - start) / ps), total, 'pages');
    if (++steps > 1 << 26) return;
    const x = xlate(v);
    if ('next' in x) {
      if (x.next === undefined || x.next <= v) return;
      v = x.next;
      continue;
    }
    const base = v;
    const stretchEnd = min(v + x.len, end);
    // read the contiguous stretch in pieces; where a piece fails, a page at a time
    while (v < stretchEnd) {
      if (v !== base) checkpoint(hooks, Number((v - start) / ps), total, 'pages');
      const p = x.paddr + (v - base);
      if (skipZeros) {
        const z = k.mem.zeroRunEnd(p, p + (stretchEnd - v));
        let to = v + (z - p);
        if (to < stretchEnd) to = (to / ps) * ps; // whole pages only: the scanner sees the same pages
        if (to > v) {
          scanWork.zeroBytesSkipped += to - v;
          v = to;
          continue;
        }
      }
      // memory the dump does not hold (excluded pages, holes): passed in one step, where reading
      // would fail page by page; whole pages only, as the failing reads would skip them
      const gone = k.mem.absentRunEnd(p, p + (stretchEnd - v));
      if (gone > p) {
        let to = v + (gone - p);
        if (to < stretchEnd) to = (to / ps) * ps;
        if (to > v) {
          scanWork.absentBytesSkipped += to - v;
          v = to;
          continue;
        }
      }
      let pieceEnd = min(v + READ_CHUNK - (v % READ_CHUNK), stretchEnd);
      // end the piece before the next page the dump does not hold: no failed read to fall back from
      for (let a = (v / ps + 1n) * ps; a < pieceEnd; a += ps) {
        const q = x.paddr + (a - base);
        if (k.mem.absentRunEnd(q, q + 1n) > q) pieceEnd = a;
      }
      let bytes: Uint8Array | undefined;
      try {
        bytes = read(p, Number(pieceEnd - v));
      } catch (e) {
        rethrowInterrupt(e);
        bytes = undefined;
      }
      const stop = bytes ? pieceEnd : min((v / ps + 1n) * ps, stretchEnd);
      if (!bytes) {
        try {
          bytes = read(x.paddr + (v - base), Number(stop - v));
        } catch (e) {
          rethrowInterrupt(e);
          bytes = undefined; // RETURN_ON_ERROR|QUIET: an unreadable page is skipped
        }
      }
      if (bytes) {
        for (let a = v; a < stop; ) {
          const pe = min((a / ps + 1n) * ps, stop);
          const n = Number(pe - a) & ~7;
          if (n > 0) sc.page(a, bytes.subarray(Number(a - v), Number(a - v) + n));
          a = pe;
        }
      }
      v = stop;
    }
  }
}
