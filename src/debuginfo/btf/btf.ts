/**
 * The kernel's BTF as a queryable C type universe: lookups by name in C's two namespaces
 * (tags: struct/union/enum; ordinary identifiers: typedefs and base types), per-cpu and other
 * variables from DATASECs, functions, enum constants, sizes and member paths.
 * Name indexes are built on the first lookup that needs them (one pass over the records).
 */
import { DebugInfoError } from '../../util/errors.js';
import { BtfKind, BtfWire, type BtfKindName } from './wire.js';
import { TypeDecoder } from './decode.js';
import {
  findMember, resolveType, sizeofType,
  type CType, type EnumType, type FuncType, type MemberInfo, type VarLinkage, type VarType,
} from './types.js';

/** What findType may be restricted to. 'tag' = struct|union|enum; 'ordinary' = typedef|int|float. */
export type TypeLookupKind = 'struct' | 'union' | 'enum' | 'fwd' | 'typedef' | 'int' | 'float' | 'tag' | 'ordinary';

export interface BtfVariable {
  readonly name: string;
  readonly type: CType;
  readonly linkage: VarLinkage;
  /** The DATASEC holding it ('.data..percpu' for per-cpu variables), if any. */
  readonly section: string | undefined;
  /** Offset within that section (for .data..percpu: the per-cpu offset, added to __per_cpu_offset[cpu]). */
  readonly offset: bigint | undefined;
  readonly size: number | undefined;
  readonly var: VarType;
}

export interface BtfOptions {
  /** Split BTF (a module's) on top of this base (vmlinux). */
  base?: Btf;
  /** Pointer size in bytes; defaults to sizeof(long) from the BTF, else 8. */
  pointerSize?: number;
}

/** gdb accepts C spellings of base types; BTF (from DWARF) names them gcc's way. */
const INT_SPELLINGS: Record<string, string> = {
  'unsigned long': 'long unsigned int', 'unsigned long int': 'long unsigned int', long: 'long int',
  'signed long': 'long int', 'unsigned': 'unsigned int', 'signed': 'int', 'signed int': 'int',
  short: 'short int', 'unsigned short': 'short unsigned int', 'long long': 'long long int',
  'unsigned long long': 'long long unsigned int', bool: '_Bool',
};

const TAG_KINDS = new Set<number>([BtfKind.STRUCT, BtfKind.UNION, BtfKind.ENUM, BtfKind.ENUM64, BtfKind.FWD]);
const ORDINARY_KINDS = new Set<number>([BtfKind.TYPEDEF, BtfKind.INT, BtfKind.FLOAT]);

export class Btf {
  readonly wire: BtfWire;
  private ptrSize: number | undefined;
  private readonly decoder: TypeDecoder;
  private tagIndex?: Map<string, number[]>;
  private ordinaryIndex?: Map<string, number[]>;
  private varIndex?: Map<string, number>;
  private funcIndex?: Map<string, number>;
  private enumIndex?: Map<string, { id: number; idx: number }>;
  private secIndex?: Map<number, { section: string; offset: number; size: number }>;

  private constructor(wire: BtfWire, private readonly base: Btf | undefined, pointerSize: number | undefined) {
    this.wire = wire;
    this.decoder = new TypeDecoder(wire, base ? (id) => base.type(id) : undefined);
    this.ptrSize = pointerSize ?? base?.pointerSize;
  }

  /** Bytes per pointer: as given, else sizeof(long) from the BTF, else 8. */
  get pointerSize(): number {
    if (this.ptrSize === undefined) {
      const long = this.findType('long int', 'int');
      this.ptrSize = long?.kind === 'int' && (long.size === 4 || long.size === 8) ? long.size : 8;
    }
    return this.ptrSize;
  }

  /** Parse a .BTF blob (header, then one indexing pass; records decode on demand). */
  static fromBytes(blob: Uint8Array, opts: BtfOptions = {}): Btf {
    return new Btf(new BtfWire(blob, opts.base?.wire), opts.base, opts.pointerSize);
  }

  /** The node for a type id (0 = void). */
  type(id: number): CType {
    if (this.base && id < this.wire.firstId) return this.base.type(id);
    return this.decoder.type(id);
  }

  /** Number of records per BTF kind (UNKN stays 0: every record decoded to a known kind). */
  kindCounts(): Record<BtfKindName, number> {
    return this.wire.kindCounts();
  }

  get typeCount(): number {
    return this.wire.count;
  }

  private buildNameIndexes(): void {
    const tags = new Map<string, number[]>();
    const ord = new Map<string, number[]>();
    const w = this.wire;
    for (let id = w.firstId; id <= w.lastId; id++) {
      const k = w.kindOf(id);
      const tag = TAG_KINDS.has(k);
      if (!tag && !ORDINARY_KINDS.has(k)) continue;
      const name = w.str(w.nameOffOf(id));
      if (!name) continue;
      const map = tag ? tags : ord;
      const list = map.get(name);
      if (list) list.push(id);
      else map.set(name, [id]);
    }
    this.tagIndex = tags;
    this.ordinaryIndex = ord;
  }

  private candidates(name: string, tag: boolean): number[] {
    if (!this.tagIndex) this.buildNameIndexes();
    const own = (tag ? this.tagIndex! : this.ordinaryIndex!).get(name) ?? [];
    return this.base ? [...own, ...this.base.candidates(name, tag)] : own;
  }

  /**
   * Look a type up by name. 'struct x' / 'union x' / 'enum x' select the tag namespace; a bare
   * name looks in `kind` (default: ordinary identifiers — typedefs and base types, as C does).
   * A complete struct/union is preferred over a forward declaration.
   */
  findType(name: string, kind?: TypeLookupKind): CType | undefined {
    let n = name.trim().replace(/\s+/g, ' ');
    const m = /^(struct|union|enum) (.+)$/.exec(n);
    if (m) {
      if (kind && kind !== m[1] && kind !== 'tag') return undefined;
      kind = m[1] as TypeLookupKind;
      n = m[2]!;
    }
    kind ??= 'ordinary';
    const tag = kind === 'struct' || kind === 'union' || kind === 'enum' || kind === 'fwd' || kind === 'tag';
    if (!tag && !this.hasOrdinary(n) && INT_SPELLINGS[n]) n = INT_SPELLINGS[n]!;
    let fwd: CType | undefined;
    for (const id of this.candidates(n, tag)) {
      const t = this.type(id);
      if (kind === 'tag' || kind === 'ordinary' || t.kind === kind) return t;
      if (t.kind === 'fwd' && ((kind === 'union') === t.union) && (kind === 'struct' || kind === 'union')) fwd ??= t;
    }
    return fwd;
  }

  private hasOrdinary(name: string): boolean {
    return this.candidates(name, false).length > 0;
  }

  /** Ids of every record of one kind, by name (first wins), built on first use. */
  private kindIndex(kind: number): Map<string, number> {
    const idx = new Map<string, number>();
    const w = this.wire;
    for (let id = w.firstId; id <= w.lastId; id++) {
      if (w.kindOf(id) !== kind) continue;
      const n = w.str(w.nameOffOf(id));
      if (!idx.has(n)) idx.set(n, id);
    }
    return idx;
  }

  /** A variable described by a BTF VAR (per-cpu variables in .data..percpu, in vmlinux BTF). */
  findVar(name: string): BtfVariable | undefined {
    this.varIndex ??= this.kindIndex(BtfKind.VAR);
    if (!this.secIndex) {
      this.secIndex = new Map();
      const w = this.wire;
      for (let id = w.firstId; id <= w.lastId; id++) {
        if (w.kindOf(id) !== BtfKind.DATASEC) continue;
        const r = w.record(id);
        const section = w.str(r.name_off);
        for (const s of r.secinfos!) this.secIndex.set(s.type, { section, offset: s.offset, size: s.size });
      }
    }
    const id = this.varIndex.get(name);
    if (id === undefined) return this.base?.findVar(name);
    const v = this.type(id) as VarType;
    const sec = this.secIndex.get(id);
    const offset = sec ? BigInt(sec.offset) : undefined;
    return { name, type: v.type, linkage: v.linkage, section: sec?.section, offset, size: sec?.size, var: v };
  }

  /** A function (BTF FUNC) by name; its `proto` is the prototype. */
  findFunc(name: string): FuncType | undefined {
    this.funcIndex ??= this.kindIndex(BtfKind.FUNC);
    const id = this.funcIndex.get(name);
    if (id === undefined) return this.base?.findFunc(name);
    return this.type(id) as FuncType;
  }

  /** An enumerator by name: its enum type and value. */
  enumConstant(name: string): { type: EnumType; value: bigint } | undefined {
    if (!this.enumIndex) {
      const idx = new Map<string, { id: number; idx: number }>();
      const w = this.wire;
      for (let id = w.firstId; id <= w.lastId; id++) {
        const k = w.kindOf(id);
        if (k !== BtfKind.ENUM && k !== BtfKind.ENUM64) continue;
        const r = w.record(id);
        const list = r.enums ?? r.enums64!;
        list.forEach((e, i) => {
          const n = w.str(e.name_off);
          if (!idx.has(n)) idx.set(n, { id, idx: i });
        });
      }
      this.enumIndex = idx;
    }
    const hit = this.enumIndex.get(name);
    if (!hit) return this.base?.enumConstant(name);
    const type = this.type(hit.id) as EnumType;
    return { type, value: type.values[hit.idx]!.value };
  }

  sizeof(t: CType): number {
    return sizeofType(t, this.pointerSize);
  }

  /** Strip typedefs and qualifiers. */
  resolve(t: CType): CType {
    return resolveType(t);
  }

  /** A member path ('a.b.c', 'a[3].b'); anonymous struct/union members are looked through. */
  member(t: CType, path: string): MemberInfo | undefined {
    return findMember(t, path, this.pointerSize);
  }

  /** Byte offset of a member path (DebugInfoError for a bitfield not on a byte boundary). */
  offsetof(t: CType, path: string): number | undefined {
    const m = this.member(t, path);
    if (!m) return undefined;
    if (m.bitOffset % 8 !== 0) throw new DebugInfoError(`member ${path} is a bitfield`);
    return m.bitOffset / 8;
  }

  private names(kinds: Set<number>, tag: boolean): string[] {
    if (!this.tagIndex) this.buildNameIndexes();
    const out = new Set<string>();
    for (const [n, ids] of (tag ? this.tagIndex! : this.ordinaryIndex!)) {
      if (ids.some((id) => kinds.has(this.wire.kindOf(id)))) out.add(n);
    }
    for (const n of this.base?.names(kinds, tag) ?? []) out.add(n);
    return [...out].sort();
  }

  /** Names of structs and unions (for completion). */
  structNames(): string[] {
    return this.names(new Set([BtfKind.STRUCT, BtfKind.UNION]), true);
  }

  /** Names of enums. */
  enumNames(): string[] {
    return this.names(new Set([BtfKind.ENUM, BtfKind.ENUM64]), true);
  }

  /** Typedef and base-type names. */
  typeNames(): string[] {
    return this.names(ORDINARY_KINDS, false);
  }
}
