import type { Arch, Walk } from '../arch/types.js';
import type { DumpFile } from '../dump/types.js';
import { PhysReadError } from '../util/errors.js';
import { rethrowInterrupt } from '../util/interrupt.js';
import { ReadError } from './read-error.js';
import type { Space } from './address.js';

const TLB_MAX = 4096;
/** Mappings one kvAbsentRunEnd follows at most (a 2 MB mapping each: 2 TB of vmemmap). */
const KV_RUN_STEPS = 1 << 20;

/**
 * The bits of address a walk's last (non-present) entry covers: its level's shift, counting
 * (pageShift - 3) bits per level up from the PTE; the levels are the walk's own step names.
 */
function missingShift(arch: Arch, w: Walk): bigint {
  const names = (arch as { geometry?: { names: string[] } }).geometry?.names ?? (arch.isKernelAddr(0xff00000000000000n) ? ['PGD', 'P4D', 'PUD', 'PMD', 'PTE'] : ['PGD', 'PUD', 'PMD', 'PTE']);
  const last = w.steps[w.steps.length - 1];
  const i = last ? names.indexOf(last.level) : -1;
  return BigInt(arch.pageShift + (i < 0 ? 0 : (arch.pageShift - 3) * (names.length - 1 - i)));
}

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
  /** Use the dump's knowledge of memory it does not hold (absentRunEnd); off to check answers without it. */
  absentRuns = true;

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

  /**
   * End of the run of physical memory from `paddr` that the dump does not hold (every read there
   * fails; at most `limit`; `paddr` when its page is there or the dump cannot tell). A fast path
   * for long scans, like zeroRunEnd; with `absentRuns` off it always answers `paddr`.
   */
  absentRunEnd(paddr: bigint, limit: bigint): bigint {
    if (!this.absentRuns || !this.dump.absentRunEnd || paddr >= limit) return paddr;
    const end = this.dump.absentRunEnd(paddr, limit);
    return end > paddr && end <= limit ? end : paddr;
  }

  /**
   * The same for kernel virtual memory: the run from `vaddr` (at most `limit`) where every read
   * fails, because nothing maps it (a missing table passes all it would map) or because what maps
   * it is not in the dump. Follows mapping after mapping (bounded); `vaddr` when it reads.
   */
  kvAbsentRunEnd(vaddr: bigint, limit: bigint): bigint {
    if (!this.absentRuns || vaddr >= limit) return vaddr;
    const ps = BigInt(this.arch.pageSize);
    let v = vaddr;
    for (let steps = 0; v < limit && steps < KV_RUN_STEPS; steps++) {
      let p = this.arch.linearToPhys(v);
      let span = limit - v; // linear maps: contiguous, while the whole span stays in the map
      if (p !== undefined && this.arch.linearToPhys(v + span - 1n) !== p + span - 1n) span = ps - (v % ps);
      if (p === undefined) {
        if (!this.arch.isKernelAddr(v)) break;
        let w;
        try {
          w = this.arch.walk(v);
        } catch (e) {
          if (e instanceof PhysReadError || e instanceof ReadError) {
            v = (v / ps + 1n) * ps; // its page table is unreadable: the page cannot be read
            continue;
          }
          throw e;
        }
        if (w.paddr === undefined) {
          const next = ((v >> missingShift(this.arch, w)) + 1n) << missingShift(this.arch, w);
          if (next <= v) break;
          v = next;
          continue;
        }
        const size = w.pageSize ?? ps;
        p = w.paddr;
        if (size - (v % size) < span) span = size - (v % size);
      }
      const end = this.absentRunEnd(p, p + span);
      v += end - p;
      if (end < p + span) break; // present from here
    }
    return v < limit ? v : limit;
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
