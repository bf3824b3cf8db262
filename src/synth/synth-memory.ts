import type { PhysImage } from './phys-image.js';
import type { Scenario } from './scenario.js';
import { CrashError } from '../util/errors.js';

const START_KERNEL_MAP = 0xffffffff80000000n;
const TEXT_BASE = 0xffffffff81000000n; // __START_KERNEL (CONFIG_PHYSICAL_START 0x1000000)
const PAGE = 4096n;
const U64 = 1n << 64n;

/**
 * The kernel's virtual address space while a scenario is built: the kernel image (at
 * __START_KERNEL + KASLR offset, backed at phys_base), the direct map (page_offset_base), and
 * any other kernel address (vmalloc, vmemmap, stacks) backed on demand by scratch pages and
 * remembered so the page tables can map exactly those pages.
 */
export class SynthMemory {
  readonly textBase: bigint;
  /** Virtual page → physical page for addresses outside the linear maps. */
  readonly extraPages = new Map<bigint, bigint>();
  /** The page granule: arm64 layout.page_size (4K/16K/64K); 4K on x86_64. extraPages are pages of this size. */
  readonly pageSize: bigint;
  private dataNext: bigint;
  imageEnd: bigint;

  constructor(
    readonly s: Scenario,
    readonly img: PhysImage,
  ) {
    if (s.arch === 'arm64') {
      const l = s.layout;
      if (l.vaBits === undefined || l.physOffset === undefined || l.kernelText === undefined || l.kernelPhys === undefined) {
        throw new CrashError(`scenario ${s.name}: arm64 needs layout.va_bits, phys_offset, kernel_text and kernel_phys`);
      }
      this.textBase = l.kernelText;
    } else this.textBase = TEXT_BASE + s.layout.kernelOffset;
    this.pageSize = BigInt(s.arch === 'arm64' ? (s.layout.pageSize ?? 4096) : 4096);
    this.dataNext = s.layout.dataStart;
    this.imageEnd = s.layout.dataStart;
  }

  /** Physical address behind a kernel-image or direct-map address. */
  linearToPhys(va: bigint): bigint | undefined {
    const l = this.s.layout;
    if (this.s.arch === 'arm64') {
      // 5.4+ ("flipped") layout: linear map in the lower half of the kernel VA range, from
      // _PAGE_OFFSET(vabits_actual) to _PAGE_END(VA_BITS_MIN).
      const { linearStart, linearEnd } = this.arm64Linear();
      if (va >= linearStart && va < linearEnd) return va - linearStart + l.physOffset!;
      if (va >= l.kernelText! && va < l.kernelText! + (1n << 30n)) return va - l.kernelText! + l.kernelPhys!;
      return undefined;
    }
    if (va >= START_KERNEL_MAP && va < 0xffffffffc0000000n) return BigInt.asUintN(64, va - START_KERNEL_MAP + this.s.layout.physBase);
    // the direct map ends where vmalloc or vmemmap start when memory-region KASLR put them inside its 64 TB
    const po = this.s.layout.pageOffset;
    let end = po + (this.s.layout.fiveLevel ? 1n << 55n : 1n << 46n);
    for (const b of [this.s.layout.vmallocBase, this.s.layout.vmemmapBase]) if (b !== undefined && b > po && b < end) end = b;
    if (va >= po && va < end) return va - po;
    return undefined;
  }

  directMap(pa: bigint): bigint {
    if (this.s.arch === 'arm64') return pa - this.s.layout.physOffset! + this.arm64Linear().linearStart;
    return pa + this.s.layout.pageOffset;
  }

  /**
   * arm64 linear map bounds, and the PHYS_OFFSET the kernel exports: memstart_addr moved down by
   * _PAGE_OFFSET(vabits_actual) - _PAGE_OFFSET(VA_BITS) when a 52-bit kernel runs 48-bit (arm64_memblock_init).
   */
  arm64Linear(): { linearStart: bigint; linearEnd: bigint; exportedPhysOffset: bigint } {
    const l = this.s.layout;
    const vaBits = l.vaBits!;
    const actual = l.vaBitsActual ?? vaBits;
    const vaBitsMin = vaBits > 48 ? (this.pageSize === 16384n ? 47 : 48) : vaBits;
    const linearStart = U64 - (1n << BigInt(actual));
    const linearEnd = U64 - (1n << BigInt(vaBitsMin - 1));
    const exportedPhysOffset = BigInt.asUintN(64, l.physOffset! - (linearStart - (U64 - (1n << BigInt(vaBits)))));
    return { linearStart, linearEnd, exportedPhysOffset };
  }

  /** arm64: kimage_voffset, the kernel image's virtual-minus-physical offset. */
  get kimageVoffset(): bigint {
    return BigInt.asUintN(64, this.s.layout.kernelText! - this.s.layout.kernelPhys!);
  }

  private phys(va: bigint, create: boolean): bigint | undefined {
    const lin = this.linearToPhys(va);
    if (lin !== undefined) return lin;
    const g = this.pageSize;
    const vpage = va & ~(g - 1n);
    let p = this.extraPages.get(vpage);
    if (p === undefined) {
      if (!create) return undefined;
      p = this.img.alloc(Number(g), Number(g));
      this.extraPages.set(vpage, p);
    }
    return p + (va & (g - 1n));
  }

  write(va: bigint, bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) {
      const v = va + BigInt(done);
      const n = Math.min(bytes.length - done, Number(PAGE - (v % PAGE)));
      const p = this.phys(v, true)!;
      if (!this.img.inRam(p)) throw new CrashError(`scenario ${this.s.name}: ${v.toString(16)} is backed by ${p.toString(16)}, outside RAM`);
      const [s0, s1] = this.s.memory.scratch;
      if (this.linearToPhys(v) !== undefined && p >= s0 && p < s1) {
        throw new CrashError(`scenario ${this.s.name}: ${v.toString(16)} (physical ${p.toString(16)}) lies in memory.scratch, which the builder uses for page tables`);
      }
      this.img.write(p, bytes.subarray(done, done + n));
      done += n;
    }
  }

  read(va: bigint, len: number): Uint8Array {
    const out = new Uint8Array(len);
    let done = 0;
    while (done < len) {
      const v = va + BigInt(done);
      const n = Math.min(len - done, Number(PAGE - (v % PAGE)));
      const p = this.phys(v, false);
      if (p !== undefined) out.set(this.img.read(p, n), done);
      done += n;
    }
    return out;
  }

  writeU64(va: bigint, v: bigint): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
    this.write(va, b);
  }
  writeU32(va: bigint, v: number | bigint): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, Number(BigInt.asUintN(32, BigInt(v))), true);
    this.write(va, b);
  }
  readU64(va: bigint): bigint {
    return new DataView(this.read(va, 8).buffer).getBigUint64(0, true);
  }

  /** Kernel data the builder itself lays out (tables, infrastructure variables), in the image. */
  allocData(size: number, align = 8): bigint {
    const a = BigInt(Math.max(1, align));
    const at = (this.dataNext + a - 1n) & ~(a - 1n);
    this.dataNext = at + BigInt(Math.max(1, size));
    if (this.dataNext > this.imageEnd) this.imageEnd = this.dataNext;
    return at;
  }
}
