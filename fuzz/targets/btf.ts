/**
 * BTF: Btf.fromBytes, then every type decoded and walked (members, enumerators, parameters,
 * datasec variables, targets), sized, resolved, looked up by name and member path, and printed
 * as gdb would (format/ctype.ts). Seeds: the reference kernel's real .BTF cut to its first
 * records (strings compacted, references past the cut pointed at void), and every scenario's BTF
 * (synth/ctypes encodeBtf output, with per-cpu DATASECs and functions).
 */
import { Btf, BtfKind, type CType } from '../../src/debuginfo/btf/index.js';
import { findMember, lookupMember, resolveType, sizeofType } from '../../src/debuginfo/btf/types.js';
import { datatypeDeclarationLines, ptypeLines, typeName, whatisDeclaration } from '../../src/format/ctype.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { attempt, type FuzzTarget } from '../lib/engine.js';
import { refKernel, refNote, SCENARIOS, scenarioKernel } from '../lib/seeds.js';

const KEEP = Number(process.env.FUZZ_BTF_RECORDS ?? 600);
const MAX_WALK = 4000;

function rawBtf(k: Kernel): Uint8Array | undefined {
  const s = k.symbol('__start_BTF');
  const e = k.symbol('__stop_BTF');
  return s && e ? k.readBytes(s.address, Number(e.address - s.address), 'BTF') : undefined;
}

/** Offsets (relative to a record) of its name_off fields and its type-id fields. */
function fields(kind: number, vlen: number): { names: number[]; types: number[]; size: number } {
  const names = [0];
  const types: number[] = [];
  const each = (n: number, stride: number, nameAt: number | undefined, typeAt: number | undefined) => {
    for (let i = 0; i < n; i++) {
      if (nameAt !== undefined) names.push(12 + i * stride + nameAt);
      if (typeAt !== undefined) types.push(12 + i * stride + typeAt);
    }
    return 12 + n * stride;
  };
  switch (kind) {
    case BtfKind.INT: return { names, types, size: 16 };
    case BtfKind.ARRAY: return { names, types: [12, 16], size: 24 };
    case BtfKind.STRUCT: case BtfKind.UNION: return { names, types, size: each(vlen, 12, 0, 4) };
    case BtfKind.ENUM: return { names, types, size: each(vlen, 8, 0, undefined) };
    case BtfKind.ENUM64: return { names, types, size: each(vlen, 12, 0, undefined) };
    case BtfKind.FUNC_PROTO: {
      const size = each(vlen, 8, 0, 4);
      return { names, types: [8, ...types], size };
    }
    case BtfKind.DATASEC: return { names, types, size: each(vlen, 12, undefined, 0) };
    case BtfKind.VAR: case BtfKind.DECL_TAG: return { names, types: [8], size: 16 };
    case BtfKind.FWD: case BtfKind.FLOAT: return { names, types, size: 12 };
    default: return { names, types: [8], size: 12 }; // PTR TYPEDEF VOLATILE CONST RESTRICT FUNC TYPE_TAG
  }
}

/** The first `keep` records of a .BTF blob, with only the strings they use. */
export function trimBtf(blob: Uint8Array, keep: number): Uint8Array {
  const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const hdrLen = dv.getUint32(4, true);
  const typeStart = hdrLen + dv.getUint32(8, true);
  const strStart = hdrLen + dv.getUint32(16, true);
  const recs: Uint8Array[] = [];
  const strs = new Map<number, number>([[0, 0]]);
  const strBytes: number[] = [0];
  const str = (off: number): number => {
    let o = strs.get(off);
    if (o === undefined) {
      o = strBytes.length;
      for (let p = strStart + off; blob[p] !== 0; p++) strBytes.push(blob[p]!);
      strBytes.push(0);
      strs.set(off, o);
    }
    return o;
  };
  for (let p = typeStart, id = 1; id <= keep; id++) {
    const info = dv.getUint32(p + 4, true);
    const f = fields((info >>> 24) & 0x1f, info & 0xffff);
    const r = blob.slice(p, p + f.size);
    const rv = new DataView(r.buffer);
    for (const o of f.names) rv.setUint32(o, str(rv.getUint32(o, true)), true);
    for (const o of f.types) if (rv.getUint32(o, true) > keep) rv.setUint32(o, 0, true);
    recs.push(r);
    p += f.size;
  }
  const typeLen = recs.reduce((s, r) => s + r.length, 0);
  const out = new Uint8Array(24 + typeLen + strBytes.length);
  out.set(blob.subarray(0, 4));
  const ov = new DataView(out.buffer);
  ov.setUint32(4, 24, true);
  ov.setUint32(8, 0, true);
  ov.setUint32(12, typeLen, true);
  ov.setUint32(16, typeLen, true);
  ov.setUint32(20, strBytes.length, true);
  let o = 24;
  for (const r of recs) {
    out.set(r, o);
    o += r.length;
  }
  out.set(strBytes, o);
  return out;
}

/** Read every lazily decoded part of a type node. */
function touch(btf: Btf, t: CType): void {
  switch (t.kind) {
    case 'struct': case 'union':
      for (const m of t.members) void [m.name, m.type.kind, m.bitOffset];
      attempt(() => lookupMember(t, 'no_such_member_zz'));
      if (t.members[0]?.name) attempt(() => findMember(t, `${t.members[0]!.name}[1]`));
      break;
    case 'enum': for (const v of t.values) void v.value; break;
    case 'func_proto': void t.ret.kind; for (const p of t.params) void p.type.kind; break;
    case 'datasec': for (const v of t.vars) void v.type.kind; break;
    case 'ptr': case 'typedef': case 'volatile': case 'const': case 'restrict': case 'type_tag': case 'decl_tag': void t.target.kind; break;
    case 'array': void t.elem.kind; break;
    case 'func': void t.proto.kind; break;
    case 'var': void t.type.kind; break;
    default: break;
  }
  attempt(() => resolveType(t));
  attempt(() => sizeofType(t, btf.pointerSize));
  attempt(() => typeName(t));
  attempt(() => whatisDeclaration(t, 'x'));
  if (t.kind === 'struct' || t.kind === 'union' || t.kind === 'typedef' || t.kind === 'enum') {
    attempt(() => ptypeLines(t));
    attempt(() => datatypeDeclarationLines(t, { offsets: true }));
  }
}

export const btfTarget: FuzzTarget = {
  name: 'btf',
  description: 'BTF blobs: header, records, strings, the decoded type graph, lookups and gdb-style printing',
  kind: 'bytes',
  setup() {
    const r = refKernel();
    const real = typeof r === 'string' ? undefined : rawBtf(r.kernel);
    const seeds = [
      ...(real ? [trimBtf(real, KEEP), trimBtf(real, 40)] : []),
      ...SCENARIOS.map((s) => rawBtf(scenarioKernel(s))!).filter((b) => b !== undefined),
    ];
    return {
      seeds,
      note: refNote(),
      dict: { ints: [0x0d000000n, 0x84000002n, 0x04000003n, 0x0f000001n, 0x13000001n, 0x10000n, 1n, 2n, 3n, 5n, 10n, 100n], tokens: ['\x9f\xeb\x01\x00', 'task_struct\0'] },
      run(input) {
        const btf = Btf.fromBytes(input);
        btf.kindCounts();
        const last = Math.min(btf.wire.lastId, btf.wire.firstId + MAX_WALK);
        for (let id = 0; id <= last; id++) {
          const t = attempt(() => btf.type(id));
          if (t) attempt(() => touch(btf, t));
        }
        for (const n of ['task_struct', 'struct list_head', 'unsigned long', 'int', 'union x', 'enum pid_type']) attempt(() => btf.findType(n));
        attempt(() => btf.findVar('runqueues'));
        attempt(() => btf.findFunc('schedule'));
        attempt(() => btf.enumConstant('TASK_RUNNING'));
        attempt(() => [btf.structNames(), btf.enumNames(), btf.typeNames()]);
        const ts = attempt(() => btf.findType('struct task_struct'));
        if (ts) attempt(() => btf.offsetof(ts, 'se.vruntime'));
      },
    };
  },
};
