/**
 * The datatype commands and crash's shortcuts (symbols.c is_datatype_command): a bare symbol is
 * `p`, `type.member ADDR` is `struct`, a per-cpu symbol alone is the PER-CPU block, `*type` is
 * struct-or-union. Values are checked against raw reads of the dump at BTF offsets.
 */
import { describe, expect, it } from 'vitest';
import { gdbCharArray, gdbPointer, hex, rs, skipReason } from '../support/ref-session.js';

const skip = skipReason('struct/shortcut session tests');
const TASK = 0xffff8b3e81210000n; // PID 1 "init", the panic task (refdumps README)

function btfOffset(struct: string, member: string): bigint {
  const btf = rs().kernel.btf!;
  const off = btf.offsetof(btf.findType(struct, 'struct')!, member);
  if (off === undefined) throw new Error(`no ${struct}.${member}`);
  return BigInt(off);
}

describe.skipIf(!!skip)('shortcuts', () => {
  it('a bare symbol is `p symbol`', () => {
    const r = rs();
    const s = r.fresh();
    expect(s.runLine('jiffies').text).toBe(`jiffies = $1 = ${r.u64(r.mapAddr('jiffies'))}\n`);
  });

  it('`task_struct.comm ADDR` is `struct task_struct.comm ADDR`', () => {
    const r = rs();
    const comm = r.kernel.readBytes(TASK + btfOffset('task_struct', 'comm'), 16);
    expect(String.fromCharCode(...comm.subarray(0, 4))).toBe('init');
    expect(r.run(`task_struct.comm ${hex(TASK)}`)).toBe(`  comm = ${gdbCharArray(comm)},\n`);
    expect(r.run(`task_struct.pid,comm ${hex(TASK)}`)).toBe(r.run(`struct task_struct.pid,comm ${hex(TASK)}`));
    expect(r.run(`task_struct ${hex(TASK)}`)).toBe(r.run(`struct task_struct ${hex(TASK)}`));
  });

  it('a per-cpu symbol alone prints the PER-CPU block: type and each cpu\'s address', () => {
    const r = rs();
    for (const [name, decl] of [['in_kernel_fpu', 'bool in_kernel_fpu;'], ['__preempt_count', 'int __preempt_count;']]) {
      const want = ['PER-CPU DATA TYPE:', `  ${decl}`, 'PER-CPU ADDRESSES:', ...[0, 1].map((c) => `  [${c}]: ${hex(r.perCpu(name, c))}`)];
      expect(r.run(name)).toBe(want.join('\n') + '\n');
      expect(r.run(`p ${name}`)).toBe(want.join('\n') + '\n');
    }
  });

  it('a struct name alone is its declaration; a typedef of a primitive is `whatis`', () => {
    const r = rs();
    expect(r.run('list_head')).toBe('struct list_head {\n    struct list_head *next;\n    struct list_head *prev;\n}\nSIZE: 16\n');
    expect(r.run('u64')).toBe('typedef long long unsigned int u64;\nSIZE: 8\n');
  });

  it('`*type` (and `* type`, and the size alias) is struct or union as the type says', () => {
    const r = rs();
    expect(r.run(`*task_struct.pid ${hex(TASK)}`)).toBe(`  pid = ${r.u32(TASK + btfOffset('task_struct', 'pid'))},\n`);
    expect(r.run(`* task_struct.pid ${hex(TASK)}`)).toBe(r.run(`*task_struct.pid ${hex(TASK)}`));
    expect(r.run('*list_head')).toBe(r.run('struct list_head'));
    expect(r.run('size list_head')).toBe(r.run('struct list_head'));
    // union rcu_special is a union: `*` prints it with the union keyword
    expect(r.run('*rcu_special')).toMatch(/^union rcu_special {\n/);
    expect(r.run('struct rcu_special')).toBe('struct: data type mismatch: rcu_special is not a struct\n');
    expect(r.run('union list_head')).toBe('union: data type mismatch: list_head is not a union\n');
  });

  it('an unknown word that is neither symbol nor type is not a command', () => {
    expect(rs().run('no_such_thing_xyz 1')).toBe('crash: command not found: no_such_thing_xyz\n');
  });
});

describe.skipIf(!!skip)('struct with an address', () => {
  const listAt = (r: ReturnType<typeof rs>, a: bigint) =>
    `struct list_head {\n  next = ${gdbPointer(r, r.u64(a))},\n  prev = ${gdbPointer(r, r.u64(a + 8n))}\n}\n`;

  it('a count prints consecutive structures separated by blank lines', () => {
    const r = rs();
    const tasks = r.mapAddr('init_task') + btfOffset('task_struct', 'tasks');
    expect(r.run(`struct list_head ${hex(tasks)}`)).toBe(listAt(r, tasks));
    expect(r.run(`struct list_head ${hex(tasks)} 3`)).toBe([0n, 16n, 32n].map((d) => listAt(r, tasks + d)).join('\n'));
    expect(r.run(`struct list_head -c 3 ${hex(tasks)}`)).toBe(r.run(`struct list_head ${hex(tasks)} 3`));
  });

  it('a negative count prints the structures leading up to and including the address', () => {
    const r = rs();
    const tasks = r.mapAddr('init_task') + btfOffset('task_struct', 'tasks');
    expect(r.run(`struct list_head ${hex(tasks)} -3`)).toBe([-32n, -16n, 0n].map((d) => listAt(r, tasks + d)).join('\n'));
  });

  it('a symbol works as the address', () => {
    const r = rs();
    const a = r.mapAddr('init_task');
    expect(r.run('struct list_head init_task')).toBe(listAt(r, a));
  });

  it('-o with an address prints each member\'s address instead of its offset', () => {
    const r = rs();
    const tasks = r.mapAddr('init_task') + btfOffset('task_struct', 'tasks');
    expect(r.run(`struct list_head -o ${hex(tasks)}`)).toBe(
      `struct list_head {\n  [${hex(tasks)}] struct list_head *next;\n  [${hex(tasks + 8n)}] struct list_head *prev;\n}\nSIZE: 16\n`,
    );
    const out = r.run(`struct task_struct -o ${hex(TASK)}`).split('\n');
    for (const m of ['tasks', 'pid', 'comm', 'mm']) {
      const line = out.find((l) => new RegExp(`[ *]${m}(\\[\\d+\\])?;$`).test(l));
      expect(line, m).toMatch(new RegExp(`^  \\[${hex(TASK + btfOffset('task_struct', m))}\\] `));
    }
  });

  it('-o without an address prints offsets, right-justified to the width of SIZE', () => {
    const r = rs();
    const out = r.run('struct task_struct -o').split('\n');
    const size = r.kernel.btf!.sizeof(r.kernel.btf!.findType('task_struct', 'struct')!);
    const width = String(size).length + 4;
    expect(out.at(-2)).toBe(`SIZE: ${size}`);
    const tasksLine = out.find((l) => l.endsWith(' struct list_head tasks;'))!;
    expect(tasksLine).toBe(`  [${btfOffset('task_struct', 'tasks')}]`.padStart(width) + ' struct list_head tasks;');
    expect(r.run('struct task_struct.tasks')).toBe(`struct task_struct {\n  [${btfOffset('task_struct', 'tasks')}] struct list_head tasks;\n}\n`);
  });

  it('-l member: the address points at an embedded list_head (the next task on init_task.tasks)', () => {
    const r = rs();
    const off = btfOffset('task_struct', 'tasks');
    const next = r.u64(r.mapAddr('init_task') + off); // init_task.tasks.next
    const task = next - off;
    expect(task).toBe(TASK); // PID 1 follows the idle task on the task list
    const pid = r.u32(task + btfOffset('task_struct', 'pid'));
    const comm = gdbCharArray(r.kernel.readBytes(task + btfOffset('task_struct', 'comm'), 16));
    const want = `  pid = ${pid},\n  comm = ${comm},\n`;
    expect(r.run(`struct task_struct.pid,comm -l task_struct.tasks ${hex(next)}`)).toBe(want);
    expect(r.run(`struct task_struct.pid,comm -l ${off} ${hex(next)}`)).toBe(want);
  });

  it('members with nested paths and one whole nested structure', () => {
    const r = rs();
    const tasks = TASK + btfOffset('task_struct', 'tasks');
    expect(r.run(`struct task_struct.tasks ${hex(TASK)}`)).toBe(
      `  tasks = {\n    next = ${gdbPointer(r, r.u64(tasks))},\n    prev = ${gdbPointer(r, r.u64(tasks + 8n))}\n  },\n`,
    );
  });

  it('errors: unknown type, unknown member, user address', () => {
    const r = rs();
    expect(r.run('struct no_such_struct_xyz')).toBe('struct: invalid data structure reference: no_such_struct_xyz\n');
    expect(r.run(`struct task_struct.no_such ${hex(TASK)}`)).toBe('struct: invalid data structure reference: struct task_struct.no_such\n');
    expect(r.run('struct list_head 1000')).toBe('struct: invalid kernel virtual address: 1000\n');
  });
});
