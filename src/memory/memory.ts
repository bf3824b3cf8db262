import type { Arch } from '../arch/types.js';
import type { DumpFile } from '../dump/types.js';
import { PhysReadError } from '../util/errors.js';
import { rethrowInterrupt } from '../util/interrupt.js';
import { ReadError } from './read-error.js';
import type { Space } from './address.js';

const TLB_MAX = 4096;

/**
 * Address spaces over one dump: physical reads, kernel virtual reads (linear maps by arithmetic,
 * everything else through the page tables), user reads through a given page-table root.
 * Errors are ReadErrors carrying crash's wording; `what` is crash's `type:` label.
 */
export class Memory {
  /** Virtual page → physical page for walked (non-linear) kernel addresses. Bounded. */
  private readonly tlb = new Map<bigint, bigint>();
  /** Use the dump's knowledge of all-zero pages (zeroRunEnd); off to check answers without it. */
  zeroRuns = true;

  constructor(
    readonly dump: DumpFile,
    public arch: Arch,
  ) {}

  setArch(arch: Arch): void {
    this.arch = arch;
    this.tlb.clear();
  }

  readPhys(paddr: bigint, len: number, what = 'physical memory'): Uint8Array {
    try {
      return this.dump.readPhys(paddr, len);
    } catch (e) {
      if (e instanceof PhysReadError) throw new ReadError(e.fault, 'physaddr', e.paddr, what);
      throw e;
    }
  }

  /**
   * End of the run of physical memory from `paddr` known to read as all zeros without reading it
   * (at most `limit`; `paddr` when not known). A fast path for long scans; with `zeroRuns` off
   * (or a dump that cannot tell) it always answers `paddr`, and scans read every page.
   */
  zeroRunEnd(paddr: bigint, limit: bigint): bigint {
    if (!this.zeroRuns || !this.dump.zeroRunEnd || paddr >= limit) return paddr;
    const end = this.dump.zeroRunEnd(paddr, limit);
    return end > paddr && end <= limit ? end : paddr;
  }

  /** Translate a kernel virtual address, or throw ReadError 'invalid'. */
  kvtop(vaddr: bigint, what = 'kernel virtual address'): bigint {
    const lin = this.arch.linearToPhys(vaddr);
    if (lin !== undefined) return lin;
    if (!this.arch.isKernelAddr(vaddr)) throw new ReadError('invalid', 'kvaddr', vaddr, what);
    const mask = BigInt(this.arch.pageSize - 1);
    const vpage = vaddr & ~mask;
    const hit = this.tlb.get(vpage);
    if (hit !== undefined) return hit | (vaddr & mask);
    let walk;
    try {
      walk = this.arch.walk(vaddr);
    } catch (e) {
      if (e instanceof PhysReadError || e instanceof ReadError) throw new ReadError('invalid', 'kvaddr', vaddr, what);
      throw e;
    }
    if (walk.paddr === undefined) throw new ReadError('invalid', 'kvaddr', vaddr, what);
    if (this.tlb.size >= TLB_MAX) this.tlb.clear();
    this.tlb.set(vpage, walk.paddr & ~mask);
    return walk.paddr;
  }

  /** Translate a user virtual address through the page tables rooted at `root` (mm->pgd, physical). */
  uvtop(vaddr: bigint, root: bigint, what = 'user virtual address'): bigint {
    let walk;
    try {
      walk = this.arch.walk(vaddr, root);
    } catch (e) {
      rethrowInterrupt(e);
      throw new ReadError('invalid', 'uvaddr', vaddr, what);
    }
    if (walk.paddr === undefined) throw new ReadError('invalid', 'uvaddr', vaddr, what);
    return walk.paddr;
  }

  readKv(vaddr: bigint, len: number, what = 'kernel memory'): Uint8Array {
    return this.readVirt('kvaddr', vaddr, len, what, (v) => this.kvtop(v, what));
  }

  readUv(vaddr: bigint, len: number, root: bigint, what = 'user memory'): Uint8Array {
    return this.readVirt('uvaddr', vaddr, len, what, (v) => this.uvtop(v, root, what));
  }

  read(space: Space, addr: bigint, len: number, what: string, userRoot?: bigint): Uint8Array {
    if (space === 'physaddr') return this.readPhys(addr, len, what);
    if (space === 'kvaddr') return this.readKv(addr, len, what);
    if (userRoot === undefined) throw new ReadError('invalid', 'uvaddr', addr, what);
    return this.readUv(addr, len, userRoot, what);
  }

  private readVirt(space: Space, vaddr: bigint, len: number, what: string, xlate: (v: bigint) => bigint): Uint8Array {
    const page = BigInt(this.arch.pageSize);
    const out = new Uint8Array(len);
    let done = 0;
    while (done < len) {
      const v = vaddr + BigInt(done);
      const n = Math.min(len - done, Number(page - (v % page)));
      const p = xlate(v);
      try {
        out.set(this.dump.readPhys(p, n), done);
      } catch (e) {
        if (e instanceof PhysReadError) throw new ReadError(e.fault, space, v, what);
        throw e;
      }
      done += n;
    }
    return out;
  }
}
