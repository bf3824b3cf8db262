/**
 * C type text as gdb prints it (gdb 10 c-typeprint.c, which crash 8.0.2 embeds): type names
 * (`whatis`: `unsigned int`, `struct task_struct *`, `char [16]`, `int (*)(struct linux_binprm *)`),
 * declarators (`int (*load_binary)(struct linux_binprm *)`), and `ptype` bodies
 * (4 spaces per level; anonymous struct/union members expanded one level, deeper ones `{...}`).
 *
 * gdb keeps const/volatile/restrict as flags on a type; BTF has separate qualifier nodes, which
 * are folded here. BTF type_tag/decl_tag annotations are invisible to gdb and skipped.
 * Base type names are printed as recorded (gcc's DWARF spelling, e.g. `long unsigned int`),
 * as gdb 10 does for C.
 */
import type { CType, FuncProtoType } from '../debuginfo/btf/types.js';
import { MAX_CHAIN, lookupMember, sizeofType } from '../debuginfo/btf/types.js';
import { DebugInfoError } from '../util/errors.js';

interface Cv { c: boolean; v: boolean; r: boolean }
interface QT { cv: Cv; t: CType }

const NO_CV: Cv = { c: false, v: false, r: false };

/** Fold qualifier nodes into flags; skip annotations. */
function unqual(t: CType, cv: Cv = NO_CV): QT {
  let c = cv.c, v = cv.v, r = cv.r;
  for (let i = 0; i < MAX_CHAIN; i++) {
    switch (t.kind) {
      case 'const': c = true; t = t.target; continue;
      case 'volatile': v = true; t = t.target; continue;
      case 'restrict': r = true; t = t.target; continue;
      case 'type_tag': case 'decl_tag': t = t.target; continue;
      case 'var': t = t.type; continue;
      case 'func': t = t.proto; continue;
      default: return { cv: { c, v, r }, t };
    }
  }
  return { cv: { c, v, r }, t };
}

/** gdb's check_typedef: strip typedefs, carrying qualifiers down. */
function checkTypedef(q: QT): QT {
  for (let i = 0; i < MAX_CHAIN && q.t.kind === 'typedef'; i++) q = unqual(q.t.target, q.cv);
  return q;
}

/** The type's own name as gdb knows it (undefined for pointers, arrays, functions, anonymous tags). */
function gname(t: CType): string | undefined {
  switch (t.kind) {
    case 'typedef': case 'int': case 'float': return t.name;
    case 'struct': case 'union': case 'enum': case 'fwd': return t.name || undefined;
    case 'void': return 'void';
    default: return undefined;
  }
}

function modifiers(cv: Cv, pre: boolean, post: boolean): string {
  const parts: string[] = [];
  if (cv.c) parts.push('const');
  if (cv.v) parts.push('volatile');
  if (cv.r) parts.push('restrict');
  if (!parts.length) return '';
  return (pre ? ' ' : '') + parts.join(' ') + (post ? ' ' : '');
}

const sp = (n: number): string => ' '.repeat(n);

function tagWord(t: CType): string {
  if (t.kind === 'union' || (t.kind === 'fwd' && t.union)) return 'union ';
  if (t.kind === 'enum') return 'enum ';
  if (t.kind === 'struct' || t.kind === 'fwd') return 'struct ';
  return '';
}

function enumBody(t: CType & { kind: 'enum' }): string {
  let last = 0n;
  const parts = t.values.map((e) => {
    let s = e.name;
    if (e.value !== last) s += ` = ${e.value}`;
    last = e.value + 1n;
    return s;
  });
  return `{${parts.join(', ')}}`;
}

/** c_type_print_base_1 */
function printBase(q0: QT, show: number, level: number, depth = 0): string {
  if (depth > MAX_CHAIN) throw new DebugInfoError(`type nesting too deep at type id ${q0.t.id}`);
  let q = q0;
  const name = gname(q.t);
  if (show <= 0 && name !== undefined) return modifiers(q.cv, false, true) + tagWord(q.t) + name;
  q = checkTypedef(q);
  const t = q.t;
  switch (t.kind) {
    case 'func_proto': return printBase(unqual(t.ret), show, level, depth + 1);
    case 'ptr': return printBase(unqual(t.target), show, level, depth + 1);
    case 'array': return printBase(unqual(t.elem), show, level, depth + 1);
    case 'struct': case 'union': case 'fwd': return structBase(q, show, level, depth);
    case 'enum': {
      let s = modifiers(q.cv, false, true) + 'enum ';
      if (t.name) s += t.name + (show > 0 ? ' ' : '');
      if (show < 0) return t.name ? s : s + '{...}';
      if (show > 0 || !t.name) s += enumBody(t);
      return s;
    }
    case 'void': return 'void';
    case 'int': case 'float': return modifiers(q.cv, false, true) + t.name;
    default: return `<invalid type code ${t.kind}>`;
  }
}

/** c_type_print_base_struct_union */
function structBase(q: QT, show: number, level: number, depth: number): string {
  const t = q.t;
  const name = 'name' in t ? t.name : '';
  let s = modifiers(q.cv, false, true) + tagWord(t);
  if (name) s += name + (show > 0 ? ' ' : '');
  if (show < 0) return name ? s : s + '{...}';
  if (show <= 0 && name) return s;
  s += '{\n';
  const members = t.kind === 'fwd' ? [] : (t as CType & { kind: 'struct' | 'union' }).members;
  if (!members.length) s += sp(level + 4) + (t.kind === 'fwd' ? '<incomplete type>' : '<no data fields>') + '\n';
  for (const m of members) {
    s += sp(level + 4) + printType1(m.type, m.name, show - 1, level + 4, depth + 1);
    if (m.bitSize) s += ` : ${m.bitSize}`;
    s += ';\n';
  }
  return s + sp(level) + '}';
}

function printArgs(p: FuncProtoType, depth: number): string {
  const parts = p.params.map((x) => printType1(x.type, '', 0, 0, depth + 1));
  if (parts.length && p.variadic) parts.push('...');
  if (!parts.length && !p.variadic) parts.push('void');
  return `(${parts.join(', ')})`;
}

/** c_type_print_varspec_prefix */
function prefix(q: QT, show: number, passedPtr: boolean, needPostSpace: boolean, depth = 0): string {
  const t = q.t;
  if (depth > MAX_CHAIN) throw new DebugInfoError(`type nesting too deep at type id ${t.id}`);
  if (gname(t) !== undefined && show <= 0) return '';
  switch (t.kind) {
    case 'ptr': return prefix(unqual(t.target), show, true, true, depth + 1) + '*' + modifiers(q.cv, true, needPostSpace);
    case 'func_proto': return prefix(unqual(t.ret), show, false, false, depth + 1) + (passedPtr ? '(' : '');
    case 'array': return prefix(unqual(t.elem), show, false, false, depth + 1) + (passedPtr ? '(' : '');
    case 'typedef': return prefix(unqual(t.target), show, passedPtr, false, depth + 1);
    default: return '';
  }
}

/** c_type_print_varspec_suffix */
function suffix(q: QT, show: number, passedPtr: boolean, demangledArgs: boolean, depth = 0): string {
  const t = q.t;
  if (depth > MAX_CHAIN) throw new DebugInfoError(`type nesting too deep at type id ${t.id}`);
  if (gname(t) !== undefined && show <= 0) return '';
  switch (t.kind) {
    case 'array':
      return (passedPtr ? ')' : '') + `[${t.length === 0 ? '' : t.length}]` + suffix(unqual(t.elem), show, false, false, depth + 1);
    case 'ptr': return suffix(unqual(t.target), show, true, false, depth + 1);
    case 'func_proto':
      return (passedPtr ? ')' : '') + (demangledArgs ? '' : printArgs(t, depth)) + suffix(unqual(t.ret), show, passedPtr, false, depth + 1);
    case 'typedef': return suffix(unqual(t.target), show, passedPtr, false, depth + 1);
    default: return '';
  }
}

/** c_print_type_1: `varstring` is the declared name ('' for a bare type). */
function printType1(type: CType, varstring: string, show: number, level: number, depth = 0): string {
  if (depth > MAX_CHAIN) throw new DebugInfoError(`type nesting too deep at type id ${type.id}`);
  let q = unqual(type);
  if (show > 0) q = checkTypedef(q);
  const code = q.t.kind;
  let s = printBase(q, show, level, depth);
  const needsSpace = varstring !== '' || ((show > 0 || gname(q.t) === undefined)
    && (code === 'ptr' || code === 'func_proto' || code === 'array'));
  if (needsSpace) s += ' ';
  s += prefix(q, show, false, varstring !== '', depth);
  s += varstring;
  s += suffix(q, show, false, varstring.includes('('), depth);
  return s;
}

/** gdb `whatis` text of a type (show -1): `unsigned int`, `struct task_struct *`, `char [16]`. */
export function typeName(t: CType): string {
  return printType1(t, '', -1, 0);
}

/** A C declarator for `name` of type `t`, as gdb prints struct members: `int (*fn)(void)`, `char comm[16]`. */
export function declaration(t: CType, name: string, show = 0): string {
  return printType1(t, name, show, 0);
}

/** gdb `ptype` text (show 1) as lines: struct/union bodies expanded, typedefs stripped one level. */
export function ptypeLines(t: CType): string[] {
  return printType1(t, '', 1, 0).split('\n');
}

/** gdb `whatis <typedef>` strips exactly one typedef; other types print their name. */
export function whatisTypeName(t: CType): string {
  const q = unqual(t);
  if (q.t.kind === 'typedef' && !q.cv.c && !q.cv.v && !q.cv.r) return typeName(q.t.target);
  return typeName(t);
}

/**
 * crash's whatis_variable(): the gdb `whatis` type text with the symbol name spliced in —
 * before the first `[`; for function types at the single `(` or else the first `)`;
 * otherwise appended (after a space unless the text ends in `*`). Ends with `;`.
 * This is the `PER-CPU DATA TYPE:` line and the `whatis <symbol>` output.
 */
export function whatisDeclaration(t: CType, name: string): string {
  const s = typeName(t);
  const br = s.indexOf('[');
  if (br >= 0) return `${s.slice(0, br)}${name}${s.slice(br)};`;
  const par = s.indexOf('(');
  if (par >= 0) {
    const at = par === s.lastIndexOf('(') ? par : s.indexOf(')');
    return `${s.slice(0, at)}${name}${s.slice(at)};`;
  }
  return `${s}${s.endsWith('*') ? '' : ' '}${name};`;
}

/** crash's dump_enum() (the `whatis enum_type` form): one enumerator per line with its value. */
export function enumDeclarationLines(t: CType, typedefName?: string): string[] {
  const q = checkTypedef(unqual(t));
  if (q.t.kind !== 'enum') return [];
  const e = q.t;
  const out = [`${typedefName ? 'typedef ' : ''}${e.name ? `enum ${e.name} {` : 'enum {'}`];
  for (const v of e.values) out.push(`  ${v.name} = ${v.value}`);
  out.push(e.name ? '};' : `} ${typedefName ?? ''};`);
  return out;
}


export interface DatatypeDeclOptions {
  /** Set when the name given was a typedef (crash's TYPEDEF flag): `typedef ... name;`. */
  typedefName?: string;
  radix?: 10 | 16;
  /** `-o`: prefix member lines with their offsets. */
  offsets?: boolean;
  /** `-o` with an address: print member addresses instead of offsets. */
  vaddr?: bigint;
  /** `struct X.member` without an address: only that member's line (implies offsets, no SIZE). */
  member?: string;
  /** The SIZE: value; defaults to sizeof(t). */
  size?: number;
}

/**
 * crash's do_datatype_declaration() over gdb's `ptype` text: the `struct`/`union`/`whatis`
 * output for a type without an address, ending in `SIZE: n` (`SIZE: 0x..` in radix 16).
 */
export function datatypeDeclarationLines(t: CType, opts: DatatypeDeclOptions = {}): string[] {
  const radix = opts.radix ?? 10;
  const size = opts.size ?? sizeofType(t);
  const lines = ptypeLines(t);
  const td = opts.typedefName;
  const base = checkTypedef(unqual(t)).t;
  const name = td ?? ('name' in base ? base.name : '');
  const showOffset = !!(opts.offsets || opts.member);
  const first = lines[0]!;
  const multiline = first.includes('{');
  const pre = td ? 'typedef ' : '';
  const out: string[] = [];
  let i;
  if ((i = first.indexOf('(*)()')) >= 0) out.push(`${pre}${first.slice(0, i)}(*${name})();`);
  else if ((i = first.indexOf('()')) >= 0) out.push(`${pre}${first.slice(0, i)}(${name})();`);
  else if (multiline) out.push(pre + first);
  else out.push(`${pre}${first.trimEnd()} ${name};`);
  const st: OffsetState = {
    sizeStr: radix === 16 ? `0x${size.toString(16)}` : String(size), radix, vaddr: opts.vaddr,
    member: opts.member, flags: 0, lookup: (n) => lookupMember(t, n)?.bitOffset,
  };
  for (const line of lines.slice(1)) {
    if (multiline && line.startsWith('}') && td) {
      out.push(line.includes('} **()') ? `} **(${name})();` : `${line} ${name};`);
    } else if (showOffset && /^\s/.test(line)) {
      const o = memberOffsetLine(line, st);
      if (o !== undefined) out.push(...o.split('\n'));
    } else out.push(line);
  }
  if (!opts.member) out.push(radix === 16 ? `SIZE: 0x${size.toString(16)}` : `SIZE: ${size}`);
  return out;
}

const IN_UNION = 1;
const IN_STRUCT = 2;

interface OffsetState {
  sizeStr: string;
  radix: 10 | 16;
  vaddr: bigint | undefined;
  member: string | undefined;
  flags: number;
  /** Bit offset of a member found by name (top level, then through anonymous members). */
  lookup(name: string): number | undefined;
}

/** crash's show_member_offset(): one gdb ptype member line with its `[offset]` column. */
function memberOffsetLine(line: string, st: OffsetState): string | undefined {
  if (!line.startsWith('    ')) return `rejecting: ${line}`;
  if (line.startsWith('    union {')) st.flags |= IN_UNION;
  if (line.startsWith('    struct {')) st.flags |= IN_STRUCT;
  const endOfBlock = line.startsWith('    } ');
  const len = st.sizeStr.length + 4;
  const args = line.trim().split(/\s+/).filter((a) => a !== '');
  const c = args.length;
  let target: string | undefined;
  if (line.includes(':')) {
    for (let k = 1; k < c; k++) if (args[k] === ':') { target = args[k - 1]; break; }
  } else if (c) {
    let k = 0;
    for (; k < c; k++) {
      if (!line.includes('(*')) continue;
      const a = args[k]!;
      if (a.startsWith('(*')) target = a.slice(2);
      else if (a.startsWith('*(*')) target = a.slice(3);
      else if (a.startsWith('**(*')) target = a.slice(4);
      else continue;
      const close = target.indexOf(')');
      if (close < 0) continue;
      target = target.slice(0, close);
      break;
    }
    if (k === c) {
      target = args[c - 1];
      if (!target!.includes(';')) target = undefined;
    }
  }
  if (target !== undefined) target = target.replace(/[*[\];()]/g, ' ').trim().split(' ')[0]!;
  const bits = target ? st.lookup(target) : undefined;
  if (!target || (st.member !== undefined && st.member !== target) || bits === undefined) {
    if (endOfBlock) st.flags = 0;
    if (st.member !== undefined) return undefined;
    return sp(st.sizeStr.length + 1) + line;
  }
  const offset = BigInt(Math.floor(bits / 8));
  const col = st.vaddr !== undefined ? `  [${(offset + st.vaddr).toString(16)}]`
    : st.radix === 10 ? `  [${offset}]` : `  [0x${offset.toString(16)}]`;
  let head = '';
  if (endOfBlock && st.member !== undefined) {
    head = sp(len + 1) + (st.flags === IN_UNION ? 'union {\n' : st.flags === IN_STRUCT ? 'struct {\n' : '');
    st.flags = 0;
  }
  return head + col.padStart(len) + line.slice(3);
}
