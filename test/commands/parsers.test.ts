/**
 * The command-line parsers: getopt (GNU getopt as crash calls it), word splitting, output plumbing
 * (cmdline.c setup_redirect), integer expressions (tools.c eval_common/calculate) and cpu specs
 * (tools.c make_cpumask). Expected texts are crash's own messages.
 */
import { describe, expect, it } from 'vitest';
import { getopt, splitWords, UsageError, type OptionSpecs } from '../../src/commands/getopt.js';
import { splitPlumbing } from '../../src/session/pipeline.js';
import { evalIntExpr, ExprError, isHexToken, parseNumber } from '../../src/commands/int-expr.js';
import { parseCpuSpec } from '../../src/commands/cpuspec.js';
import { CrashError } from '../../src/util/errors.js';

/** rd's options (memory.c cmd_rd: "Raxme:r:pfudDusSNo:81:3:6:"), as declared by our rd. */
const RD: OptionSpecs = {
  x: { help: '' }, d: { help: '' }, a: { help: '' }, p: { help: '' }, u: { help: '' },
  e: { arg: true, help: '' }, o: { arg: true, help: '' }, c: { arg: true, repeat: true, help: '' },
  '8': { help: '' }, '16': { help: '' }, '32': { help: '' }, '64': { help: '' },
};
const parse = (line: string, stopAtArg = false) => {
  const r = getopt(splitWords(line), RD, stopAtArg);
  return { flags: Object.fromEntries(r.flags), values: Object.fromEntries(r.values), args: r.args };
};

describe('getopt', () => {
  it('takes single and clustered flags, counting repeats', () => {
    expect(parse('-x -d addr')).toEqual({ flags: { x: 1, d: 1 }, values: {}, args: ['addr'] });
    expect(parse('-xd -x')).toEqual({ flags: { x: 2, d: 1 }, values: {}, args: [] });
  });

  it('takes option arguments attached, separate, and at the end of a cluster', () => {
    expect(parse('-o8 a').values).toEqual({ o: ['8'] });
    expect(parse('-o 8 a')).toEqual({ flags: { o: 1 }, values: { o: ['8'] }, args: ['a'] });
    expect(parse('-xe ffff8880 a')).toEqual({ flags: { x: 1, e: 1 }, values: { e: ['ffff8880'] }, args: ['a'] });
    expect(parse('-c 1 -c2').values).toEqual({ c: ['1', '2'] });
    expect(parse('-e -5 a').values).toEqual({ e: ['-5'] }); // an argument may start with '-'
  });

  it('reads -8/-16/-32/-64 as whole options, alone or after flags in a cluster', () => {
    expect(parse('-32 addr').flags).toEqual({ '32': 1 });
    expect(parse('-8 -16 -64').flags).toEqual({ '8': 1, '16': 1, '64': 1 });
    // crash's getopt sees -x32 as 'x' then '3' with optarg "2"
    expect(parse('-x32 addr')).toEqual({ flags: { x: 1, '32': 1 }, values: {}, args: ['addr'] });
  });

  it('permutes: options may follow arguments', () => {
    expect(parse('linux_banner -x 4 -a')).toEqual({ flags: { x: 1, a: 1 }, values: {}, args: ['linux_banner', '4'] });
  });

  it('with stopAtArg, everything from the first argument on is an argument', () => {
    expect(parse('-x jiffies -d', true)).toEqual({ flags: { x: 1 }, values: {}, args: ['jiffies', '-d'] });
    expect(parse('-5 -x', true).args).toEqual(['-5', '-x']);
  });

  it("ends options at '--' and keeps '-' and undeclared negative numbers as arguments", () => {
    expect(parse('-x -- -d')).toEqual({ flags: { x: 1 }, values: {}, args: ['-d'] });
    expect(parse('- -12 -0x10').args).toEqual(['-', '-12', '-0x10']);
  });

  it("rejects unknown options and missing arguments with glibc's words", () => {
    expect(() => parse('-z')).toThrow(new UsageError("invalid option -- 'z'"));
    expect(() => parse('-xz')).toThrow("invalid option -- 'z'");
    expect(() => parse('addr -o')).toThrow(new UsageError("option requires an argument -- 'o'"));
  });
});

describe('splitWords', () => {
  it('splits on whitespace, removes quotes and keeps quoted spaces', () => {
    expect(splitWords('  rd  -x\tlinux_banner  ')).toEqual(['rd', '-x', 'linux_banner']);
    expect(splitWords(`alias foo "bt -a" 'x y'`)).toEqual(['alias', 'foo', 'bt -a', 'x y']);
    expect(splitWords('echo "" end')).toEqual(['echo', '', 'end']);
  });

  it('keeps a parenthesised expression in one word with its spaces', () => {
    expect(splitWords('rd (init_task + 0x10) 4')).toEqual(['rd', '(init_task + 0x10)', '4']);
    expect(splitWords('eval ((1 << 4) | 2)')).toEqual(['eval', '((1 << 4) | 2)']);
  });
});

describe('splitPlumbing', () => {
  it('splits at the first unprotected | or !', () => {
    expect(splitPlumbing('bt -a | grep -c PID')).toEqual({ command: 'bt -a', pipe: 'grep -c PID' });
    expect(splitPlumbing('ps ! wc -l')).toEqual({ command: 'ps', pipe: 'wc -l' });
    expect(splitPlumbing('log | grep a > /tmp/x')).toEqual({ command: 'log', pipe: 'grep a > /tmp/x' });
  });

  it('does not take != or -> for plumbing', () => {
    expect(splitPlumbing('p x!=y')).toEqual({ command: 'p x!=y' });
    expect(splitPlumbing('p init_task->pid')).toEqual({ command: 'p init_task->pid' });
    expect(splitPlumbing('p init_task->pid > out.txt')).toEqual({ command: 'p init_task->pid', file: { path: 'out.txt', append: false } });
  });

  it('redirects to a file with > and appends with >>', () => {
    expect(splitPlumbing('sys > /tmp/sys.txt')).toEqual({ command: 'sys', file: { path: '/tmp/sys.txt', append: false } });
    expect(splitPlumbing('sys >> /tmp/sys.txt')).toEqual({ command: 'sys', file: { path: '/tmp/sys.txt', append: true } });
  });

  it('leaves operators inside parentheses and quotes alone', () => {
    expect(splitPlumbing('eval (1 | 2)')).toEqual({ command: 'eval (1 | 2)' });
    expect(splitPlumbing('eval (16 >> 2) | cat')).toEqual({ command: 'eval (16 >> 2)', pipe: 'cat' });
    expect(splitPlumbing(`search -c "a|b>c"`)).toEqual({ command: `search -c "a|b>c"` });
    expect(splitPlumbing(`echo 'x ! y' | cat`)).toEqual({ command: `echo 'x ! y'`, pipe: 'cat' });
  });

  it("gives crash's errors for plumbing to nowhere", () => {
    expect(splitPlumbing('bt |')).toEqual({ error: "no shell command after '|'" });
    expect(splitPlumbing('bt !  ')).toEqual({ error: "no shell command after '!'" });
    expect(splitPlumbing('bt | grep x |')).toEqual({ error: 'pipe to nowhere?' });
    expect(splitPlumbing('bt >')).toEqual({ error: 'no file name after >' });
    expect(splitPlumbing('bt >> ')).toEqual({ error: 'no file name after >>' });
  });
});

describe('evalIntExpr', () => {
  const SYMS: Record<string, bigint> = { init_task: 0xffffffff82a12940n, dentry_cache: 0xffffffff83000000n, face: 0x10n, jiffies_64: 0xffffffff82805000n };
  const ev = (t: string, hex = false) => evalIntExpr(t, (n) => SYMS[n], hex);

  it('follows C precedence and left associativity', () => {
    expect(ev('1 + 2 * 3')).toBe(7n);
    expect(ev('(1 + 2) * 3')).toBe(9n);
    expect(ev('1 << 4 | 1')).toBe(0x11n);
    expect(ev('6 & 3 ^ 1')).toBe(3n);
    expect(ev('1 | 2 ^ 3')).toBe(1n);
    expect(ev('1 + 1 << 2')).toBe(8n);
    expect(ev('10 - 2 - 3')).toBe(5n);
    expect(ev('100 / 10 / 2')).toBe(5n);
    expect(ev('7 % 4 * 3')).toBe(9n);
    expect(ev('((2))')).toBe(2n);
  });

  it('does unary - ~ ! and wraps at 64 bits', () => {
    expect(ev('-1')).toBe(0xffffffffffffffffn);
    expect(ev('~0')).toBe(0xffffffffffffffffn);
    expect(ev('!0 + !7')).toBe(1n);
    expect(ev('0 - 1')).toBe(0xffffffffffffffffn);
    expect(ev('0xffffffffffffffff + 1')).toBe(0n);
    expect(ev('0x8000000000000000 * 2')).toBe(0n);
    expect(ev('1 << 64')).toBe(0n);
    expect(ev('-8 >> 1')).toBe(0x7ffffffffffffffcn);
  });

  it('takes k/m/g suffixes on decimal numbers', () => {
    expect(ev('4k')).toBe(4096n);
    expect(ev('128m')).toBe(128n << 20n);
    expect(ev('2G')).toBe(2n << 30n);
    expect(ev('128m', true)).toBe(128n << 20n); // a suffix means decimal even when hex is the default
  });

  it('tells hex from decimal like crash', () => {
    expect(ev('0x10')).toBe(16n);
    expect(ev('10')).toBe(10n);
    expect(ev('10', true)).toBe(16n);
    expect(ev('1f')).toBe(31n);
    expect(ev('ffffffff81000000')).toBe(0xffffffff81000000n);
    expect(ev('ff')).toBe(255n); // letters only: a symbol if there is one, else hex (calculate())
    expect(ev('face')).toBe(0x10n);
    expect(parseNumber('dead')).toBeUndefined();
    expect(isHexToken('ffff8b3e81210000')).toBe(true);
    expect(isHexToken('0xffff8b3e81210000')).toBe(true);
    expect(isHexToken('0x1ffff8b3e81210000')).toBe(false);
    expect(isHexToken('init_task')).toBe(false);
  });

  it('looks names up through the callback, including names that start with hex letters', () => {
    expect(ev('init_task + 0x5c8')).toBe(0xffffffff82a12f08n);
    expect(ev('(dentry_cache + 8)')).toBe(0xffffffff83000008n);
    expect(ev('jiffies_64&0xffff')).toBe(0x5000n);
  });

  it('reports divide by zero and garbage as ExprError', () => {
    expect(() => ev('1 / 0')).toThrow(new ExprError('divide by zero'));
    expect(() => ev('5 % (2 - 2)')).toThrow('divide by zero');
    for (const bad of ['', '1 +', '(1 + 2', '1 2', 'nosuch_symbol', '1 ** 2', '1 ? 2', ')']) {
      expect(() => ev(bad), bad).toThrow(new ExprError(`invalid expression: ${bad}`));
    }
  });
});

describe('parseCpuSpec', () => {
  it('reads single cpus, lists, ranges and all', () => {
    expect(parseCpuSpec('3', 8, 0)).toEqual([3]);
    expect(parseCpuSpec('1,3-5', 8, 0)).toEqual([1, 3, 4, 5]);
    expect(parseCpuSpec('a', 4, 0)).toEqual([0, 1, 2, 3]);
    expect(parseCpuSpec('all', 2, 0)).toEqual([0, 1]);
    expect(parseCpuSpec('', 8, 5)).toEqual([5]); // -c alone: the current context's cpu
  });

  it('gives each cpu once, in ascending order (crash builds a cpumask)', () => {
    expect(parseCpuSpec('5,1-2,1', 8, 0)).toEqual([1, 2, 5]);
  });

  it("refuses cpus out of range and garbage with crash's message", () => {
    expect(() => parseCpuSpec('4', 4, 0)).toThrow(new CrashError('invalid cpu specification: 4'));
    expect(() => parseCpuSpec('1,2-9', 4, 0)).toThrow(new CrashError('invalid cpu specification: 1,2-9'));
    for (const bad of ['x', '1-', '-1', '1;2']) expect(() => parseCpuSpec(bad, 4, 0)).toThrow(`invalid cpu specification: ${bad}`);
  });
});
