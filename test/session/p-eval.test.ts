/**
 * `p` expressions and `eval` on the reference dump. Expected values are computed from System.map
 * (plus the dump's KERNELOFFSET), VMCOREINFO, BTF sizes/offsets and raw reads — not from `p`.
 */
import { describe, expect, it } from 'vitest';
import { gdbCharArray, gdbPointer, hex, rs, skipReason } from '../support/ref-session.js';

const skip = skipReason('p/eval session tests');
const TASK = 0xffff8b3e81210000n; // PID 1 "init", the panic task

const btf = () => rs().kernel.btf!;
const sizeofStruct = (n: string) => btf().sizeof(btf().findType(n, 'struct')!);
const off = (s: string, m: string) => BigInt(btf().offsetof(btf().findType(s, 'struct')!, m)!);
/** `p` output without its value-history numbers. */
const value = (text: string) => text.replace(/^(.*? = )?\$\d+ = /gm, '$1');

describe.skipIf(!!skip)('p: C expressions', () => {
  it('&symbol is a typed pointer named after the symbol', () => {
    const r = rs();
    expect(value(r.run('p &init_task'))).toBe(`(struct task_struct *) ${gdbPointer(r, r.mapAddr('init_task'))}\n`);
    expect(gdbPointer(r, r.mapAddr('init_task'))).toMatch(/ <init_task>$/);
  });

  it('sizeof', () => {
    const r = rs();
    expect(value(r.run('p sizeof(struct list_head)'))).toBe('16\n');
    expect(value(r.run('p sizeof(struct task_struct)'))).toBe(`${sizeofStruct('task_struct')}\n`);
  });

  it('casts, -> and . through a pointer', () => {
    const r = rs();
    expect(value(r.run(`p (struct task_struct *)0x${hex(TASK)}`))).toBe(`(struct task_struct *) 0x${hex(TASK)}\n`);
    expect(value(r.run(`p ((struct task_struct *)0x${hex(TASK)})->pid`))).toBe(`${r.u32(TASK + off('task_struct', 'pid'))}\n`);
    const comm = gdbCharArray(r.kernel.readBytes(TASK + off('task_struct', 'comm'), 16));
    expect(value(r.run(`p ((struct task_struct *)0x${hex(TASK)})->comm`))).toBe(`${comm}\n`);
    expect(value(r.run(`p (*(struct task_struct *)0x${hex(TASK)}).comm`))).toBe(`${comm}\n`);
    expect(value(r.run('p init_task.pid'))).toBe('0\n');
    const idle = gdbCharArray(r.kernel.readBytes(r.mapAddr('init_task') + off('task_struct', 'comm'), 16));
    expect(idle).toMatch(/^"swapper\/0\\000/);
    expect(value(r.run('p init_task.comm'))).toBe(`${idle}\n`);
  });

  it('integer arithmetic as C does it', () => {
    const r = rs();
    expect(value(r.run('p 3*4+1'))).toBe('13\n');
    expect(value(r.run('p (1<<20)/3'))).toBe('349525\n');
    expect(value(r.run('p 10 - 3 * 2'))).toBe('4\n');
    expect(value(r.run('p 17 % 5'))).toBe('2\n');
    expect(value(r.run('p -x 255'))).toBe('0xff\n');
    expect(value(r.run('p sizeof(struct list_head) * 4'))).toBe('64\n');
  });

  it('pointer arithmetic scales by the pointed-to size', () => {
    const r = rs();
    const next = r.mapAddr('init_task') + BigInt(sizeofStruct('task_struct'));
    expect(value(r.run('p &init_task + 1'))).toBe(`(struct task_struct *) ${gdbPointer(r, next)}\n`);
    const tasks = r.mapAddr('init_task') + off('task_struct', 'tasks');
    expect(value(r.run('p &init_task.tasks'))).toBe(`(struct list_head *) ${gdbPointer(r, tasks)}\n`);
    expect(value(r.run('p &init_task.tasks + 2'))).toBe(`(struct list_head *) ${gdbPointer(r, tasks + 32n)}\n`);
  });

  it('array indexes: init_uts_ns.name.release against VMCOREINFO OSRELEASE', () => {
    const r = rs();
    const release = /^OSRELEASE=(.*)$/m.exec(r.kernel.dump.vmcoreinfo!)![1];
    expect(release).toBe('6.1.0-56-amd64');
    expect(value(r.run('p init_uts_ns.name.release[0]'))).toBe(`${release.charCodeAt(0)} '${release[0]}'\n`);
    expect(value(r.run('p init_uts_ns.name.release[2]'))).toBe(`${release.charCodeAt(2)} '${release[2]}'\n`);
    const raw = r.kernel.readBytes(r.mapAddr('init_uts_ns') + BigInt(btf().offsetof(btf().findType('uts_namespace', 'struct')!, 'name.release')!), 65);
    expect(String.fromCharCode(...raw.subarray(0, release.length))).toBe(release);
    expect(value(r.run('p init_uts_ns.name.release'))).toBe(`${gdbCharArray(raw)}\n`);
  });

  it('a bare symbol gets the `name = ` prefix; an expression does not', () => {
    const r = rs();
    expect(r.run('p jiffies')).toMatch(/^jiffies = \$\d+ = \d+\n$/);
    expect(r.run('p jiffies + 0')).toMatch(/^\$\d+ = \d+\n$/);
  });

  it('the value history number counts each print', () => {
    const s = rs().fresh();
    expect(s.runLine('p 1').text).toBe('$1 = 1\n');
    expect(s.runLine('p 2').text).toBe('$2 = 2\n');
    s.runLine('sym jiffies');
    expect(s.runLine('p jiffies').text).toMatch(/^jiffies = \$3 = /);
  });

  it('errors: an unknown symbol, -x with -d, no expression', () => {
    const r = rs();
    expect(r.run('p no_such_symbol_xyz')).toContain('No symbol "no_such_symbol_xyz" in current context.');
    expect(r.run('p -x -d jiffies')).toBe('p: -d and -x are mutually exclusive\n');
    expect(r.run('p')).toMatch(/Usage:\n  p \[-x\|-d\]\[-u\] \[expression \| symbol\[:cpuspec\]\]\nEnter "help p" for details.\n$/);
  });
});

describe.skipIf(!!skip)('p: per-cpu variables and cpuspecs', () => {
  it('var:1 and var:a read each cpu\'s copy at symbol + __per_cpu_offset[cpu]', () => {
    const r = rs();
    const pc = (cpu: number) => r.u32(r.perCpu('__preempt_count', cpu));
    expect(pc(1)).toBe(0x80000001); // refdumps README
    expect(r.run('px __preempt_count:1')).toMatch(new RegExp(`^per_cpu\\(__preempt_count, 1\\) = \\$\\d+ = 0x${hex(BigInt(pc(1)))}\\n$`));
    const all = r.run('p __preempt_count:a').split('\n').slice(0, -1).map(value);
    expect(all).toEqual([0, 1].map((c) => `per_cpu(__preempt_count, ${c}) = ${pc(c) | 0}`));
    expect(r.run('p __preempt_count:0,1')).toMatch(/^per_cpu\(__preempt_count, 0\) = \$\d+ = \S+\nper_cpu\(__preempt_count, 1\) = /);
    const fpu = (cpu: number) => (r.kernel.readBytes(r.perCpu('in_kernel_fpu', cpu), 1)[0] ? 'true' : 'false');
    expect(r.run('p in_kernel_fpu:a').split('\n').slice(0, -1).map(value)).toEqual([0, 1].map((c) => `per_cpu(in_kernel_fpu, ${c}) = ${fpu(c)}`));
  });

  it('a cpuspec on a variable that is not per-cpu is ignored with crash\'s warning', () => {
    const r = rs();
    const j = r.u64(r.mapAddr('jiffies'));
    expect(value(r.run('p jiffies:1'))).toBe(`WARNING: jiffies is not percpu; cpuspec ignored.\njiffies = ${j}\n`);
  });
});

describe.skipIf(!!skip)('eval (tools.c cmd_eval, print_number)', () => {
  const bin = (v: bigint) => v.toString(2).padStart(64, '0');

  it('128m: hexadecimal with the (NMB) hint, decimal, octal, 64-bit binary', () => {
    expect(rs().run('eval 128m')).toBe(
      'hexadecimal: 8000000  (128MB)\n    decimal: 134217728  \n      octal: 1000000000\n     binary: ' + bin(128n << 20n) + '\n',
    );
  });

  it('size hints: GB before MB before KB, none under 1K or for inexact values', () => {
    const r = rs();
    const first = (e: string) => r.run(`eval ${e}`).split('\n')[0];
    expect(first('3g')).toBe('hexadecimal: c0000000  (3GB)');
    expect(first('1024m')).toBe('hexadecimal: 40000000  (1GB)');
    expect(first('0x1000')).toBe('hexadecimal: 1000  (4KB)');
    expect(first('1536k')).toBe('hexadecimal: 180000  (1536KB)');
    expect(first('1000')).toBe('hexadecimal: 3e8  ');
    expect(first('512')).toBe('hexadecimal: 200  ');
  });

  it('a value with the top bit set shows its signed decimal too', () => {
    expect(rs().run('eval -1')).toBe(
      `hexadecimal: ffffffffffffffff  \n    decimal: 18446744073709551615  (-1)\n      octal: 1777777777777777777777\n     binary: ${'1'.repeat(64)}\n`,
    );
  });

  it('symbols stand for their addresses; parenthesized expressions', () => {
    const r = rs();
    const a = r.mapAddr('linux_banner');
    expect(r.run('eval linux_banner').split('\n')[0]).toBe(`hexadecimal: ${hex(a)}  `);
    expect(r.run('eval linux_banner + 16').split('\n')[1]).toBe(`    decimal: ${a + 16n}  (${a + 16n - (1n << 64n)})`);
    expect(r.run('eval (1 << 20)').split('\n')[0]).toBe('hexadecimal: 100000  (1MB)');
    expect(r.run('eval (0xff & 0x0f)').split('\n')[1]).toBe('    decimal: 15  ');
    expect(r.run('eval no_such_symbol_xyz')).toBe('eval: invalid expression: no_such_symbol_xyz\n');
  });

  it('-b lists the set bits high to low, wrapping once a line reaches 77 columns', () => {
    const r = rs();
    expect(r.run('eval -b 0x8000000000000011').split('\n').slice(4)).toEqual(['   bits set: 63 4 0 ', '']);
    // crash's loop: print "N ", then if the line has reached 77 columns start a new one indented 13
    const lines: string[] = [];
    let cur = '   bits set: ';
    for (let b = 63; b >= 0; b--) {
      cur += `${b} `;
      if (cur.length >= 77) {
        lines.push(cur);
        cur = ' '.repeat(13);
      }
    }
    lines.push(cur);
    expect(lines[0]).toBe('   bits set: 63 62 61 60 59 58 57 56 55 54 53 52 51 50 49 48 47 46 45 44 43 42 ');
    expect(r.run('eval -b -1').split('\n').slice(4, -1)).toEqual(lines);
  });
});
