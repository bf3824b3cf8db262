/**
 * Synthetic kdump-compressed dumps ("KDUMP   ", header_version 6) from a PhysImage, laid out as
 * makedumpfile 1.7 lays its files out: disk_dump_header in block 0; kdump_sub_header in block 1,
 * then the ELF notes and the VMCOREINFO text; the 1st bitmap (RAM) and the 2nd (dumped); one
 * page_desc_t per dumped pfn in pfn order; then the page data (zlib when it helps, raw otherwise).
 *
 * Written streaming, for machines of any size: the bitmaps are the only structure held whole
 * (max_mapnr / 4 bytes: 16 MiB for 256 GB of RAM); descriptors and data go out as they are made.
 *  - `dumped: 'image'`: only the pages the image holds are dumped; every other RAM page is
 *    excluded (a makedumpfile -d 31 dump of a big machine: a few thousand pages of kernel data).
 *  - `dumped: 'all'`: every RAM pfn has a descriptor and its own data (zero pages compressed,
 *    each stored separately), so the reader has one descriptor and one data block per page.
 * `flattened` writes makedumpfile -F's stream instead: a 4096-byte header, then big-endian
 * {offset, size} records in the order makedumpfile emits them (headers, bitmaps, then a block of
 * descriptors followed by one record per page's data), ending with offset -1.
 */
import * as fs from 'node:fs';
import { deflateSync } from 'node:zlib';
import type { ElfNote, Machine } from '../dump/types.js';
import { findVmcoreinfo } from '../dump/elf-notes.js';
import { IMAGE_PAGE_SIZE, type PhysImage } from './phys-image.js';
import { encodeNotes } from './notes.js';

const BS = IMAGE_PAGE_SIZE;
const SUB_HEADER_SIZE = 104;
const PAGE_DESC_SIZE = 24;
const FLAG_ZLIB = 0x1;
/** Descriptors per block of the stream: makedumpfile flushes its page_desc cache a block at a time. */
const DESCS_PER_BLOCK = Math.floor(BS / PAGE_DESC_SIZE);
const OUT_BUFFER = 1 << 20;

export interface KdumpWriteOptions {
  machine: Machine;
  image: PhysImage;
  notes: readonly ElfNote[];
  uts: { sysname?: string; nodename: string; release: string; version: string; machine: string };
  dumped: 'image' | 'all';
  flattened?: boolean;
  /** with 'image': also dump this many more RAM pages (zero-filled), spread evenly over RAM */
  extraPages?: number;
  /** pfns whose descriptors are written with offset 0 (lost when makedumpfile ran out of space) */
  lost?: ReadonlySet<number>;
  /** set DUMP_DH_COMPRESSED_INCOMPLETE in the header status */
  incomplete?: boolean;
  /** makedumpfile's -d level recorded in the sub-header (default 31 for 'image', 0 for 'all'). */
  dumpLevel?: number;
  nrCpus?: number;
  /** seconds since the epoch for the header's timestamp */
  time?: number;
}

export interface KdumpWriteResult {
  /** bytes of the file written (the flattened stream's own size when flattened) */
  size: number;
  maxMapnr: number;
  /** pfns with a descriptor */
  dumpedPages: number;
  /** flattened records written (0 for a plain file) */
  records: number;
  /** where the structures of the (logical) kdump file start */
  layout: { bitmapOffset: number; mapBytes: number; descOffset: number; dataStart: number };
}

/** Sink for the logical kdump file: positioned writes (plain) or flattened records. */
class Out {
  private buf = Buffer.allocUnsafe(OUT_BUFFER);
  private used = 0;
  private pos = 0; // file position of buf[0]
  records = 0;
  size = 0;

  constructor(private readonly fd: number, private readonly flat: boolean) {
    if (flat) {
      const head = Buffer.alloc(BS);
      head.write('makedumpfile', 0, 'latin1');
      head.writeBigInt64BE(1n, 16); // TYPE_FLAT_HEADER
      head.writeBigInt64BE(1n, 24); // VERSION_FLAT_HEADER
      this.append(head);
    }
  }

  /** Put `data` at logical offset `off` of the kdump file. */
  put(off: number, data: Uint8Array): void {
    if (!this.flat) {
      if (this.pos + this.used !== off) this.flush(off);
      this.append(data);
      return;
    }
    const rh = Buffer.allocUnsafe(16);
    rh.writeBigInt64BE(BigInt(off), 0);
    rh.writeBigInt64BE(BigInt(data.length), 8);
    this.append(rh);
    this.append(data);
    this.records++;
  }

  private append(data: Uint8Array): void {
    if (this.used + data.length > this.buf.length) this.flush();
    if (data.length > this.buf.length) {
      this.write(data, this.pos);
      this.pos += data.length;
      return;
    }
    this.buf.set(data, this.used);
    this.used += data.length;
  }

  private write(data: Uint8Array, at: number): void {
    let done = 0;
    while (done < data.length) done += fs.writeSync(this.fd, data, done, data.length - done, at + done);
    this.size = Math.max(this.size, at + data.length);
  }

  /** Write out the buffer; the next bytes go to `next` (default: right after). */
  flush(next?: number): void {
    if (this.used) this.write(this.buf.subarray(0, this.used), this.pos);
    this.pos = next ?? this.pos + this.used;
    this.used = 0;
  }

  finish(): void {
    if (this.flat) {
      const end = Buffer.alloc(16);
      end.writeBigInt64BE(-1n, 0);
      this.append(end);
    }
    this.flush();
  }
}

/** Write the image as a kdump-compressed file (or flattened stream) at `path`. */
export function writeKdumpFile(path: string, o: KdumpWriteOptions): KdumpWriteResult {
  const ranges = o.image.ranges();
  const maxMapnr = Number((ranges[ranges.length - 1]!.end + BigInt(BS) - 1n) / BigInt(BS));
  const mapBytes = Math.ceil(Math.ceil(maxMapnr / 8) / BS) * BS;
  const ram = new Uint8Array(mapBytes);
  for (const r of ranges) setBits(ram, Number((r.start + BigInt(BS) - 1n) / BigInt(BS)), Number(r.end / BigInt(BS)));
  const dumpedMap = o.dumped === 'all' ? ram : new Uint8Array(mapBytes);
  const imagePfns = o.image.pageNumbers().filter((pn) => pn < maxMapnr && bitSet(ram, pn));
  if (o.dumped === 'image') {
    const step = o.extraPages ? Math.max(1, Math.floor(maxMapnr / o.extraPages)) : 0;
    for (let pn = step >> 1, k = 0; step && k < o.extraPages! && pn < maxMapnr; pn += step, k++) if (bitSet(ram, pn)) dumpedMap[pn >> 3] |= 1 << (pn & 7);
    for (const pn of imagePfns) dumpedMap[pn >> 3] |= 1 << (pn & 7);
  }
  const dumpedPages = countSet(dumpedMap);

  const notes = encodeNotes(o.notes);
  const vmci = Buffer.from(findVmcoreinfo(o.notes) ?? '', 'latin1');
  const noteOffset = BS + SUB_HEADER_SIZE;
  const vmciOffset = noteOffset + notes.length;
  const subHdrBlocks = Math.ceil((SUB_HEADER_SIZE + notes.length + vmci.length) / BS);
  const bitmapOffset = (1 + subHdrBlocks) * BS;
  const descOffset = bitmapOffset + 2 * mapBytes;
  const dataStart = descOffset + dumpedPages * PAGE_DESC_SIZE;

  const head = Buffer.alloc((1 + subHdrBlocks) * BS);
  head.write('KDUMP   ', 0, 'latin1');
  head.writeInt32LE(6, 8); // header_version
  const uts = [o.uts.sysname ?? 'Linux', o.uts.nodename, o.uts.release, o.uts.version, o.uts.machine, '(none)'];
  uts.forEach((s, i) => head.write(s.slice(0, 64), 12 + 65 * i, 'latin1'));
  head.writeBigInt64LE(BigInt(Math.floor(o.time ?? 0)), 408);
  head.writeUInt32LE(FLAG_ZLIB | (o.incomplete ? 0x8 : 0), 424); // status: zlib pages, DUMP_DH_COMPRESSED_INCOMPLETE
  head.writeInt32LE(BS, 428);
  head.writeInt32LE(subHdrBlocks, 432);
  head.writeUInt32LE((2 * mapBytes) / BS, 436);
  head.writeUInt32LE(Math.min(maxMapnr, 0xffffffff), 440);
  head.writeUInt32LE(Math.min(maxMapnr, 0xffffffff), 444); // total_ram_blocks
  head.writeInt32LE(o.nrCpus ?? 1, 460);
  const s = BS; // kdump_sub_header
  head.writeInt32LE(o.dumpLevel ?? (o.dumped === 'image' ? 31 : 0), s + 8);
  head.writeBigInt64LE(BigInt(vmciOffset), s + 32);
  head.writeBigUInt64LE(BigInt(vmci.length), s + 40);
  head.writeBigInt64LE(BigInt(noteOffset), s + 48);
  head.writeBigUInt64LE(BigInt(notes.length), s + 56);
  head.writeBigUInt64LE(BigInt(maxMapnr), s + 96);
  head.set(notes, noteOffset);
  head.set(vmci, vmciOffset);

  const fd = fs.openSync(path, 'w');
  const out = new Out(fd, !!o.flattened);
  try {
    out.put(0, head);
    for (let at = 0; at < mapBytes; at += OUT_BUFFER / 2) {
      out.put(bitmapOffset + at, ram.subarray(at, Math.min(mapBytes, at + OUT_BUFFER / 2)));
    }
    for (let at = 0; at < mapBytes; at += OUT_BUFFER / 2) {
      out.put(bitmapOffset + mapBytes + at, dumpedMap.subarray(at, Math.min(mapBytes, at + OUT_BUFFER / 2)));
    }
    writePages(out, o, o.dumped === 'all' ? allPfns(ranges, maxMapnr) : setPfns(dumpedMap, maxMapnr), descOffset, dataStart);
    out.finish();
  } finally {
    fs.closeSync(fd);
  }
  return { size: out.size, maxMapnr, dumpedPages, records: out.records, layout: { bitmapOffset, mapBytes, descOffset, dataStart } };
}

/** Descriptors a block at a time, each block followed by the data of its pages. */
function writePages(out: Out, o: KdumpWriteOptions, pfns: Iterable<number>, descOffset: number, dataStart: number): void {
  const zero = deflateSync(new Uint8Array(BS));
  const descs = Buffer.alloc(DESCS_PER_BLOCK * PAGE_DESC_SIZE);
  let pending: Uint8Array[] = [];
  let n = 0; // descriptors in this block
  let index = 0; // descriptor index of the block's first entry
  let dataAt = dataStart;
  let pendingAt = dataStart;
  const flushBlock = () => {
    if (!n) return;
    out.put(descOffset + index * PAGE_DESC_SIZE, descs.subarray(0, n * PAGE_DESC_SIZE));
    let at = pendingAt;
    for (const d of pending) {
      out.put(at, d);
      at += d.length;
    }
    index += n;
    n = 0;
    pending = [];
    pendingAt = dataAt;
  };
  for (const pfn of pfns) {
    const page = o.image.pageData(pfn);
    let data: Uint8Array;
    let flags = FLAG_ZLIB;
    if (!page || isZero(page)) data = zero;
    else {
      const z = deflateSync(page);
      if (z.length < BS) data = z;
      else {
        data = page;
        flags = 0;
      }
    }
    const d = n * PAGE_DESC_SIZE;
    if (o.lost?.has(pfn)) {
      descs.fill(0, d, d + PAGE_DESC_SIZE);
      if (++n === DESCS_PER_BLOCK) flushBlock();
      continue;
    }
    descs.writeBigInt64LE(BigInt(dataAt), d);
    descs.writeUInt32LE(data.length, d + 8);
    descs.writeUInt32LE(flags, d + 12);
    descs.writeBigUInt64LE(0n, d + 16);
    pending.push(data);
    dataAt += data.length;
    if (++n === DESCS_PER_BLOCK) flushBlock();
  }
  flushBlock();
}

function* allPfns(ranges: { start: bigint; end: bigint }[], maxMapnr: number): Generator<number> {
  for (const r of ranges) {
    const end = Math.min(maxMapnr, Number(r.end / BigInt(BS)));
    for (let pfn = Number((r.start + BigInt(BS) - 1n) / BigInt(BS)); pfn < end; pfn++) yield pfn;
  }
}

function* setPfns(map: Uint8Array, maxMapnr: number): Generator<number> {
  for (let i = 0; i < map.length; i++) {
    if (!map[i]) continue;
    for (let b = 0; b < 8; b++) if ((map[i] >> b) & 1 && i * 8 + b < maxMapnr) yield i * 8 + b;
  }
}

function setBits(map: Uint8Array, from: number, to: number): void {
  let p = from;
  while (p < to && p & 7) map[p >> 3] |= 1 << (p++ & 7);
  const full = to >> 3;
  if (p >> 3 < full) {
    map.fill(0xff, p >> 3, full);
    p = full << 3;
  }
  while (p < to) map[p >> 3] |= 1 << (p++ & 7);
}

const bitSet = (map: Uint8Array, pfn: number) => ((map[pfn >> 3] >> (pfn & 7)) & 1) !== 0;

function countSet(map: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < map.length; i++) for (let b = map[i]; b; b &= b - 1) n++;
  return n;
}

function isZero(b: Uint8Array): boolean {
  const w = new Uint32Array(b.buffer, b.byteOffset, b.byteLength >> 2);
  for (let i = 0; i < w.length; i++) if (w[i] !== 0) return false;
  return true;
}
