import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Btf, BtfKind, resolveType, type CType, type StructType } from '../../src/debuginfo/btf/index.js';
import { CrashError, DebugInfoError } from '../../src/util/errors.js';
import { formatValue } from '../../src/format/cvalue.js';
import { openDumpFile } from '../../src/dump/open.js';
import { VmcoreInfo } from '../../src/debuginfo/vmcoreinfo.js';
import { ptypeLines, whatisDeclaration } from '../../src/format/ctype.js';
import { refdump } from '../support/refdump.js';

/** A tiny BTF writer: records are u32 words; strings deduplicated. */
class BtfBuilder {
  private readonly strings: string[] = [''];
  private readonly strOff = new Map<string, number>([['', 0]]);
  private strLen = 1;
  private readonly words: number[] = [];

  /** For split BTF: string offsets and type ids continue from the base's. */
  constructor(private readonly strBase = 0, private next = 1) {}

  str(s: string): number {
    if (s === '') return 0;
    let o = this.strOff.get(s);
    if (o === undefined) {
      o = this.strBase + this.strLen;
      this.strOff.set(s, o);
      this.strings.push(s);
      this.strLen += s.length + 1;
    }
    return o;
  }

  add(kind: number, name: string, vlen: number, kflag: boolean, sizeOrType: number, tail: number[] = []): number {
    this.words.push(this.str(name), ((kflag ? 1 : 0) << 31 | kind << 24 | vlen) >>> 0, sizeOrType, ...tail.map((w) => w >>> 0));
    return this.next++;
  }

  build(): Uint8Array {
    const strBytes = new TextEncoder().encode(this.strings.join('\0') + '\0');
    const typeLen = this.words.length * 4;
    const out = new Uint8Array(24 + typeLen + strBytes.length);
    const dv = new DataView(out.buffer);
    dv.setUint16(0, 0xeb9f, true);
    out[2] = 1;
    dv.setUint32(4, 24, true);
    dv.setUint32(8, 0, true);
    dv.setUint32(12, typeLen, true);
    dv.setUint32(16, typeLen, true);
    dv.setUint32(20, strBytes.length, true);
    this.words.forEach((w, i) => dv.setUint32(24 + i * 4, w, true));
    out.set(strBytes, 24 + typeLen);
    return out;
  }
}

function full(): Uint8Array {
  const b = new BtfBuilder();
  const K = BtfKind;
  b.add(K.INT, 'int', 0, false, 4, [(1 << 24) | 32]); //                         1
  b.add(K.INT, 'unsigned int', 0, false, 4, [32]); //                             2
  b.add(K.INT, 'char', 0, false, 1, [(1 << 24) | 8]); //                          3
  b.add(K.STRUCT, 'list_head', 2, false, 16, [b.str('next'), 5, 0, b.str('prev'), 5, 64]); // 4
  b.add(K.PTR, '', 0, false, 4); //                                               5
  b.add(K.ARRAY, '', 0, false, 0, [3, 2, 16]); //                                 6 char[16]
  b.add(K.UNION, '', 2, false, 4, [b.str('a'), 1, 0, b.str('b'), 2, 0]); //       7 anonymous union
  b.add(K.STRUCT, 'task', 5, true, 48, [
    b.str('tasks'), 4, 0, b.str('comm'), 6, 128, b.str(''), 7, 256,
    b.str('bf'), 2, (3 << 24) | 288, b.str('bf2'), 2, (5 << 24) | 291,
  ]); //                                                                          8
  b.add(K.ENUM, 'pid_type', 2, false, 4, [b.str('PIDTYPE_PID'), 0, b.str('PIDTYPE_TGID'), 1]); // 9
  b.add(K.FWD, 'file', 0, false, 0); //                                           10
  b.add(K.TYPEDEF, 'u32', 0, false, 2); //                                        11
  b.add(K.VOLATILE, '', 0, false, 1); //                                          12
  b.add(K.CONST, '', 0, false, 3); //                                             13 const char
  b.add(K.RESTRICT, '', 0, false, 14); //                                         14 a cycle (itself)
  b.add(K.FUNC_PROTO, '', 2, false, 1, [b.str('fmt'), 16, 0, 0]); //              15 int (const char *, ...)
  b.add(K.PTR, '', 0, false, 13); //                                              16 const char *
  b.add(K.FUNC, 'printk', 1, false, 15); //                                       17
  b.add(K.VAR, 'runqueues', 0, false, 8, [1]); //                                 18
  b.add(K.DATASEC, '.data..percpu', 1, false, 64, [18, 0x1fb40, 48]); //          19
  b.add(K.FLOAT, 'double', 0, false, 8); //                                       20
  b.add(K.DECL_TAG, 'user', 0, false, 8, [-1]); //                                21
  b.add(K.TYPE_TAG, 'rcu', 0, false, 8); //                                       22
  b.add(K.ENUM64, 'big', 1, true, 8, [b.str('BIG_NEG'), 0xfffffffe, 0xffffffff]); // 23
  b.add(K.TYPEDEF, 'task_t', 0, false, 8); //                                     24
  b.add(K.INT, 'long int', 0, false, 8, [(1 << 24) | 64]); //                     25
  return b.build();
}

describe('BTF wire and type graph (synthetic)', () => {
  const btf = Btf.fromBytes(full());

  it('decodes every kind and counts them', () => {
    const counts = btf.kindCounts();
    expect(counts.UNKN).toBe(0);
    for (const k of ['INT', 'PTR', 'ARRAY', 'STRUCT', 'UNION', 'ENUM', 'FWD', 'TYPEDEF', 'VOLATILE', 'CONST', 'RESTRICT',
      'FUNC', 'FUNC_PROTO', 'VAR', 'DATASEC', 'FLOAT', 'DECL_TAG', 'TYPE_TAG', 'ENUM64'] as const) {
      expect(counts[k], k).toBeGreaterThan(0);
    }
    for (let id = 1; id <= btf.wire.lastId; id++) expect(btf.type(id).id).toBe(id);
  });

  it('keeps C namespaces apart and resolves cycles lazily', () => {
    const task = btf.findType('struct task') as StructType;
    expect(task.kind).toBe('struct');
    expect(btf.findType('task')).toBeUndefined();
    expect(btf.findType('task_t')?.kind).toBe('typedef');
    expect(btf.findType('task', 'struct')).toBe(task);
    const lh = btf.findType('list_head', 'struct') as StructType;
    const next = lh.members[0]!.type;
    expect(next.kind === 'ptr' && next.target).toBe(lh);
    expect(btf.findType('unsigned long')).toBeUndefined();
    expect(btf.findType('long')?.kind).toBe('int');
    expect(btf.findType('file', 'struct')?.kind).toBe('fwd');
    expect(ptypeLines(lh)).toEqual(['struct list_head {', '    struct list_head *next;', '    struct list_head *prev;', '}']);
  });

  it('walks member paths, through anonymous unions, with bitfields', () => {
    const task = btf.findType('task', 'struct')!;
    expect(btf.member(task, 'comm')).toMatchObject({ bitOffset: 128, bitSize: 0 });
    expect(btf.member(task, 'b')).toMatchObject({ bitOffset: 256, bitSize: 0 });
    expect(btf.member(task, 'bf')).toMatchObject({ bitOffset: 288, bitSize: 3 });
    expect(btf.member(task, 'bf2')).toMatchObject({ bitOffset: 291, bitSize: 5 });
    expect(btf.member(task, 'tasks.prev')).toMatchObject({ bitOffset: 64 });
    expect(btf.member(task, 'comm[3]')).toMatchObject({ bitOffset: 128 + 24 });
    expect(btf.member(task, 'nope')).toBeUndefined();
    expect(btf.offsetof(task, 'tasks.prev')).toBe(8);
    expect(btf.sizeof(task)).toBe(48);
    expect(btf.sizeof(btf.findType('task_t')!)).toBe(48);
    expect(() => btf.member(task, 'comm..x')).toThrow(DebugInfoError);
  });

  it('finds variables, functions and enumerators', () => {
    const v = btf.findVar('runqueues')!;
    expect(v).toMatchObject({ section: '.data..percpu', offset: 0x1fb40n, size: 48, linkage: 'global_allocated' });
    expect(resolveType(v.type).kind).toBe('struct');
    const f = btf.findFunc('printk')!;
    expect(f.linkage).toBe('global');
    const proto = f.proto;
    expect(proto.kind === 'func_proto' && proto.variadic && proto.params.map((p) => p.name)).toEqual(['fmt']);
    expect(btf.enumConstant('PIDTYPE_TGID')?.value).toBe(1n);
    expect(btf.enumConstant('BIG_NEG')?.value).toBe(-2n);
    expect(btf.structNames()).toEqual(['list_head', 'task']);
    expect(btf.typeNames()).toEqual(['char', 'double', 'int', 'long int', 'task_t', 'u32', 'unsigned int']);
  });

  it('turns qualifier cycles into DebugInfoError', () => {
    // id 14 is a RESTRICT pointing at itself.
    expect(() => btf.resolve(btf.type(14))).toThrow(DebugInfoError);
  });
});

describe('split BTF (a module on top of vmlinux)', () => {
  it('continues ids and strings from the base and shares base nodes', () => {
    const base = Btf.fromBytes(full());
    const b = new BtfBuilder(base.wire.header.str_len, base.wire.lastId + 1);
    const id = b.add(BtfKind.STRUCT, 'mod_state', 2, false, 24, [b.str('node'), 4, 0, b.str('count'), 11, 128]);
    b.add(BtfKind.VAR, 'mod_var', 0, false, id, [1]);
    const mod = Btf.fromBytes(b.build(), { base });
    const t = mod.findType('mod_state', 'struct') as StructType;
    expect(t.id).toBe(id);
    expect(t.members[0]!.type).toBe(base.findType('list_head', 'struct'));
    expect(mod.findType('u32')).toBe(base.findType('u32'));
    expect(mod.findVar('mod_var')?.type).toBe(t);
    expect(mod.findFunc('printk')).toBe(base.findFunc('printk'));
    expect(mod.structNames()).toEqual(['list_head', 'mod_state', 'task']);
  });
});

describe('BTF garbage', () => {
  const good = full();
  const mutate = (f: (dv: DataView, b: Uint8Array) => void, blob = good): Uint8Array => {
    const b = blob.slice();
    f(new DataView(b.buffer), b);
    return b;
  };
  const decodeAll = (blob: Uint8Array): void => {
    const btf = Btf.fromBytes(blob);
    for (let id = 1; id <= btf.wire.lastId; id++) {
      const t = btf.type(id);
      if (t.kind === 'struct' || t.kind === 'union') t.members.forEach((m) => m.type);
      if (t.kind === 'enum') void t.values;
      if (t.kind === 'func_proto') t.params.forEach((p) => p.type);
      if (t.kind === 'datasec') t.vars.forEach((v) => v.type);
    }
    btf.findType('x');
    btf.findVar('x');
    btf.enumConstant('x');
  };

  it.each([
    ['short blob', new Uint8Array(10)],
    ['bad magic', mutate((dv) => dv.setUint16(0, 0x1234, true))],
    ['bad version', mutate((_, b) => { b[2] = 2; })],
    ['hdr_len past the end', mutate((dv) => dv.setUint32(4, 1 << 30, true))],
    ['type section past the end', mutate((dv) => dv.setUint32(12, 0xfffffff0, true))],
    ['string section past the end', mutate((dv) => dv.setUint32(20, 0x7fffffff, true))],
    ['unknown kind', mutate((dv) => dv.setUint32(24 + 4, 20 << 24, true))],
    ['vlen past the section', mutate((dv) => dv.setUint32(76, (BtfKind.STRUCT << 24) | 0xffff, true))],
    ['string offset out of range', mutate((dv) => dv.setUint32(24, 0xffffff, true))],
    ['type id out of range', mutate((dv) => dv.setUint32(116, 99999, true))],
  ])('%s raises DebugInfoError', (_, blob) => {
    expect(() => decodeAll(blob)).toThrow(DebugInfoError);
  });

  it('survives random corruption with DebugInfoError only', () => {
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 2000; i++) {
      const b = good.slice();
      for (let k = 0, n = 1 + rnd(4); k < n; k++) b[rnd(b.length)] = rnd(256);
      const blob = rnd(10) === 0 ? b.subarray(0, rnd(b.length)) : b;
      try {
        decodeAll(blob);
        const btf = Btf.fromBytes(blob);
        for (let id = 1; id <= btf.wire.lastId; id++) {
          try {
            btf.sizeof(btf.type(id));
            ptypeLines(btf.type(id));
            formatValue(new Uint8Array(256).fill(0x41), btf.type(id), { radix: 10 });
          } catch (e) {
            if (!(e instanceof CrashError)) throw e;
          }
        }
      } catch (e) {
        if (!(e instanceof DebugInfoError)) throw e;
      }
    }
  });
});

describe('BTF of the reference kernel', () => {
  const ref = refdump();
  if (typeof ref === 'string') console.log(`skipping reference-dump BTF tests: ${ref}`);
  it.skipIf(typeof ref === 'string')('parses fast, decodes every type, and agrees with crash', () => {
    if (typeof ref === 'string') return;
    const d = openDumpFile(ref.elf);
    try {
      const vi = new VmcoreInfo(d.vmcoreinfo!);
      const physBase = vi.number('phys_base')!;
      const ko = vi.num('KERNELOFFSET')!;
      const readKernel = (va: bigint, len: number): Uint8Array => d.readPhys(va - 0xffffffff80000000n + physBase, len);
      const map = readFileSync(ref.systemMap, 'latin1');
      const sym = (n: string): bigint => BigInt('0x' + new RegExp(`^([0-9a-f]+) \\S ${n}$`, 'm').exec(map)![1]) + ko;
      const start = sym('__start_BTF');
      const blob = readKernel(start, Number(sym('__stop_BTF') - start));

      const t0 = performance.now();
      const btf = Btf.fromBytes(blob);
      const parseMs = performance.now() - t0;
      const counts = btf.kindCounts();
      console.log(`BTF: ${blob.length} bytes, ${btf.typeCount} types, parsed in ${parseMs.toFixed(1)} ms`, counts);
      expect(parseMs).toBeLessThan(1000);
      expect(counts.UNKN).toBe(0);
      expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(btf.typeCount);
      for (let id = 1; id <= btf.wire.lastId; id++) {
        const t: CType = btf.type(id);
        if (t.kind === 'struct' || t.kind === 'union') for (const m of t.members) void m.type.kind;
      }

      const ts = btf.findType('task_struct', 'struct')!;
      const pid = btf.member(ts, 'pid')!;
      const comm = btf.member(ts, 'comm')!;
      const state = btf.member(ts, '__state')!;
      expect(resolveType(pid.type)).toMatchObject({ kind: 'int', name: 'int', size: 4, signed: true });
      const commT = resolveType(comm.type);
      expect(commT.kind === 'array' && commT.length).toBe(16);
      expect(commT.kind === 'array' && resolveType(commT.elem)).toMatchObject({ kind: 'int', name: 'char', size: 1 });
      expect([state.bitOffset / 8, pid.bitOffset / 8, comm.bitOffset / 8]).toEqual([24, 2416, 2976]);
      const task = d.readPhys(0x1210000n, btf.sizeof(ts));
      const dv = new DataView(task.buffer, task.byteOffset);
      expect(dv.getInt32(pid.bitOffset / 8, true)).toBe(1);
      expect(new TextDecoder().decode(task.subarray(comm.bitOffset / 8, comm.bitOffset / 8 + 4))).toBe('init');

      expect(ptypeLines(btf.findType('struct list_head')!))
        .toEqual(['struct list_head {', '    struct list_head *next;', '    struct list_head *prev;', '}']);

      // Per-cpu variables: BTF VAR offset + __per_cpu_offset[cpu] = crash's PER-CPU ADDRESSES.
      const pco = readKernel(sym('__per_cpu_offset'), 16);
      const offs = [0, 8].map((o) => new DataView(pco.buffer, pco.byteOffset).getBigUint64(o, true));
      for (const [file, name] of [['07_p_in_kernel_fpu.txt', 'in_kernel_fpu'], ['08_p_preempt_count.txt', '__preempt_count']]) {
        const v = btf.findVar(name!)!;
        expect(v.section).toBe('.data..percpu');
        const text = ['PER-CPU DATA TYPE:', `  ${whatisDeclaration(v.type, name!)}`, 'PER-CPU ADDRESSES:',
          ...offs.map((o, cpu) => `  [${cpu}]: ${(o + v.offset!).toString(16)}`)].join('\n') + '\n';
        expect(text).toBe(readFileSync(join(ref.goldenDir, file!), 'latin1'));
      }
      expect(btf.enumConstant('PIDTYPE_TGID')?.value).toBe(1n);
      expect(btf.findFunc('panic')?.proto.kind).toBe('func_proto');
    } finally {
      d.close();
    }
  });
});
