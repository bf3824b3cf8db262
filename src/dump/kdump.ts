/**
 * kdump-compressed dumps ("KDUMP   ", makedumpfile -c/-l/-p/-z, QEMU kdump-*) and old Red Hat
 * diskdump ("DISKDUMP"), read the way crash's diskdump.c reads them:
 *
 *   block 0            disk_dump_header                      (kdump-header.ts)
 *   block 1..          kdump_sub_header, sub_hdr_size blocks
 *   then               bitmap_blocks blocks: 1st bitmap (RAM, not a hole),
 *                      2nd bitmap (dumped, not excluded); bit n of byte n>>3 is pfn n
 *   data_offset        page_desc_t {off_t offset; u32 size; u32 flags; u64 page_flags}
 *                      for every set bit of the 2nd bitmap, in pfn order
 *   desc.offset        page data: zlib, lzo, snappy, zstd or raw (codecs/)
 *
 * Opening reads the headers, the bitmaps and the notes, and builds crash's valid_pages[] index:
 * cumulative counts of dumped pfns per section, so a pfn's descriptor is one count away.
 * Descriptors are read on demand in small chunks and pages decoded on demand through bounded
 * LRUs. Faults follow read_diskdump(): pfn past max_mapnr or in a hole → 'seek'; RAM that was
 * filtered out → 'excluded' (zeros for DISKDUMP and KDUMP header_version 0, as crash without
 * ERROR_EXCLUDED); a descriptor with offset 0 (makedumpfile ran out of space) → 'incomplete';
 * unreadable or undecodable data → 'read'.
 */
import type { DumpFile, ElfNote, Machine, PhysRange } from './types.js';
import type { ByteSource } from './byte-source.js';
import { findVmcoreinfo, parseNotes } from './elf-notes.js';
import {
  DISKDUMP_HEADER_SIZE,
  DUMP_DH_COMPRESSED_INCOMPLETE,
  DUMP_DH_EXCLUDED_VMEMMAP,
  KDUMP_SUB_HEADER_SIZE,
  machineFromNotes,
  machineOf,
  parseDiskDumpHeader,
  parseKdumpSubHeader,
  type DiskDumpHeader,
  type KdumpSignature,
  type KdumpSubHeader,
} from './kdump-header.js';
import { CodecError, decodePage } from './codecs/index.js';
import { Lru } from './lru.js';
import { bit, bitRuns, countBits, firstSetInBoth, sectionCounts } from './kdump-bitmap.js';
import { latin1, trimNuls } from '../util/bytes.js';
import { DumpFormatError, PhysReadError, type PhysFault } from '../util/errors.js';

const SECT_PFNS = 1024; // pfns per cumulative count (crash uses 4096; smaller sections, shorter scans)
const PAGE_DESC_SIZE = 24;
const DESCS_PER_CHUNK = 256;
const DESC_CHUNKS_CACHED = 64;
const PAGE_CACHE_BYTES = 4 << 20;
const MAX_BITMAP_BYTES = 1 << 30;
const READ_AHEAD = 64 * 1024;
const SHARED_CACHED = 8;

export interface PageDesc {
  offset: number;
  size: number;
  flags: number;
  pageFlags: bigint;
}

/** A PhysReadError that also says why (the descriptor or the decoder's complaint). */
export class KdumpPageError extends PhysReadError {
  constructor(fault: PhysFault, paddr: bigint, readonly detail: string) {
    super(fault, paddr);
  }
}

export interface KdumpOptions {
  /** The bytes come from a makedumpfile flattened stream. */
  flattened?: boolean;
  /** Warnings found beneath (flattened-stream truncation). */
  warnings?: readonly string[];
}

export class KdumpDump implements DumpFile {
  readonly format: KdumpSignature;
  readonly flattened: boolean;
  readonly machine: Machine;
  readonly header: DiskDumpHeader;
  readonly subHeader: KdumpSubHeader | undefined;
  readonly notes: ElfNote[] = [];
  readonly vmcoreinfo: string | undefined;
  readonly warnings: string[];
  readonly pageSize: number;
  /** Highest pfn + 1 the bitmaps describe. */
  readonly maxMapnr: number;
  /** Number of pages with a descriptor (set bits of the 2nd bitmap in this file's pfn range). */
  readonly dumpedPages: number;
  /** Header status DUMP_DH_COMPRESSED_INCOMPLETE: makedumpfile ran out of space. */
  readonly incomplete: boolean;
  /** dump_level > 0: pages were filtered out (crash's "[PARTIAL DUMP]"). */
  readonly partial: boolean;
  readonly excludedVmemmap: boolean;
  private readonly zeroExcluded: boolean;
  private readonly shift: bigint;
  private readonly ramMap: Uint8Array;
  private readonly dumpMap: Uint8Array;
  private readonly pfnLo: number;
  private readonly pfnHi: number;
  private readonly cum: Float64Array;
  private readonly dataOffset: number;
  private readonly pages: Lru<number, Uint8Array>;
  private readonly descChunks = new Lru<number, Uint8Array>(DESC_CHUNKS_CACHED);
  private readonly shared = new Lru<number, Uint8Array>(SHARED_CACHED);
  private rangeList: PhysRange[] | undefined;
  private ahead: Uint8Array = new Uint8Array(0);
  private aheadAt = 0;
  private lastEnd = -1;
  /** Offset of the shared zero page's data; -1 when there is none (see zeroPageOffset). */
  private zeroOff: number | undefined;

  constructor(private readonly src: ByteSource, opts: KdumpOptions = {}) {
    const path = src.path;
    this.flattened = opts.flattened ?? false;
    this.warnings = [...(opts.warnings ?? [])];
    const h = parseDiskDumpHeader(src.readExact(0, DISKDUMP_HEADER_SIZE, 'kdump header'), path);
    this.header = h;
    this.format = h.signature;
    const named = machineOf(h.utsname, path);
    const bs = h.blockSize;
    this.pageSize = bs;
    this.shift = BigInt(Math.log2(bs));
    const sub =
      h.signature === 'KDUMP' ? parseKdumpSubHeader(src.readExact(bs, KDUMP_SUB_HEADER_SIZE, 'kdump sub-header'), h.headerVersion, path) : undefined;
    this.subHeader = sub;
    // Notes and VMCOREINFO follow the sub-header in block 1.. (makedumpfile), before the bitmaps.
    if (sub && sub.offsetNote && sub.sizeNote) this.notes = parseNotes(src.readExact(sub.offsetNote, sub.sizeNote, 'ELF notes'));
    if (sub && sub.offsetVmcoreinfo && sub.sizeVmcoreinfo) {
      this.vmcoreinfo = trimNuls(latin1(src.readExact(sub.offsetVmcoreinfo, sub.sizeVmcoreinfo, 'VMCOREINFO')));
    } else this.vmcoreinfo = findVmcoreinfo(this.notes);
    this.machine = named ?? machineFromNotes(this.notes, this.vmcoreinfo);
    if (!named) this.warnings.push(`${path}: the kdump header names no machine; assuming ${this.machine}`);

    // Bitmaps. crash's dump_is_partial(): two bitmaps when bitmap_blocks covers max_mapnr twice.
    const bitmapLen = h.bitmapBlocks * bs;
    if (bitmapLen > MAX_BITMAP_BYTES) throw new DumpFormatError(`${path}: compressed kdump: bitmap of ${bitmapLen} bytes is implausible`);
    const maxMapnr = sub?.maxMapnr64 !== undefined ? sub.maxMapnr64 : BigInt(h.maxMapnr);
    const twoBitmaps = BigInt(h.bitmapBlocks) >= 2n * ceilDiv(ceilDiv(maxMapnr, 8n), BigInt(bs));
    const mapBits = BigInt((twoBitmaps ? bitmapLen / 2 : bitmapLen) * 8);
    if (maxMapnr > mapBits) {
      throw new DumpFormatError(`${path}: compressed kdump: a bitmap of ${mapBits} bits cannot describe max_mapnr ${maxMapnr}`);
    }
    this.maxMapnr = Number(maxMapnr);
    // One flattened record can make the logical file 2^50 bytes long: bitmaps bigger than all the
    // bytes the stream stores are garbage (makedumpfile writes every bitmap block), not a 1 GB read of zeros.
    if (src.stored !== undefined && bitmapLen > src.stored) {
      throw new DumpFormatError(`${path}: compressed kdump: bitmaps of ${bitmapLen} bytes, but the stream holds only ${src.stored}`);
    }
    const bitmapOffset = (1 + h.subHdrSize) * bs;
    if (bitmapOffset + bitmapLen > src.size) throw new DumpFormatError(`${path}: truncated kdump bitmaps at offset ${bitmapOffset}`);
    const bitmap = src.readExact(bitmapOffset, bitmapLen, 'kdump bitmaps');
    this.ramMap = twoBitmaps ? bitmap.subarray(0, bitmapLen / 2) : bitmap;
    this.dumpMap = twoBitmaps ? bitmap.subarray(bitmapLen / 2) : bitmap;
    this.dataOffset = (1 + h.subHdrSize + h.bitmapBlocks) * bs;

    // A part of a split dump (makedumpfile --split) holds only start_pfn..end_pfn.
    this.pfnLo = 0;
    this.pfnHi = this.maxMapnr;
    if (sub?.split) {
      if (sub.startPfn > sub.endPfn || sub.endPfn > maxMapnr) {
        throw new DumpFormatError(`${path}: compressed kdump: bad split range ${sub.startPfn}..${sub.endPfn}`);
      }
      this.pfnLo = Number(sub.startPfn);
      this.pfnHi = Number(sub.endPfn);
    }
    this.cum = sectionCounts(this.dumpMap, this.pfnLo, this.pfnHi, SECT_PFNS); // crash's valid_pages[]
    this.dumpedPages = this.cum[this.cum.length - 1];
    this.pages = new Lru(Math.max(16, Math.floor(PAGE_CACHE_BYTES / bs)));

    this.incomplete = (h.status & DUMP_DH_COMPRESSED_INCOMPLETE) !== 0;
    this.excludedVmemmap = (h.status & DUMP_DH_EXCLUDED_VMEMMAP) !== 0;
    this.partial = (sub?.dumpLevel ?? 0) > 0;
    this.zeroExcluded = h.signature === 'DISKDUMP' || h.headerVersion < 1;
    if (this.incomplete) this.warnings.push(`${path}: the dump is marked incomplete (kdump header status); pages it lost read as "page incomplete"`);
    if (this.excludedVmemmap) this.warnings.push(`${path}: the page structures of excluded pages are excluded too (makedumpfile -e)`);
    this.checkSize();
  }

  get path(): string {
    return this.src.path;
  }

  /** Physical memory the dump describes as RAM (set bits of the 1st bitmap), as ranges. */
  get ranges(): readonly PhysRange[] {
    this.rangeList ??= bitRuns(this.ramMap, this.pfnLo, this.pfnHi, this.pageSize);
    return this.rangeList;
  }

  /** What the dump holds for a pfn: a hole, an excluded page, or a dumped page. */
  pageState(pfn: number): 'hole' | 'excluded' | 'dumped' {
    if (!(pfn >= this.pfnLo && pfn < this.pfnHi) || !bit(this.ramMap, pfn)) return 'hole';
    return bit(this.dumpMap, pfn) ? 'dumped' : 'excluded';
  }

  /** The page descriptor of a dumped pfn (undefined for holes and excluded pages). */
  descriptor(pfn: number): PageDesc | undefined {
    if (this.pageState(pfn) !== 'dumped') return undefined;
    return this.readDesc(this.position(pfn), () => this.paddr(pfn, 0));
  }

  readPhys(addr: bigint, len: number): Uint8Array {
    const out = new Uint8Array(len);
    if (len === 0) return out;
    if (addr < 0n || addr >> this.shift >= BigInt(this.maxMapnr)) throw new PhysReadError('seek', addr);
    // pfns stay numbers (max_mapnr fits: the bitmaps are at most 2^33 bits); bigints only for faults
    const ps = this.pageSize;
    let pfn = Number(addr >> this.shift);
    let off = Number(addr & BigInt(ps - 1));
    for (let done = 0; done < len; pfn++, off = 0) {
      if (pfn >= this.maxMapnr) throw new PhysReadError('seek', this.paddr(pfn, 0));
      const n = Math.min(len - done, ps - off);
      const page = this.page(pfn, off);
      if (page) out.set(n === ps ? page : page.subarray(off, off + n), done);
      done += n;
    }
    return out;
  }

  /**
   * The run of pages from `paddr` that read as zeros without being read: pages whose descriptor
   * is makedumpfile's (and QEMU's) shared zero page, pd_zero, and excluded pages that read as
   * zeros (old formats). Ends at `limit`, a hole, or any other page.
   */
  zeroRunEnd(paddr: bigint, limit: bigint): bigint {
    if (paddr < 0n || paddr >= limit || paddr >> this.shift >= BigInt(this.pfnHi)) return paddr;
    const zero = this.zeroPageOffset();
    const first = Number(paddr >> this.shift);
    const lim = limit >> this.shift;
    const last = lim < BigInt(this.pfnHi) ? Number(lim) + (limit & BigInt(this.pageSize - 1) ? 1 : 0) : this.pfnHi;
    let pfn = first;
    let pos = -1;
    try {
      for (; pfn < last; pfn++) {
        const state = this.pageState(pfn);
        if (state === 'hole') break;
        if (state === 'excluded') {
          if (this.zeroExcluded) continue;
          break;
        }
        if (zero === undefined) break;
        pos = pos < 0 ? this.position(pfn) : pos + 1;
        const d = this.readDesc(pos, () => this.paddr(pfn, 0));
        if (d.offset !== zero || d.size !== this.pageSize || d.flags !== 0) break;
      }
    } catch (e) {
      if (!(e instanceof PhysReadError)) throw e; // an unreadable descriptor ends the run
    }
    if (pfn === first) return paddr;
    const end = this.paddr(pfn, 0);
    return end < limit ? end : limit;
  }

  /** Pages not in the dump from `paddr`: holes, other split parts, excluded pages that fault (bitmaps and valid_pages[] counts). */
  absentRunEnd(paddr: bigint, limit: bigint): bigint {
    if (paddr < 0n || paddr >= limit) return paddr;
    const first = paddr >> this.shift;
    if (first >= BigInt(this.pfnHi)) return limit;
    const last = (limit + BigInt(this.pageSize - 1)) >> this.shift;
    const stop = last < BigInt(this.pfnHi) ? Number(last) : this.pfnHi;
    const from = Math.max(Number(first), this.pfnLo);
    const q = this.zeroExcluded
      ? firstSetInBoth(this.ramMap, this.ramMap, from, stop)
      : firstSetInBoth(this.ramMap, this.dumpMap, from, stop, { cum: this.cum, lo: this.pfnLo, sect: SECT_PFNS });
    if (q >= stop) return limit;
    if (q === Number(first)) return paddr;
    return this.paddr(q, 0);
  }

  /**
   * makedumpfile and QEMU write pd_zero, one raw page of zeros, first in the page data (right
   * after the descriptors) and point every zero page's descriptor at it. Its offset, once the
   * bytes there are checked to be zeros; undefined when they are not (another writer).
   */
  private zeroPageOffset(): number | undefined {
    if (this.zeroOff === undefined) {
      const off = this.dataOffset + this.dumpedPages * PAGE_DESC_SIZE;
      const b = this.src.readAt(off, this.pageSize);
      this.zeroOff = b.length === this.pageSize && b.every((x) => x === 0) ? off : -1;
    }
    return this.zeroOff < 0 ? undefined : this.zeroOff;
  }

  close(): void {
    this.ahead = new Uint8Array(0);
    this.pages.clear();
    this.shared.clear();
    this.descChunks.clear();
    this.src.close();
  }

  private paddr(pfn: number, off: number): bigint {
    return (BigInt(pfn) << this.shift) + BigInt(off);
  }

  /** The decoded page, or undefined for an excluded page that reads as zeros; faults name pfn:off. */
  private page(pfn: number, off: number): Uint8Array | undefined {
    const hit = this.pages.get(pfn);
    if (hit) return hit;
    const state = this.pageState(pfn);
    if (state === 'hole') throw new PhysReadError('seek', this.paddr(pfn, off));
    if (state === 'excluded') {
      if (this.zeroExcluded) return undefined;
      throw new PhysReadError('excluded', this.paddr(pfn, off));
    }
    const fail = (fault: PhysFault, why: string) => new KdumpPageError(fault, this.paddr(pfn, off), `pfn ${pfn}: ${why}`);
    const d = this.readDesc(this.position(pfn), () => this.paddr(pfn, off));
    if (d.offset === 0) throw fail('incomplete', 'page descriptor with offset 0 (lost)');
    if (d.size === 0 || d.size > this.pageSize) throw fail('read', `page descriptor size ${d.size} (page size ${this.pageSize})`);
    // Pages shared between pfns (makedumpfile and QEMU store one zero page for all) are found
    // by their data offset: they are the ones a descriptor points back to.
    const shared = this.shared.get(d.offset);
    if (shared) {
      this.pages.set(pfn, shared);
      return shared;
    }
    const back = d.offset < this.lastEnd;
    const data = this.readData(d.offset, d.size);
    if (data.length !== d.size) throw fail('read', `page data at offset ${d.offset} lies past the end of the file`);
    let page: Uint8Array;
    try {
      page = decodePage(d.flags, data, this.pageSize);
    } catch (e) {
      if (e instanceof CodecError) throw fail('read', e.message);
      throw e;
    }
    // a raw page may be a view of the read-ahead buffer: keep only its own bytes
    if (page.buffer === this.ahead.buffer) page = page.slice();
    this.pages.set(pfn, page);
    if (back) this.shared.set(d.offset, page);
    return page;
  }

  /**
   * Page data, with read-ahead for sequential access: pages are stored in pfn order, so when a
   * read starts where the previous one ended, one larger read serves the next pages too.
   */
  private readData(off: number, size: number): Uint8Array {
    const rel = off - this.aheadAt;
    const sequential = off >= this.lastEnd && off - this.lastEnd < READ_AHEAD;
    this.lastEnd = off + size;
    if (rel >= 0 && rel + size <= this.ahead.length) return this.ahead.subarray(rel, rel + size);
    if (!sequential) return this.src.readAt(off, size);
    this.ahead = this.src.readAt(off, Math.max(size, READ_AHEAD));
    this.aheadAt = off;
    return this.ahead.subarray(0, Math.min(size, this.ahead.length));
  }

  /** Descriptor index of a dumped pfn: dumped pfns before it in this file (crash pfn_to_pos - 1). */
  private position(pfn: number): number {
    const rel = pfn - this.pfnLo;
    const sect = Math.floor(rel / SECT_PFNS);
    return this.cum[sect] + countBits(this.dumpMap, this.pfnLo + sect * SECT_PFNS, pfn - 1);
  }

  private readDesc(idx: number, paddr: () => bigint): PageDesc {
    const chunk = Math.floor(idx / DESCS_PER_CHUNK);
    let b = this.descChunks.get(chunk);
    if (!b) {
      const first = chunk * DESCS_PER_CHUNK;
      const count = Math.min(DESCS_PER_CHUNK, this.dumpedPages - first);
      b = this.src.readAt(this.dataOffset + first * PAGE_DESC_SIZE, count * PAGE_DESC_SIZE);
      this.descChunks.set(chunk, b);
    }
    const o = (idx % DESCS_PER_CHUNK) * PAGE_DESC_SIZE;
    if (o + PAGE_DESC_SIZE > b.length) {
      // An incomplete dump's missing descriptors read as zeros (IMPLEMENTATION, "The incomplete DUMPFILE").
      if (this.incomplete) return { offset: 0, size: 0, flags: 0, pageFlags: 0n };
      throw new KdumpPageError('read', paddr(), `page descriptor ${idx} lies past the end of the file`);
    }
    const dv = new DataView(b.buffer, b.byteOffset + o, PAGE_DESC_SIZE);
    const offset = dv.getBigInt64(0, true);
    if (offset < 0n) throw new KdumpPageError('seek', paddr(), `page descriptor ${idx}: offset ${offset}`);
    if (offset > BigInt(Number.MAX_SAFE_INTEGER)) throw new KdumpPageError('read', paddr(), `page descriptor ${idx}: offset ${offset}`);
    return { offset: Number(offset), size: dv.getUint32(8, true), flags: dv.getUint32(12, true), pageFlags: dv.getBigUint64(16, true) };
  }

  /** Warn when the file is shorter than its last descriptor says (crash: "may be truncated"). */
  private checkSize(): void {
    if (this.incomplete || this.dumpedPages === 0) return;
    const { src } = this;
    const descEnd = this.dataOffset + this.dumpedPages * PAGE_DESC_SIZE;
    let expected = descEnd;
    if (src.size >= descEnd) {
      const b = src.readAt(descEnd - PAGE_DESC_SIZE, PAGE_DESC_SIZE);
      const last = new DataView(b.buffer, b.byteOffset, PAGE_DESC_SIZE);
      const off = last.getBigInt64(0, true);
      if (off > 0n && off < BigInt(Number.MAX_SAFE_INTEGER)) expected = Math.max(expected, Number(off) + last.getUint32(8, true));
    }
    if (src.size < expected) {
      this.warnings.push(`${src.path}: may be truncated or incomplete (${src.size} of ${expected} bytes); reads past the end will fail`);
    }
  }
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}
