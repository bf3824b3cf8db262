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
import { MAX_CHAIN } from '../debuginfo/btf/types.js';

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
function printBase(q0: QT, show: number, level: number): string {
  let q = q0;
  const name = gname(q.t);
  if (show <= 0 && name !== undefined) return modifiers(q.cv, false, true) + tagWord(q.t) + name;
  q = checkTypedef(q);
  const t = q.t;
  switch (t.kind) {
    case 'func_proto': return printBase(unqual(t.ret), show, level);
    case 'ptr': return printBase(unqual(t.target), show, level);
    case 'array': return printBase(unqual(t.elem), show, level);
    case 'struct': case 'union': case 'fwd': return structBase(q, show, level);
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
function structBase(q: QT, show: number, level: number): string {
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
    s += sp(level + 4) + printType1(m.type, m.name, show - 1, level + 4);
    if (m.bitSize) s += ` : ${m.bitSize}`;
    s += ';\n';
  }
  return s + sp(level) + '}';
}

function printArgs(p: FuncProtoType): string {
  const parts = p.params.map((x) => printType1(x.type, '', 0, 0));
  if (parts.length && p.variadic) parts.push('...');
  if (!parts.length && !p.variadic) parts.push('void');
  return `(${parts.join(', ')})`;
}

/** c_type_print_varspec_prefix */
function prefix(q: QT, show: number, passedPtr: boolean, needPostSpace: boolean): string {
  const t = q.t;
  if (gname(t) !== undefined && show <= 0) return '';
  switch (t.kind) {
    case 'ptr': return prefix(unqual(t.target), show, true, true) + '*' + modifiers(q.cv, true, needPostSpace);
    case 'func_proto': return prefix(unqual(t.ret), show, false, false) + (passedPtr ? '(' : '');
    case 'array': return prefix(unqual(t.elem), show, false, false) + (passedPtr ? '(' : '');
    case 'typedef': return prefix(unqual(t.target), show, passedPtr, false);
    default: return '';
  }
}

/** c_type_print_varspec_suffix */
function suffix(q: QT, show: number, passedPtr: boolean, demangledArgs: boolean): string {
  const t = q.t;
  if (gname(t) !== undefined && show <= 0) return '';
  switch (t.kind) {
    case 'array':
      return (passedPtr ? ')' : '') + `[${t.length === 0 ? '' : t.length}]` + suffix(unqual(t.elem), show, false, false);
    case 'ptr': return suffix(unqual(t.target), show, true, false);
    case 'func_proto':
      return (passedPtr ? ')' : '') + (demangledArgs ? '' : printArgs(t)) + suffix(unqual(t.ret), show, passedPtr, false);
    case 'typedef': return suffix(unqual(t.target), show, passedPtr, false);
    default: return '';
  }
}

/** c_print_type_1: `varstring` is the declared name ('' for a bare type). */
function printType1(type: CType, varstring: string, show: number, level: number): string {
  let q = unqual(type);
  if (show > 0) q = checkTypedef(q);
  const code = q.t.kind;
  let s = printBase(q, show, level);
  const needsSpace = varstring !== '' || ((show > 0 || gname(q.t) === undefined)
    && (code === 'ptr' || code === 'func_proto' || code === 'array'));
  if (needsSpace) s += ' ';
  s += prefix(q, show, false, varstring !== '');
  s += varstring;
  s += suffix(q, show, false, varstring.includes('('));
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

export { unqual as foldQualifiers };
