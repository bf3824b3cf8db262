import type { Btf } from '../debuginfo/btf/index.js';
import type { CType } from '../debuginfo/btf/types.js';
import { CrashError } from '../util/errors.js';

/** Types built on the fly (pointers, arrays, literals' ints) that BTF does not hold. Id -1. */
export const ptrTo = (target: CType): CType => ({ id: -1, kind: 'ptr', target });
export const arrayOf = (elem: CType, length: number): CType => ({ id: -1, kind: 'array', elem, length });
export const intType = (name: string, size: number, signed: boolean): CType => ({ id: -1, kind: 'int', name, size, signed, bool: false, char: false, bits: size * 8, bitOffset: 0 });

const BASE_WORDS = new Set(['unsigned', 'signed', 'char', 'short', 'int', 'long', '_Bool', 'bool', 'float', 'double', 'void']);
const QUALS = new Set(['const', 'volatile', 'restrict']);

/** A parsed declaration: `const char linux_banner[]`, `struct task_struct *p`, `unsigned long x[3]`. */
export interface Declaration {
  name: string;
  type: CType;
  /** `[]`: the array's length comes from elsewhere (the symbol's size). */
  openArray: boolean;
}

/**
 * Parse a C type name ("struct task_struct *", "unsigned long", "u64 [4]", "char **") against
 * BTF. Undefined when a named type does not exist; CrashError when the text is not a type name.
 */
export function parseTypeName(btf: Btf, text: string): CType | undefined {
  const d = parseDecl(btf, text, false);
  return d?.type;
}

export function parseDeclaration(btf: Btf, text: string): Declaration | undefined {
  return parseDecl(btf, text, true);
}

function parseDecl(btf: Btf, text: string, named: boolean): Declaration | undefined {
  const toks = text.match(/[A-Za-z_$][\w$]*|\*|\[\s*\d*\s*\]|\S/g) ?? [];
  let i = 0;
  const words: string[] = [];
  const quals: string[] = [];
  let tag: string | undefined;
  while (i < toks.length && /^[A-Za-z_$]/.test(toks[i])) {
    const w = toks[i];
    if (QUALS.has(w)) {
      quals.push(w);
      i++;
      continue;
    }
    if (w === 'struct' || w === 'union' || w === 'enum') {
      if (tag || words.length) break;
      tag = w;
      i++;
      continue;
    }
    if (tag && words.length === 1) break;
    if (!tag && words.length && !(BASE_WORDS.has(w) && words.every((x) => BASE_WORDS.has(x)))) break;
    words.push(w);
    i++;
  }
  if (!words.length) throw new CrashError(`invalid type: ${text}`);
  let base: CType | undefined;
  if (tag) base = btf.findType(`${tag} ${words[0]}`);
  else if (words.length === 1 && words[0] === 'void') base = { id: 0, kind: 'void' };
  else base = btf.findType(normalizeBase(words)) ?? btf.findType(words.join(' '));
  if (!base) return undefined;
  let type = base;
  for (const q of quals) type = { id: -1, kind: q as 'const' | 'volatile' | 'restrict', target: type, name: '' };
  while (toks[i] === '*' || QUALS.has(toks[i] ?? '')) {
    if (toks[i] === '*') type = ptrTo(type);
    i++;
  }
  let name = '';
  if (named && toks[i] && /^[A-Za-z_$]/.test(toks[i])) name = toks[i++];
  const dims: (number | undefined)[] = [];
  while (toks[i]?.startsWith('[')) {
    const n = toks[i++].replace(/[[\]\s]/g, '');
    dims.push(n === '' ? undefined : Number(n));
  }
  if (i !== toks.length) throw new CrashError(`invalid type: ${text}`);
  for (let d = dims.length - 1; d >= 0; d--) type = arrayOf(type, dims[d] ?? 0);
  return { name, type, openArray: dims.length > 0 && dims[0] === undefined };
}

/** gdb spells base types canonically: "unsigned long", "long long", "unsigned char". */
function normalizeBase(words: string[]): string {
  const w = words.filter((x) => x !== 'signed' || words.length === 1 || words.includes('char'));
  const s = w.join(' ');
  const map: Record<string, string> = {
    'long int': 'long',
    'unsigned long int': 'unsigned long',
    'long long int': 'long long',
    'unsigned long long int': 'unsigned long long',
    'short int': 'short',
    'unsigned short int': 'unsigned short',
    unsigned: 'unsigned int',
    'unsigned int': 'unsigned int',
    bool: '_Bool',
  };
  return map[s] ?? s;
}
