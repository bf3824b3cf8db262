import { describe, expect, it } from 'vitest';
import {
  datatypeDeclarationLines, declaration, enumDeclarationLines, ptypeLines, typeName, whatisDeclaration, whatisTypeName,
} from '../../src/format/ctype.js';
import type { CType } from '../../src/debuginfo/btf/types.js';
import {
  arr, BOOL, CHAR, DOUBLE, enm, FLOAT, fn, INT, konst, LLONG, LONG, listHead, ptr, SCHAR, SHORT, struct, typedef,
  UCHAR, UINT, ULLONG, ULONG, union, USHORT, VOIDT, vol,
} from './fixture-types.js';

// Mirrors a C test program; EXPECTED is what gdb printed for `ptype struct s` (gcc -g).
const inner = struct('inner', 4, [['a', INT, 0]]);
const pidType = enm('pid_type', [['PIDTYPE_PID', 0], ['PIDTYPE_TGID', 1], ['PIDTYPE_MAX', 2]]);
const flags = enm('flags', [['F_A', 1], ['F_B', 2], ['F_C', 4]]);
const u32 = typedef('u32', UINT);
const binprm = struct('linux_binprm', 0, []);
const binprmFwd: CType = { id: 9001, kind: 'fwd', name: 'linux_binprm', union: false };
const lh = listHead();
const anonDeepUnion = union('', 2, [['c1', CHAR, 0], ['s1', SHORT, 0]]);
const anonInnermost = struct('', 4, [['dd', INT, 0]]);
const anonStruct = struct('', 24, [['l1', LONG, 0], ['deep', anonDeepUnion, 8], ['', anonInnermost, 12]]);
const anonUnion = union('', 24, [['u1', INT, 0], ['', anonStruct, 0]]);
const sFields: [string, CType][] = [
  ['x', INT], ['', anonUnion], ['named_anon', struct('', 4, [['ax', INT, 0]])], ['in', inner],
];
const s = struct('s', 400, [
  ...sFields.map(([n, t]): [string, CType, number] => [n, t, 0]),
  ['bf1', UINT, 0, 3], ['bf2', UINT, 0, 5, 3],
  ['comm', arr(CHAR, 16), 0],
  ['load_binary', ptr(fn(INT, [ptr(binprmFwd)])), 0],
  ['vfn', ptr(fn(VOIDT, [])), 0],
  ['fa', arr(ptr(fn(INT, [INT, ptr(CHAR)])), 2), 0],
  ['pa', ptr(arr(CHAR, 8)), 0],
  ['pp', ptr(ptr(INT)), 0],
  ['cs', ptr(konst(CHAR)), 0],
  ['vi', vol(INT), 0],
  ['cpc', konst(ptr(konst(INT))), 0],
  ['type', pidType, 0],
  ['b', BOOL, 0],
  ['u', u32, 0],
  ['arr2', arr(arr(LONG, 3), 2), 0],
  ['lh', arr(lh, 2), 0],
  ['fl', flags, 0],
  ['f', FLOAT, 0], ['d', DOUBLE, 0],
  ['uc', UCHAR, 0], ['sc', SCHAR, 0], ['sh', SHORT, 0], ['ush', USHORT, 0], ['ll', LLONG, 0], ['ull', ULLONG, 0],
  ['vp', ptr(VOIDT), 0],
  ['fpf', ptr(fn(ptr(fn(INT, [LONG])), [INT])), 0],
  ['fret', ptr(fn(ptr(inner), [])), 0],
  ['va', ptr(fn(INT, [INT], true)), 0],
  ['flex', arr(ptr(CHAR), 0), 0],
]);

const EXPECTED = `struct s {
    int x;
    union {
        int u1;
        struct {...};
    };
    struct {
        int ax;
    } named_anon;
    struct inner in;
    unsigned int bf1 : 3;
    unsigned int bf2 : 5;
    char comm[16];
    int (*load_binary)(struct linux_binprm *);
    void (*vfn)(void);
    int (*fa[2])(int, char *);
    char (*pa)[8];
    int **pp;
    const char *cs;
    volatile int vi;
    const int * const cpc;
    enum pid_type type;
    _Bool b;
    u32 u;
    long arr2[2][3];
    struct list_head lh[2];
    enum flags fl;
    float f;
    double d;
    unsigned char uc;
    signed char sc;
    short sh;
    unsigned short ush;
    long long ll;
    unsigned long long ull;
    void *vp;
    int (*(*fpf)(int))(long);
    struct inner *(*fret)(void);
    int (*va)(int, ...);
    char *flex[];
}`;

const member = (name: string): CType => s.members.find((m) => m.name === name)!.type;

describe('ptype text (gdb c-typeprint)', () => {
  it('prints a struct body as gdb does, anonymous members one level deep', () => {
    expect(ptypeLines(s).join('\n')).toBe(EXPECTED);
  });

  it('prints struct list_head', () => {
    expect(ptypeLines(lh)).toEqual(['struct list_head {', '    struct list_head *next;', '    struct list_head *prev;', '}']);
  });

  it('names types as gdb whatis does', () => {
    expect(typeName(member('fa'))).toBe('int (*[2])(int, char *)');
    expect(typeName(member('pa'))).toBe('char (*)[8]');
    expect(typeName(member('fpf'))).toBe('int (*(*)(int))(long)');
    expect(typeName(member('arr2'))).toBe('long [2][3]');
    expect(typeName(member('va'))).toBe('int (*)(int, ...)');
    expect(typeName(member('fret'))).toBe('struct inner *(*)(void)');
    expect(typeName(member('cpc'))).toBe('const int * const');
    expect(typeName(member('named_anon'))).toBe('struct {...}');
    expect(typeName(member('lh'))).toBe('struct list_head [2]');
    expect(typeName(ptr(lh))).toBe('struct list_head *');
    expect(typeName(arr(CHAR, 16))).toBe('char [16]');
    expect(typeName(u32)).toBe('u32');
    expect(typeName(enm('', [['A', 0]]))).toBe('enum {...}');
  });

  it('declares any name with C declarator rules', () => {
    expect(declaration(member('fa'), 'handlers')).toBe('int (*handlers[2])(int, char *)');
    expect(declaration(ptr(ptr(fn(VOIDT, []))), 'pp')).toBe('void (**pp)(void)');
    expect(declaration(arr(ptr(arr(INT, 4)), 3), 'x')).toBe('int (*x[3])[4]');
    expect(declaration(binprm, 'b')).toBe('struct linux_binprm b');
    expect(declaration(enm('', [['A', 0], ['B', 5], ['C', 6]]), 'e')).toBe('enum {A, B = 5, C} e');
  });

  it('prints ptype of enums and typedefs', () => {
    expect(ptypeLines(enm('mb', [['M_A', 1], ['M_B', 2], ['M_AB', 3], ['M_C', 4]]))).toEqual(['enum mb {M_A = 1, M_B, M_AB, M_C}']);
    expect(ptypeLines(u32)).toEqual(['unsigned int']);
    expect(whatisTypeName(u32)).toBe('unsigned int');
    expect(ptypeLines(struct('empty', 0, []))).toEqual(['struct empty {', '    <no data fields>', '}']);
  });
});

describe('crash declarations (symbols.c)', () => {
  const binfmt = struct('linux_binfmt', 56, [
    ['lh', lh, 0], ['module', ptr({ id: 9002, kind: 'fwd', name: 'module', union: false }), 16],
    ['load_binary', ptr(fn(INT, [ptr(binprmFwd)])), 24],
    ['load_shlib', ptr(fn(INT, [ptr({ id: 9003, kind: 'fwd', name: 'file', union: false })])), 32],
    ['core_dump', ptr(fn(INT, [ptr({ id: 9004, kind: 'fwd', name: 'coredump_params', union: false })])), 40],
    ['min_coredump', ULONG, 48],
  ]);

  it('matches help.c whatis linux_binfmt, with and without -o', () => {
    expect(datatypeDeclarationLines(binfmt)).toEqual([
      'struct linux_binfmt {',
      '    struct list_head lh;',
      '    struct module *module;',
      '    int (*load_binary)(struct linux_binprm *);',
      '    int (*load_shlib)(struct file *);',
      '    int (*core_dump)(struct coredump_params *);',
      '    unsigned long min_coredump;',
      '}',
      'SIZE: 56',
    ]);
    expect(datatypeDeclarationLines(binfmt, { offsets: true })).toEqual([
      'struct linux_binfmt {',
      '   [0] struct list_head lh;',
      '  [16] struct module *module;',
      '  [24] int (*load_binary)(struct linux_binprm *);',
      '  [32] int (*load_shlib)(struct file *);',
      '  [40] int (*core_dump)(struct coredump_params *);',
      '  [48] unsigned long min_coredump;',
      '}',
      'SIZE: 56',
    ]);
    expect(datatypeDeclarationLines(binfmt, { radix: 16, offsets: true }).slice(1, 3)).toEqual([
      '   [0x0] struct list_head lh;', '  [0x10] struct module *module;',
    ]);
    expect(datatypeDeclarationLines(binfmt, { radix: 16 }).at(-1)).toBe('SIZE: 0x38');
    expect(datatypeDeclarationLines(binfmt, { offsets: true, vaddr: 0xffff8100145d2080n })[2])
      .toBe('  [ffff8100145d2090] struct module *module;');
  });

  const t = struct('t', 24, [
    ['first', INT, 0], ['', union('', 8, [['a', INT, 0], ['b', LONG, 0]]), 8],
    ['named', struct('', 4, [['x', INT, 0]]), 16], ['bf', UINT, 20, 3],
  ]);

  it('offsets anonymous-union members and leaves nested named blocks bare (show_member_offset)', () => {
    expect(datatypeDeclarationLines(t, { offsets: true })).toEqual([
      'struct t {',
      '   [0] int first;',
      '       union {',
      '   [8]     int a;',
      '   [8]     long b;',
      '       };',
      '       struct {',
      '           int x;',
      '  [16] } named;',
      '  [20] unsigned int bf : 3;',
      '}',
      'SIZE: 24',
    ]);
    expect(datatypeDeclarationLines(t, { member: 'bf' })).toEqual(['struct t {', '  [20] unsigned int bf : 3;', '}']);
    expect(datatypeDeclarationLines(t, { member: 'b' })).toEqual(['struct t {', '   [8]     long b;', '}']);
  });

  it('prints typedefs as crash whatis does', () => {
    expect(datatypeDeclarationLines(u32, { typedefName: 'u32' })).toEqual(['typedef unsigned int u32;', 'SIZE: 4']);
    const atomic = typedef('atomic_t', struct('', 4, [['counter', INT, 0]]));
    expect(datatypeDeclarationLines(atomic, { typedefName: 'atomic_t' }))
      .toEqual(['typedef struct {', '    int counter;', '} atomic_t;', 'SIZE: 4']);
  });

  it('splices symbol names into whatis text (whatis_variable)', () => {
    expect(whatisDeclaration(typedef('bool', BOOL), 'in_kernel_fpu')).toBe('bool in_kernel_fpu;');
    expect(whatisDeclaration(INT, '__preempt_count')).toBe('int __preempt_count;');
    expect(whatisDeclaration(arr(CHAR, 16), 'name')).toBe('char name[16];');
    expect(whatisDeclaration(ptr(fn(VOIDT, [])), 'hook')).toBe('void (*hook)(void);');
    expect(whatisDeclaration(ptr(INT), 'p')).toBe('int *p;');
    const ssize = typedef('ssize_t', LONG);
    const proto = fn(ssize, [ptr(struct('file', 8, [])), ptr(CHAR), typedef('size_t', ULONG), ptr(typedef('loff_t', LLONG))]);
    expect(whatisDeclaration(proto, 'vfs_read')).toBe('ssize_t vfs_read(struct file *, char *, size_t, loff_t *);');
    expect(whatisDeclaration(member('fa'), 'fa')).toBe('int (*fa[2])(int, char *);');
  });

  it('lists enumerators one per line (crash dump_enum)', () => {
    expect(enumDeclarationLines(enm('pid_type', [['PIDTYPE_PID', 0], ['PIDTYPE_TGID', 1], ['PIDTYPE_MAX', 5]]))).toEqual([
      'enum pid_type {', '  PIDTYPE_PID = 0', '  PIDTYPE_TGID = 1', '  PIDTYPE_MAX = 5', '};',
    ]);
  });
});
