/**
 * A sparse fake physical memory for arch/ and memory/ tests: 4 KB pages in a Map, presented as a
 * DumpFile (a read of a page that is not there is a PhysReadError 'seek', as for an ELF hole),
 * plus a small x86_64 page-table writer that allocates tables from a given physical range.
 */
import type { DumpFile, ElfNote, Machine, PhysRange } from '../../src/dump/types.js';
import { PhysReadError } from '../../src/util/errors.js';

const PAGE = 4096n;

export class FakePhysMem implements DumpFile {
  readonly format = 'SYNTH';
  readonly path = '<fake physical memory>';
  readonly notes: ElfNote[] = [];
  readonly warnings: string[] = [];
  /** The present pages by physical address (4 KB each); the fuzz harness fills it directly. */
  readonly pages = new Map<bigint, Uint8Array>();
  /** Physical reads made, for tests that care how often memory is touched. */
  reads = 0;

  constructor(readonly machine: Machine = 'x86_64', readonly vmcoreinfo: string | undefined = undefined) {}

  /** Make [paddr, paddr+len) present (zero-filled where nothing was written). */
  present(paddr: bigint, len: number): this {
    for (let p = paddr & ~(PAGE - 1n); p < paddr + BigInt(len); p += PAGE) {
      if (!this.pages.has(p)) this.pages.set(p, new Uint8Array(Number(PAGE)));
    }
    return this;
  }

  write(paddr: bigint, bytes: Uint8Array): this {
    this.present(paddr, bytes.length);
    for (let i = 0; i < bytes.length; ) {
      const a = paddr + BigInt(i);
      const off = Number(a & (PAGE - 1n));
      const n = Math.min(bytes.length - i, Number(PAGE) - off);
      this.pages.get(a - BigInt(off))!.set(bytes.subarray(i, i + n), off);
      i += n;
    }
    return this;
  }

  write64(paddr: bigint, value: bigint): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, value), true);
    return this.write(paddr, b);
  }

  get ranges(): PhysRange[] {
    const starts = [...this.pages.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const out: PhysRange[] = [];
    for (const s of starts) {
      const last = out[out.length - 1];
      if (last && last.end === s) last.end = s + PAGE;
      else out.push({ start: s, end: s + PAGE });
    }
    return out;
  }

  readPhys(addr: bigint, len: number): Uint8Array {
    this.reads++;
    const out = new Uint8Array(len);
    for (let i = 0; i < len; ) {
      const a = addr + BigInt(i);
      const off = Number(a & (PAGE - 1n));
      const page = this.pages.get(a - BigInt(off));
      if (!page) throw new PhysReadError('seek', a);
      const n = Math.min(len - i, Number(PAGE) - off);
      out.set(page.subarray(off, off + n), i);
      i += n;
    }
    return out;
  }

  close(): void {}
}

/** Entry flags as the kernel sets them: _PAGE_TABLE for tables, PRESENT|RW|ACCESSED|DIRTY(|PSE) for pages. */
export const TABLE_FLAGS = 0x067n;
export const PAGE_FLAGS = 0x063n;
export const LARGE_FLAGS = 0x0e3n;

/**
 * Writes x86_64 page tables into a FakePhysMem. Tables are allocated one page at a time from
 * `allocBase`; `encrypt` (an SME C-bit) is ORed into every entry written, as the kernel does.
 */
export class X86PageTables {
  readonly root: bigint;
  private next: bigint;
  private readonly shifts: bigint[];
  private readonly encrypt: bigint;

  constructor(
    private readonly mem: FakePhysMem,
    opts: { allocBase: bigint; fiveLevel?: boolean; encrypt?: bigint },
  ) {
    this.next = opts.allocBase;
    this.encrypt = opts.encrypt ?? 0n;
    this.shifts = opts.fiveLevel ? [48n, 39n, 30n, 21n, 12n] : [39n, 30n, 21n, 12n];
    this.root = this.alloc();
  }

  private alloc(): bigint {
    const p = this.next;
    this.next += PAGE;
    this.mem.present(p, Number(PAGE));
    return p;
  }

  private read64(p: bigint): bigint {
    return new DataView(this.mem.readPhys(p, 8).buffer).getBigUint64(0, true);
  }

  /** Map one page of `size` (4K, 2M or 1G) at `va` to `pa`; `leafFlags` defaults by size. */
  map(va: bigint, pa: bigint, size: bigint = PAGE, leafFlags?: bigint): this {
    let table = this.root;
    for (const shift of this.shifts) {
      const entry = table + ((va >> shift) & 0x1ffn) * 8n;
      if (1n << shift === size) {
        this.mem.write64(entry, pa | this.encrypt | (leafFlags ?? (size === PAGE ? PAGE_FLAGS : LARGE_FLAGS)));
        return this;
      }
      let v = this.read64(entry);
      if (!(v & 1n)) {
        v = this.alloc() | this.encrypt | TABLE_FLAGS;
        this.mem.write64(entry, v);
      }
      table = v & 0x000ffffffffff000n & ~this.encrypt;
    }
    throw new Error(`X86PageTables: bad page size ${size}`);
  }

  /** Write a raw leaf entry for a 4K page (a swap entry, a PROT_NONE page ...). */
  setPte(va: bigint, value: bigint): this {
    this.map(va, 0n);
    let table = this.root;
    for (const shift of this.shifts.slice(0, -1)) table = this.read64(table + ((va >> shift) & 0x1ffn) * 8n) & 0x000ffffffffff000n & ~this.encrypt;
    this.mem.write64(table + ((va >> 12n) & 0x1ffn) * 8n, value);
    return this;
  }
}
