/**
 * A sparse physical memory image for synthetic dumps: 4 KiB chunks kept in a Map keyed by page
 * number, so memory use is proportional to the pages actually written. Reads of pages that were
 * never written return zeros; `pages()` says which ones exist. RAM is declared separately with
 * `addRam()` (what the dump will say is present) and a bump allocator hands out zeroed pages from
 * a configured free range (page tables, per-cpu areas, slabs...).
 */

export const IMAGE_PAGE_SIZE = 4096;
const PAGE = 4096n;
const SHIFT = 12n;

export interface RamRange {
  start: bigint;
  /** exclusive */
  end: bigint;
}

export interface PhysImageOptions {
  /** Range [start, end) the bump allocator hands pages out of. */
  alloc?: RamRange;
}

export class PhysImage {
  private readonly data = new Map<number, Uint8Array>();
  /** Present page numbers, ascending, for zeroRunEnd (rebuilt when pages were added). */
  private sorted: number[] = [];
  private readonly ram: RamRange[] = [];
  private allocNext: bigint | undefined;
  private allocEnd: bigint | undefined;

  constructor(opts: PhysImageOptions = {}) {
    if (opts.alloc) this.setAllocRange(opts.alloc.start, opts.alloc.end);
  }

  /** Declare [start, end) as RAM present in the dump. Ranges may not overlap. */
  addRam(start: bigint, end: bigint): void {
    if (end <= start || start < 0n) throw new RangeError(`addRam: empty or negative range ${start.toString(16)}-${end.toString(16)}`);
    for (const r of this.ram) {
      if (start < r.end && r.start < end) {
        throw new RangeError(`addRam: ${start.toString(16)}-${end.toString(16)} overlaps ${r.start.toString(16)}-${r.end.toString(16)}`);
      }
    }
    this.ram.push({ start, end });
    this.ram.sort((a, b) => (a.start < b.start ? -1 : 1));
  }

  /** Declared RAM, sorted by start. */
  ranges(): RamRange[] {
    return this.ram.map((r) => ({ ...r }));
  }

  /** Is `paddr` inside declared RAM? */
  inRam(paddr: bigint): boolean {
    return this.ram.some((r) => paddr >= r.start && paddr < r.end);
  }

  /** Configure (or move) the bump allocator's free range [start, end); start is page-aligned upward. */
  setAllocRange(start: bigint, end: bigint): void {
    this.allocNext = (start + PAGE - 1n) & ~(PAGE - 1n);
    this.allocEnd = end;
  }

  /** One zeroed, present page from the free range; returns its physical address. */
  allocPage(): bigint {
    return this.alloc(IMAGE_PAGE_SIZE, IMAGE_PAGE_SIZE);
  }

  /**
   * `size` zeroed bytes (whole pages, made present) aligned to `align` (a power of two, at least
   * a page) from the free range.
   */
  alloc(size: number, align = IMAGE_PAGE_SIZE): bigint {
    if (this.allocNext === undefined || this.allocEnd === undefined) throw new Error('PhysImage: no allocation range configured');
    const al = BigInt(Math.max(align, IMAGE_PAGE_SIZE));
    if ((al & (al - 1n)) !== 0n) throw new RangeError(`alloc: alignment ${align} is not a power of two`);
    const start = (this.allocNext + al - 1n) & ~(al - 1n);
    const bytes = (BigInt(size) + PAGE - 1n) & ~(PAGE - 1n);
    if (size <= 0 || start + bytes > this.allocEnd) {
      throw new RangeError(`PhysImage: allocation range exhausted (${size} bytes at ${start.toString(16)}, end ${this.allocEnd.toString(16)})`);
    }
    this.allocNext = start + bytes;
    for (let p = start; p < start + bytes; p += PAGE) {
      const pn = Number(p >> SHIFT);
      const page = this.data.get(pn);
      if (page) page.fill(0);
      else this.data.set(pn, new Uint8Array(IMAGE_PAGE_SIZE));
    }
    return start;
  }

  /** Next address the allocator would hand out (for reporting). */
  get allocCursor(): bigint | undefined {
    return this.allocNext;
  }

  private page(pn: number): Uint8Array {
    let p = this.data.get(pn);
    if (!p) {
      p = new Uint8Array(IMAGE_PAGE_SIZE);
      this.data.set(pn, p);
    }
    return p;
  }

  write(paddr: bigint, bytes: Uint8Array): void {
    if (paddr < 0n) throw new RangeError(`write: negative address`);
    let done = 0;
    while (done < bytes.length) {
      const a = paddr + BigInt(done);
      const pn = Number(a >> SHIFT);
      const off = Number(a & (PAGE - 1n));
      const n = Math.min(bytes.length - done, IMAGE_PAGE_SIZE - off);
      this.page(pn).set(bytes.subarray(done, done + n), off);
      done += n;
    }
  }

  /** Fill `len` bytes with `value` (makes the pages present even when value is 0). */
  fill(paddr: bigint, len: number, value = 0): void {
    let done = 0;
    while (done < len) {
      const a = paddr + BigInt(done);
      const off = Number(a & (PAGE - 1n));
      const n = Math.min(len - done, IMAGE_PAGE_SIZE - off);
      this.page(Number(a >> SHIFT)).fill(value, off, off + n);
      done += n;
    }
  }

  read(paddr: bigint, len: number): Uint8Array {
    const out = new Uint8Array(len);
    let done = 0;
    while (done < len) {
      const a = paddr + BigInt(done);
      const off = Number(a & (PAGE - 1n));
      const n = Math.min(len - done, IMAGE_PAGE_SIZE - off);
      const p = this.data.get(Number(a >> SHIFT));
      if (p) out.set(p.subarray(off, off + n), done);
      done += n;
    }
    return out;
  }

  private scratch(n: number): { b: Uint8Array; v: DataView } {
    const b = new Uint8Array(n);
    return { b, v: new DataView(b.buffer) };
  }

  writeU64(paddr: bigint, v: bigint): void {
    const { b, v: dv } = this.scratch(8);
    dv.setBigUint64(0, BigInt.asUintN(64, v), true);
    this.write(paddr, b);
  }
  writeU32(paddr: bigint, v: number): void {
    const { b, v: dv } = this.scratch(4);
    dv.setUint32(0, v >>> 0, true);
    this.write(paddr, b);
  }
  writeU16(paddr: bigint, v: number): void {
    const { b, v: dv } = this.scratch(2);
    dv.setUint16(0, v & 0xffff, true);
    this.write(paddr, b);
  }
  writeU8(paddr: bigint, v: number): void {
    this.write(paddr, Uint8Array.of(v & 0xff));
  }

  readU64(paddr: bigint): bigint {
    const b = this.read(paddr, 8);
    return new DataView(b.buffer).getBigUint64(0, true);
  }
  readU32(paddr: bigint): number {
    const b = this.read(paddr, 4);
    return new DataView(b.buffer).getUint32(0, true);
  }

  /** Does the page containing `paddr` exist (was it ever written or allocated)? */
  hasPage(paddr: bigint): boolean {
    return this.data.has(Number(paddr >> SHIFT));
  }

  /**
   * End of the run of never-written pages starting at `paddr` (they read as zeros), at most
   * `limit`; `paddr` itself when its page is present (its bytes may be anything, zeros included).
   */
  zeroRunEnd(paddr: bigint, limit: bigint): bigint {
    if (paddr >= limit || this.data.has(Number(paddr >> SHIFT))) return paddr;
    // pages are only ever added: the sorted list is stale exactly when the count changed
    if (this.sorted.length !== this.data.size) this.sorted = this.pageNumbers();
    const pn = Number(paddr >> SHIFT);
    const s = this.sorted;
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (s[mid] <= pn) lo = mid + 1;
      else hi = mid;
    }
    if (lo >= s.length) return limit;
    const next = BigInt(s[lo]) << SHIFT;
    return next < limit ? next : limit;
  }

  /** Page numbers (paddr >> 12) of every present page, ascending. */
  pages(): bigint[] {
    return this.pageNumbers().map((n) => BigInt(n));
  }

  /** Same as pages(), as numbers (page numbers stay far below 2^53). */
  pageNumbers(): number[] {
    return [...this.data.keys()].sort((a, b) => a - b);
  }

  /** The 4 KiB backing array of a present page (live, not a copy), or undefined. */
  pageData(pageNumber: bigint | number): Uint8Array | undefined {
    return this.data.get(Number(pageNumber));
  }

  get pageCount(): number {
    return this.data.size;
  }
}
