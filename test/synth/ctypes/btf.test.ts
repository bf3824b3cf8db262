/**
 * parse → layout → encode → Btf.fromBytes: the reader must see exactly the graph the layout
 * built (same ids, names, sizes, member offsets), the records must look like pahole's, and
 * `ptype` must print what gdb prints for the same declarations compiled by gcc -g.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Btf, BtfKind, type CType, type StructType } from '../../../src/debuginfo/btf/index.js';
import { BTF_INT_BOOL, BTF_INT_SIGNED, btfIntEncoding } from '../../../src/debuginfo/btf/wire.js';
import { ptypeLines, typeName } from '../../../src/format/ctype.js';
import { encodeBtf, parseCDeclarations, type CTypeSet } from '../../../src/synth/ctypes/index.js';

const LAYOUTS = readFileSync(new URL('./fixtures/layouts.h', import.meta.url), 'utf8');
const EXTRA = `
struct list_head;
union maybe;
typedef int (*cmp_fn)(const void *, const void *);
typedef int handler_t(int, ...);
struct rq { int cpu; struct list_head *leaf; cmp_fn cmp; union maybe *m; float load; double avg; };
extern int __preempt_count;
extern struct rq runqueues;
void schedule(void);
int printk(const char *fmt, ...);
`;
const set = parseCDeclarations(LAYOUTS + EXTRA, 'layouts.h');
const blob = encodeBtf(set);
const btf = Btf.fromBytes(blob);

/** A structural description that is equal for equal C types (names, sizes, offsets, targets). */
function describeType(t: CType, depth = 0): unknown {
  const base = { id: t.id, kind: t.kind, text: typeName(t) };
  if (depth > 1) return base;
  switch (t.kind) {
    case 'struct': case 'union':
      return { ...base, name: t.name, size: t.size, members: t.members.map((m) => ({ ...m, type: describeType(m.type, depth + 1) })) };
    case 'int': return { ...base, name: t.name, size: t.size, signed: t.signed, bool: t.bool, char: t.char, bits: t.bits, bitOffset: t.bitOffset };
    case 'enum': return { ...base, name: t.name, size: t.size, signed: t.signed, values: t.values };
    case 'ptr': case 'typedef': case 'const': case 'volatile': return { ...base, target: describeType(t.target, depth + 1) };
    case 'array': return { ...base, length: t.length, elem: describeType(t.elem, depth + 1) };
    case 'func_proto': return { ...base, variadic: t.variadic, ret: describeType(t.ret, depth + 1), params: t.params.map((p) => ({ name: p.name, type: describeType(p.type, depth + 1) })) };
    case 'fwd': return { ...base, name: t.name, union: t.union };
    case 'float': return { ...base, name: t.name, size: t.size };
    default: return base;
  }
}

describe('round trip through the BTF reader', () => {
  it('decodes every node as laid out, with the same id', () => {
    expect(btf.typeCount).toBe(set.all.length + 1); // + __ARRAY_SIZE_TYPE__
    for (const t of set.all) expect(describeType(btf.type(t.id)), `type id ${t.id}`).toEqual(describeType(t));
  });

  it('finds types by name with member offsets and sizes equal to the layout', () => {
    for (const [key, t] of set.types) {
      if (t.kind !== 'struct' && t.kind !== 'union') continue;
      const got = btf.findType(key) as StructType;
      expect(got.id).toBe(t.id);
      expect(btf.sizeof(got)).toBe(t.size);
      for (const m of t.members) if (m.name) expect(btf.member(got, m.name)).toMatchObject({ bitOffset: m.bitOffset, bitSize: m.bitSize });
    }
    expect(btf.offsetof(btf.findType('struct outer')!, 'page.p')).toBe(144);
    expect(btf.member(btf.findType('struct anon_bits')!, 'mid')).toMatchObject({ bitOffset: 44, bitSize: 12 });
    expect(btf.findType('unsigned long')).toBe(btf.findType('long unsigned int'));
    expect(btf.pointerSize).toBe(8);
  });

  it('keeps enumerators, 64-bit enums and signedness', () => {
    expect(btf.enumConstant('GREEN')?.value).toBe(1n);
    expect(btf.enumConstant('BIG_B')?.value).toBe(0x100000000n);
    expect(btf.enumConstant('NEG_A')).toMatchObject({ value: -1n, type: { signed: true, size: 4 } });
    expect(btf.enumConstant('SMALL_B')).toMatchObject({ value: 200n, type: { size: 1 } });
  });
});

describe('records as pahole writes them', () => {
  const w = btf.wire;
  const records = Array.from({ length: w.count }, (_, i) => w.record(i + 1));

  it('has the kernel header and a deduplicated string section starting with ""', () => {
    const dv = new DataView(blob.buffer, blob.byteOffset);
    expect(w.header).toMatchObject({ magic: 0xeb9f, version: 1, flags: 0, hdr_len: 24, type_off: 0 });
    expect(w.header.str_off).toBe(w.header.type_len);
    expect(dv.getUint16(0, true)).toBe(0xeb9f);
    const strs = new TextDecoder().decode(blob.subarray(24 + w.header.str_off)).split('\0');
    expect(strs[0]).toBe('');
    const named = strs.slice(1, -1);
    expect(new Set(named).size).toBe(named.length);
    expect(named.filter((s) => s === 'a').length).toBe(1); // member `a` of many structs: one string
  });

  it('encodes ints as pahole: SIGNED for signed types and plain char, BOOL for _Bool', () => {
    const enc = (name: string): number => btfIntEncoding(w.record(btf.findType(name)!.id).int_data!);
    expect([enc('char'), enc('signed char'), enc('unsigned char'), enc('int'), enc('long unsigned int'), enc('_Bool')])
      .toEqual([BTF_INT_SIGNED, BTF_INT_SIGNED, 0, BTF_INT_SIGNED, 0, BTF_INT_BOOL]);
    const arm = Btf.fromBytes(encodeBtf(parseCDeclarations('#define __CHAR_UNSIGNED__ 1\n')));
    expect(btfIntEncoding(arm.wire.record(arm.findType('char')!.id).int_data!)).toBe(0);
  });

  it('indexes arrays with __ARRAY_SIZE_TYPE__', () => {
    const idx = btf.findType('__ARRAY_SIZE_TYPE__')!;
    expect(idx).toMatchObject({ kind: 'int', size: 4, signed: false, bits: 32 });
    const arrays = records.filter((r) => r.kind === BtfKind.ARRAY);
    expect(arrays.length).toBeGreaterThan(5);
    for (const a of arrays) expect(a.array!.index_type).toBe(idx.id);
  });

  it('sets kind_flag on structs with bitfields only, and on signed enums and union forwards', () => {
    const rec = (name: string): ReturnType<typeof w.record> => w.record(btf.findType(name)!.id);
    expect(rec('struct bf_basic').kind_flag).toBe(true);
    expect(rec('struct bf_basic').members!.map((m) => m.offset)).toEqual([(3 << 24) | 0, (30 << 24) | 32, 64]);
    expect(rec('struct natural').kind_flag).toBe(false);
    expect(rec('struct natural').members!.map((m) => m.offset)).toEqual([0, 64, 128, 160, 192]);
    expect([rec('enum neg_enum').kind_flag, rec('enum colour').kind_flag]).toEqual([true, false]);
    expect(rec('enum big_enum').kind).toBe(BtfKind.ENUM64);
    expect(rec('enum colour').kind).toBe(BtfKind.ENUM);
    expect(rec('union maybe')).toMatchObject({ kind: BtfKind.FWD, kind_flag: true });
    expect(rec('struct list_head').kind).toBe(BtfKind.STRUCT);
  });

  it('writes FLOAT, CONST, VOLATILE, FUNC_PROTO (with a trailing vararg) and TYPEDEF', () => {
    const counts = btf.kindCounts();
    expect(counts.FLOAT).toBe(3); // float, double, long double
    expect(counts.CONST).toBeGreaterThan(0);
    expect(counts.VOLATILE).toBeGreaterThan(0);
    const handler = btf.findType('handler_t')!;
    expect(typeName(handler.kind === 'typedef' ? handler.target : handler)).toBe('int (int, ...)');
    const proto = w.record((handler as { target: CType }).target.id);
    expect(proto.params!.at(-1)).toEqual({ name_off: 0, type: 0 });
    expect(counts.VAR + counts.DATASEC + counts.FUNC).toBe(0);
  });
});

describe('per-cpu variables and functions', () => {
  const withExtras = (s: CTypeSet): Btf => Btf.fromBytes(encodeBtf(s, {
    percpuVars: [
      { name: 'runqueues', type: set.vars!.get('runqueues')!, offset: 0x1a0 },
      { name: '__preempt_count', type: set.vars!.get('__preempt_count')!, offset: 0x10 },
    ],
    funcs: [{ name: 'schedule', proto: set.funcs!.get('schedule') }, { name: 'printk', proto: set.funcs!.get('printk') }, { name: 'panic' }],
  }));
  const b = withExtras(set);

  it('adds VARs in a .data..percpu DATASEC sorted by offset', () => {
    expect(b.findVar('__preempt_count')).toMatchObject({ section: '.data..percpu', offset: 0x10n, size: 4, linkage: 'global_allocated' });
    const rq = b.findVar('runqueues')!;
    expect([rq.offset, rq.size, typeName(rq.type)]).toEqual([0x1a0n, 48, 'struct rq']);
    const sec = b.wire.record(b.wire.lastId);
    expect(sec.kind).toBe(BtfKind.DATASEC);
    expect(b.wire.str(sec.name_off)).toBe('.data..percpu');
    expect(sec.secinfos!.map((s) => s.offset)).toEqual([0x10, 0x1a0]);
    expect(sec.size_or_type).toBe(0x1a0 + 48);
  });

  it('adds FUNCs with their prototypes (parameter names kept), void (void) by default', () => {
    const printk = b.findFunc('printk')!;
    expect(printk).toMatchObject({ linkage: 'static' });
    expect(ptypeLines(printk)).toEqual(['int (const char *, ...)']);
    expect(printk.proto.kind === 'func_proto' && printk.proto.params.map((p) => p.name)).toEqual(['fmt']);
    expect(ptypeLines(b.findFunc('panic')!)).toEqual(['void (void)']);
    expect(b.findType('struct rq')!.id).toBe(set.types.get('struct rq')!.id);
  });
});

describe('ptype prints what gdb prints', () => {
  // gdb's `ptype` of the same file compiled with gcc -g; base type names as gcc's DWARF spells
  // them (gdb 10, which crash embeds, prints them so; gdb 13 shortens `long int` to `long`).
  const GDB: Record<string, string> = {
    'struct outer': `struct outer {
    struct inner in;
    struct inner arr[3];
    char comm[16];
    int grid[2][3];
    long int cpus[8];
    char odd[17];
    struct {
        struct list_head *p;
    } page;
    void (*fn)(struct outer *, int);
    const char * const *names;
    volatile long unsigned int counter;
}`,
    'struct anon_bits': `struct anon_bits {
    u32 head;
    union {
        u32 word;
        struct {...};
    };
}`,
    'struct bf_types': `struct bf_types {
    bool on : 1;
    enum colour col : 2;
    u8 flags : 5;
    u16 rest : 9;
}`,
    'struct enums': `struct enums {
    char c;
    enum small_enum s;
    enum big_enum b;
    enum neg_enum n;
    enum small_enum sb : 3;
}`,
    'struct char_types': `struct char_types {
    signed char sc;
    char c;
    unsigned char uc;
    short int s;
    short unsigned int us;
    long long int ll;
    long long unsigned int ull;
    bool b;
}`,
    'struct uses_typedefs': `struct uses_typedefs {
    anon_t x;
    anon_u y;
    aligned_u64 z;
    char w;
}`,
    'enum neg_enum': 'enum neg_enum {NEG_A = -1, NEG_B = 2147483647}',
  };
  for (const [name, text] of Object.entries(GDB)) {
    it(name, () => expect(ptypeLines(btf.findType(name)!).join('\n')).toBe(text));
  }
});
