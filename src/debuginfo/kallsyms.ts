/**
 * Decode the kernel's own symbol table (kallsyms) from the dump, using the table addresses that
 * VMCOREINFO carries since v6.0 (5fd8fea935a1 "vmcoreinfo: include kallsyms symbols",
 * f09bddbd86619 "vmcoreinfo: add kallsyms_num_syms symbol").
 *
 * Layout (scripts/kallsyms.c write_src): kallsyms_names is a stream of symbols, each a token count
 * followed by that many token bytes; each byte indexes kallsyms_token_index[] (256 u16), which
 * points at a NUL-terminated string in kallsyms_token_table. The first decoded character is the
 * nm type letter. Since 73bbb94466fd3 ("kallsyms: support "big" kernel symbols", ~v6.1) a count
 * >= 0x80 takes two bytes (ULEB128); nothing in the dump says which, so both are tried and the
 * one that stays inside the table and decodes cleanly wins.
 *
 * Addresses (kernel/kallsyms.c kallsyms_sym_address, in each era):
 *   absolute        kallsyms_addresses[i]                                       (removed v6.11, 64e166099b69b)
 *   base-relative   kallsyms_relative_base + (u32)kallsyms_offsets[i]           (v4.6 - v6.19)
 *   absolute-percpu off >= 0 ? off : kallsyms_relative_base - 1 - off           (v4.6 - v6.14, 01157ddc58dc2)
 *   place-relative  &kallsyms_offsets[i] + (s32)kallsyms_offsets[i]             (v7.0+, a081b5789255d)
 * The offsets encodings are told apart, as drgn does, by which one reproduces SYMBOL(_stext).
 */
import { DebugInfoError } from '../util/errors.js';
import { hex } from '../util/bytes.js';
import type { VmcoreInfo } from './vmcoreinfo.js';

export interface KallsymsSymbol {
  name: string;
  address: bigint;
  /** nm type letter: T t D d R r B b A V W ... */
  type: string;
}

export type ReadKernel = (vaddr: bigint, len: number) => Uint8Array;

/** Far more symbols than any kernel has (v6.x x86_64 distro kernels have ~150k-200k). */
const MAX_SYMS = 1 << 22;
/** scripts/kallsyms.c refuses lengths above 0x3fff (two ULEB128 bytes). */
const MAX_TOKENS = 0x3fff;
/** Cap on how much of kallsyms_names we are willing to read. */
const MAX_NAMES_BYTES = 64 << 20;
const TOKEN_TABLE_MAX = 0x10000; // token_index entries are u16
const U64 = (1n << 64n) - 1n;
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function decodeKallsyms(vi: VmcoreInfo, readKernel: ReadKernel): KallsymsSymbol[] {
  const loc = {
    names: vi.symbol('kallsyms_names'),
    numSyms: vi.symbol('kallsyms_num_syms'),
    tokenTable: vi.symbol('kallsyms_token_table'),
    tokenIndex: vi.symbol('kallsyms_token_index'),
    offsets: vi.symbol('kallsyms_offsets'),
    relativeBase: vi.symbol('kallsyms_relative_base'),
    addresses: vi.symbol('kallsyms_addresses'),
  };
  if (loc.names === undefined || loc.numSyms === undefined || loc.tokenTable === undefined || loc.tokenIndex === undefined) {
    throw new DebugInfoError('kallsyms: VMCOREINFO lacks kallsyms_names, kallsyms_num_syms, kallsyms_token_table or kallsyms_token_index');
  }
  if (loc.offsets === undefined && loc.addresses === undefined) {
    throw new DebugInfoError('kallsyms: VMCOREINFO lacks kallsyms_offsets and kallsyms_addresses');
  }
  const read = guardedRead(readKernel);

  const n = view(read(loc.numSyms, 4, 'kallsyms_num_syms')).getUint32(0, true);
  if (n === 0 || n > MAX_SYMS) throw new DebugInfoError(`kallsyms: implausible kallsyms_num_syms ${n}`);

  const tokens = readTokens(read, loc.tokenTable, loc.tokenIndex);
  const names = new NamesReader(read, loc.names, loc.tokenTable, n);

  // Walk the length bytes in both encodings; they only differ once a length byte has its MSB set.
  const long = walkNames(names, n, true);
  const modes: Walk[] = [];
  if (long.ok) modes.push(long);
  if (!long.ok || long.sawMsb) {
    const short = walkNames(names, n, false);
    if (short.ok) modes.push(short);
  }
  if (modes.length === 0) {
    throw new DebugInfoError(`kallsyms: kallsyms_names does not decode with 1- or 2-byte lengths (${long.why})`);
  }
  if (modes.length === 2) modes.sort((a, b) => markerScore(names, b) - markerScore(names, a));

  let firstError: DebugInfoError | undefined;
  for (const mode of modes) {
    try {
      const decoded = decodeNames(names.buf, n, mode.long, tokens);
      const addrs = decodeAddresses(vi, read, loc, n, decoded.names);
      const out: KallsymsSymbol[] = new Array(n);
      for (let i = 0; i < n; i++) out[i] = { name: decoded.names[i]!, address: addrs[i]!, type: TYPE_STR[decoded.types[i]!]! };
      return out;
    } catch (e) {
      if (!(e instanceof DebugInfoError)) throw e;
      firstError ??= e;
    }
  }
  throw firstError!;
}

type Read = (vaddr: bigint, len: number, what: string) => Uint8Array;

/** Every failure to read becomes a DebugInfoError naming the table. */
function guardedRead(readKernel: ReadKernel): Read {
  return (va, len, what) => {
    let b: Uint8Array;
    try {
      b = readKernel(va, len);
    } catch (e) {
      throw new DebugInfoError(`kallsyms: cannot read ${what} at ${hex(va)}: ${(e as Error).message}`);
    }
    if (b.length < len) throw new DebugInfoError(`kallsyms: short read of ${what} at ${hex(va)}`);
    return b;
  };
}

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

interface Tokens {
  /** all tokens back to back; token t is data[start[t] .. end[t]) */
  data: Uint8Array;
  start: Int32Array;
  end: Int32Array;
  /** token t is made of printable, non-space ASCII only (garbage detection) */
  clean: Uint8Array;
}

function readTokens(read: Read, tableAddr: bigint, indexAddr: bigint): Tokens {
  const dv = view(read(indexAddr, 512, 'kallsyms_token_index'));
  const start = new Int32Array(256);
  let maxIdx = 0;
  for (let i = 0; i < 256; i++) {
    start[i] = dv.getUint16(i * 2, true);
    if (start[i]! > maxIdx) maxIdx = start[i]!;
  }
  // The table ends at the NUL after its highest-indexed token. It normally sits right before the
  // index, which bounds it; otherwise read a little past the last token.
  let tableLen = maxIdx + 1024;
  if (indexAddr > tableAddr && indexAddr - tableAddr <= BigInt(TOKEN_TABLE_MAX + 1024)) {
    tableLen = Number(indexAddr - tableAddr);
  }
  if (maxIdx >= tableLen) throw new DebugInfoError(`kallsyms: token index ${maxIdx} beyond kallsyms_token_table`);
  const data = read(tableAddr, tableLen, 'kallsyms_token_table');
  const end = new Int32Array(256);
  const clean = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    end[i] = data.indexOf(0, start[i]);
    if (end[i]! < 0) throw new DebugInfoError(`kallsyms: token ${i} is not NUL-terminated in kallsyms_token_table`);
    clean[i] = data.subarray(start[i], end[i]).every((c) => c > 0x20 && c < 0x7f) ? 1 : 0;
  }
  return { data, start, end, clean };
}

/** kallsyms_names, read in a few big pieces and grown only if the walk needs more. */
class NamesReader {
  buf: Uint8Array = new Uint8Array(0);
  readonly max: number;
  /** why the last attempt to read further failed */
  failure = '';
  constructor(private readonly read: Read, private readonly base: bigint, tokenTable: bigint, n: number) {
    // scripts/kallsyms.c emits names, markers, (seqs_of_names), token_table, token_index in that
    // order, so the token table bounds the names: one read. Without that, bound by the worst case
    // and grow on demand.
    const worst = Math.min(n * (MAX_TOKENS + 2), MAX_NAMES_BYTES);
    const gap = tokenTable > base ? tokenTable - base : 0n;
    const bounded = gap > 0n && gap <= BigInt(MAX_NAMES_BYTES);
    this.max = bounded ? Number(gap) : worst;
    if (bounded) this.grow(this.max);
    else this.ensure(Math.min(this.max, n * 32));
  }

  /** Make `end` bytes available; false when that is past the table bound or unreadable. */
  ensure(end: number): boolean {
    if (end <= this.buf.length) return true;
    if (end > this.max) {
      this.failure = 'runs past the end of kallsyms_names';
      return false;
    }
    // Grow geometrically; if that overshoots readable memory, try just what is needed.
    for (const size of [Math.min(this.max, Math.max(end, this.buf.length * 2, 0x10000)), end]) {
      try {
        this.grow(size);
        return true;
      } catch (e) {
        if (!(e instanceof DebugInfoError)) throw e;
        this.failure = e.message;
      }
    }
    return false;
  }

  private grow(size: number): void {
    const have = this.buf.length;
    const more = this.read(this.base + BigInt(have), size - have, 'kallsyms_names');
    const next = new Uint8Array(size);
    next.set(this.buf);
    next.set(more.subarray(0, size - have), have);
    this.buf = next;
  }
}

interface Walk {
  long: boolean;
  ok: boolean;
  why: string;
  sawMsb: boolean;
  end: number;
  /** offset of symbol 256's length byte: kallsyms_markers[1] */
  marker1: number;
}

/** Skip through the length-prefixed names without decoding them. */
function walkNames(names: NamesReader, n: number, long: boolean): Walk {
  const w: Walk = { long, ok: false, why: '', sawMsb: false, end: 0, marker1: -1 };
  let p = 0;
  for (let i = 0; i < n; i++) {
    if (i === 256) w.marker1 = p;
    if (!names.ensure(p + 2) && !names.ensure(p + 1)) return { ...w, why: `symbol ${i}: ${names.failure}` };
    const b = names.buf;
    let len = b[p]!;
    let hdr = 1;
    if (len & 0x80) {
      w.sawMsb = true;
      if (long) {
        const b2 = p + 1 < b.length ? b[p + 1]! : 0x80;
        if (b2 & 0x80) return { ...w, why: `symbol ${i} has a 3-byte length` };
        len = (len & 0x7f) | (b2 << 7);
        hdr = 2;
      }
    }
    if (len === 0) return { ...w, why: `symbol ${i} has zero length` };
    p += hdr + len;
    if (!names.ensure(p)) return { ...w, why: `symbol ${i}: ${names.failure}` };
  }
  return { ...w, ok: true, end: p };
}

/**
 * Tie-break between two walks that both fit: kallsyms_markers (u32, 8-aligned) follows the names
 * and starts with 0 and the offset of symbol 256.
 */
function markerScore(names: NamesReader, w: Walk): number {
  const at = (w.end + 7) & ~7;
  if (!names.ensure(at + 8)) return 0;
  const dv = view(names.buf);
  if (dv.getUint32(at, true) !== 0) return 0;
  return w.marker1 < 0 || dv.getUint32(at + 4, true) === w.marker1 ? 2 : 1;
}

const TYPE_STR: string[] = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i));
const VALID_TYPE = new Uint8Array(256);
for (const c of 'ABCDGINRSTUVWabcdginrstuvw?') VALID_TYPE[c.charCodeAt(0)] = 1;

/** Expand every name into one byte buffer (NUL-separated), then split once: fast for ~150k names. */
function decodeNames(buf: Uint8Array, n: number, long: boolean, tokens: Tokens): { names: string[]; types: Uint8Array } {
  const { data, start, end: tokEnd, clean } = tokens;
  // Size the output exactly: one pass over the token bytes.
  let total = 0;
  for (let i = 0, p = 0; i < n; i++) {
    let len = buf[p++]!;
    if (long && len & 0x80) len = (len & 0x7f) | (buf[p++]! << 7);
    const e = p + len;
    if (e > buf.length) throw new DebugInfoError(`kallsyms: symbol ${i} runs past kallsyms_names`);
    for (; p < e; p++) total += tokEnd[buf[p]!]! - start[buf[p]!]!;
  }
  const out = new Uint8Array(total + n);
  const types = new Uint8Array(n);
  let o = 0;
  for (let i = 0, p = 0; i < n; i++) {
    let len = buf[p++]!;
    if (long && len & 0x80) len = (len & 0x7f) | (buf[p++]! << 7);
    const e = p + len;
    // The first decoded character is the type letter, kept out of the name.
    let skip = 1;
    types[i] = 0;
    const first = o;
    for (; p < e; p++) {
      const t = buf[p]!;
      if (!clean[t]) throw new DebugInfoError(`kallsyms: symbol ${i} uses a malformed token 0x${t.toString(16)}`);
      let k = start[t]!;
      const ke = tokEnd[t]!;
      if (skip && k < ke) {
        types[i] = data[k++]!;
        skip = 0;
      }
      for (; k < ke; k++) out[o++] = data[k]!;
    }
    if (!VALID_TYPE[types[i]!]) throw new DebugInfoError(`kallsyms: symbol ${i} has an invalid type ${JSON.stringify(TYPE_STR[types[i]!])}`);
    if (o === first) throw new DebugInfoError(`kallsyms: symbol ${i} has an empty name`);
    out[o++] = 0;
  }
  const names = Buffer.from(out.buffer, out.byteOffset, o - 1).toString('latin1').split('\0');
  if (names.length !== n) throw new DebugInfoError('kallsyms: name count mismatch');
  return { names, types };
}

interface Locations {
  offsets?: bigint;
  relativeBase?: bigint;
  addresses?: bigint;
}

function decodeAddresses(vi: VmcoreInfo, read: Read, loc: Locations, n: number, names: string[]): bigint[] {
  const stext = vi.symbol('_stext');
  const stextIdx = names.indexOf('_stext');
  const out: bigint[] = new Array(n);

  if (loc.offsets === undefined) {
    const raw = view(read(loc.addresses!, n * 8, 'kallsyms_addresses'));
    for (let i = 0; i < n; i++) out[i] = raw.getBigUint64(i * 8, true);
    if (stext !== undefined && (stextIdx < 0 || out[stextIdx] !== stext)) {
      throw new DebugInfoError('kallsyms: kallsyms_addresses does not reproduce SYMBOL(_stext)');
    }
    return out;
  }

  const offsAddr = loc.offsets;
  const offBytes = read(offsAddr, n * 4, 'kallsyms_offsets').slice(0, n * 4);
  let raw: Int32Array;
  if (LITTLE_ENDIAN_HOST) raw = new Int32Array(offBytes.buffer, 0, n);
  else {
    const rv = view(offBytes);
    raw = new Int32Array(n);
    for (let i = 0; i < n; i++) raw[i] = rv.getInt32(i * 4, true);
  }
  const rb = loc.relativeBase === undefined ? undefined : view(read(loc.relativeBase, 8, 'kallsyms_relative_base')).getBigUint64(0, true);

  type Enc = 'base-relative' | 'absolute-percpu' | 'place-relative';
  const one = (enc: Enc, i: number): bigint => {
    const off = raw[i]!;
    if (enc === 'base-relative') return rb! + BigInt(off >>> 0);
    if (enc === 'absolute-percpu') return off >= 0 ? BigInt(off) : (rb! - 1n - BigInt(off)) & U64;
    return (offsAddr + BigInt(i * 4 + off)) & U64;
  };
  const candidates: Enc[] = rb !== undefined ? ['base-relative', 'absolute-percpu', 'place-relative'] : ['place-relative'];

  let chosen: Enc | undefined;
  if (stext !== undefined) {
    if (stextIdx < 0) throw new DebugInfoError('kallsyms: no _stext among the decoded names');
    chosen = candidates.find((enc) => one(enc, stextIdx) === stext);
    if (!chosen) throw new DebugInfoError(`kallsyms: no kallsyms_offsets encoding reproduces SYMBOL(_stext)=${hex(stext)}`);
  }
  // Without SYMBOL(_stext), take the first encoding that yields a sorted table (kallsyms sorts by address).
  for (const enc of chosen ? [chosen] : candidates) {
    fill(out, raw, enc, rb ?? 0n, offsAddr);
    let sorted = true;
    for (let i = 1; i < n && sorted; i++) if (out[i]! < out[i - 1]!) sorted = false;
    if (chosen || sorted) return out;
  }
  throw new DebugInfoError('kallsyms: cannot tell the kallsyms_offsets encoding (no SYMBOL(_stext))');
}

/** The hot loops, one per encoding (kernel/kallsyms.c kallsyms_sym_address). */
function fill(out: bigint[], raw: Int32Array, enc: string, rb: bigint, offsAddr: bigint): void {
  const n = raw.length;
  if (enc === 'base-relative') {
    for (let i = 0; i < n; i++) out[i] = rb + BigInt(raw[i]! >>> 0);
  } else if (enc === 'absolute-percpu') {
    // Negative entries are relative to kallsyms_relative_base - 1: rb - 1 - off = (rb - 1) + (-off).
    const rbm1 = rb - 1n;
    for (let i = 0; i < n; i++) {
      const off = raw[i]!;
      out[i] = off >= 0 ? BigInt(off) : (rbm1 + BigInt(-off)) & U64;
    }
  } else {
    for (let i = 0; i < n; i++) out[i] = (offsAddr + BigInt(i * 4 + raw[i]!)) & U64;
  }
}
