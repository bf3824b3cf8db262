/**
 * BTF records → CType nodes, one per id, created on first use and cached. References to other
 * types are getters that look the target up by id when read, so decoding never recurses and
 * cycles (struct list_head { struct list_head *next; }) are harmless.
 */
import { DebugInfoError } from '../../util/errors.js';
import {
  BtfKind, BtfWire, BTF_FUNC_LINKAGE, BTF_INT_BOOL, BTF_INT_CHAR, BTF_INT_SIGNED, BTF_VAR_LINKAGE,
  btfIntBits, btfIntEncoding, btfIntOffset, btfMemberBitOffset, btfMemberBitfieldSize,
  type BtfTypeRecord,
} from './wire.js';
import {
  VOID, type CType, type DatasecVar, type Enumerator, type FuncParam, type Member, type QualifierKind,
} from './types.js';

function memo<T>(f: () => T): () => T {
  let done = false;
  let v: T;
  return () => {
    if (!done) {
      v = f();
      done = true;
    }
    return v;
  };
}

export class TypeDecoder {
  private readonly cache: (CType | undefined)[] = [];

  /** `base` resolves ids below wire.firstId (split BTF), so base nodes keep one identity. */
  constructor(readonly wire: BtfWire, private readonly base?: (id: number) => CType) {}

  /** The node for a type id (0 = void). DebugInfoError for ids outside the blob. */
  type(id: number): CType {
    if (id === 0) return VOID;
    if (!this.wire.has(id)) throw new DebugInfoError(`BTF: type id ${id} out of range`);
    if (this.base && id < this.wire.firstId) return this.base(id);
    const hit = this.cache[id];
    if (hit) return hit;
    const t = this.decode(this.wire.record(id));
    this.cache[id] = t;
    return t;
  }

  private ref(id: number): () => CType {
    // Validate eagerly so a bad reference is reported at its source.
    if (id !== 0 && !this.wire.has(id)) throw new DebugInfoError(`BTF: reference to type id ${id} out of range`);
    return () => this.type(id);
  }

  private decode(r: BtfTypeRecord): CType {
    const w = this.wire;
    const id = r.id;
    const name = w.str(r.name_off);
    switch (r.kind) {
      case BtfKind.INT: {
        const d = r.int_data!;
        const enc = btfIntEncoding(d);
        return {
          id, kind: 'int', name, size: r.size_or_type, signed: (enc & BTF_INT_SIGNED) !== 0,
          bool: (enc & BTF_INT_BOOL) !== 0, char: (enc & BTF_INT_CHAR) !== 0 || name === 'char',
          bits: btfIntBits(d), bitOffset: btfIntOffset(d),
        };
      }
      case BtfKind.PTR: {
        const target = this.ref(r.size_or_type);
        return { id, kind: 'ptr', get target() { return target(); } };
      }
      case BtfKind.ARRAY: {
        const a = r.array!;
        const elem = this.ref(a.type);
        this.ref(a.index_type);
        return { id, kind: 'array', length: a.nelems, get elem() { return elem(); } };
      }
      case BtfKind.STRUCT: case BtfKind.UNION: {
        // members decode lazily, but a bad member type must surface here, where the struct is
        // looked up (inside a command), not later in whatever formats its members
        for (const m of r.members!) this.ref(m.type);
        const members = memo(() => this.members(r));
        return {
          id, kind: r.kind === BtfKind.STRUCT ? 'struct' : 'union', name, size: r.size_or_type,
          get members() { return members(); },
        };
      }
      case BtfKind.ENUM: case BtfKind.ENUM64: {
        const signed = r.kind_flag;
        const values = memo(() => this.enumerators(r, signed));
        return { id, kind: 'enum', name, size: r.size_or_type, signed, get values() { return values(); } };
      }
      case BtfKind.FWD:
        return { id, kind: 'fwd', name, union: r.kind_flag };
      case BtfKind.TYPEDEF: {
        const target = this.ref(r.size_or_type);
        return { id, kind: 'typedef', name, get target() { return target(); } };
      }
      case BtfKind.VOLATILE: case BtfKind.CONST: case BtfKind.RESTRICT: case BtfKind.TYPE_TAG: {
        const kind: QualifierKind = r.kind === BtfKind.VOLATILE ? 'volatile'
          : r.kind === BtfKind.CONST ? 'const' : r.kind === BtfKind.RESTRICT ? 'restrict' : 'type_tag';
        const target = this.ref(r.size_or_type);
        return { id, kind, name: kind === 'type_tag' ? name : '', get target() { return target(); } };
      }
      case BtfKind.FUNC: {
        const proto = this.ref(r.size_or_type);
        return {
          id, kind: 'func', name, linkage: BTF_FUNC_LINKAGE[r.vlen] ?? 'static', get proto() { return proto(); },
        };
      }
      case BtfKind.FUNC_PROTO: {
        const ret = this.ref(r.size_or_type);
        const ps = r.params!;
        const variadic = ps.length > 0 && ps[ps.length - 1]!.type === 0 && ps[ps.length - 1]!.name_off === 0;
        const params = memo((): FuncParam[] => (variadic ? ps.slice(0, -1) : ps).map((p) => {
          const t = this.ref(p.type);
          return { name: w.str(p.name_off), get type() { return t(); } };
        }));
        return { id, kind: 'func_proto', variadic, get ret() { return ret(); }, get params() { return params(); } };
      }
      case BtfKind.VAR: {
        const t = this.ref(r.size_or_type);
        return {
          id, kind: 'var', name, linkage: BTF_VAR_LINKAGE[r.var!.linkage] ?? 'static', get type() { return t(); },
        };
      }
      case BtfKind.DATASEC: {
        const vars = memo((): DatasecVar[] => r.secinfos!.map((s) => {
          const t = this.ref(s.type);
          return { offset: s.offset, size: s.size, get type() { return t(); } };
        }));
        return { id, kind: 'datasec', name, size: r.size_or_type, get vars() { return vars(); } };
      }
      case BtfKind.FLOAT:
        return { id, kind: 'float', name, size: r.size_or_type };
      case BtfKind.DECL_TAG: {
        const target = this.ref(r.size_or_type);
        return { id, kind: 'decl_tag', name, componentIdx: r.decl_tag!.component_idx, get target() { return target(); } };
      }
      default:
        throw new DebugInfoError(`BTF: unknown kind ${r.kind} for type id ${id}`);
    }
  }

  private members(r: BtfTypeRecord): Member[] {
    const w = this.wire;
    return r.members!.map((m) => {
      const type = this.ref(m.type);
      let bitOffset = m.offset;
      let bitSize = 0;
      if (r.kind_flag) {
        bitOffset = btfMemberBitOffset(m.offset);
        bitSize = btfMemberBitfieldSize(m.offset);
      } else if (w.kindOf(m.type) === BtfKind.INT) {
        // Old-style bitfield: the member's int type carries nr_bits/offset.
        const d = w.record(m.type).int_data!;
        const bits = btfIntBits(d);
        if (bits !== w.record(m.type).size_or_type * 8) {
          bitSize = bits;
          bitOffset += btfIntOffset(d);
        }
      }
      return { name: w.str(m.name_off), bitOffset, bitSize, get type() { return type(); } };
    });
  }

  private enumerators(r: BtfTypeRecord, signed: boolean): Enumerator[] {
    const w = this.wire;
    if (r.enums) {
      return r.enums.map((e) => ({
        name: w.str(e.name_off), value: signed ? BigInt(e.val) : BigInt(e.val >>> 0),
      }));
    }
    return r.enums64!.map((e) => {
      const u = (BigInt(e.val_hi32) << 32n) | BigInt(e.val_lo32);
      return { name: w.str(e.name_off), value: signed ? BigInt.asIntN(64, u) : u };
    });
  }
}
