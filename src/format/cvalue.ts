/**
 * Values as gdb 10 `print`/`output` show them under crash's settings (pretty structs, repeats
 * never collapsed, 256 elements, no null-stop; c-valprint.c, valprint.c, cp-valprint.c):
 *
 *   {                                   struct: 2 spaces per level, `name = value`, commas
 *     pid = 1,                          after all but the last member of a block,
 *     comm = "init\000\000...",         char arrays as strings (trailing NUL dropped),
 *     mm = 0x0,                         pointers in hex with ` <symbol+off>` when known,
 *     lh = {{                           arrays `{a, b}` (arrays of structs `{{ … }, { … }}`),
 *         next = 0x…,                   enums by name (flag enums `(A | B)`),
 *     ...                               integers in radix 10 or 16.
 *   }
 *
 * The caller supplies symbols and memory (for `char *` strings) through a ValueContext.
 */
import { CrashError, DebugInfoError } from '../util/errors.js';
import {
  findMember, lookupMember, resolveType, sizeofType, MAX_CHAIN,
  type CType, type EnumType, type IntType, type StructType,
} from '../debuginfo/btf/types.js';
import { typeName } from './ctype.js';
import { PRINT_MAX, charLiteral, cStringText, formatFloat, hexOf, printStr, readCString } from './cscalar.js';

export interface ValueContext {
  radix: 10 | 16;
  /** The kernel symbol containing an address (name and offset into it), if any. */
  symbolize?(addr: bigint): { name: string; offset: bigint } | undefined;
  /** Read memory for `char *` strings; may return fewer bytes than asked, or undefined. */
  readMemory?(addr: bigint, len: number): Uint8Array | undefined;
  /** Bytes per pointer (default 8). Values are little-endian. */
  pointerSize?: number;
}

export interface ValueOptions {
  /** Address of bytes[0]: flexible (zero-length) arrays print the address of their first element. */
  address?: bigint;
  /** `print` at top level: a pointer value is preceded by `(type) ` as gdb's c_value_print does. */
  printTypePrefix?: boolean;
}

/** gdb's default `set print max-depth`. */
const MAX_DEPTH = 20;

const TEXTUAL_NAMES = new Set(['wchar_t', 'char16_t', 'char32_t']);

/** c_textual_element_type with no format: a one-byte integer (not _Bool), or a wide char typedef. */
export function isTextual(t: CType): boolean {
  let it: CType = t;
  for (let i = 0; i < MAX_CHAIN; i++) {
    if ((it.kind === 'typedef' || it.kind === 'int') && TEXTUAL_NAMES.has(it.name)) return true;
    if (it.kind === 'typedef' || it.kind === 'const' || it.kind === 'volatile' || it.kind === 'restrict'
      || it.kind === 'type_tag') it = it.target;
    else break;
  }
  const r = resolveType(t);
  return r.kind === 'int' && r.size === 1 && !r.bool;
}

class ValuePrinter {
  private readonly ptrSize: number;

  constructor(private readonly bytes: Uint8Array, private readonly ctx: ValueContext, private readonly base?: bigint) {
    this.ptrSize = ctx.pointerSize ?? 8;
  }

  private need(off: number, len: number): void {
    if (off < 0 || off + len > this.bytes.length) {
      throw new CrashError(`value needs bytes [${off}, ${off + len}) but only ${this.bytes.length} were read`);
    }
  }

  /** Little-endian unsigned integer of `size` bytes at `off`. */
  uint(off: number, size: number): bigint {
    this.need(off, size);
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.bytes[off + i]!);
    return v;
  }

  /** Bits [bitOff, bitOff+bitSize) of the bytes, little-endian bit numbering. */
  bits(bitOff: number, bitSize: number): bigint {
    const first = Math.floor(bitOff / 8);
    const last = Math.ceil((bitOff + bitSize) / 8);
    const raw = this.uint(first, last - first);
    return (raw >> BigInt(bitOff - first * 8)) & ((1n << BigInt(bitSize)) - 1n);
  }

  private symbolic(addr: bigint): string {
    const s = this.ctx.symbolize?.(addr);
    if (!s) return '';
    return s.offset === 0n ? ` <${s.name}>` : ` <${s.name}+${s.offset}>`;
  }

  /** print_unpacked_pointer: address, symbol, and for text pointers the string. */
  pointerText(addr: bigint, target: CType): string {
    const r = resolveType(target);
    let s = `0x${addr.toString(16)}${this.symbolic(addr)}`;
    if (r.kind === 'func_proto' || r.kind === 'func') return s;
    if (isTextual(target) && addr !== 0n && this.ctx.readMemory) {
      s += ' ' + cStringText(readCString(this.ctx.readMemory, addr));
    }
    return s;
  }

  /** The value of `type` at byte `off`; `recurse` is gdb's nesting level (0 at top). */
  value(type: CType, off: number, recurse: number, maxDepth = MAX_DEPTH): string {
    // Real C types cannot nest without bound; malformed (cyclic) BTF can.
    if (recurse > MAX_CHAIN * 4) throw new DebugInfoError('value nesting too deep (cyclic type?)');
    const t = resolveType(type);
    switch (t.kind) {
      case 'struct': case 'union':
        if (recurse >= maxDepth) return '{...}';
        return this.struct(t, off, recurse, maxDepth);
      case 'array': {
        const esz = sizeofType(t.elem, this.ptrSize);
        if (t.length === 0 || esz === 0) {
          // gdb: an array of unspecified length prints like a pointer to its first element.
          return this.pointerText((this.base ?? 0n) + BigInt(off), t.elem);
        }
        if (isTextual(t.elem)) {
          this.need(off, t.length);
          return printStr(this.bytes.subarray(off, off + t.length));
        }
        if (recurse >= maxDepth) return '{...}';
        const parts: string[] = [];
        const n = Math.min(t.length, PRINT_MAX);
        for (let i = 0; i < n; i++) parts.push(this.value(t.elem, off + i * esz, recurse + 1, maxDepth));
        return `{${parts.join(', ')}${t.length > n ? '...' : ''}}`;
      }
      case 'ptr':
        return this.pointerText(this.uint(off, this.ptrSize), t.target);
      case 'int':
        return this.scalar(type, this.uint(off, t.size));
      case 'enum':
        return this.scalar(type, this.uint(off, t.size));
      case 'float':
        this.need(off, t.size);
        return formatFloat(this.bytes, off, t.size);
      case 'fwd':
        return '<incomplete type>';
      case 'func_proto': case 'func': {
        const a = (this.base ?? 0n) + BigInt(off);
        return `{${typeName(t)}} 0x${a.toString(16)}${this.symbolic(a)}`;
      }
      case 'var':
        return this.value(t.type, off, recurse, maxDepth);
      case 'decl_tag':
        return this.value(t.target, off, recurse, maxDepth);
      default:
        return 'void';
    }
  }

  /** An int/bool/char/enum from its raw (unsigned, zero-extended) bits. */
  scalar(type: CType, raw: bigint): string {
    const t = resolveType(type);
    if (t.kind === 'enum') return enumText(t, t.signed ? BigInt.asIntN(t.size * 8, raw) : raw);
    if (t.kind !== 'int') return String(raw);
    return intText(t, raw, this.ctx.radix, isTextual(type));
  }

  private struct(t: StructType, off: number, recurse: number, maxDepth: number): string {
    if (t.members.length === 0) return '{<No data fields>}';
    let s = '{';
    t.members.forEach((m, i) => {
      if (i > 0) s += ',';
      s += '\n' + ' '.repeat(2 + 2 * recurse);
      if (m.name) s += `${m.name} = `;
      s += this.member(m, off, recurse + 1, m.name ? maxDepth : maxDepth + 1);
    });
    return s + '\n' + ' '.repeat(2 * recurse) + '}';
  }

  /** One member's value (bitfields extracted); `recurse` is the member value's level. */
  member(m: { type: CType; bitOffset: number; bitSize: number }, off: number, recurse: number, maxDepth = MAX_DEPTH): string {
    if (m.bitSize) {
      const raw = this.bits(off * 8 + m.bitOffset, m.bitSize);
      const r = resolveType(m.type);
      if ((r.kind === 'int' || r.kind === 'enum') && r.signed) {
        // Sign-extend the field to its declared type's width.
        return this.scalar(m.type, BigInt.asUintN(r.size * 8, BigInt.asIntN(m.bitSize, raw)));
      }
      return this.scalar(m.type, raw);
    }
    return this.value(m.type, off + Math.floor(m.bitOffset / 8), recurse, maxDepth);
  }
}

/** An integer, _Bool or char in the given radix (gdb generic_val_print_int/bool, c_value_print_int). */
export function intText(t: IntType, raw: bigint, radix: 10 | 16, textual = t.size === 1 && !t.bool): string {
  if (radix === 16) return hexOf(raw, t.size);
  if (t.bool) return raw === 0n ? 'false' : raw === 1n ? 'true' : String(raw);
  const v = t.signed ? BigInt.asIntN(t.size * 8, raw) : BigInt.asUintN(t.size * 8, raw);
  return textual ? `${v} ${charLiteral(Number(raw & 0xffn))}` : String(v);
}

/** gdb's flag-enum test: every enumerator non-negative with at most one bit set. */
function isFlagEnum(t: EnumType): boolean {
  return t.values.every((e) => e.value >= 0n && (e.value & (e.value - 1n)) === 0n);
}

/** generic_val_print_enum_1: the enumerator's name, a flag decomposition, or the number. */
export function enumText(t: EnumType, value: bigint): string {
  const hit = t.values.find((e) => e.value === value);
  if (hit) return hit.name;
  if (!isFlagEnum(t) || value < 0n) return String(value);
  let v = value;
  const parts: string[] = [];
  for (const e of t.values) {
    if ((v & e.value) !== 0n) {
      parts.push(e.name);
      v &= ~e.value;
    }
  }
  if (v !== 0n) parts.push(`unknown: 0x${v.toString(16)}`);
  else if (!parts.length) return '0';
  return `(${parts.join(' | ')})`;
}

/**
 * The value of `type` held in `bytes`, as lines (gdb `output`; crash prefixes the first line,
 * e.g. `struct task_struct ` or `$1 = `).
 */
export function formatValue(bytes: Uint8Array, type: CType, ctx: ValueContext, opts: ValueOptions = {}): string[] {
  const p = new ValuePrinter(bytes, ctx, opts.address);
  let s = p.value(type, 0, 0);
  if (opts.printTypePrefix) s = pointerPrefix(type) + s;
  return s.split('\n');
}

/** c_value_print's `(type) ` before a top-level pointer, omitted for plain `char *`. */
function pointerPrefix(type: CType): string {
  if (resolveType(type).kind !== 'ptr') return '';
  if (type.kind === 'ptr') {
    let tg = type.target;
    while (tg.kind === 'const' || tg.kind === 'volatile' || tg.kind === 'restrict') tg = tg.target;
    if ((tg.kind === 'int' || tg.kind === 'typedef') && (tg.name === 'char' || TEXTUAL_NAMES.has(tg.name))) return '';
  }
  return `(${typeName(type)}) `;
}

/**
 * crash's `struct X.m1,m2 ADDR` lines (symbols.c parse_for_member / parse_for_member_extended).
 * A plain member name prints exactly the lines it has in the full struct output (at its own
 * indentation, inside anonymous unions deeper, with the comma it has there). A path
 * ('se.on_rq', 'pids[2]') prints `  path = value` with a comma unless it is the last in its
 * container. Unknown members raise a CrashError with crash's message.
 */
export function formatMembers(
  bytes: Uint8Array, type: CType, members: readonly string[], ctx: ValueContext, opts: ValueOptions = {},
): string[] {
  const p = new ValuePrinter(bytes, ctx, opts.address);
  const out: string[] = [];
  for (const name of members) {
    const text = /[.[]/.test(name) ? memberPathText(p, type, name, ctx) : memberText(p, type, name);
    out.push(...text.split('\n'));
  }
  return out;
}

function memberText(p: ValuePrinter, type: CType, name: string): string {
  // Walk to the member, through anonymous members, tracking the block it ends in.
  let t = resolveType(type);
  let off = 0;
  let depth = 1;
  for (let guard = 0; guard < MAX_CHAIN; guard++) {
    if (t.kind !== 'struct' && t.kind !== 'union') break;
    const ms = t.members;
    const i = ms.findIndex((m) => m.name === name);
    if (i >= 0) {
      const m = ms[i]!;
      const comma = i < ms.length - 1 ? ',' : '';
      return `${' '.repeat(2 * depth)}${name} = ${p.member(m, off, depth, MAX_DEPTH + depth - 1)}${comma}`;
    }
    const anon = ms.find((m) => m.name === '' && lookupMember(m.type, name));
    if (!anon) break;
    off += Math.floor(anon.bitOffset / 8);
    t = resolveType(anon.type);
    depth++;
  }
  throw new CrashError(`invalid data structure reference: ${structName(type)}.${name}`);
}

function memberPathText(p: ValuePrinter, type: CType, path: string, ctx: ValueContext): string {
  const bad = (): never => { throw new CrashError(`invalid data structure reference: ${structName(type)}.${path}`); };
  const m = /^(.*?)(?:\.([A-Za-z_$][\w$]*)|\[(\d+)\])$/.exec(path);
  if (!m || !lookupPath(type, path, ctx.pointerSize ?? 8)) return bad();
  const parent = m[1]!;
  let container: CType = type;
  let off = 0;
  if (parent) {
    const pm = lookupPath(type, parent, ctx.pointerSize ?? 8);
    if (!pm || pm.bitSize) return bad();
    container = pm.type;
    off = pm.bitOffset / 8;
  }
  const c = resolveType(container);
  if (m[3] !== undefined) {
    if (c.kind !== 'array') return bad();
    const i = Number(m[3]);
    if (i >= c.length) return bad();
    const esz = sizeofType(c.elem, ctx.pointerSize ?? 8);
    const v = p.value(c.elem, off + i * esz, 1);
    return `  ${path} = ${v}${i < c.length - 1 ? ',' : ''}`;
  }
  const name = m[2]!;
  const hit = findInBlock(c, name);
  if (!hit) return bad();
  return `  ${path} = ${p.member(hit.member, off + hit.extraOff, 1)}${hit.last ? '' : ','}`;
}

/** A member in a struct (through anonymous members) and whether it is last in its own block. */
function findInBlock(t: CType, name: string, depth = 0): { member: StructType['members'][number]; extraOff: number; last: boolean } | undefined {
  const s = resolveType(t);
  if ((s.kind !== 'struct' && s.kind !== 'union') || depth > MAX_CHAIN) return undefined;
  for (let i = 0; i < s.members.length; i++) {
    const m = s.members[i]!;
    if (m.name === name) return { member: m, extraOff: 0, last: i === s.members.length - 1 };
    if (m.name === '') {
      const inner = findInBlock(m.type, name, depth + 1);
      if (inner) return { ...inner, extraOff: inner.extraOff + Math.floor(m.bitOffset / 8) };
    }
  }
  return undefined;
}

function lookupPath(t: CType, path: string, ptrSize: number): { type: CType; bitOffset: number; bitSize: number } | undefined {
  try {
    return findMember(t, path, ptrSize);
  } catch {
    return undefined;
  }
}

function structName(t: CType): string {
  const r = resolveType(t);
  return 'name' in r && r.name ? r.name : typeName(t);
}
