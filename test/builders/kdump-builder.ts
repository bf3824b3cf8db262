/**
 * A tiny kdump-compressed writer for tests, laid out the way makedumpfile 1.7.2 lays its files
 * out (checked against test/dump/fixtures/makedumpfile): header in block 0; kdump_sub_header at
 * block 1 followed by the ELF notes and the VMCOREINFO text (sub_hdr_size covers them); the 1st
 * and 2nd bitmaps; one page_desc_t per dumped pfn; then the page data, zero pages sharing one raw
 * zero page written first. Page data is stored as given (real compressors' output from
 * test/dump/fixtures/codec, node:zlib's deflate) so codecs are exercised with real streams.
 * The layout is returned so tests can cut or damage the file at precise places; flatten()
 * turns the result into a makedumpfile -F stream.
 */
import { deflateSync } from 'node:zlib';
import { elfNote } from './elf-builder.js';
import { concat, type CoreNote } from './core-elf.js';

export const FLAG_ZLIB = 0x1;
export const FLAG_LZO = 0x2;
export const FLAG_SNAPPY = 0x4;
export const FLAG_INCOMPLETE = 0x8;
export const FLAG_EXCLUDED_VMEMMAP = 0x10;
export const FLAG_ZSTD = 0x20;
export const PAGE_DESC_SIZE = 24;
const SUB_HEADER_SIZE = 104;

export interface StoredPage {
  /** page_desc_t.flags (FLAG_ZLIB ... or 0 for raw) */
  flags: number;
  /** what goes in the file */
  bytes: Uint8Array;
}

export interface KdumpPage {
  pfn: number;
  /** the page's content: stored raw unless `stored` or the spec's `compress` says otherwise */
  data?: Uint8Array;
  stored?: StoredPage;
  /** RAM but filtered out: 1st bitmap bit set, 2nd clear, no descriptor */
  excluded?: boolean;
  /** a descriptor with offset 0 (lost by an incomplete dump) */
  lost?: boolean;
}

export interface KdumpSpec {
  signature?: 'KDUMP   ' | 'DISKDUMP';
  headerVersion?: number;
  machine?: string;
  blockSize?: number;
  maxMapnr: number;
  pages: KdumpPage[];
  /** extra RAM pfn ranges [start, end) beyond the listed pages (excluded unless listed) */
  ram?: Array<[number, number]>;
  /** how `data` pages are stored: 'raw' (default) or 'zlib' (node:zlib deflate, the zlib format) */
  compress?: 'raw' | 'zlib';
  status?: number;
  dumpLevel?: number;
  notes?: CoreNote[];
  vmcoreinfo?: string;
  physBase?: bigint;
  split?: { start: number; end: number };
  /** one bitmap only (old diskdump, "not partial"): RAM and dumped are the same bits */
  oneBitmap?: boolean;
  /** share one raw zero page between all-zero pages, as makedumpfile does */
  shareZeroPage?: boolean;
  nrCpus?: number;
}

export interface KdumpLayout {
  blockSize: number;
  subHeaderOffset: number;
  noteOffset: number;
  noteSize: number;
  vmcoreinfoOffset: number;
  vmcoreinfoSize: number;
  bitmapOffset: number;
  bitmapLen: number;
  descOffset: number;
  /** pfn → offset of its descriptor */
  descOf: Map<number, number>;
  /** pfn → offset of its data */
  dataOf: Map<number, number>;
  dataOffset: number;
  size: number;
}

const isZero = (b: Uint8Array) => b.every((x) => x === 0);

export function buildKdump(spec: KdumpSpec): { bytes: Uint8Array; layout: KdumpLayout } {
  const bs = spec.blockSize ?? 4096;
  const version = spec.headerVersion ?? 6;
  const kdump = (spec.signature ?? 'KDUMP   ') === 'KDUMP   ';
  const notes = concat((spec.notes ?? []).map((n) => elfNote(n.name, n.type, n.desc)));
  const vmci = new TextEncoder().encode(spec.vmcoreinfo ?? '');
  const noteOffset = bs + SUB_HEADER_SIZE;
  const vmcoreinfoOffset = noteOffset + notes.length;
  const subHdrSize = Math.max(1, Math.ceil((SUB_HEADER_SIZE + notes.length + vmci.length) / bs));
  const mapBytes = Math.ceil(Math.ceil(spec.maxMapnr / 8) / bs) * bs || bs;
  const bitmapLen = spec.oneBitmap ? mapBytes : 2 * mapBytes;
  const bitmapOffset = (1 + subHdrSize) * bs;
  const descOffset = bitmapOffset + bitmapLen;

  const ram = new Uint8Array(mapBytes);
  const dumped = new Uint8Array(mapBytes);
  const set = (m: Uint8Array, pfn: number) => (m[pfn >> 3] |= 1 << (pfn & 7));
  for (const [s, e] of spec.ram ?? []) for (let p = s; p < e; p++) set(ram, p);
  const pages = [...spec.pages].sort((a, b) => a.pfn - b.pfn);
  for (const p of pages) {
    set(ram, p.pfn);
    if (!p.excluded) set(dumped, p.pfn);
  }
  const listed = pages.filter((p) => !p.excluded);

  const store = (p: KdumpPage): StoredPage => {
    if (p.stored) return p.stored;
    const data = p.data ?? new Uint8Array(bs);
    if (spec.compress === 'zlib') {
      const z = deflateSync(data);
      if (z.length < bs) return { flags: FLAG_ZLIB, bytes: z };
    }
    return { flags: 0, bytes: data };
  };
  const dataOffset = descOffset + listed.length * PAGE_DESC_SIZE;
  const chunks: Uint8Array[] = [];
  let at = dataOffset;
  let zeroAt = -1;
  const descOf = new Map<number, number>();
  const dataOf = new Map<number, number>();
  const descs = new Uint8Array(listed.length * PAGE_DESC_SIZE);
  const dv = new DataView(descs.buffer);
  if (spec.shareZeroPage) {
    zeroAt = at;
    chunks.push(new Uint8Array(bs));
    at += bs;
  }
  listed.forEach((p, i) => {
    const o = i * PAGE_DESC_SIZE;
    descOf.set(p.pfn, descOffset + o);
    if (p.lost) return; // all zero: offset 0
    let off: number;
    let st: StoredPage;
    if (zeroAt >= 0 && !p.stored && isZero(p.data ?? new Uint8Array(0))) {
      off = zeroAt;
      st = { flags: 0, bytes: new Uint8Array(bs) };
    } else {
      st = store(p);
      off = at;
      chunks.push(st.bytes);
      at += st.bytes.length;
    }
    dataOf.set(p.pfn, off);
    dv.setBigInt64(o, BigInt(off), true);
    dv.setUint32(o + 8, st.bytes.length, true);
    dv.setUint32(o + 12, st.flags, true);
  });

  const size = at;
  const out = new Uint8Array(size);
  const h = new DataView(out.buffer);
  out.set(new TextEncoder().encode(spec.signature ?? 'KDUMP   '), 0);
  h.setInt32(8, version, true);
  const uts = ['Linux', 'testhost', '6.1.0-test', '#1 SMP', spec.machine ?? 'x86_64', '(none)'];
  uts.forEach((s, i) => out.set(new TextEncoder().encode(s), 12 + 65 * i));
  h.setBigInt64(408, 1763776500n, true);
  h.setUint32(424, spec.status ?? (spec.compress === 'zlib' ? FLAG_ZLIB : 0), true);
  h.setInt32(428, bs, true);
  h.setInt32(432, subHdrSize, true);
  h.setUint32(436, bitmapLen / bs, true);
  h.setUint32(440, Math.min(spec.maxMapnr, 0xffffffff), true);
  h.setInt32(460, spec.nrCpus ?? 2, true);
  if (kdump) {
    const s = bs;
    h.setBigUint64(s, spec.physBase ?? 0n, true);
    h.setInt32(s + 8, spec.dumpLevel ?? 0, true);
    if (spec.split) {
      h.setInt32(s + 12, 1, true);
      h.setBigUint64(s + 16, BigInt(spec.split.start), true);
      h.setBigUint64(s + 24, BigInt(spec.split.end), true);
      h.setBigUint64(s + 80, BigInt(spec.split.start), true);
      h.setBigUint64(s + 88, BigInt(spec.split.end), true);
    }
    if (vmci.length) {
      h.setBigInt64(s + 32, BigInt(vmcoreinfoOffset), true);
      h.setBigUint64(s + 40, BigInt(vmci.length), true);
    }
    if (notes.length) {
      h.setBigInt64(s + 48, BigInt(noteOffset), true);
      h.setBigUint64(s + 56, BigInt(notes.length), true);
    }
    h.setBigUint64(s + 96, BigInt(spec.maxMapnr), true);
    out.set(notes, noteOffset);
    out.set(vmci, vmcoreinfoOffset);
  }
  out.set(ram, bitmapOffset);
  if (!spec.oneBitmap) out.set(dumped, bitmapOffset + mapBytes);
  out.set(descs, descOffset);
  let o = dataOffset;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return {
    bytes: out,
    layout: {
      blockSize: bs, subHeaderOffset: bs, noteOffset, noteSize: notes.length, vmcoreinfoOffset, vmcoreinfoSize: vmci.length,
      bitmapOffset, bitmapLen, descOffset, descOf, dataOf, dataOffset, size,
    },
  };
}

export interface FlattenOptions {
  /** split the file into records of at most this many bytes (default 4096) */
  recordSize?: number;
  /** write the records in this order of record index (default: in order) */
  order?: (n: number) => number[];
  /** extra records written after the others: [logical offset, bytes] (later ones win) */
  overwrite?: Array<[number, Uint8Array]>;
  /** leave out logical ranges [start, end) entirely (they read as zeros) */
  skip?: Array<[number, number]>;
  /** omit the end marker */
  noEnd?: boolean;
}

/** A makedumpfile -F stream of `file`: 4096-byte header, big-endian {offset, size} records, -1. */
export function flatten(file: Uint8Array, opts: FlattenOptions = {}): Uint8Array {
  const rs = opts.recordSize ?? 4096;
  const recs: Array<[number, Uint8Array]> = [];
  for (let o = 0; o < file.length; o += rs) {
    let s = o;
    let e = Math.min(o + rs, file.length);
    for (const [a, b] of opts.skip ?? []) {
      if (a <= s && b >= e) s = e;
      else if (a <= s && b > s) s = b;
      else if (a < e && b >= e) e = a;
    }
    if (s < e) recs.push([s, file.subarray(s, e)]);
  }
  const order = opts.order ? opts.order(recs.length) : recs.map((_, i) => i);
  const all = [...order.map((i) => recs[i]), ...(opts.overwrite ?? [])];
  const head = new Uint8Array(4096);
  head.set(new TextEncoder().encode('makedumpfile'), 0);
  const hv = new DataView(head.buffer);
  hv.setBigInt64(16, 1n, false);
  hv.setBigInt64(24, 1n, false);
  const parts: Uint8Array[] = [head];
  for (const [off, bytes] of all) {
    const rh = new Uint8Array(16);
    const v = new DataView(rh.buffer);
    v.setBigInt64(0, BigInt(off), false);
    v.setBigInt64(8, BigInt(bytes.length), false);
    parts.push(rh, bytes);
  }
  if (!opts.noEnd) {
    const end = new Uint8Array(16);
    new DataView(end.buffer).setBigInt64(0, -1n, false);
    parts.push(end);
  }
  return concat(parts);
}
