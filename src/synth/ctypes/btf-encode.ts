/**
 * A CType graph → a .BTF blob laid out as the kernel's (pahole's) is: struct btf_header (magic
 * 0xeb9f, version 1, flags 0, hdr_len 24), the type section, then the string section whose
 * offset 0 is the empty string. Type ids follow the graph's `all` order (so a node's BTF id is
 * its CType id); anything reachable that is not in `all` is appended. As pahole does:
 *  - INT encoding is SIGNED for signed types (plain char included where it is signed), BOOL for
 *    _Bool, none otherwise (pahole never sets BTF_INT_CHAR);
 *  - arrays index with an INT named `__ARRAY_SIZE_TYPE__` (4 bytes, no encoding);
 *  - a struct/union with a bitfield has kind_flag 1 and member offsets bitfield_size << 24 | bit_offset;
 *  - an enum's kind_flag is its signedness, and 8-byte enums are ENUM64;
 *  - functions are FUNC (linkage static) → FUNC_PROTO, with parameter names;
 *  - per-cpu variables are VAR (global) records gathered by a DATASEC `.data..percpu`
 *    with one btf_var_secinfo per variable, sorted by offset.
 * Identical strings are stored once.
 */
import { CrashError } from '../../util/errors.js';
import { BTF_INT_BOOL, BTF_INT_SIGNED, BTF_MAGIC, BtfKind } from '../../debuginfo/btf/wire.js';
import { VOID, sizeofType, type CType, type FuncProtoType } from '../../debuginfo/btf/types.js';

export interface BtfExtras {
  /** Per-cpu variables: offset is the variable's offset in .data..percpu (its __per_cpu_start-relative address). */
  percpuVars?: { name: string; type: CType; offset: number }[];
  /** Functions; without a proto, `void (void)`. */
  funcs?: { name: string; proto?: CType }[];
  /** The DATASEC size (the .data..percpu section size); defaults to the end of the last variable. */
  percpuSize?: number;
}

class Strings {
  private readonly offs = new Map<string, number>([['', 0]]);
  private readonly parts: Uint8Array[] = [new Uint8Array(1)];
  private len = 1;

  off(s: string): number {
    let o = this.offs.get(s);
    if (o === undefined) {
      o = this.len;
      const b = new TextEncoder().encode(s + '\0');
      this.parts.push(b);
      this.len += b.length;
      this.offs.set(s, o);
    }
    return o;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.len);
    let p = 0;
    for (const b of this.parts) {
      out.set(b, p);
      p += b.length;
    }
    return out;
  }
}

const info = (kind: number, vlen: number, kflag = false): number => (((kflag ? 1 : 0) << 31) | (kind << 24) | vlen) >>> 0;

/** A synthetic node for records that are not part of the C graph. */
type Extra =
  | { kind: 'index' }
  | { kind: 'func'; name: string; proto: CType }
  | { kind: 'var'; name: string; type: CType }
  | { kind: 'datasec'; name: string; size: number; vars: { id: number; offset: number; size: number }[] };

export function encodeBtf(set: { all: readonly CType[] }, extras: BtfExtras = {}): Uint8Array {
  const ids = new Map<CType, number>();
  const order: (CType | Extra)[] = [];
  const idOf = (t: CType): number => {
    if (t.kind === 'void') return 0;
    let id = ids.get(t);
    if (id === undefined) {
      order.push(t);
      id = order.length;
      ids.set(t, id);
    }
    return id;
  };
  for (const t of set.all) idOf(t);
  // Everything reachable from the graph and the extras gets an id before encoding starts.
  const refs = (t: CType): CType[] => {
    switch (t.kind) {
      case 'ptr': case 'typedef': case 'const': case 'volatile': case 'restrict': case 'type_tag': case 'decl_tag': return [t.target];
      case 'array': return [t.elem];
      case 'struct': case 'union': return t.members.map((m) => m.type);
      case 'func_proto': return [t.ret, ...t.params.map((p) => p.type)];
      case 'func': return [t.proto];
      case 'var': return [t.type];
      case 'datasec': return t.vars.map((v) => v.type);
      default: return [];
    }
  };
  const extraRoots: CType[] = [
    ...(extras.percpuVars ?? []).map((v) => v.type),
    ...(extras.funcs ?? []).flatMap((f) => (f.proto ? [f.proto] : [])),
  ];
  for (const t of extraRoots) idOf(t);
  for (let i = 0; i < order.length; i++) for (const r of refs(order[i] as CType)) idOf(r);

  let indexId = 0;
  if (order.some((t) => t.kind === 'array')) indexId = order.push({ kind: 'index' });
  let voidProto: CType | undefined;
  for (const f of extras.funcs ?? []) {
    let proto = f.proto;
    if (!proto) {
      voidProto ??= { id: 0, kind: 'func_proto', ret: VOID, params: [], variadic: false } satisfies FuncProtoType;
      proto = voidProto;
      if (!ids.has(proto)) { order.push(proto); ids.set(proto, order.length); }
    }
    if (proto.kind !== 'func_proto') throw new CrashError(`BTF: function ${f.name} needs a FUNC_PROTO, got a ${proto.kind}`);
    order.push({ kind: 'func', name: f.name, proto });
  }
  const pv = [...(extras.percpuVars ?? [])];
  if (pv.length) {
    const vars = pv.map((v) => {
      order.push({ kind: 'var', name: v.name, type: v.type });
      return { id: order.length, offset: v.offset, size: sizeofType(v.type) };
    });
    vars.sort((a, b) => a.offset - b.offset);
    const end = Math.max(...vars.map((v) => v.offset + v.size));
    order.push({ kind: 'datasec', name: '.data..percpu', size: extras.percpuSize ?? end, vars });
  }

  const str = new Strings();
  const w: number[] = [];
  const rec = (name: string, inf: number, sizeOrType: number, ...tail: number[]): void => {
    w.push(str.off(name), inf, sizeOrType >>> 0, ...tail.map((x) => x >>> 0));
  };
  const K = BtfKind;
  for (const t of order) {
    switch (t.kind) {
      case 'int': {
        const enc = t.signed ? BTF_INT_SIGNED : t.bool ? BTF_INT_BOOL : 0;
        rec(t.name, info(K.INT, 0), t.size, (enc << 24) | (t.bitOffset << 16) | t.bits);
        break;
      }
      case 'float': rec(t.name, info(K.FLOAT, 0), t.size); break;
      case 'ptr': rec('', info(K.PTR, 0), idOf(t.target)); break;
      case 'array': rec('', info(K.ARRAY, 0), 0, idOf(t.elem), indexId, t.length); break;
      case 'struct': case 'union': {
        const kflag = t.members.some((m) => m.bitSize > 0);
        rec(t.name, info(t.kind === 'struct' ? K.STRUCT : K.UNION, t.members.length, kflag), t.size);
        for (const m of t.members) {
          if (kflag && (m.bitOffset >= 1 << 24 || m.bitSize > 255)) {
            throw new CrashError(`BTF: member ${t.name}.${m.name} at bit ${m.bitOffset} does not fit a kind_flag offset`);
          }
          w.push(str.off(m.name), idOf(m.type), kflag ? ((m.bitSize << 24) | m.bitOffset) >>> 0 : m.bitOffset);
        }
        break;
      }
      case 'enum': {
        const wide = t.size > 4;
        rec(t.name, info(wide ? K.ENUM64 : K.ENUM, t.values.length, t.signed), t.size);
        for (const e of t.values) {
          const u = BigInt.asUintN(64, e.value);
          if (wide) w.push(str.off(e.name), Number(u & 0xffffffffn), Number(u >> 32n));
          else w.push(str.off(e.name), Number(u & 0xffffffffn));
        }
        break;
      }
      case 'fwd': rec(t.name, info(K.FWD, 0, t.union), 0); break;
      case 'typedef': rec(t.name, info(K.TYPEDEF, 0), idOf(t.target)); break;
      case 'const': rec('', info(K.CONST, 0), idOf(t.target)); break;
      case 'volatile': rec('', info(K.VOLATILE, 0), idOf(t.target)); break;
      case 'restrict': rec('', info(K.RESTRICT, 0), idOf(t.target)); break;
      case 'type_tag': rec(t.name, info(K.TYPE_TAG, 0), idOf(t.target)); break;
      case 'decl_tag': rec(t.name, info(K.DECL_TAG, 0), idOf(t.target), t.componentIdx); break;
      case 'func_proto': {
        rec('', info(K.FUNC_PROTO, t.params.length + (t.variadic ? 1 : 0)), idOf(t.ret));
        for (const p of t.params) w.push(str.off(p.name), idOf(p.type));
        if (t.variadic) w.push(0, 0);
        break;
      }
      case 'index': rec('__ARRAY_SIZE_TYPE__', info(K.INT, 0), 4, 32); break;
      case 'func':
        if ('id' in t) rec(t.name, info(K.FUNC, ['static', 'global', 'extern'].indexOf(t.linkage)), idOf(t.proto));
        else rec(t.name, info(K.FUNC, 0), idOf(t.proto));
        break;
      case 'var':
        if ('id' in t) rec(t.name, info(K.VAR, 0), idOf(t.type), ['static', 'global_allocated', 'global_extern'].indexOf(t.linkage));
        else rec(t.name, info(K.VAR, 0), idOf(t.type), 1);
        break;
      case 'datasec': {
        if ('id' in t) {
          rec(t.name, info(K.DATASEC, t.vars.length), t.size);
          for (const v of t.vars) w.push(idOf(v.type), v.offset, v.size);
        } else {
          rec(t.name, info(K.DATASEC, t.vars.length), t.size);
          for (const v of t.vars) w.push(v.id, v.offset, v.size);
        }
        break;
      }
      case 'void': break;
    }
  }

  const strings = str.bytes();
  const typeLen = w.length * 4;
  const out = new Uint8Array(24 + typeLen + strings.length);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, BTF_MAGIC, true);
  out[2] = 1; // version
  out[3] = 0; // flags
  dv.setUint32(4, 24, true); // hdr_len
  dv.setUint32(8, 0, true); // type_off
  dv.setUint32(12, typeLen, true);
  dv.setUint32(16, typeLen, true); // str_off
  dv.setUint32(20, strings.length, true);
  w.forEach((x, i) => dv.setUint32(24 + i * 4, x, true));
  out.set(strings, 24 + typeLen);
  return out;
}
