/**
 * makedumpfile's flattened format (`makedumpfile -F`, QEMU `dump-guest-memory -z/-l/-s`): a
 * 4096-byte header {char signature[16] = "makedumpfile", int64 type = 1, int64 version = 1},
 * then records {int64 offset, int64 buf_size} + buf_size bytes, big-endian, ending with an
 * offset of -1 (makedumpfile IMPLEMENTATION, "The flattened format"; END_FLAG_FLAT_HEADER).
 * Each record says where its bytes belong in the ordinary ("rearranged") dump file.
 *
 * Opening scans the record headers once, front to back, skipping the data with positioned
 * reads, and keeps a sorted list of extents (logical offset → file offset, size). Reads of the
 * logical file are served through it; bytes no record wrote read as zeros, as they would in the
 * sparse file `makedumpfile -R` writes (crash's read_flattened_format does the same). When
 * records overlap, the one written later wins, as it would when rearranging. The file is never
 * rewritten.
 */
import type { ByteSource } from './byte-source.js';
import type { FileReader } from './file-reader.js';
import { DumpFormatError } from '../util/errors.js';

export const FLAT_HEADER_SIZE = 4096;
const SIGNATURE = 'makedumpfile';
const TYPE_FLAT_HEADER = 1n;
const RECORD_HEADER = 16;
const SCAN_WINDOW = 1 << 20;
const SMALL_RECORD = 4096;

/** True when the first bytes are a flattened-format header (signature and type 1). */
export function isFlattened(head: Uint8Array): boolean {
  if (head.length < 32) return false;
  for (let i = 0; i < 16; i++) {
    const want = i < SIGNATURE.length ? SIGNATURE.charCodeAt(i) : 0;
    if (head[i] !== want) return false;
  }
  return new DataView(head.buffer, head.byteOffset, 32).getBigInt64(16, false) === TYPE_FLAT_HEADER;
}

interface Extents {
  start: Float64Array;
  end: Float64Array;
  fileOff: Float64Array;
}

export class FlattenedReader implements ByteSource {
  /** End of the logical (rearranged) file: the highest byte any record wrote. */
  readonly size: number;
  /** Bytes the records hold, after overlaps are resolved (see ByteSource.stored). */
  readonly stored: number;
  /** Number of data records in the stream. */
  readonly records: number;
  readonly version: bigint;
  /** Truncation found while indexing (no end marker, a record cut short). */
  readonly warnings: string[] = [];
  private readonly ext: Extents;

  constructor(private readonly file: FileReader) {
    const head = file.readExact(0, FLAT_HEADER_SIZE, 'flattened-format header');
    if (!isFlattened(head)) throw new DumpFormatError(`${file.path}: not a makedumpfile flattened file`);
    this.version = new DataView(head.buffer, head.byteOffset, 32).getBigInt64(24, false);
    const recs = this.scan();
    this.records = recs.n;
    this.ext = resolve(recs);
    const n = this.ext.end.length;
    this.size = n ? this.ext.end[n - 1] : 0;
    let stored = 0;
    for (let i = 0; i < n; i++) stored += this.ext.end[i] - this.ext.start[i];
    this.stored = stored;
  }

  get path(): string {
    return this.file.path;
  }

  /** Number of extents after sorting and resolving overlaps. */
  get extents(): number {
    return this.ext.start.length;
  }

  /**
   * One pass over the record headers; data is skipped, never read. Records go into typed arrays
   * (no object per record: a flattened 8 GB dump has two million of them).
   */
  private scan(): Records {
    const { file } = this;
    const r = new RecordList();
    let win: Uint8Array = new Uint8Array(0);
    let dv = new DataView(win.buffer);
    let winAt = 0;
    let pos = FLAT_HEADER_SIZE;
    let lastSize = SMALL_RECORD; // until a record shows otherwise, assume large ones
    for (;;) {
      if (pos + RECORD_HEADER > file.size) {
        this.warnings.push(`${file.path}: flattened format: no end marker (the stream ends at offset ${file.size}, truncated?)`);
        break;
      }
      if (pos < winAt || pos + RECORD_HEADER > winAt + win.length) {
        // Small records: read a window holding many headers. Large ones: just the header.
        win = file.readAt(pos, lastSize < SMALL_RECORD ? SCAN_WINDOW : RECORD_HEADER);
        dv = new DataView(win.buffer, win.byteOffset, win.byteLength);
        winAt = pos;
      }
      // two 32-bit halves instead of BigInt reads: this loop runs once per page of the dump
      const at = pos - winAt;
      const offHi = dv.getInt32(at, false);
      const lenHi = dv.getInt32(at + 8, false);
      const off = offHi * 2 ** 32 + dv.getUint32(at + 4, false);
      const want = lenHi * 2 ** 32 + dv.getUint32(at + 12, false);
      if (off === -1) break;
      if (offHi < 0 || lenHi < 0 || off + want > Number.MAX_SAFE_INTEGER) {
        const big = new DataView(win.buffer, win.byteOffset + (pos - winAt), RECORD_HEADER);
        throw new DumpFormatError(
          `${file.path}: flattened format: bad record header at offset ${pos} (offset ${big.getBigInt64(0, false)}, size ${big.getBigInt64(8, false)})`,
        );
      }
      const data = pos + RECORD_HEADER;
      const have = Math.min(want, file.size - data);
      if (have > 0) r.push(off, have, data);
      if (have < want) {
        this.warnings.push(
          `${file.path}: flattened format: the record at offset ${pos} wants ${want} bytes but the file has ${have} (truncated?)`,
        );
        break;
      }
      pos = data + want;
      lastSize = want;
    }
    return r.done();
  }

  readAt(off: number, len: number): Uint8Array {
    const end = Math.min(off + len, this.size);
    if (!(off >= 0) || !(end > off)) return new Uint8Array(0);
    const { start, end: ends, fileOff } = this.ext;
    let i = lastAtOrBefore(start, off);
    // Common case: the whole read lies inside one extent.
    if (i >= 0 && end <= ends[i]) return this.file.readAt(fileOff[i] + (off - start[i]), end - off);
    const out = new Uint8Array(end - off); // gaps stay zero
    if (i < 0) i = 0;
    for (; i < start.length && start[i] < end; i++) {
      if (ends[i] <= off) continue;
      const s = Math.max(start[i], off);
      const e = Math.min(ends[i], end);
      const b = this.file.readAt(fileOff[i] + (s - start[i]), e - s);
      out.set(b, s - off);
      if (b.length !== e - s) return out.subarray(0, s - off + b.length);
    }
    return out;
  }

  readExact(off: number, len: number, what: string): Uint8Array {
    const b = this.readAt(off, len);
    if (b.length !== len) throw new DumpFormatError(`${this.path}: truncated ${what} at offset ${off}`);
    return b;
  }

  close(): void {
    this.file.close();
  }
}

/** Index of the last entry of the sorted `a` that is <= x, or -1. */
function lastAtOrBefore(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length - 1;
  let hit = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] <= x) {
      hit = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return hit;
}

/** Records as scanned, in stream order. */
interface Records {
  n: number;
  start: Float64Array;
  size: Float64Array;
  fileOff: Float64Array;
}

/** Growable typed arrays of records. */
class RecordList {
  n = 0;
  private start = new Float64Array(1024);
  private size = new Float64Array(1024);
  private fileOff = new Float64Array(1024);

  push(start: number, size: number, fileOff: number): void {
    if (this.n === this.start.length) {
      const grow = (a: Float64Array) => {
        const b = new Float64Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.start = grow(this.start);
      this.size = grow(this.size);
      this.fileOff = grow(this.fileOff);
    }
    this.start[this.n] = start;
    this.size[this.n] = size;
    this.fileOff[this.n++] = fileOff;
  }

  done(): Records {
    const n = this.n;
    return { n, start: this.start.subarray(0, n), size: this.size.subarray(0, n), fileOff: this.fileOff.subarray(0, n) };
  }
}

/** Sort the records by logical offset; where they overlap, later records win. */
function resolve(r: Records): Extents {
  const order = sortedOrder(r.start);
  let overlap = false;
  let reach = -1;
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    if (r.start[i] < reach) overlap = true;
    reach = Math.max(reach, r.start[i] + r.size[i]);
  }
  if (!overlap) {
    const n = order.length;
    const out = { start: new Float64Array(n), end: new Float64Array(n), fileOff: new Float64Array(n) };
    for (let k = 0; k < n; k++) {
      const i = order[k];
      out.start[k] = r.start[i];
      out.end[k] = r.start[i] + r.size[i];
      out.fileOff[k] = r.fileOff[i];
    }
    return out;
  }
  return sweep(r, Array.from(order));
}

const MAX_RUNS = 16;

/**
 * Record indexes by start, ties in stream order (stable). makedumpfile writes a few interleaved
 * ascending sequences (headers and bitmaps, then page descriptors and page data by turns), so
 * the records are split into at most MAX_RUNS ascending runs and merged: O(n·runs), no
 * comparator sort of millions of entries; anything more disordered gets a general sort.
 */
function sortedOrder(start: Float64Array): Uint32Array {
  const n = start.length;
  const runOf = new Uint8Array(n);
  const last: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = start[i];
    let k = 0;
    while (k < last.length && last[k] > s) k++;
    if (k === MAX_RUNS) {
      return Uint32Array.from({ length: n }, (_, j) => j).sort((a, b) => start[a] - start[b] || a - b);
    }
    if (k === last.length) last.push(s);
    else last[k] = s;
    runOf[i] = k;
  }
  const out = new Uint32Array(n);
  if (last.length <= 1) {
    for (let i = 0; i < n; i++) out[i] = i;
    return out;
  }
  // each run's members in stream order, then a merge that takes the smallest head (lowest run on ties,
  // which is not always the earlier record: ties between runs are resolved by index below)
  const counts = new Uint32Array(last.length + 1);
  for (let i = 0; i < n; i++) counts[runOf[i] + 1]++;
  for (let k = 1; k <= last.length; k++) counts[k] += counts[k - 1];
  const members = new Uint32Array(n);
  const fill = counts.slice(0, last.length);
  for (let i = 0; i < n; i++) members[fill[runOf[i]]++] = i;
  const head = counts.slice(0, last.length);
  const stop = counts.slice(1);
  for (let k = 0; k < n; k++) {
    let best = -1;
    for (let q = 0; q < head.length; q++) {
      if (head[q] === stop[q]) continue;
      if (best < 0) {
        best = q;
        continue;
      }
      const a = members[head[q]];
      const b = members[head[best]];
      if (start[a] < start[b] || (start[a] === start[b] && a < b)) best = q;
    }
    out[k] = members[head[best]++];
  }
  return out;
}

/**
 * Overlapping records: walk the sorted boundaries keeping the active records in a max-heap by
 * record number (lazy deletion); each piece between two boundaries belongs to the newest
 * record covering it. O(n log n).
 */
function sweep(r: Records, order: number[]): Extents {
  const endOf = (i: number) => r.start[i] + r.size[i];
  const ends = [...order].sort((a, b) => endOf(a) - endOf(b));
  const heap: number[] = [];
  const push = (v: number) => {
    heap.push(v);
    for (let k = heap.length - 1; k > 0; ) {
      const p = (k - 1) >> 1;
      if (heap[p] >= heap[k]) break;
      [heap[p], heap[k]] = [heap[k], heap[p]];
      k = p;
    }
  };
  const pop = () => {
    const last = heap.pop()!;
    if (!heap.length) return;
    heap[0] = last;
    for (let k = 0; ; ) {
      const l = 2 * k + 1;
      const m = l + 1 < heap.length && heap[l + 1] > heap[l] ? l + 1 : l;
      if (l >= heap.length || heap[k] >= heap[m]) break;
      [heap[k], heap[m]] = [heap[m], heap[k]];
      k = m;
    }
  };
  const out = { start: [] as number[], end: [] as number[], fileOff: [] as number[] };
  const ended = new Set<number>();
  let si = 0;
  let ei = 0;
  let at = -1;
  while (si < order.length || ei < ends.length) {
    const next = Math.min(si < order.length ? r.start[order[si]] : Infinity, ends[ei] !== undefined ? endOf(ends[ei]) : Infinity);
    while (heap.length && ended.has(heap[0])) pop();
    if (heap.length && at >= 0 && next > at) {
      const w = heap[0];
      const fo = r.fileOff[w] + (at - r.start[w]);
      const k = out.end.length - 1;
      if (k >= 0 && out.end[k] === at && out.fileOff[k] + (at - out.start[k]) === fo) out.end[k] = next;
      else {
        out.start.push(at);
        out.end.push(next);
        out.fileOff.push(fo);
      }
    }
    while (ei < ends.length && endOf(ends[ei]) === next) ended.add(ends[ei++]);
    while (si < order.length && r.start[order[si]] === next) push(order[si++]);
    at = next;
  }
  return { start: Float64Array.from(out.start), end: Float64Array.from(out.end), fileOff: Float64Array.from(out.fileOff) };
}
