/**
 * Parsed declarations → the project's CType graph, laid out as GCC does on LP64 little-endian
 * (x86-64 SysV and AAPCS64 agree on everything here): natural alignment, structs padded to their
 * alignment, bitfields packed into storage units of their declared type (a bitfield never crosses
 * a boundary of its type's alignment; an unnamed one does not raise the struct's alignment; a
 * zero-width one only moves to the next boundary), `packed` and `aligned(n)` on members, structs
 * and typedefs, unions, anonymous members, flexible and zero-length arrays.
 *
 * Nodes get ids 1..n in creation order (0 is void); derived types (pointers, arrays, qualifiers,
 * prototypes) are interned, so there is one `struct sk_buff *` node, as after BTF dedup.
 */
import {
  VOID, resolveType,
  type ArrayType, type CType, type EnumType, type FloatType, type FuncParam, type FuncProtoType, type FwdType,
  type IntType, type Member, type PtrType, type QualType, type StructType, type TypedefType,
} from '../../debuginfo/btf/types.js';
import type { BaseName, MemberDecl, ParsedDecls, TagDef, TypeExpr } from './ast.js';
import { CDeclError } from './lexer.js';

type Mut<T> = { -readonly [K in keyof T]: T[K] };

export interface LaidOut {
  types: Map<string, CType>;
  all: CType[];
  funcs: Map<string, FuncProtoType>;
  vars: Map<string, CType>;
}

interface SizeAlign { size: number; align: number }

const INT_BASES: [BaseName, number, boolean][] = [
  ['char', 1, true], ['unsigned char', 1, false], ['signed char', 1, true], ['short int', 2, true],
  ['short unsigned int', 2, false], ['int', 4, true], ['unsigned int', 4, false], ['long int', 8, true],
  ['long unsigned int', 8, false], ['long long int', 8, true], ['long long unsigned int', 8, false], ['_Bool', 1, false],
];
const FLOAT_SIZES: Partial<Record<BaseName, number>> = { float: 4, double: 8, 'long double': 16 };

/** C spellings gdb and crash users type, for the types map (BTF keeps GCC's names). */
export const BASE_ALIASES: Record<string, BaseName> = {
  'unsigned long': 'long unsigned int', 'unsigned long int': 'long unsigned int', long: 'long int',
  'signed long': 'long int', 'long signed int': 'long int', unsigned: 'unsigned int', signed: 'int',
  'signed int': 'int', short: 'short int', 'unsigned short': 'short unsigned int', 'short unsigned': 'short unsigned int',
  'long long': 'long long int', 'unsigned long long': 'long long unsigned int', bool: '_Bool',
};

const roundUp = (x: number, a: number): number => Math.ceil(x / a) * a;

class Layout {
  readonly all: CType[] = [];
  private readonly bases = new Map<BaseName, CType>();
  private readonly typedefs = new Map<string, TypedefType>();
  private readonly typedefAlign = new Map<CType, number>();
  private readonly tags = new Map<string, CType>();
  private readonly tagDefs = new Map<string, TagDef>();
  private readonly anon = new Map<TagDef, CType>();
  private readonly pending = new Map<CType, TagDef>();
  private readonly busy = new Set<CType>();
  private readonly sizes = new Map<CType, SizeAlign>();
  private readonly interned = new Map<string, CType>();
  readonly funcs = new Map<string, FuncProtoType>();
  readonly vars = new Map<string, CType>();

  constructor(private readonly p: ParsedDecls) {
    for (const [name, size, signed] of INT_BASES) this.base(name, size, name === 'char' ? !p.charUnsigned : signed);
    for (const d of p.decls) if (d.k === 'tagdef' && d.def.name) this.tagDefs.set(`${d.def.tag} ${d.def.name}`, d.def);
  }

  private fail(line: number, msg: string): never {
    throw new CDeclError(this.p.file, line, msg);
  }

  private add<T extends CType>(node: Omit<T, 'id'>): T {
    const n = { ...node, id: this.all.length + 1 } as T;
    this.all.push(n);
    return n;
  }

  private base(name: BaseName, size: number, signed: boolean): CType {
    const hit = this.bases.get(name);
    if (hit) return hit;
    const n = FLOAT_SIZES[name] !== undefined
      ? this.add<FloatType>({ kind: 'float', name, size })
      : this.add<IntType>({
        kind: 'int', name, size, signed, bool: name === '_Bool', char: name === 'char', bits: size * 8, bitOffset: 0,
      });
    this.bases.set(name, n);
    return n;
  }

  private intern<T extends CType>(key: string, make: () => Omit<T, 'id'>): T {
    let n = this.interned.get(key) as T | undefined;
    if (!n) {
      n = this.add<T>(make());
      this.interned.set(key, n);
    }
    return n;
  }

  run(): LaidOut {
    for (const d of this.p.decls) {
      switch (d.k) {
        case 'tagdef':
          if (d.def.name || d.def.tag === 'enum') this.complete(this.tagNode(d.def));
          break;
        case 'fwd':
          this.tagRef(d.tag, d.name, d.line);
          break;
        case 'typedef': {
          if (this.typedefs.has(d.name)) this.fail(d.line, `redefinition of typedef '${d.name}'`);
          const target = this.typeOf(d.type);
          const n = this.add<TypedefType>({ kind: 'typedef', name: d.name, target });
          this.typedefs.set(d.name, n);
          if (d.attrs.aligned) this.typedefAlign.set(n, d.attrs.aligned);
          break;
        }
        case 'object':
          if (d.type.k === 'func') this.funcs.set(d.name, this.proto(d.type, true));
          else this.vars.set(d.name, this.typeOf(d.type));
          break;
      }
    }
    for (const n of [...this.pending.keys()]) this.complete(n);
    return { types: this.typeMap(), all: this.all, funcs: this.funcs, vars: this.vars };
  }

  private typeMap(): Map<string, CType> {
    const m = new Map<string, CType>();
    for (const [k, v] of this.bases) m.set(k, v);
    for (const [alias, name] of Object.entries(BASE_ALIASES)) {
      const b = this.bases.get(name);
      if (b && !this.typedefs.has(alias)) m.set(alias, b);
    }
    m.set('void', VOID);
    for (const [k, v] of this.tags) m.set(k, v);
    for (const [k, v] of this.typedefs) m.set(k, v);
    return m;
  }

  /** The node for a struct/union/enum definition (created on first use, laid out later). */
  private tagNode(def: TagDef): CType {
    const key = `${def.tag} ${def.name}`;
    const hit = def.name ? this.tags.get(key) : this.anon.get(def);
    if (hit) return hit;
    let n: CType;
    if (def.tag === 'enum') n = this.add<EnumType>(this.enumLayout(def));
    else {
      n = this.add<StructType>({ kind: def.tag, name: def.name, size: 0, members: [] });
      this.pending.set(n, def);
    }
    if (def.name) this.tags.set(key, n);
    else this.anon.set(def, n);
    return n;
  }

  /** `struct foo` by name: its definition anywhere in the file, else a forward declaration. */
  private tagRef(tag: 'struct' | 'union' | 'enum', name: string, line: number): CType {
    const key = `${tag} ${name}`;
    const other = (['struct', 'union', 'enum'] as const).find((t) => t !== tag && (this.tagDefs.has(`${t} ${name}`)));
    if (other) this.fail(line, `'${name}' defined as ${other === 'enum' ? 'an' : 'a'} ${other}, used as ${tag === 'enum' ? 'an' : 'a'} ${tag}`);
    const def = this.tagDefs.get(key);
    if (def) return this.tagNode(def);
    let n = this.tags.get(key);
    if (!n) {
      // GCC accepts `enum foo;` as an incomplete enum; pahole writes it as an ENUM with no values.
      n = tag === 'enum'
        ? this.add<EnumType>({ kind: 'enum', name, size: 4, signed: false, values: [] })
        : this.add<FwdType>({ kind: 'fwd', name, union: tag === 'union' });
      this.tags.set(key, n);
    }
    return n;
  }

  private enumLayout(def: TagDef): Omit<EnumType, 'id'> {
    const vs = def.enumerators.map((e) => e.value);
    const min = vs.reduce((a, b) => (b < a ? b : a), 0n);
    const max = vs.reduce((a, b) => (b > a ? b : a), 0n);
    const signed = min < 0n;
    const fits = (bytes: number): boolean => {
      const bits = BigInt(bytes * 8);
      return signed ? min >= -(1n << (bits - 1n)) && max < 1n << (bits - 1n) : max < 1n << bits;
    };
    const size = (def.attrs.packed ? [1, 2, 4, 8] : [4, 8]).find(fits);
    if (size === undefined) this.fail(def.line, `enumerator values of 'enum ${def.name || '<anonymous>'}' do not fit in 64 bits`);
    return { kind: 'enum', name: def.name, size, signed, values: def.enumerators.map((e) => ({ name: e.name, value: e.value })) };
  }

  typeOf(t: TypeExpr): CType {
    switch (t.k) {
      case 'base': {
        if (t.name === 'void') return VOID;
        const fs = FLOAT_SIZES[t.name];
        if (fs !== undefined) return this.base(t.name, fs, true);
        return this.bases.get(t.name)!;
      }
      case 'typedef': {
        const n = this.typedefs.get(t.name);
        if (!n) this.fail(t.line, `unknown type name '${t.name}'`);
        return n;
      }
      case 'tag': return t.def ? this.tagNode(t.def) : this.tagRef(t.tag, t.name, t.line);
      case 'qual': {
        const target = this.typeOf(t.target);
        return this.intern<QualType>(`${t.q} ${target.id}`, () => ({ kind: t.q, target, name: '' }));
      }
      case 'ptr': {
        const target = this.typeOf(t.target);
        return this.intern<PtrType>(`ptr ${target.id}`, () => ({ kind: 'ptr', target }));
      }
      case 'array': {
        const elem = this.typeOf(t.elem);
        const r = resolveType(elem);
        if (r.kind === 'void' || r.kind === 'func_proto') this.fail(t.line, `declaration of an array of ${r.kind === 'void' ? 'void' : 'functions'}`);
        const length = t.length ?? 0;
        return this.intern<ArrayType>(`array ${elem.id} ${length}`, () => ({ kind: 'array', elem, length }));
      }
      case 'func': return this.proto(t, false);
    }
  }

  /** DWARF records parameter names for functions, not for function pointer types. */
  private proto(t: TypeExpr & { k: 'func' }, names: boolean): FuncProtoType {
    const ret = this.typeOf(t.ret);
    const params: FuncParam[] = t.params.map((p) => ({ name: names ? p.name : '', type: this.typeOf(p.type) }));
    const key = `proto ${ret.id}(${params.map((p) => `${p.type.id} ${p.name}`).join(',')}${t.variadic ? ',...' : ''})`;
    return this.intern<FuncProtoType>(key, () => ({ kind: 'func_proto', ret, params, variadic: t.variadic }));
  }

  /** sizeof and alignof of a complete object type. */
  sizeAlign(t: CType, line: number): SizeAlign {
    const hit = this.sizes.get(t);
    if (hit) return hit;
    let r: SizeAlign;
    switch (t.kind) {
      case 'int': case 'float': case 'enum': r = { size: t.size, align: t.size }; break;
      case 'ptr': r = { size: 8, align: 8 }; break;
      case 'array': {
        const e = this.sizeAlign(t.elem, line);
        r = { size: e.size * t.length, align: e.align };
        break;
      }
      case 'struct': case 'union':
        this.complete(t, line);
        return this.sizes.get(t)!;
      case 'typedef': {
        const inner = this.sizeAlign(t.target, line);
        r = { size: inner.size, align: this.typedefAlign.get(t) ?? inner.align };
        break;
      }
      case 'const': case 'volatile': case 'restrict': case 'type_tag': r = this.sizeAlign(t.target, line); break;
      case 'fwd': this.fail(line, `field has incomplete type '${t.union ? 'union' : 'struct'} ${t.name}'`);
      case 'void': this.fail(line, 'field declared void');
      case 'func_proto': this.fail(line, 'field declared as a function (a pointer to one was meant?)');
      default: this.fail(line, `no size for a ${t.kind}`);
    }
    this.sizes.set(t, r);
    return r;
  }

  /** Lay out a struct/union once (members' types first); recursion by value is an error. */
  private complete(n: CType, line = 0): void {
    const def = this.pending.get(n);
    if (!def) return;
    if (this.busy.has(n)) this.fail(line || def.line, `'${def.tag} ${def.name || '<anonymous>'}' contains itself`);
    this.busy.add(n);
    const s = n as Mut<StructType>;
    const { members, size, align } = this.fields(def);
    s.members = members;
    s.size = size;
    this.sizes.set(n, { size, align });
    this.busy.delete(n);
    this.pending.delete(n);
  }

  private fields(def: TagDef): { members: Member[]; size: number; align: number } {
    const union = def.tag === 'union';
    const members: Member[] = [];
    let off = 0; // bits
    let end = 0;
    let align = 1;
    def.members.forEach((m, i) => {
      const type = this.typeOf(m.type);
      const packed = !!(def.attrs.packed || m.attrs.packed);
      if (m.type.k === 'array' && m.type.length === undefined && (i !== def.members.length - 1 || union)) {
        this.fail(m.line, union ? `flexible array member '${m.name}' in a union` : `flexible array member '${m.name}' not at end of struct`);
      }
      const at = union ? 0 : off;
      let pos: number;
      let width: number;
      if (m.bits !== undefined) {
        ({ pos, width } = this.bitfield(m, type, at, packed));
        if (width === 0) {
          off = pos;
          end = Math.max(end, off);
          return;
        }
        if (m.name && !packed) align = Math.max(align, this.sizeAlign(type, m.line).align);
        if (m.attrs.aligned && m.name) align = Math.max(align, m.attrs.aligned);
      } else {
        const sa = this.sizeAlign(type, m.line);
        let a = packed ? 1 : sa.align;
        if (m.attrs.aligned) a = Math.max(a, m.attrs.aligned);
        pos = roundUp(at, a * 8);
        width = sa.size * 8;
        align = Math.max(align, a);
      }
      if (m.name || m.bits === undefined) members.push({ name: m.name, type, bitOffset: pos, bitSize: m.bits ?? 0 });
      off = pos + width;
      end = Math.max(end, off);
    });
    if (def.attrs.aligned) align = Math.max(align, def.attrs.aligned);
    return { members, size: roundUp(Math.ceil(end / 8), align), align };
  }

  /** Where GCC puts a bitfield that starts looking at bit `at`. */
  private bitfield(m: MemberDecl, type: CType, at: number, packed: boolean): { pos: number; width: number } {
    const r = resolveType(type);
    const what = m.name ? `bit-field '${m.name}'` : 'an unnamed bit-field';
    if (r.kind !== 'int' && r.kind !== 'enum') this.fail(m.line, `${what} has invalid type (not an integer or enum)`);
    const { size, align } = this.sizeAlign(type, m.line);
    const width = m.bits!;
    const max = r.kind === 'int' && r.bool ? 1 : size * 8;
    if (width > max) this.fail(m.line, `width of ${what} exceeds its type (${width} > ${max} bits)`);
    const unit = align * 8;
    if (width === 0) return { pos: roundUp(at, unit), width: 0 };
    let pos = at;
    if (m.attrs.aligned) pos = roundUp(pos, m.attrs.aligned * 8);
    if (!packed && Math.floor(pos / unit) !== Math.floor((pos + width - 1) / unit)) pos = roundUp(pos, unit);
    return { pos, width };
  }
}

/** Lay out parsed declarations: every type with an id, a size and member offsets. */
export function layoutDecls(p: ParsedDecls): LaidOut {
  return new Layout(p).run();
}
