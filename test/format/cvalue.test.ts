import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { enumText, formatMembers, formatValue, type ValueContext } from '../../src/format/cvalue.js';
import { formatG, printStr } from '../../src/format/cscalar.js';
import type { CType } from '../../src/debuginfo/btf/types.js';
import { Btf } from '../../src/debuginfo/btf/index.js';
import { openDumpFile } from '../../src/dump/open.js';
import { VmcoreInfo } from '../../src/debuginfo/vmcoreinfo.js';
import { refdump } from '../support/refdump.js';
import {
  arr, BOOL, CHAR, DOUBLE, enm, FLOAT, fn, INT, konst, listHead, LONG, ptr, SCHAR, SHORT, struct, UCHAR, ULONG, VOIDT,
} from './fixture-types.js';

// A C program's global `struct s g`, set up as below; EXPECTED_* are gdb's own `p g` output under
// crash's settings (print pretty on, repeats unlimited, elements 256), output-radix 10 and 16.
const G = 0x555555558040n;
const TARGET_VAR = 0x555555558010n;
const BANNER = 0x555555556010n;
const AFUNC = 0x555555555129n;
const lh = listHead();
const s = struct('s', 1664, [
  ['pi', ptr(INT), 0], ['pi2', ptr(INT), 8], ['cs', ptr(konst(CHAR)), 16], ['cs2', ptr(CHAR), 24],
  ['fp', ptr(fn(VOIDT, [])), 32], ['vp', ptr(VOIDT), 40], ['ucp', ptr(UCHAR), 48],
  ['weird', arr(CHAR, 8), 56], ['uca', arr(UCHAR, 4), 64], ['sca', arr(SCHAR, 4), 68],
  ['big', arr(INT, 300), 72], ['bigc', arr(CHAR, 300), 1272],
  ...(['f0', 'f1', 'f2', 'f3'].map((n, i): [string, CType, number] => [n, enm('flags', [['F_A', 1], ['F_B', 2], ['F_C', 4]]), 1572 + 4 * i])),
  ['m', enm('mixed', [['M_Z', 0], ['M_A', 1], ['M_B', 2]]), 1588],
  ['n', enm('neg', [['N_M', -1], ['N_P', 5]], 4, true), 1592],
  ['mu', enm('multi', [['MB_A', 1], ['MB_B', 6]]), 1596],
  ['b', BOOL, 1600], ['c', CHAR, 1601], ['uc', UCHAR, 1602], ['neg', SHORT, 1604], ['lneg', LONG, 1608],
  ['ul', ULONG, 1616], ['fl', FLOAT, 1624], ['db', DOUBLE, 1632], ['lh', lh, 1640],
  ['two', arr(arr(CHAR, 4), 2), 1656], ['e0', arr(INT, 0), 1664],
]);

function gBytes(): Uint8Array {
  const b = new Uint8Array(1664);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(0, TARGET_VAR + 4n, true);
  dv.setBigUint64(8, 0x1234n, true);
  dv.setBigUint64(16, BANNER, true);
  dv.setBigUint64(24, BANNER + 6n, true);
  dv.setBigUint64(32, AFUNC, true);
  dv.setBigUint64(40, AFUNC + 1n, true);
  dv.setBigUint64(48, BANNER, true);
  b.set([0x61, 0x22, 0x5c, 200, 10, 1, 0x27, 0], 56);
  b[64] = 0x78;
  b[68] = 0x79;
  for (let i = 0; i < 300; i++) {
    dv.setInt32(72 + 4 * i, i, true);
    b[1272 + i] = 0x61 + (i % 26);
  }
  [0, 5, 8, 18, 3, -1, 7].forEach((v, i) => dv.setInt32(1572 + 4 * i, v, true));
  b[1600] = 1;
  b[1601] = 65;
  b[1602] = 255;
  dv.setInt16(1604, -3, true);
  dv.setBigInt64(1608, -1n, true);
  dv.setBigUint64(1616, (1n << 64n) - 1n, true);
  dv.setFloat32(1624, 1.5, true);
  dv.setFloat64(1632, -2.25, true);
  dv.setBigUint64(1640, G + 1640n, true);
  b.set([0x68, 0, 0, 0, 0x69, 0x6a, 0x6b, 0x6c], 1656);
  return b;
}

const SYMS: [string, bigint, number][] = [['afunc', AFUNC, 11], ['banner', BANNER, 19], ['target_var', TARGET_VAR, 16], ['g', G, 1664]];
const bannerText = new TextEncoder().encode('Linux version 6.1\n\0');
const ctx = (radix: 10 | 16): ValueContext => ({
  radix,
  symbolize: (a) => {
    const hit = SYMS.find(([, start, size]) => a >= start && a < start + BigInt(size));
    return hit ? { name: hit[0], offset: a - hit[1] } : undefined;
  },
  readMemory: (a, n) => (a >= BANNER && a < BANNER + 19n ? bannerText.slice(Number(a - BANNER), Number(a - BANNER) + n) : undefined),
});

const big = (radix: 10 | 16): string => Array.from({ length: 256 }, (_, i) => (radix === 16 ? `0x${i.toString(16)}` : String(i))).join(', ');
const bigc = Array.from({ length: 256 }, (_, i) => String.fromCharCode(0x61 + (i % 26))).join('');

function expected(radix: 10 | 16): string {
  const dec = radix === 10;
  return `{
  pi = 0x555555558014 <target_var+4>,
  pi2 = 0x1234,
  cs = 0x555555556010 <banner> "Linux version 6.1\\n",
  cs2 = 0x555555556016 <banner+6> "version 6.1\\n",
  fp = 0x555555555129 <afunc>,
  vp = 0x55555555512a <afunc+1>,
  ucp = 0x555555556010 <banner> "Linux version 6.1\\n",
  weird = "a\\"\\\\\\310\\n\\001'",
  uca = "x\\000\\000",
  sca = "y\\000\\000",
  big = {${big(radix)}...},
  bigc = "${bigc}"...,
  f0 = 0,
  f1 = (F_A | F_C),
  f2 = (unknown: 0x8),
  f3 = (F_B | unknown: 0x10),
  m = (M_A | M_B),
  n = N_M,
  mu = 7,
  b = ${dec ? 'true' : '0x1'},
  c = ${dec ? "65 'A'" : '0x41'},
  uc = ${dec ? "255 '\\377'" : '0xff'},
  neg = ${dec ? '-3' : '0xfffd'},
  lneg = ${dec ? '-1' : '0xffffffffffffffff'},
  ul = ${dec ? '18446744073709551615' : '0xffffffffffffffff'},
  fl = 1.5,
  db = -2.25,
  lh = {
    next = 0x5555555586a8 <g+1640>,
    prev = 0x0
  },
  two = {"h\\000\\000", "ijkl"},
  e0 = 0x5555555586c0
}`;
}

describe('gdb print of a struct (crash settings)', () => {
  it('matches gdb in radix 10', () => {
    expect(formatValue(gBytes(), s, ctx(10), { address: G }).join('\n')).toBe(expected(10));
  });
  it('matches gdb in radix 16', () => {
    expect(formatValue(gBytes(), s, ctx(16), { address: G }).join('\n')).toBe(expected(16));
  });

  it('prints arrays of structs, empty structs and nested anonymous unions like gdb', () => {
    const t = struct('t', 40, [
      ['lh', arr(lh, 2), 0], ['e', struct('', 0, []), 32],
      ['', struct('', 8, [['u1', INT, 0], ['', struct('', 4, [['dd', INT, 4]]), 0]]), 32],
    ]);
    expect(formatValue(new Uint8Array(40), t, ctx(10)).join('\n')).toBe(`{
  lh = {{
      next = 0x0,
      prev = 0x0
    }, {
      next = 0x0,
      prev = 0x0
    }},
  e = {<No data fields>},
  {
    u1 = 0,
    {
      dd = 0
    }
  }
}`);
  });

  it('prints bitfields, signed and enum-typed', () => {
    const e = enm('st', [['A', 0], ['B', 1], ['C', 2], ['D', 3]]);
    const t = struct('bf', 4, [['a', INT, 0, 3], ['b', INT, 0, 3, 3], ['c', e, 0, 2, 6], ['d', BOOL, 1, 1], ['u', ULONG, 1, 7, 1]]);
    const b = Uint8Array.from([0b10_111_011, 0b1111111_1, 0, 0]);
    expect(formatValue(b, t, ctx(10)).join('\n')).toBe('{\n  a = 3,\n  b = -1,\n  c = C,\n  d = true,\n  u = 127\n}');
    expect(formatValue(b, t, ctx(16)).join('\n')).toBe('{\n  a = 0x3,\n  b = 0xffffffff,\n  c = C,\n  d = 0x1,\n  u = 0x7f\n}');
  });

  it('prints top-level pointers with their type, as gdb print does', () => {
    const p = new Uint8Array(8);
    new DataView(p.buffer).setBigUint64(0, AFUNC, true);
    expect(formatValue(p, ptr(fn(VOIDT, [])), ctx(10), { printTypePrefix: true })).toEqual(['(void (*)(void)) 0x555555555129 <afunc>']);
    expect(formatValue(p, ptr(lh), ctx(10), { printTypePrefix: true })).toEqual(['(struct list_head *) 0x555555555129 <afunc>']);
    new DataView(p.buffer).setBigUint64(0, BANNER, true);
    expect(formatValue(p, ptr(konst(CHAR)), ctx(10), { printTypePrefix: true })).toEqual(['0x555555556010 <banner> "Linux version 6.1\\n"']);
  });

  it('reports unreadable strings as gdb does', () => {
    const p = new Uint8Array(8);
    new DataView(p.buffer).setBigUint64(0, 0xffff888000001000n, true);
    expect(formatValue(p, ptr(CHAR), ctx(10))).toEqual(['0xffff888000001000 <error: Cannot access memory at address 0xffff888000001000>']);
  });
});

describe('crash member selection (struct X.m1,m2 ADDR)', () => {
  const t = struct('t', 36, [
    ['first', INT, 0], ['', struct('', 8, [['a', INT, 0], ['b', LONG, 0]], 'union'), 8], ['lh', lh, 16], ['name', arr(CHAR, 4), 32],
  ]);
  const bytes = new Uint8Array(36);
  bytes[0] = 1;
  bytes.set([0x61, 0x62], 32);

  it('prints each member as its lines in the full struct output', () => {
    expect(formatMembers(bytes, t, ['b', 'first', 'lh', 'name'], ctx(10))).toEqual([
      '    b = 0', '  first = 1,', '  lh = {', '    next = 0x0,', '    prev = 0x0', '  },', '  name = "ab\\000"',
    ]);
  });
  it('prints member paths with the full path', () => {
    expect(formatMembers(bytes, t, ['lh.next', 'lh.prev', 'name[1]'], ctx(16))).toEqual([
      '  lh.next = 0x0,', '  lh.prev = 0x0', "  name[1] = 0x62,",
    ]);
  });
  it('rejects unknown members with crash\'s message', () => {
    expect(() => formatMembers(bytes, t, ['nope'], ctx(10))).toThrow('invalid data structure reference: t.nope');
    expect(() => formatMembers(bytes, t, ['lh.nope'], ctx(10))).toThrow('invalid data structure reference: t.lh.nope');
  });
});

describe('gdb scalar text', () => {
  it('escapes strings as gdb 10 does', () => {
    expect(printStr(Uint8Array.from([1, 0x35, 0x61, 0]))).toBe('"\\001\\065a"');
    expect(printStr(Uint8Array.from([0, 0x78]))).toBe('"\\000x"');
    expect(printStr(Uint8Array.from([0x61, 0, 0, 0x62, 0]))).toBe('"a\\000\\000b"');
    expect(printStr(Uint8Array.from([0]))).toBe('""');
    expect(printStr(new Uint8Array(300))).toBe(`"${'\\000'.repeat(299)}"`);
  });
  it('formats floats with %g at 9/17 digits', () => {
    expect(formatG(Math.fround(0.1), 9)).toBe('0.100000001');
    expect(formatG(0.1, 17)).toBe('0.10000000000000001');
    expect(formatG(1e20, 17)).toBe('1e+20');
    expect(formatG(1 / 3, 17)).toBe('0.33333333333333331');
    expect(formatG(Math.fround(3e-10), 9)).toBe('2.99999997e-10');
    expect(formatG(1e16, 17)).toBe('10000000000000000');
    expect(formatG(123456789012345678, 17)).toBe('1.2345678901234568e+17');
    expect(formatG(-0, 17)).toBe('-0');
  });
  it('decomposes flag enums like gdb', () => {
    const dup = enm('dup', [['D_A', 1], ['D_B', 1], ['D_C', 2]]);
    expect(enumText(dup, 3n)).toBe('(D_A | D_C)');
    expect(enumText(enm('z', [['Z_0', 0], ['Z_1', 1]]), 2n)).toBe('(unknown: 0x2)');
    expect(enumText(enm('mb', [['A', 1], ['B', 2], ['AB', 3]]), 7n)).toBe('7');
  });
});

describe('reference dump goldens', () => {
  const ref = refdump();
  it.skipIf(typeof ref === 'string')('formats task_struct.pid,comm,__state of PID 1 as crash does', () => {
    if (typeof ref === 'string') return;
    const d = openDumpFile(ref.elf);
    try {
      const vi = new VmcoreInfo(d.vmcoreinfo!);
      const physBase = vi.number('phys_base')!;
      const ko = vi.num('KERNELOFFSET')!;
      const map = readFileSync(ref.systemMap, 'latin1');
      const sym = (n: string): bigint => BigInt('0x' + new RegExp(`^([0-9a-f]+) \\S ${n}$`, 'm').exec(map)![1]) + ko;
      const start = sym('__start_BTF');
      const blob = d.readPhys(start - 0xffffffff80000000n + physBase, Number(sym('__stop_BTF') - start));
      const btf = Btf.fromBytes(blob);
      const ts = btf.findType('task_struct', 'struct')!;
      const bytes = d.readPhys(0x1210000n, btf.sizeof(ts));
      const c: ValueContext = { radix: 10 };
      const golden = (f: string): string => readFileSync(join(ref.goldenDir, f), 'latin1');
      expect(formatMembers(bytes, ts, ['pid', 'comm', '__state'], c).join('\n') + '\n')
        .toBe(golden('19_struct_task_struct_pid_comm_state_ffff8b.txt'));
      expect(formatMembers(bytes, ts, ['comm'], c).join('\n') + '\n').toBe(golden('20_task_struct_comm_ffff8b3e81210000.txt'));
      expect(formatValue(bytes, ts, c)[0]).toBe('{');
      const initTask = d.readPhys(sym('init_task') - 0xffffffff80000000n + physBase, btf.sizeof(ts));
      expect(formatMembers(initTask, ts, ['pid', 'comm'], c))
        .toEqual(golden('22_list_task_struct_tasks_h_init_task_s_tas.txt').split('\n').slice(1, 3));
      expect(formatMembers(bytes, ts, ['se.on_rq', 'thread_info'], c)).toEqual([
        '  se.on_rq = 1,', '  thread_info = {', '    flags = 0,', '    syscall_work = 0,', '    status = 0,', '    cpu = 1', '  },',
      ]);
    } finally {
      d.close();
    }
  });
  if (typeof ref === 'string') console.log(`skipping reference-dump value tests: ${ref}`);
});
