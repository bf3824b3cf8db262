/**
 * Layouts must be GCC's. The expected numbers were printed by gcc 12 (x86-64) for
 * fixtures/layouts.h with the probe in gcc-probe.ts; when gcc is installed the last tests
 * recompile the fixtures and compare every member of every struct, so the table cannot drift.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findMember, resolveType, type EnumType, type IntType, type StructType } from '../../../src/debuginfo/btf/types.js';
import { parseCDeclarations } from '../../../src/synth/ctypes/index.js';
import { gccLayout, haveGcc, ourLayout } from './gcc-probe.js';

const LAYOUTS = readFileSync(new URL('./fixtures/layouts.h', import.meta.url), 'utf8');
const SKBUFF = readFileSync(new URL('./fixtures/skbuff-3.10.h', import.meta.url), 'utf8');
const set = parseCDeclarations(LAYOUTS, 'layouts.h');

/** size, then members: byte offset, or [bit offset, bit width] for bitfields. */
type Expect = [number, Record<string, number | [number, number]>];
const GCC: Record<string, Expect> = {
  'struct list_head': [16, { next: 0, prev: 8 }],
  'struct natural': [32, { c: 0, l: 8, s: 16, i: 20, tail: 24 }],
  'struct bf_basic': [12, { a: [0, 3], b: [32, 30], c: 8 }],
  'struct bf_zero': [8, { a: 0, b: [8, 4], c: 4 }],
  'struct bf_unnamed': [3, { a: 0, c: 2 }],
  'struct bf_unnamed_long': [2, { x: 1 }],
  'struct bf_zero_tail': [4, { a: 0 }],
  'struct bf_mixed': [8, { a: 0, b: [8, 40], c: [48, 9] }],
  'struct bf_char': [2, { a: [0, 3], b: [8, 6] }],
  'struct bf_types': [4, { on: [0, 1], col: [1, 2], flags: [3, 5], rest: [16, 9] }],
  'struct packed_s': [12, { a: 0, b: 1, c: [40, 40], d: 10 }],
  'struct packed_bf': [6, { a: 0, b: [8, 4], c: [12, 30] }],
  'struct packed_front': [7, { a: 0, b: 1, c: 5 }],
  'struct packed_member': [6, { a: 0, b: 1, c: 5 }],
  'struct packed_aligned': [8, { a: 0, b: 1 }],
  'struct aligned_member': [32, { a: 0, b: 16, c: 20 }],
  'struct aligned_type': [32, { a: 0 }],
  'struct holds_aligned': [96, { x: 0, t: 32, y: 64 }],
  'struct cacheline': [64, { a: 0, b: 8 }],
  'union u_basic': [8, { a: [0, 3], b: 0 }],
  'union u_mixed': [16, { c: 0, l: 0, lh: 0 }],
  'struct flex': [4, { n: 0, data: 4 }],
  'struct flex0': [8, { n: 0, data: 8 }],
  'struct anon': [32, { x: 0, a: 8, b: 8, c: 16, z: 24 }],
  'struct anon_bits': [8, { head: 0, word: 4, lo: [32, 12], mid: [44, 12], hi: [56, 8] }],
  'struct inner': [4, { s: 0, c: 2 }],
  'struct outer': [176, {
    in: 0, arr: 4, comm: 16, grid: 32, cpus: 56, odd: 120, page: 144, 'page.p': 144, fn: 152, names: 160, counter: 168,
  }],
  'struct packed_zero': [5, { a: 0, b: 4 }],
  'struct packed_nested': [41, { a: 0, n: 1, s: 33, l: 33 }],
  'struct bf_aligned': [16, { a: 0, b: [64, 3], c: 9 }],
  'union u_bits': [8, { a: [0, 5], b: [0, 33], c: 0 }],
  'struct enums': [24, { c: 0, s: 1, b: 8, n: 16, sb: [160, 3] }],
  'struct floats': [32, { c: 0, f: 4, d: 8, ld: 16 }],
  'struct uses_typedefs': [32, { x: 0, 'x.a': 0, 'x.b': 4, y: 8, 'y.v': 8, 'y.b': 8, z: 16, w: 24 }],
  'struct arr_of_structs': [80, { c: 0, items: 8, small: 72 }],
  'struct big_bits': [24, { a: [0, 63], b: [64, 2], c: [96, 31], d: [128, 2], e: [144, 15], f: [160, 7], g: [168, 2] }],
  'struct char_types': [32, { sc: 0, c: 1, uc: 2, s: 4, us: 6, ll: 8, ull: 16, b: 24 }],
  anon_t: [8, { a: 0, b: 4 }],
  anon_u: [4, { v: 0, b: 0 }],
};

describe('layout as GCC (LP64)', () => {
  for (const [name, [size, members]] of Object.entries(GCC)) {
    it(name, () => {
      const t = set.types.get(name);
      expect(t, name).toBeDefined();
      const s = resolveType(t!) as StructType;
      expect(s.size).toBe(size);
      for (const [path, want] of Object.entries(members)) {
        const m = findMember(s, path);
        expect(m, `${name}.${path}`).toBeDefined();
        const got = m!.bitSize ? [m!.bitOffset, m!.bitSize] : m!.bitOffset / 8;
        expect(got, `${name}.${path}`).toEqual(want);
      }
    });
  }

  it('leaves unnamed bitfields out of the member list, as DWARF and BTF do', () => {
    const s = set.types.get('struct bf_zero') as StructType;
    expect(s.members.map((m) => m.name)).toEqual(['a', 'b', 'c']);
  });

  it('sizes enums by their values (packed enums shrink, 64-bit values widen, negatives sign)', () => {
    const e = (n: string): EnumType => set.types.get(`enum ${n}`) as EnumType;
    expect([e('colour').size, e('colour').signed]).toEqual([4, false]);
    expect([e('small_enum').size, e('small_enum').signed]).toEqual([1, false]);
    expect([e('big_enum').size, e('big_enum').values[1]!.value]).toEqual([8, 0x100000000n]);
    expect([e('neg_enum').size, e('neg_enum').signed]).toEqual([4, true]);
  });

  it('numbers every node 1..n and interns derived types', () => {
    set.all.forEach((t, i) => expect(t.id).toBe(i + 1));
    const ptrs = set.all.filter((t) => t.kind === 'ptr' && t.target === set.types.get('struct list_head'));
    expect(ptrs).toHaveLength(1);
    const names = set.all.filter((t) => t.kind === 'int').map((t) => (t as IntType).name);
    expect(names).toEqual([
      'char', 'unsigned char', 'signed char', 'short int', 'short unsigned int', 'int', 'unsigned int', 'long int',
      'long unsigned int', 'long long int', 'long long unsigned int', '_Bool',
    ]);
    expect(set.types.get('unsigned long')).toBe(set.types.get('long unsigned int'));
  });

  it('makes plain char unsigned when __CHAR_UNSIGNED__ is defined (GCC on arm64)', () => {
    const x86 = parseCDeclarations('struct s { char c; };').types.get('char') as IntType;
    const arm = parseCDeclarations('#define __CHAR_UNSIGNED__ 1\nstruct s { char c; };').types.get('char') as IntType;
    expect([x86.signed, arm.signed]).toEqual([true, false]);
  });

  it('lets a pointer refer to a struct defined later, and keeps undefined ones as forward declarations', () => {
    const s = parseCDeclarations('struct a { struct b *b; struct c *c; union d *d; };\nstruct b { int x; };');
    const a = s.types.get('struct a') as StructType;
    const target = (i: number): string => {
      const p = a.members[i]!.type;
      return p.kind === 'ptr' ? p.target.kind : p.kind;
    };
    expect([target(0), target(1), target(2)]).toEqual(['struct', 'fwd', 'fwd']);
    expect(s.types.get('union d')).toMatchObject({ kind: 'fwd', union: true });
  });
});

describe.skipIf(!haveGcc())('against gcc itself', () => {
  it('fixtures/layouts.h: every size and member offset', () => {
    const g = gccLayout(LAYOUTS, set);
    const o = ourLayout(set);
    expect(Object.fromEntries(o.sizes)).toEqual(Object.fromEntries(g.sizes));
    expect(Object.fromEntries(o.members)).toEqual(Object.fromEntries(g.members));
  });

  it('fixtures/skbuff-3.10.h: every size and member offset', () => {
    const sk = parseCDeclarations(SKBUFF, 'skbuff-3.10.h');
    const g = gccLayout(SKBUFF, sk);
    const o = ourLayout(sk);
    expect(g.sizes.get('struct sk_buff')).toBe(248);
    expect(Object.fromEntries(o.sizes)).toEqual(Object.fromEntries(g.sizes));
    expect(Object.fromEntries(o.members)).toEqual(Object.fromEntries(g.members));
  });
});
