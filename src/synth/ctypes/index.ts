/**
 * C declarations (a scenario's types.h) → a laid-out CType graph → the kernel's .BTF blob.
 *
 *   const set = parseCDeclarations(readFileSync('dumps/x/types.h', 'utf8'), 'types.h');
 *   set.types.get('struct sk_buff')          // StructType with GCC's offsets and size
 *   encodeBtf(set, { percpuVars, funcs })     // what Btf.fromBytes reads back
 *
 * parse.ts (with lexer.ts and expr.ts) reads the C; layout.ts sizes it as GCC on LP64 does;
 * btf-encode.ts writes what pahole would.
 */
import type { CType, FuncProtoType } from '../../debuginfo/btf/types.js';
import { parseDecls } from './parse.js';
import { layoutDecls } from './layout.js';

export interface CTypeSet {
  /** 'struct sk_buff', 'union x', 'enum x', typedef names, base types by GCC's name ('long unsigned int') and C's ('unsigned long'). */
  types: Map<string, CType>;
  /** Every type node in id order (all[i].id === i + 1; void is id 0 and not listed). */
  all: CType[];
  /** Object-like #defines that evaluate to integers, and enumerators. */
  constants: Map<string, bigint>;
  /** File-scope function declarations (`void schedule(void);`): their prototypes, with parameter names. */
  funcs?: Map<string, FuncProtoType>;
  /** File-scope variable declarations (`extern int __preempt_count;`): their types. */
  vars?: Map<string, CType>;
}

export type ParsedCTypeSet = CTypeSet & Required<Pick<CTypeSet, 'funcs' | 'vars'>>;

/** Parse and lay out C declarations; CDeclError ("file:line: message") for anything unsupported. */
export function parseCDeclarations(source: string, file = '<input>'): ParsedCTypeSet {
  const parsed = parseDecls(source, file);
  const l = layoutDecls(parsed);
  return { types: l.types, all: l.all, constants: parsed.constants, funcs: l.funcs, vars: l.vars };
}

export { encodeBtf, type BtfExtras } from './btf-encode.js';
export { CDeclError } from './lexer.js';
