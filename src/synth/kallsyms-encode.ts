/**
 * Encode a symbol list into the kernel's kallsyms tables the way scripts/kallsyms.c does, so the
 * synthetic kernel image carries them and debuginfo/kallsyms.ts decodes them like a real dump's.
 *
 * Steps of scripts/kallsyms.c main(): make_percpus_absolute() (per-cpu symbols get type 'A' and
 * absolute values), sort_symbols() (address, then non-weak first, then non-linker-provided, then
 * fewer leading underscores, then input order), record_relative_base() (first non-absolute
 * address), optimize_token_table() (learn every adjacent byte pair of "type letter + name"; put
 * each used byte in its own slot; then for each free slot from 255 down, take the most profitable
 * pair and replace it everywhere until no pair is left), write_src().
 *
 * Output order and alignment follow write_src() of the v6.x era: every label is `.balign 8`;
 * kallsyms_offsets (.long), kallsyms_relative_base (PTR), kallsyms_num_syms (.long),
 * kallsyms_names (ULEB128 length, 2 bytes for >= 0x80 tokens since 73bbb94466fd3, v6.1),
 * kallsyms_markers (.long every 256 symbols), kallsyms_seqs_of_names (3 bytes in v6.1, .long later),
 * kallsyms_token_table (NUL-terminated), kallsyms_token_index (.short).
 */
import type { KallsymsSymbol } from '../debuginfo/kallsyms.js';

export interface EncodeSymbol {
  name: string;
  address: bigint;
  /** nm type letter */
  type: string;
  /** a per-cpu symbol (between __per_cpu_start and __per_cpu_end) */
  percpu?: boolean;
}

/**
 * base-relative: u32 offsets from kallsyms_relative_base (v4.6 - v6.19).
 * absolute-percpu: base-relative, per-cpu symbols absolute (x86_64 SMP, v4.6 - v6.14).
 * place-relative: s32 offsets from each entry's own address, no relative_base (v7.0+).
 * absolute: u64 kallsyms_addresses (!KALLSYMS_BASE_RELATIVE, before v6.11).
 */
export type KallsymsMode = 'base-relative' | 'absolute-percpu' | 'place-relative' | 'absolute';

export interface KallsymsEncodeOptions {
  mode?: KallsymsMode;
  /** Per-cpu range [start, end] (inclusive, like symbol_in_range) for symbols not flagged `percpu`. */
  percpuRange?: { start: bigint; end: bigint };
  /** Two-byte ULEB128 lengths allowed (v6.1+, default true); otherwise one byte up to 0xff. */
  bigSymbols?: boolean;
  /**
   * kallsyms_seqs_of_names entry size: 3 (big-endian 3-byte entries, as v6.1 Debian/Android
   * kernels carry; byte-checked against the Debian 6.1 reference dump), 4 (.long, later kernels),
   * or false to leave the table out (before v6.1). Default 4.
   */
  seqsOfNames?: false | 3 | 4;
  /** Stop after this many new tokens (default: all free slots, as the kernel does). */
  maxTokens?: number;
}

export interface KallsymsTable {
  /** kernel symbol name, e.g. 'kallsyms_names' */
  name: string;
  bytes: Uint8Array;
  /** required alignment in bytes */
  align: number;
}

export interface KallsymsEncoded {
  mode: KallsymsMode;
  /** In write_src() order. For place-relative, kallsyms_offsets is filled in by layoutKallsyms(). */
  tables: KallsymsTable[];
  /** The symbols in table order, with their final type letters (per-cpu ones become 'A'). */
  symbols: KallsymsSymbol[];
  relativeBase?: bigint;
  /** The 256 expanded tokens (empty strings for unused slots). */
  tokens: string[];
}

export interface KallsymsLayout {
  /** All tables back to back from `base`, aligned. */
  bytes: Uint8Array;
  base: bigint;
  /** Virtual address of each table by name. */
  addresses: Record<string, bigint>;
  /** SYMBOL(...) lines VMCOREINFO carries since v6.0 (5fd8fea935a1, f09bddbd86619). */
  vmcoreinfo: string;
}

const U32_MAX = 0xffffffffn;
const S32_MIN = -(1n << 31n);
const S32_MAX = (1n << 31n) - 1n;

/** may_be_linker_script_provide_symbol() */
function linkerProvided(name: string): boolean {
  const len = name.length;
  if (len < 8 || !name.startsWith('__')) return false;
  return name.startsWith('start_', 2) || name.startsWith('stop_', 2) || name.startsWith('end_', 2) || name.endsWith('_start') || name.endsWith('_end');
}

function leadingUnderscores(name: string): number {
  let i = 0;
  while (i < name.length && name.charCodeAt(i) === 0x5f) i++;
  return i;
}

/** is_ignored_symbol() of scripts/kallsyms.c: what the kernel leaves out of kallsyms. */
export function isIgnoredSymbol(name: string, type: string): boolean {
  if (/^kallsyms_(addresses|offsets|relative_base|num_syms|names|markers|token_table|token_index)$/.test(name)) return true;
  if (name === '_SDA_BASE_' || name === '_SDA2_BASE_') return true;
  if (/^(__efistub_|__kvm_nvhe_\$|__kvm_nvhe_\.L|__AArch64ADRPThunk_|__ARMV5PILongThunk_|__ARMV7PILongThunk_|__ThumbV7PILongThunk_|__LA25Thunk_|__microLA25Thunk_|__kcfi_typeid_)/.test(name)) return true;
  if (/(_from_arm|_from_thumb|_veneer)$/.test(name) || name.includes('.long_branch.') || name.includes('.plt_branch.')) return true;
  if ('UuNn'.includes(type)) return true;
  if (type.toUpperCase() === 'A') return !['__kernel_syscall_via_break', '__kernel_syscall_via_epc', '__kernel_sigtramp', '__gp'].includes(name);
  return false;
}

interface Entry {
  name: string;
  type: string;
  address: bigint;
  absolute: boolean;
  pos: number;
  weak: boolean;
  lsp: boolean;
  us: number;
}

export function encodeKallsyms(input: readonly EncodeSymbol[], opts: KallsymsEncodeOptions = {}): KallsymsEncoded {
  const mode = opts.mode ?? 'base-relative';
  if (input.length === 0) throw new RangeError('kallsyms: no symbols');
  const range = opts.percpuRange;
  const entries: Entry[] = input.map((s, pos) => {
    if (s.type.length !== 1) throw new RangeError(`kallsyms: bad type ${JSON.stringify(s.type)} for ${s.name}`);
    const absolute = mode === 'absolute-percpu' && (s.percpu ?? (range !== undefined && s.address >= range.start && s.address <= range.end));
    const type = absolute ? 'A' : s.type;
    return { name: s.name, type, address: s.address, absolute, pos, weak: type === 'w' || type === 'W', lsp: linkerProvided(s.name), us: leadingUnderscores(s.name) };
  });
  entries.sort((a, b) => {
    if (a.address !== b.address) return a.address < b.address ? -1 : 1;
    if (a.weak !== b.weak) return a.weak ? 1 : -1;
    if (a.lsp !== b.lsp) return a.lsp ? 1 : -1;
    if (a.us !== b.us) return a.us - b.us;
    return a.pos - b.pos;
  });
  const n = entries.length;
  const firstRel = entries.find((e) => !e.absolute);
  const relativeBase = mode === 'base-relative' || mode === 'absolute-percpu' ? (firstRel ?? entries[0]!).address : undefined;

  const { names, tokens } = compressNames(entries, opts);
  const tables: KallsymsTable[] = [];
  if (mode === 'absolute') {
    const b = new Uint8Array(n * 8);
    const dv = new DataView(b.buffer);
    entries.forEach((e, i) => dv.setBigUint64(i * 8, BigInt.asUintN(64, e.address), true));
    tables.push({ name: 'kallsyms_addresses', bytes: b, align: 8 });
  } else {
    const b = new Uint8Array(n * 4);
    if (mode !== 'place-relative') fillRelativeOffsets(b, entries, mode, relativeBase!);
    tables.push({ name: 'kallsyms_offsets', bytes: b, align: 8 });
    if (relativeBase !== undefined) tables.push({ name: 'kallsyms_relative_base', bytes: u64(relativeBase), align: 8 });
  }
  const num = new Uint8Array(4);
  new DataView(num.buffer).setUint32(0, n, true);
  tables.push({ name: 'kallsyms_num_syms', bytes: num, align: 8 });

  const { namesBytes, markers } = writeNames(names, opts.bigSymbols ?? true);
  tables.push({ name: 'kallsyms_names', bytes: namesBytes, align: 8 });
  tables.push({ name: 'kallsyms_markers', bytes: u32s(markers), align: 8 });
  const seqSize = opts.seqsOfNames ?? 4;
  if (seqSize) {
    // sort_symbols_by_name(): strcmp of the names without the type, then address, then seq.
    // (latin1 strings compare code unit by code unit, i.e. like strcmp on unsigned bytes)
    const order = Array.from({ length: n }, (_, i) => i);
    order.sort((i, j) => {
      const a = entries[i]!;
      const b = entries[j]!;
      if (a.name !== b.name) return a.name < b.name ? -1 : 1;
      return a.address < b.address ? -1 : a.address > b.address ? 1 : i - j;
    });
    tables.push({ name: 'kallsyms_seqs_of_names', bytes: seqSize === 4 ? u32s(order) : u24bes(order), align: 8 });
  }
  const { table, index } = writeTokens(tokens);
  tables.push({ name: 'kallsyms_token_table', bytes: table, align: 8 });
  tables.push({ name: 'kallsyms_token_index', bytes: index, align: 8 });

  const symbols = entries.map((e) => ({ name: e.name, address: BigInt.asUintN(64, e.address), type: e.type }));
  return { mode, tables, symbols, relativeBase, tokens };
}

function fillRelativeOffsets(b: Uint8Array, entries: Entry[], mode: KallsymsMode, rb: bigint): void {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  entries.forEach((e, i) => {
    let off: bigint;
    if (mode === 'base-relative') {
      off = e.address - rb;
      if (off < 0n || off > U32_MAX) throw new RangeError(`kallsyms: ${e.name} ${e.address.toString(16)} out of range of relative base ${rb.toString(16)}`);
    } else if (e.absolute) {
      off = e.address;
      if (off < 0n || off > S32_MAX) throw new RangeError(`kallsyms: absolute symbol ${e.name} value ${off.toString(16)} out of range`);
    } else {
      off = rb - e.address - 1n;
      if (off < S32_MIN || off >= 0n) throw new RangeError(`kallsyms: relative symbol ${e.name} ${e.address.toString(16)} out of range`);
    }
    dv.setUint32(i * 4, Number(BigInt.asUintN(32, off)), true);
  });
}

/** Place the tables from `base` (8-aligned) and compute place-relative offsets when needed. */
export function layoutKallsyms(enc: KallsymsEncoded, base: bigint): KallsymsLayout {
  if (base & 7n) throw new RangeError(`kallsyms tables must start 8-aligned (got ${base.toString(16)})`);
  const addresses: Record<string, bigint> = {};
  let off = 0;
  const at: number[] = [];
  for (const t of enc.tables) {
    off = (off + t.align - 1) & ~(t.align - 1);
    at.push(off);
    addresses[t.name] = base + BigInt(off);
    off += t.bytes.length;
  }
  const bytes = new Uint8Array(off);
  enc.tables.forEach((t, i) => bytes.set(t.bytes, at[i]!));
  if (enc.mode === 'place-relative') {
    const o = at[enc.tables.findIndex((t) => t.name === 'kallsyms_offsets')]!;
    const dv = new DataView(bytes.buffer, o, enc.symbols.length * 4);
    const tableVa = addresses.kallsyms_offsets!;
    enc.symbols.forEach((s, i) => {
      const rel = BigInt.asIntN(64, s.address - (tableVa + BigInt(i * 4)));
      if (rel < S32_MIN || rel > S32_MAX) throw new RangeError(`kallsyms: ${s.name} too far from kallsyms_offsets for place-relative encoding`);
      dv.setInt32(i * 4, Number(rel), true);
    });
  }
  const published = ['kallsyms_names', 'kallsyms_num_syms', 'kallsyms_token_table', 'kallsyms_token_index', 'kallsyms_offsets', 'kallsyms_relative_base', 'kallsyms_addresses'];
  const vmcoreinfo = published
    .filter((k) => addresses[k] !== undefined)
    .map((k) => `SYMBOL(${k})=${addresses[k]!.toString(16)}\n`)
    .join('');
  return { bytes, base, addresses, vmcoreinfo };
}

const u64 = (v: bigint): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  return b;
};
const u24bes = (vals: readonly number[]): Uint8Array => {
  const b = new Uint8Array(vals.length * 3);
  vals.forEach((v, i) => b.set([(v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff], i * 3));
  return b;
};
const u32s = (vals: readonly number[]): Uint8Array => {
  const b = new Uint8Array(vals.length * 4);
  const dv = new DataView(b.buffer);
  vals.forEach((v, i) => dv.setUint32(i * 4, v, true));
  return b;
};

/**
 * optimize_token_table(). All symbols live in one buffer, each followed by a 0 byte so no pair
 * search can match across two symbols (NUL never occurs in a name, and slot 0 can only become a
 * token in the very last round); the pair search is Buffer.indexOf over the whole buffer.
 */
function compressNames(entries: Entry[], opts: KallsymsEncodeOptions): { names: Uint8Array[]; tokens: string[] } {
  const n = entries.length;
  const raw = entries.map((e) => Buffer.from(e.type + e.name, 'latin1'));
  let total = 0;
  for (const r of raw) total += r.length + 1;
  const bufB = Buffer.alloc(total);
  // element access through a plain Uint8Array view (faster than through the Buffer subclass)
  const buf = new Uint8Array(bufB.buffer, bufB.byteOffset, total);
  const start = new Int32Array(n);
  const len = new Int32Array(n);
  let o = 0;
  raw.forEach((r, i) => {
    if (r.length < 2) throw new RangeError(`kallsyms: empty symbol name at ${entries[i]!.address.toString(16)}`);
    if (r.includes(0)) throw new RangeError(`kallsyms: NUL in symbol name ${JSON.stringify(entries[i]!.name)}`);
    start[i] = o;
    len[i] = r.length;
    buf.set(r, o);
    o += r.length + 1;
  });

  const profit = new Int32Array(0x10000);
  const learn = (s: number, l: number, d: number) => {
    for (let k = s, e = s + l - 1; k < e; k++) profit[buf[k]! | (buf[k + 1]! << 8)] += d;
  };
  for (let i = 0; i < n; i++) learn(start[i]!, len[i]!, 1);

  // best_table[c] = c for every byte in use
  const pairA = new Int16Array(256).fill(-1);
  const pairB = new Int16Array(256).fill(-1);
  const used = new Uint8Array(256);
  for (let k = 0; k < total; k++) used[buf[k]!] = 1;
  used[0] = 0;
  let budget = opts.maxTokens ?? 256;
  const needle = Buffer.alloc(2);

  for (let idx = 255; idx >= 0 && budget > 0; idx--) {
    if (used[idx]) continue;
    let best = 0;
    let bestProfit = -10000;
    for (let p = 0; p < 0x10000; p++) if (profit[p]! > bestProfit) bestProfit = profit[(best = p)]!;
    if (bestProfit === 0) break;
    const a = best & 0xff;
    const b = best >> 8;
    pairA[idx] = a;
    pairB[idx] = b;
    used[idx] = 1;
    budget--;
    needle[0] = a;
    needle[1] = b;
    let from = 0;
    for (;;) {
      const hit = bufB.indexOf(needle, from);
      if (hit < 0) break;
      const i = symbolAt(start, hit);
      const s = start[i]!;
      const l = len[i]!;
      // pairs before the first hit do not change: re-count from the pair that ends at the hit
      const from0 = hit > s ? hit - 1 : s;
      learn(from0, s + l - from0, -1);
      let w = hit;
      let r = hit;
      const end = s + l;
      while (r < end) {
        if (r + 1 < end && buf[r] === a && buf[r + 1] === b) {
          buf[w++] = idx;
          r += 2;
        } else buf[w++] = buf[r++]!;
      }
      buf.fill(0, w, end);
      len[i] = w - s;
      learn(from0, w - from0, 1);
      from = end + 1;
    }
  }

  const tokens: string[] = new Array(256);
  const expand = (t: number): string => {
    if (tokens[t] !== undefined) return tokens[t]!;
    const v = pairA[t]! < 0 ? (used[t] ? String.fromCharCode(t) : '') : expand(pairA[t]!) + expand(pairB[t]!);
    return (tokens[t] = v);
  };
  for (let t = 0; t < 256; t++) expand(t);
  const names = Array.from({ length: n }, (_, i) => buf.subarray(start[i]!, start[i]! + len[i]!));
  return { names, tokens };
}

function symbolAt(start: Int32Array, pos: number): number {
  let lo = 0;
  let hi = start.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (start[mid]! <= pos) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function writeNames(names: Uint8Array[], big: boolean): { namesBytes: Uint8Array; markers: number[] } {
  let size = 0;
  for (const nm of names) size += nm.length + (nm.length > 0x7f && big ? 2 : 1);
  const out = new Uint8Array(size);
  const markers: number[] = [];
  let o = 0;
  names.forEach((nm, i) => {
    if ((i & 0xff) === 0) markers.push(o);
    const l = nm.length;
    if (l > 0x3fff) throw new RangeError(`kallsyms: symbol ${i} needs ${l} tokens (max 0x3fff)`);
    if (l <= 0x7f || !big) {
      if (l > 0xff) throw new RangeError(`kallsyms: symbol ${i} needs ${l} tokens; one-byte lengths stop at 0xff`);
      out[o++] = l;
    } else {
      out[o++] = (l & 0x7f) | 0x80;
      out[o++] = (l >> 7) & 0x7f;
    }
    out.set(nm, o);
    o += l;
  });
  return { namesBytes: out, markers };
}

function writeTokens(tokens: string[]): { table: Uint8Array; index: Uint8Array } {
  const parts = tokens.map((t) => Buffer.from(t + '\0', 'latin1'));
  const size = parts.reduce((s, p) => s + p.length, 0);
  if (size > 0x10000) throw new RangeError(`kallsyms: token table of ${size} bytes does not fit u16 indexes`);
  const table = new Uint8Array(size);
  const index = new Uint8Array(512);
  const iv = new DataView(index.buffer);
  let o = 0;
  parts.forEach((p, i) => {
    iv.setUint16(i * 2, o, true);
    table.set(p, o);
    o += p.length;
  });
  return { table, index };
}
