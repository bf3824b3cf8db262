/**
 * Synthetic dumps from a PhysImage + notes, two ways:
 *  - writeElfCore(): an ELF64 little-endian ET_CORE file like QEMU's dump-guest-memory (p_vaddr 0)
 *    or kexec's /proc/vmcore (p_vaddr = PAGE_OFFSET + paddr): one PT_NOTE, then one PT_LOAD per
 *    RAM range. The file is sized with ftruncate and only present, non-zero pages are written, so a
 *    64 GB image with a few hundred pages is a small sparse file written in milliseconds.
 *  - SynthDump: the same image as an in-memory DumpFile (format 'SYNTH'), no file needed.
 * Both answer readPhys identically: zeros for RAM never written, PhysReadError 'seek' outside RAM.
 */
import * as fs from 'node:fs';
import type { DumpFile, ElfNote, Machine, PhysRange } from '../dump/types.js';
import { findVmcoreinfo } from '../dump/elf-notes.js';
import { PhysReadError } from '../util/errors.js';
import { IMAGE_PAGE_SIZE, PhysImage } from './phys-image.js';
import { encodeNotes } from './notes.js';

const PT_LOAD = 1;
const PT_NOTE = 4;
const EM: Record<Machine, number> = { x86_64: 62, arm64: 183 };
const EHDR_SIZE = 64;
const PHDR_SIZE = 56;
const PF_RWX = 7;
/** Coalesce runs of present pages into writes of at most this many bytes. */
const MAX_WRITE = 1 << 20;

export interface ExtraLoad {
  vaddr: bigint;
  paddr: bigint;
  size: bigint;
}

export interface ElfCoreOptions {
  machine: Machine;
  image: PhysImage;
  notes: readonly ElfNote[];
  /** p_vaddr of RAM segments = pageOffset + p_paddr (kexec); 0 when omitted (QEMU). */
  pageOffset?: bigint;
  /** More PT_LOADs aliasing RAM, before the RAM ones (kexec's kernel-text segment). */
  extraLoads?: readonly ExtraLoad[];
  /** Set e_flags bit 0, makedumpfile's "incomplete" mark. */
  incomplete?: boolean;
}

export interface ElfCoreResult {
  /** Apparent file size in bytes. */
  size: number;
  /** Bytes actually written to page data (the rest are holes). */
  dataBytesWritten: number;
}

interface Seg {
  vaddr: bigint;
  paddr: bigint;
  size: bigint;
  offset: number;
}

function layout(opts: ElfCoreOptions): { segs: Seg[]; header: Uint8Array; size: number } {
  const loads: Omit<Seg, 'offset'>[] = [
    ...(opts.extraLoads ?? []),
    ...opts.image.ranges().map((r) => ({ vaddr: opts.pageOffset === undefined ? 0n : opts.pageOffset + r.start, paddr: r.start, size: r.end - r.start })),
  ];
  const phnum = 1 + loads.length;
  if (phnum >= 0xffff) throw new RangeError(`too many PT_LOAD segments (${loads.length})`);
  const notes = encodeNotes(opts.notes);
  const notesOff = EHDR_SIZE + PHDR_SIZE * phnum;
  let cursor = notesOff + notes.length;
  const segs: Seg[] = loads.map((l) => {
    // keep file offset and paddr congruent mod 4K so each page is one contiguous file range
    const sub = Number(l.paddr & 0xfffn);
    const offset = ((cursor + 0xfff) & ~0xfff) + sub;
    cursor = offset + Number(l.size);
    return { ...l, offset };
  });
  if (!Number.isSafeInteger(cursor)) throw new RangeError('ELF core would exceed 2^53 bytes');

  const header = new Uint8Array(notesOff + notes.length);
  const dv = new DataView(header.buffer);
  header.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0); // ELFCLASS64, ELFDATA2LSB, EV_CURRENT, SYSV
  dv.setUint16(16, 4, true); // ET_CORE
  dv.setUint16(18, EM[opts.machine], true);
  dv.setUint32(20, 1, true); // e_version
  dv.setBigUint64(32, BigInt(EHDR_SIZE), true); // e_phoff
  dv.setUint32(48, opts.incomplete ? 1 : 0, true); // e_flags
  dv.setUint16(52, EHDR_SIZE, true); // e_ehsize
  dv.setUint16(54, PHDR_SIZE, true);
  dv.setUint16(56, phnum, true);
  const ph = (i: number, type: number, flags: number, offset: number, vaddr: bigint, paddr: bigint, size: bigint, align: bigint) => {
    const o = EHDR_SIZE + i * PHDR_SIZE;
    dv.setUint32(o, type, true);
    dv.setUint32(o + 4, flags, true);
    dv.setBigUint64(o + 8, BigInt(offset), true);
    dv.setBigUint64(o + 16, BigInt.asUintN(64, vaddr), true);
    dv.setBigUint64(o + 24, paddr, true);
    dv.setBigUint64(o + 32, size, true);
    dv.setBigUint64(o + 40, size, true);
    dv.setBigUint64(o + 48, align, true);
  };
  ph(0, PT_NOTE, 0, notesOff, 0n, 0n, BigInt(notes.length), 0n);
  segs.forEach((s, i) => ph(i + 1, PT_LOAD, PF_RWX, s.offset, s.vaddr, s.paddr, s.size, 0n));
  header.set(notes, notesOff);
  return { segs, header, size: cursor };
}

const isZero = (b: Uint8Array): boolean => {
  const w = new Uint32Array(b.buffer, b.byteOffset, b.byteLength >> 2);
  for (let i = 0; i < w.length; i++) if (w[i] !== 0) return false;
  return true;
};

/** Write the image as an ELF core file at `path` (replacing it). */
export function writeElfCore(path: string, opts: ElfCoreOptions): ElfCoreResult {
  const { segs, header, size } = layout(opts);
  const pages = opts.image.pageNumbers();
  const fd = fs.openSync(path, 'w');
  let written = 0;
  try {
    fs.ftruncateSync(fd, size);
    writeAll(fd, header, 0);
    for (const s of segs) written += writeSegment(fd, opts.image, pages, s);
  } finally {
    fs.closeSync(fd);
  }
  return { size, dataBytesWritten: written };
}

function writeAll(fd: number, buf: Uint8Array, pos: number): void {
  let done = 0;
  while (done < buf.length) done += fs.writeSync(fd, buf, done, buf.length - done, pos + done);
}

function writeSegment(fd: number, img: PhysImage, pages: number[], s: Seg): number {
  const end = s.paddr + s.size;
  const firstPn = Number(s.paddr >> 12n);
  // first present page >= the segment's first page
  let lo = 0;
  let hi = pages.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pages[mid]! < firstPn) lo = mid + 1;
    else hi = mid;
  }
  let written = 0;
  let run: Uint8Array[] = [];
  let runPos = -1;
  let runLen = 0;
  const flush = () => {
    if (runLen === 0) return;
    const buf = run.length === 1 ? run[0]! : Buffer.concat(run, runLen);
    writeAll(fd, buf, runPos);
    written += runLen;
    run = [];
    runLen = 0;
  };
  for (let k = lo; k < pages.length; k++) {
    const pa = BigInt(pages[k]!) << 12n;
    if (pa >= end) break;
    const data = img.pageData(pages[k]!)!;
    if (isZero(data)) continue;
    const from = pa < s.paddr ? s.paddr : pa;
    const to = pa + BigInt(IMAGE_PAGE_SIZE) > end ? end : pa + BigInt(IMAGE_PAGE_SIZE);
    const slice = data.subarray(Number(from - pa), Number(to - pa));
    const pos = s.offset + Number(from - s.paddr);
    if (runLen > 0 && (runPos + runLen !== pos || runLen + slice.length > MAX_WRITE)) flush();
    if (runLen === 0) runPos = pos;
    run.push(slice);
    runLen += slice.length;
  }
  flush();
  return written;
}

export interface SynthDumpOptions {
  machine: Machine;
  image: PhysImage;
  notes: readonly ElfNote[];
  /** What `path` reports (a scenario name); default '(synthetic)'. */
  path?: string;
  warnings?: readonly string[];
}

/** A DumpFile over a PhysImage: scenarios open through the same layers as a real vmcore. */
export class SynthDump implements DumpFile {
  readonly format = 'SYNTH';
  readonly path: string;
  readonly machine: Machine;
  readonly notes: readonly ElfNote[];
  readonly vmcoreinfo: string | undefined;
  readonly ranges: readonly PhysRange[];
  readonly warnings: readonly string[];
  readonly image: PhysImage;

  constructor(opts: SynthDumpOptions) {
    this.machine = opts.machine;
    this.image = opts.image;
    this.notes = [...opts.notes];
    this.vmcoreinfo = findVmcoreinfo(this.notes);
    this.ranges = opts.image.ranges();
    this.path = opts.path ?? '(synthetic)';
    this.warnings = [...(opts.warnings ?? [])];
  }

  private find(addr: bigint): PhysRange | undefined {
    const r = this.ranges;
    let lo = 0;
    let hi = r.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (r[mid]!.start <= addr) {
        if (addr < r[mid]!.end) return r[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return undefined;
  }

  readPhys(addr: bigint, len: number): Uint8Array {
    const out = new Uint8Array(len);
    let done = 0;
    while (done < len) {
      const a = addr + BigInt(done);
      const r = this.find(a);
      if (!r) throw new PhysReadError('seek', a);
      const n = Math.min(len - done, Number(r.end - a));
      out.set(this.image.read(a, n), done);
      done += n;
    }
    return out;
  }

  /** Pages the image never wrote read as zeros: the run of them from `paddr`, within one declared RAM range. */
  zeroRunEnd(paddr: bigint, limit: bigint): bigint {
    const r = this.find(paddr);
    if (!r) return paddr;
    return this.image.zeroRunEnd(paddr, limit < r.end ? limit : r.end);
  }

  close(): void {
    /* nothing to release */
  }
}
