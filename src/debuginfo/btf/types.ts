/**
 * A decoded C type graph (after cilium/ebpf btf/types.go): one object per BTF type id, with
 * references to other types resolved lazily through getters, so a struct that points to itself
 * (struct list_head) and the whole kernel graph behind task_struct cost nothing until walked.
 * Nodes are created on first use and cached by id (see decode.ts); identity is stable.
 *
 * The helpers here (resolveType, sizeofType, findMember) are pure functions over that graph.
 */
import { DebugInfoError } from '../../util/errors.js';

interface Node {
  /** BTF type id (0 for void). */
  readonly id: number;
}

export interface VoidType extends Node { readonly kind: 'void' }

export interface IntType extends Node {
  readonly kind: 'int';
  readonly name: string;
  /** Bytes. */
  readonly size: number;
  readonly signed: boolean;
  readonly bool: boolean;
  readonly char: boolean;
  /** BTF_INT_BITS and BTF_INT_OFFSET (old-style bitfield ints; normally size*8 and 0). */
  readonly bits: number;
  readonly bitOffset: number;
}

export interface PtrType extends Node { readonly kind: 'ptr'; readonly target: CType }

export interface ArrayType extends Node {
  readonly kind: 'array';
  readonly elem: CType;
  /** Number of elements (0 for flexible/zero-length arrays). */
  readonly length: number;
}

export interface Member {
  /** '' for an anonymous struct/union member. */
  readonly name: string;
  readonly type: CType;
  /** Offset from the start of the enclosing struct, in bits. */
  readonly bitOffset: number;
  /** Width of a bitfield in bits; 0 when not a bitfield. */
  readonly bitSize: number;
}

export interface StructType extends Node {
  readonly kind: 'struct' | 'union';
  /** '' when anonymous. */
  readonly name: string;
  readonly size: number;
  readonly members: readonly Member[];
}

export interface Enumerator { readonly name: string; readonly value: bigint }

export interface EnumType extends Node {
  readonly kind: 'enum';
  readonly name: string;
  readonly size: number;
  readonly signed: boolean;
  readonly values: readonly Enumerator[];
}

export interface FwdType extends Node { readonly kind: 'fwd'; readonly name: string; readonly union: boolean }

export interface TypedefType extends Node { readonly kind: 'typedef'; readonly name: string; readonly target: CType }

export type QualifierKind = 'volatile' | 'const' | 'restrict' | 'type_tag';

export interface QualType extends Node {
  readonly kind: QualifierKind;
  readonly target: CType;
  /** The tag text for type_tag (e.g. 'user', 'rcu', 'percpu'); '' otherwise. */
  readonly name: string;
}

export interface FuncParam { readonly name: string; readonly type: CType }

export interface FuncProtoType extends Node {
  readonly kind: 'func_proto';
  readonly ret: CType;
  readonly params: readonly FuncParam[];
  /** True when the prototype ends in `...` (a trailing BTF param of type 0). */
  readonly variadic: boolean;
}

export type FuncLinkage = 'static' | 'global' | 'extern';
export interface FuncType extends Node {
  readonly kind: 'func';
  readonly name: string;
  readonly proto: CType;
  readonly linkage: FuncLinkage;
}

export type VarLinkage = 'static' | 'global_allocated' | 'global_extern';
export interface VarType extends Node {
  readonly kind: 'var';
  readonly name: string;
  readonly type: CType;
  readonly linkage: VarLinkage;
}

export interface DatasecVar { readonly type: CType; readonly offset: number; readonly size: number }
export interface DatasecType extends Node {
  readonly kind: 'datasec';
  readonly name: string;
  readonly size: number;
  readonly vars: readonly DatasecVar[];
}

export interface FloatType extends Node { readonly kind: 'float'; readonly name: string; readonly size: number }

/** BTF_KIND_DECL_TAG: an annotation on a type, or on one member/param (componentIdx >= 0). */
export interface DeclTagType extends Node {
  readonly kind: 'decl_tag';
  readonly name: string;
  readonly target: CType;
  readonly componentIdx: number;
}

export type CType =
  | VoidType | IntType | PtrType | ArrayType | StructType | EnumType | FwdType | TypedefType
  | QualType | FuncType | FuncProtoType | VarType | DatasecType | FloatType | DeclTagType;

export type CTypeKind = CType['kind'];

/** The shared void node (BTF type id 0). */
export const VOID: VoidType = Object.freeze({ id: 0, kind: 'void' as const });

/** Chains of typedefs/qualifiers longer than this are treated as malformed (cycles in garbage BTF). */
export const MAX_CHAIN = 64;

const QUALIFIERS = new Set<CTypeKind>(['volatile', 'const', 'restrict', 'type_tag']);

export function isQualifier(t: CType): t is QualType {
  return QUALIFIERS.has(t.kind);
}

/** Strip typedefs and qualifiers (const/volatile/restrict/type_tag). */
export function resolveType(t: CType): CType {
  for (let i = 0; i < MAX_CHAIN; i++) {
    if (t.kind === 'typedef' || isQualifier(t)) t = (t as TypedefType | QualType).target;
    else return t;
  }
  throw new DebugInfoError(`BTF: typedef/qualifier chain too long at type id ${t.id}`);
}

/** Strip qualifiers only (keeps typedef names). */
export function stripQualifiers(t: CType): CType {
  for (let i = 0; i < MAX_CHAIN; i++) {
    if (!isQualifier(t)) return t;
    t = t.target;
  }
  throw new DebugInfoError(`BTF: qualifier chain too long at type id ${t.id}`);
}

export function isStructLike(t: CType): t is StructType {
  return t.kind === 'struct' || t.kind === 'union';
}

/**
 * sizeof in bytes, as gdb computes it: void and functions are 1, pointers `ptrSize`,
 * forward declarations are incomplete (DebugInfoError).
 */
export function sizeofType(t: CType, ptrSize = 8, depth = 0): number {
  if (depth > MAX_CHAIN) throw new DebugInfoError(`BTF: type nesting too deep at type id ${t.id}`);
  t = resolveType(t);
  switch (t.kind) {
    case 'int': case 'float': case 'enum': case 'struct': case 'union': case 'datasec': return t.size;
    case 'ptr': return ptrSize;
    case 'array': return t.length === 0 ? 0 : t.length * sizeofType(t.elem, ptrSize, depth + 1);
    case 'void': case 'func': case 'func_proto': return 1;
    case 'var': return sizeofType(t.type, ptrSize, depth + 1);
    case 'fwd': throw new DebugInfoError(`incomplete type ${t.union ? 'union' : 'struct'} ${t.name}`);
    case 'decl_tag': return sizeofType(t.target, ptrSize, depth + 1);
    default: throw new DebugInfoError(`BTF: no size for type id ${(t as CType).id}`);
  }
}

export interface MemberInfo {
  /** The member's declared name (last path component). */
  readonly name: string;
  readonly type: CType;
  /** Bits from the start of the outer type. */
  readonly bitOffset: number;
  /** Bitfield width, 0 when not a bitfield. */
  readonly bitSize: number;
}

/**
 * Find a direct member by name, looking inside anonymous struct/union members as C does.
 * Returns the member with its bit offset relative to `t`.
 */
export function lookupMember(t: CType, name: string, depth = 0): MemberInfo | undefined {
  if (depth > MAX_CHAIN) throw new DebugInfoError('BTF: anonymous member nesting too deep');
  if (name === '') return undefined;
  const s = resolveType(t);
  if (!isStructLike(s)) return undefined;
  // In declaration order, descending into anonymous members where they appear (as crash's
  // gdb get_member_data() does; C makes the names unique anyway).
  for (const m of s.members) {
    if (m.name === name) return { name, type: m.type, bitOffset: m.bitOffset, bitSize: m.bitSize };
    if (m.name !== '') continue;
    const inner = lookupMember(m.type, name, depth + 1);
    if (inner) return { ...inner, bitOffset: m.bitOffset + inner.bitOffset };
  }
  return undefined;
}

const PATH_TOKEN = /\s*(?:(\.)?\s*([A-Za-z_$][\w$]*)|\[\s*(-?\d+|0[xX][0-9a-fA-F]+)\s*\])/y;

/**
 * A member designator as C's offsetof accepts it: 'a.b.c', 'a[3].b', 'pids[2]'.
 * Anonymous struct/union members are looked through. Undefined when the path does not exist;
 * DebugInfoError when the path text is malformed.
 */
export function findMember(t: CType, path: string, ptrSize = 8): MemberInfo | undefined {
  let cur: MemberInfo = { name: '', type: t, bitOffset: 0, bitSize: 0 };
  let pos = 0;
  let first = true;
  const text = path.trim();
  while (pos < text.length) {
    PATH_TOKEN.lastIndex = pos;
    const m = PATH_TOKEN.exec(text);
    if (!m || (m[2] !== undefined && !first && m[1] === undefined) || (first && m[1] !== undefined)) {
      throw new DebugInfoError(`invalid member reference: ${path}`);
    }
    pos = PATH_TOKEN.lastIndex;
    if (m[2] !== undefined) {
      const found = lookupMember(cur.type, m[2]);
      if (!found) return undefined;
      cur = { ...found, bitOffset: cur.bitOffset + found.bitOffset };
    } else {
      if (first) throw new DebugInfoError(`invalid member reference: ${path}`);
      const arr = resolveType(cur.type);
      if (arr.kind !== 'array') return undefined;
      const idx = Number(m[3]);
      if (!Number.isSafeInteger(idx)) return undefined;
      const esz = sizeofType(arr.elem, ptrSize);
      cur = { name: cur.name, type: arr.elem, bitOffset: cur.bitOffset + idx * esz * 8, bitSize: 0 };
    }
    first = false;
  }
  if (first) throw new DebugInfoError(`invalid member reference: ${path}`);
  return cur;
}
