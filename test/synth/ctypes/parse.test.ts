import { describe, expect, it } from 'vitest';
import type { CType, EnumType, FuncProtoType, StructType, TypedefType } from '../../../src/debuginfo/btf/types.js';
import { typeName } from '../../../src/format/ctype.js';
import { CDeclError, parseCDeclarations } from '../../../src/synth/ctypes/index.js';
import { CrashError } from '../../../src/util/errors.js';

const struct = (src: string, name: string): StructType => parseCDeclarations(src).types.get(name) as StructType;
/** member name → gdb `whatis` text of its type */
const memberTypes = (s: StructType): Record<string, string> => Object.fromEntries(s.members.map((m) => [m.name, typeName(m.type)]));

describe('constants', () => {
  const set = parseCDeclarations(`
#define TASK_COMM_LEN 16
#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define MASK (~(PAGE_SIZE - 1))
#define ALL_ONES ((unsigned long)-1)
#define TERN (PAGE_SIZE > 4096 ? 1 : 2)
#define OCT 0755
#define HEX 0xFFu
#define CHR 'A'
typedef unsigned char u8;
enum { CAST_U8 = (u8)0x1ff, CAST_PTR = (long)(void *)16 };
#define NOT_A_NUMBER struct page
#define EMPTY
enum pid_type { PIDTYPE_PID, PIDTYPE_TGID, PIDTYPE_MAX = TASK_COMM_LEN + 1, PIDTYPE_NEXT };
enum { TOP = 1 << 31 };
enum { UTOP = 1U << 31, NEG = -5 + 2 };
`);
  it('evaluates #defines as GCC would on LP64', () => {
    const c = set.constants;
    expect(c.get('TASK_COMM_LEN')).toBe(16n);
    expect(c.get('PAGE_SIZE')).toBe(4096n);
    expect(c.get('MASK')).toBe(0xfffffffffffff000n);
    expect(c.get('ALL_ONES')).toBe(0xffffffffffffffffn);
    expect(c.get('TERN')).toBe(2n);
    expect(c.get('OCT')).toBe(0o755n);
    expect(c.get('HEX')).toBe(255n);
    expect(c.get('CHR')).toBe(65n);
    expect(c.has('NOT_A_NUMBER')).toBe(false);
    expect(c.has('EMPTY')).toBe(false);
  });
  it('numbers enumerators implicitly and explicitly, and types them like C', () => {
    const c = set.constants;
    expect([c.get('PIDTYPE_PID'), c.get('PIDTYPE_TGID'), c.get('PIDTYPE_MAX'), c.get('PIDTYPE_NEXT')]).toEqual([0n, 1n, 17n, 18n]);
    expect(c.get('TOP')).toBe(-2147483648n); // int arithmetic: 1 << 31 is INT_MIN
    expect(c.get('UTOP')).toBe(2147483648n);
    expect(c.get('NEG')).toBe(-3n);
    expect([c.get('CAST_U8'), c.get('CAST_PTR')]).toEqual([255n, 16n]);
    const e = set.all.filter((t): t is EnumType => t.kind === 'enum');
    // -3 and 2147483648 fit neither int nor unsigned int: GCC makes that enum 8 bytes.
    expect(e.map((x) => [x.name, x.size, x.signed])).toEqual([['', 4, false], ['pid_type', 4, false], ['', 4, true], ['', 8, true]]);
  });
});

describe('declarations', () => {
  it('reads conditional blocks like cpp', () => {
    const s = struct(`
#define CONFIG_A 1
#define LEVEL 2
#undef CONFIG_GONE
struct s {
#ifdef CONFIG_A
  int a;
#else
  int not_a;
#endif
#if defined(CONFIG_B) || LEVEL > 1
  int level;
# if LEVEL == 3
  int three;
# elif LEVEL == 2
  int two;
# endif
#endif
#ifndef CONFIG_A
  int not_a2;
#endif
};`, 'struct s');
    expect(s.members.map((m) => m.name)).toEqual(['a', 'level', 'two']);
  });

  it('builds declarators: pointers, arrays, function pointers, qualifiers', () => {
    const s = struct(`
#define N 4
struct file;
typedef unsigned int u32;
struct s {
  int (*fn)(struct file *, char *);
  void (*cb)(void);
  int (*varargs)(const char *, ...);
  long (*old)();
  int *(*ret_ptr)(int);
  char *argv[N];
  char (*rowp)[8];
  int grid[2][(1 << 1) + 1];
  const char *cs;
  char *const cp;
  const volatile u32 cvu;
  volatile int *vp;
  const char * const *names;
  unsigned long long ull;
  signed char sc;
  long double ld;
};`, 'struct s');
    expect(memberTypes(s)).toEqual({
      fn: 'int (*)(struct file *, char *)',
      cb: 'void (*)(void)',
      varargs: 'int (*)(const char *, ...)',
      old: 'long int (*)()',
      ret_ptr: 'int *(*)(int)',
      argv: 'char *[4]',
      rowp: 'char (*)[8]',
      grid: 'int [2][3]',
      cs: 'const char *',
      cp: 'char * const',
      cvu: 'const volatile u32',
      vp: 'volatile int *',
      names: 'const char * const *',
      ull: 'long long unsigned int',
      sc: 'signed char',
      ld: 'long double',
    });
  });

  it('reads typedefs of function types and function pointers', () => {
    const set = parseCDeclarations(`
typedef int (*cmp_fn)(const void *a, const void *b);
typedef void handler_t(int);
typedef struct { int x; } anon_t, *anon_p;
`);
    const cmp = set.types.get('cmp_fn') as TypedefType;
    expect(typeName(cmp.target)).toBe('int (*)(const void *, const void *)');
    // DWARF has no parameter names for function pointer types, so neither has BTF.
    expect(((cmp.target as { target: FuncProtoType }).target).params.map((p) => p.name)).toEqual(['', '']);
    expect((set.types.get('handler_t') as TypedefType).target.kind).toBe('func_proto');
    // C: anon_p points to the struct itself, not to the typedef.
    expect(typeName((set.types.get('anon_p') as TypedefType).target)).toBe('struct {...} *');
  });

  it('accepts the kernel annotations and attribute macros that do not change layout', () => {
    const s = struct(`
struct task_struct;
struct s {
  struct task_struct __rcu *parent;
  void __user *buf;
  int __percpu *pcpu;
  void __iomem *regs;
  unsigned long flags __attribute__((__unused__));
  char cb[48] __aligned(8);
  int x __attribute__((aligned(16), deprecated));
} __randomize_layout;`, 'struct s');
    expect(memberTypes(s)).toMatchObject({ parent: 'struct task_struct *', buf: 'void *', pcpu: 'int *' });
    expect(s.members.find((m) => m.name === 'x')!.bitOffset).toBe(96 * 8);
  });

  it('declares file-scope functions (with parameter names) and variables', () => {
    const set = parseCDeclarations(`
struct task_struct;
extern int __preempt_count;
extern struct task_struct *current_task, init_task;
void schedule(void);
int printk(const char *fmt, ...);
static inline int later(struct task_struct *p) __attribute__((cold));
`);
    expect(typeName(set.vars.get('__preempt_count')!)).toBe('int');
    expect(typeName(set.vars.get('current_task')!)).toBe('struct task_struct *');
    const printk = set.funcs.get('printk')!;
    expect([printk.params.map((p) => p.name), printk.variadic]).toEqual([['fmt'], true]);
    expect(set.funcs.get('schedule')!.params).toEqual([]);
    expect(set.funcs.get('later')!.params[0]!.name).toBe('p');
  });

  it('takes names that are also JavaScript object properties', () => {
    const s = struct('typedef int constructor;\nstruct s { constructor toString; int valueOf; int __proto__; };', 'struct s');
    expect(s.members.map((m) => `${typeName(m.type)} ${m.name}`)).toEqual(['constructor toString', 'int valueOf', 'int __proto__']);
  });

  it('aligns ____cacheline_aligned to SMP_CACHE_BYTES through macro chains', () => {
    const s = parseCDeclarations(`#define L1_CACHE_SHIFT 7
#define L1_CACHE_BYTES (1 << L1_CACHE_SHIFT)
#define SMP_CACHE_BYTES L1_CACHE_BYTES
struct zone { long a; } ____cacheline_aligned_in_smp;
struct two { char c; struct zone z; };`).types.get('struct two') as StructType;
    expect([s.size, s.members[1]!.bitOffset / 8]).toEqual([256, 128]);
  });

  it('handles comments, line continuations and stray semicolons', () => {
    const s = struct(`/* a
 * block */ struct s { // line comment
  int a; ;
  int /* inline */ b;
#define LONG_MACRO \\
  (3 + \\
   4)
  char c[LONG_MACRO];
};;`, 'struct s');
    expect(memberTypes(s)).toEqual({ a: 'int', b: 'int', c: 'char [7]' });
  });

  it('maps every base type spelling to GCC\'s name', () => {
    const s = struct(`struct s { unsigned u; signed si; short sh; short int shi; unsigned short us; long l;
      long int li; unsigned long ul; long unsigned lu; long long ll; unsigned long long ull; _Bool b; bool bb;
      char c; float f; double d; };`, 'struct s');
    expect(Object.values(memberTypes(s))).toEqual([
      'unsigned int', 'int', 'short int', 'short int', 'short unsigned int', 'long int', 'long int',
      'long unsigned int', 'long unsigned int', 'long long int', 'long long unsigned int', '_Bool', '_Bool',
      'char', 'float', 'double',
    ]);
  });
});

describe('errors name the file and line', () => {
  const cases: [string, string, RegExp][] = [
    ['missing semicolon', 'struct a {\n  int x\n};', /^t\.h:3: expected ';' at end of member declaration before '}'/],
    ['unknown type', 'struct a {\n  foo_t x;\n};', /^t\.h:2: unknown type name 'foo_t'/],
    ['include', '\n#include <linux/types.h>', /^t\.h:2: #include is not supported/],
    ['function-like macro', '#define F(x) (x)', /^t\.h:1: function-like macro 'F' is not supported/],
    ['wide bitfield', 'struct a {\n int x:33;\n};', /^t\.h:2: width of bit-field 'x' exceeds its type \(33 > 32 bits\)/],
    ['zero-width named bitfield', 'struct a { int x:0; };', /^t\.h:1: zero width for bit-field 'x'/],
    ['flexible array not last', 'struct a {\n char d[];\n int n;\n};', /^t\.h:2: flexible array member 'd' not at end of struct/],
    ['incomplete member', 'struct b;\nstruct a {\n struct b x;\n};', /^t\.h:3: field has incomplete type 'struct b'/],
    ['recursive struct', 'struct a {\n int n;\n struct a self;\n};', /^t\.h:3: 'struct a' contains itself/],
    ['redefinition', 'struct a { int x; };\nstruct a { int y; };', /^t\.h:2: redefinition of 'struct a' \(first defined on line 1\)/],
    ['undefined constant', 'struct a { char c[N]; };', /^t\.h:1: 'N' is not an integer constant/],
    ['unterminated comment', 'struct a { int x; };\n/* oops', /^t\.h:2: unterminated \/\* comment/],
    ['bad specifiers', 'struct a { unsigned signed int x; };', /^t\.h:1: invalid combination of type specifiers 'unsigned signed int'/],
    ['unknown attribute', 'struct a {\n int x __attribute__((frobnicate));\n};', /^t\.h:2: attribute 'frobnicate' is not supported/],
    ['float bitfield', 'struct a { double d:3; };', /^t\.h:1: bit-field 'd' has invalid type/],
    ['unterminated #if', '#if 1\nstruct a { int x; };', /^t\.h:1: unterminated conditional directive/],
    ['void member', 'struct a {\n void v;\n};', /^t\.h:2: field declared void/],
    ['division by zero', 'struct a { int x[1/0]; };', /^t\.h:1: division by zero/],
    ['stray character', 'struct a { int x; } @;', /^t\.h:1: stray '@'/],
    ['initializer', 'int x = 3;', /^t\.h:1: initializers are not supported/],
    ['function body', 'int f(void) { return 0; }', /^t\.h:1: function bodies are not supported/],
    ['sizeof', 'struct a { char c[sizeof(long)]; };', /^t\.h:1: 'sizeof' is not supported/],
    ['mismatched tag', 'struct a { int x; };\nunion a *p;', /^t\.h:2: 'a' defined as a struct, used as a union/],
    ['typedef redefinition', 'typedef int x;\ntypedef long x;', /^t\.h:2: redefinition of typedef 'x'/],
    ['missing brace', 'struct a {\n int x;\n', /^t\.h:2: expected '}' before end of file/],
    ['keyword as name', 'struct a { int int; };', /^t\.h:1: invalid combination of type specifiers 'int int'/],
    ['bool bitfield', 'struct a { _Bool b:2; };', /^t\.h:1: width of bit-field 'b' exceeds its type \(2 > 1 bits\)/],
    ['duplicate enumerator', 'enum e { A, A };', /^t\.h:1: redeclaration of enumerator 'A'/],
    ['negative array', 'struct a { int x[-1]; };', /^t\.h:1: size of array 'x' is negative/],
    ['unclosed parameters', 'struct a { int (*f)(int x; };', /^t\.h:1: expected '\)' to close the parameter list before ';'/],
    ['bad alignment', 'struct a { int x __attribute__((aligned(3))); };', /^t\.h:1: requested alignment 3 is not a positive power of 2/],
    ['#else twice', '#if 1\n#else\n#else\n#endif', /^t\.h:3: #else after #else/],
    ['#endif alone', '#endif', /^t\.h:1: #endif without #if/],
    ['#error', '#error no way', /^t\.h:1: #error no way/],
  ];
  for (const [what, src, re] of cases) {
    it(what, () => {
      let err: unknown;
      try {
        parseCDeclarations(src, 't.h');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CDeclError);
      expect(err).toBeInstanceOf(CrashError);
      expect((err as Error).message).toMatch(re);
    });
  }

  it('carries the file and line as fields', () => {
    try {
      parseCDeclarations('\n\nstruct a { bogus_t x; };', 'dumps/x/types.h');
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ file: 'dumps/x/types.h', line: 3, name: 'CDeclError' });
    }
  });
});

describe('CTypeSet', () => {
  it('keys tags, typedefs and base types (GCC and C spellings)', () => {
    const set = parseCDeclarations('typedef unsigned int u32;\nstruct s { u32 x; };\nunion u { int a; };\nenum e { E0 };\nstruct fwd;');
    const kinds = (k: string): string | undefined => set.types.get(k)?.kind;
    expect([kinds('struct s'), kinds('union u'), kinds('enum e'), kinds('u32'), kinds('struct fwd')])
      .toEqual(['struct', 'union', 'enum', 'typedef', 'fwd']);
    expect([kinds('long unsigned int'), kinds('unsigned long'), kinds('void')]).toEqual(['int', 'int', 'void']);
    const all: CType[] = set.all;
    expect(all).toContain(set.types.get('struct s'));
  });
});
