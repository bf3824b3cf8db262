/**
 * What the declaration parser produces and the layout pass consumes: C types as written
 * (before sizes and offsets), with the line each came from for error messages.
 */

/** Base types by the names GCC gives them in DWARF (and pahole in BTF). */
export type BaseName =
  | 'void' | 'char' | 'signed char' | 'unsigned char' | 'short int' | 'short unsigned int' | 'int'
  | 'unsigned int' | 'long int' | 'long unsigned int' | 'long long int' | 'long long unsigned int'
  | '_Bool' | 'float' | 'double' | 'long double';

/** GCC attributes that change layout; others are accepted and dropped (see parse.ts). */
export interface Attrs {
  aligned?: number;
  packed?: boolean;
}

export type TypeExpr =
  | { readonly k: 'base'; readonly name: BaseName }
  | { readonly k: 'typedef'; readonly name: string; readonly line: number }
  | { readonly k: 'tag'; readonly tag: 'struct' | 'union' | 'enum'; readonly name: string; readonly def?: TagDef; readonly line: number }
  | { readonly k: 'qual'; readonly q: 'const' | 'volatile'; readonly target: TypeExpr }
  | { readonly k: 'ptr'; readonly target: TypeExpr }
  /** length undefined: `[]` (a flexible array member). */
  | { readonly k: 'array'; readonly elem: TypeExpr; readonly length: number | undefined; readonly line: number }
  | { readonly k: 'func'; readonly ret: TypeExpr; readonly params: readonly Param[]; readonly variadic: boolean; readonly line: number };

export interface Param { readonly name: string; readonly type: TypeExpr }

export interface MemberDecl {
  /** '' for an anonymous struct/union member or an unnamed bitfield. */
  readonly name: string;
  readonly type: TypeExpr;
  /** Bitfield width; undefined when not a bitfield. */
  readonly bits: number | undefined;
  readonly attrs: Attrs;
  readonly line: number;
}

export interface Enumerator { readonly name: string; readonly value: bigint }

export interface TagDef {
  readonly tag: 'struct' | 'union' | 'enum';
  /** '' when anonymous. */
  readonly name: string;
  readonly line: number;
  readonly attrs: Attrs;
  readonly members: MemberDecl[];
  readonly enumerators: Enumerator[];
}

export type Decl =
  /** A struct/union/enum definition (also nested ones, hoisted as C scopes them). */
  | { readonly k: 'tagdef'; readonly def: TagDef }
  /** `struct foo;` */
  | { readonly k: 'fwd'; readonly tag: 'struct' | 'union' | 'enum'; readonly name: string; readonly line: number }
  | { readonly k: 'typedef'; readonly name: string; readonly type: TypeExpr; readonly attrs: Attrs; readonly line: number }
  /** `extern int x;` / `int f(int a);` outside any struct: variables and functions. */
  | { readonly k: 'object'; readonly name: string; readonly type: TypeExpr; readonly line: number };

export interface ParsedDecls {
  readonly file: string;
  readonly decls: Decl[];
  /** Object-like macros that evaluate to integers, and enumerators. */
  readonly constants: Map<string, bigint>;
  /** `#define __CHAR_UNSIGNED__` (GCC predefines it on arm64): plain char is unsigned. */
  readonly charUnsigned: boolean;
}
