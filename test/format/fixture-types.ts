/**
 * Hand-built C types for the format tests (no BTF involved). Names follow what gdb printed for
 * the matching C test programs (compiled with gcc -g, printed by gdb), so expected texts in the
 * tests are gdb's own output.
 */
import type {
  ArrayType, CType, EnumType, FuncProtoType, IntType, Member, PtrType, QualType, StructType, TypedefType,
} from '../../src/debuginfo/btf/types.js';

let nextId = 1;
const id = (): number => nextId++;

export const int = (name: string, size: number, signed: boolean): IntType => ({
  id: id(), kind: 'int', name, size, signed, bool: false, char: name === 'char', bits: size * 8, bitOffset: 0,
});
export const boolT = (name = '_Bool'): IntType => ({
  id: id(), kind: 'int', name, size: 1, signed: false, bool: true, char: false, bits: 8, bitOffset: 0,
});
export const ptr = (target: CType): PtrType => ({ id: id(), kind: 'ptr', target });
export const arr = (elem: CType, length: number): ArrayType => ({ id: id(), kind: 'array', elem, length });
export const typedef = (name: string, target: CType): TypedefType => ({ id: id(), kind: 'typedef', name, target });
export const konst = (target: CType): QualType => ({ id: id(), kind: 'const', target, name: '' });
export const vol = (target: CType): QualType => ({ id: id(), kind: 'volatile', target, name: '' });
export const fn = (ret: CType, params: CType[], variadic = false): FuncProtoType => ({
  id: id(), kind: 'func_proto', ret, params: params.map((type) => ({ name: '', type })), variadic,
});
export const enm = (name: string, values: [string, number][], size = 4, signed = false): EnumType => ({
  id: id(), kind: 'enum', name, size, signed, values: values.map(([n, v]) => ({ name: n, value: BigInt(v) })),
});
export const VOIDT: CType = { id: 0, kind: 'void' };

/** [name, type, byte offset, bitfield size?, bit offset within that byte?] */
export type MemberSpec = [string, CType, number, number?, number?];

export function struct(name: string, size: number, members: MemberSpec[], kind: 'struct' | 'union' = 'struct'): StructType & { members: Member[] } {
  const ms: Member[] = members.map(([n, type, off, bitSize = 0, bit = 0]) => ({ name: n, type, bitOffset: off * 8 + bit, bitSize }));
  return { id: id(), kind, name, size, members: ms };
}
export const union = (name: string, size: number, members: MemberSpec[]): StructType => struct(name, size, members, 'union');

// gdb's names for gcc's base types (gdb 13 canonicalizes C names; see ctype.ts about gdb 10).
export const INT = int('int', 4, true);
export const UINT = int('unsigned int', 4, false);
export const LONG = int('long', 8, true);
export const ULONG = int('unsigned long', 8, false);
export const CHAR = int('char', 1, true);
export const UCHAR = int('unsigned char', 1, false);
export const SCHAR = int('signed char', 1, true);
export const SHORT = int('short', 2, true);
export const USHORT = int('unsigned short', 2, false);
export const LLONG = int('long long', 8, true);
export const ULLONG = int('unsigned long long', 8, false);
export const BOOL = boolT();
export const FLOAT: CType = { id: id(), kind: 'float', name: 'float', size: 4 };
export const DOUBLE: CType = { id: id(), kind: 'float', name: 'double', size: 8 };

/** struct list_head { struct list_head *next, *prev; } — a cycle. */
export function listHead(): StructType {
  const lh = struct('list_head', 16, []);
  const p = ptr(lh);
  lh.members.push({ name: 'next', type: p, bitOffset: 0, bitSize: 0 }, { name: 'prev', type: p, bitOffset: 64, bitSize: 0 });
  return lh;
}
