/**
 * Finding the kernel image's read-only tables without their section symbols.
 *
 * A kernel built without CONFIG_KALLSYMS_ALL (Debian's arm64 kernel, for one) has only text
 * symbols in kallsyms: no __start_BTF/__stop_BTF, no __start___ksymtab. The tables are still in
 * the image, in its read-only data, which the linker places between the main .text and the init
 * text (arm64 vmlinux.lds.S: .text, .rodata with __ksymtab*, .notes, .BTF, .BTF_ids, then
 * .rodata.text and .init.text; x86_64 likewise puts RO_DATA after .text). With text symbols only,
 * that read-only data is the widest gap between consecutive text symbols of the image, and it is
 * read here page by page (unreadable pages read as zeros) and searched for:
 *
 *  - the .BTF section: a btf_header (magic 0xeb9f, version 1, hdr_len 24) whose type and string
 *    sections are in bounds and adjacent, whose string section starts with NUL, and whose whole
 *    type section indexes (BtfWire checks every record);
 *  - the export table (__ksymtab + __ksymtab_gpl, include/linux/export.h): since v5.4 on arches
 *    with PREL32 relocations, struct kernel_symbol { int value_offset, name_offset,
 *    namespace_offset } (8-byte entries before namespaces). An entry is believed only as part of
 *    a contiguous run anchored by entries whose value is a kallsyms text symbol of the very name
 *    the entry's string gives; each neighbour must name an identifier in the same string table.
 *    Exported data symbols (init_task, __per_cpu_offset, jiffies, nr_cpu_ids ...) come from here.
 */
import { BtfWire } from './btf/wire.js';
import type { Sym } from './symbol-table.js';

export type ReadPage = (vaddr: bigint, len: number) => Uint8Array | undefined;

/** The most image bytes we read looking for the tables (the arm64 6.1 gap is ~10 MB). */
const MAX_SCAN = 96 << 20;
/** A gap narrower than this holds no read-only data worth scanning. */
const MIN_GAP = 1 << 20;
/** Addresses of the image's own text symbols lie within this distance of _stext. */
const IMAGE_SPAN = 1n << 30n;

export interface ImageRegion {
  start: bigint;
  bytes: Uint8Array;
}

/** The widest gaps between the image's text symbols (largest first), read into memory. */
export function readOnlyDataRegions(text: readonly Sym[], stext: bigint, read: ReadPage, pageSize: number): ImageRegion[] {
  const addrs = text
    .filter((s) => /^[tTwW]$/.test(s.type) && s.address >= stext && s.address - stext < IMAGE_SPAN)
    .map((s) => s.address)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const gaps: { start: bigint; len: bigint }[] = [];
  for (let i = 1; i < addrs.length; i++) {
    const len = addrs[i]! - addrs[i - 1]!;
    if (len >= BigInt(MIN_GAP)) gaps.push({ start: addrs[i - 1]!, len });
  }
  gaps.sort((a, b) => (a.len > b.len ? -1 : a.len < b.len ? 1 : 0));
  const out: ImageRegion[] = [];
  let budget = MAX_SCAN;
  const page = BigInt(pageSize);
  for (const g of gaps) {
    if (budget <= 0) break;
    const start = (g.start / page) * page;
    const len = Math.min(Number(g.start + g.len - start), budget);
    budget -= len;
    const bytes = new Uint8Array(len);
    for (let off = 0; off < len; off += pageSize) {
      const n = Math.min(pageSize, len - off);
      const b = read(start + BigInt(off), n);
      if (b) bytes.set(b.subarray(0, n), off);
    }
    out.push({ start, bytes });
  }
  return out;
}

export interface FoundBtf {
  address: bigint;
  bytes: Uint8Array;
}

/** The first fully valid BTF blob in the regions. */
export function findBtf(regions: readonly ImageRegion[]): FoundBtf | undefined {
  const sig = Uint8Array.of(0x9f, 0xeb, 0x01, 0x00, 0x18, 0x00, 0x00, 0x00);
  for (const r of regions) {
    const buf = Buffer.from(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength);
    const dv = new DataView(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength);
    for (let p = buf.indexOf(sig); p >= 0 && p + 24 <= buf.length; p = buf.indexOf(sig, p + 1)) {
      const typeOff = dv.getUint32(p + 8, true);
      const typeLen = dv.getUint32(p + 12, true);
      const strOff = dv.getUint32(p + 16, true);
      const strLen = dv.getUint32(p + 20, true);
      const total = 24 + strOff + strLen;
      if (typeOff !== 0 || typeLen === 0 || strOff !== typeLen || strLen === 0 || p + total > buf.length) continue;
      if (r.bytes[p + 24 + strOff] !== 0) continue;
      const bytes = r.bytes.subarray(p, p + total);
      try {
        const w = new BtfWire(bytes);
        if (w.count === 0) continue;
        for (let id = w.firstId; id <= Math.min(w.lastId, w.firstId + 16); id++) w.str(w.nameOffOf(id));
      } catch {
        continue;
      }
      return { address: r.start + BigInt(p), bytes: bytes.slice() };
    }
  }
  return undefined;
}

export interface Export {
  name: string;
  address: bigint;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_.$]*$/;
/** Enough kallsyms-confirmed entries that the table is not a coincidence. */
const MIN_ANCHORS = 16;
const MAX_NAME = 256;

/** The kernel's export table, decoded and checked against the text symbols. */
export function findExports(regions: readonly ImageRegion[], text: readonly Sym[]): Export[] {
  for (const stride of [12, 8]) {
    for (const r of regions) {
      const found = decodeExports(r, text, stride);
      if (found) return found;
    }
  }
  return [];
}

function decodeExports(r: ImageRegion, text: readonly Sym[], stride: number): Export[] | undefined {
  const b = r.bytes;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  // text symbols by offset from the region start (Numbers: the image spans far less than 2^53)
  const byRel = new Map<number, string[]>();
  const lo = r.start - IMAGE_SPAN;
  const hi = r.start + IMAGE_SPAN;
  for (const s of text) {
    if (s.address < lo || s.address >= hi) continue;
    const rel = Number(s.address - r.start);
    const l = byRel.get(rel);
    if (l) l.push(s.name);
    else byRel.set(rel, [s.name]);
  }
  const str = (at: number): string | undefined => {
    if (at <= 0 || at >= b.length) return undefined;
    let e = at;
    while (e < b.length && b[e] !== 0 && e - at < MAX_NAME) e++;
    if (e >= b.length || b[e] !== 0) return undefined;
    return String.fromCharCode(...b.subarray(at, e));
  };
  const entry = (p: number): { name: string; rel: number } | undefined => {
    if (p < 0 || p + stride > b.length) return undefined;
    const name = str(p + 4 + dv.getInt32(p + 4, true));
    if (name === undefined || !IDENT.test(name)) return undefined;
    if (stride === 12) {
      const ns = str(p + 8 + dv.getInt32(p + 8, true));
      if (ns === undefined || (ns !== '' && !IDENT.test(ns))) return undefined;
    }
    const rel = p + dv.getInt32(p, true);
    const names = byRel.get(rel);
    if (names && !names.includes(name)) return undefined; // a text address under another name
    return { name, rel };
  };
  const anchors: number[] = [];
  for (let p = 0; p + stride <= b.length; p += 4) {
    const names = byRel.get(p + dv.getInt32(p, true));
    if (!names) continue;
    const e = entry(p);
    if (e && names.includes(e.name)) anchors.push(p);
  }
  if (anchors.length < MIN_ANCHORS) return undefined;
  const seen = new Set<number>();
  const out: Export[] = [];
  for (const a of anchors) {
    if (seen.has(a)) continue;
    for (const dir of [-stride, stride]) {
      for (let p = dir < 0 ? a : a + stride; !seen.has(p); p += dir) {
        const e = entry(p);
        if (!e) break;
        seen.add(p);
        out.push({ name: e.name, address: r.start + BigInt(e.rel) });
      }
    }
  }
  return out;
}
