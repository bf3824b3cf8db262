/**
 * Tasks and stacks on the Debian 6.1 reference dump, checked against ground truth rather than
 * crash 8.0.2's output where crash is wrong (refdumps/README.md): all 61 tasks (the 60 on
 * init_task.tasks in 22_list_*.txt, plus swapper/1), the kernel's own call trace in console.log,
 * and the user register block of 01_bt.txt. Values are re-derived independently: parents and
 * memory counters through `struct` on the raw task_struct/mm_struct, frames through System.map.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rs, skipReason, hex } from '../support/ref-session.js';

const skip = skipReason('task golden tests');

interface Row {
  active: boolean;
  pid: number;
  ppid: number;
  cpu: number;
  task: string;
  st: string;
  mem: string;
  vsz: number;
  rss: number;
  comm: string;
}

function psRows(text: string): Row[] {
  const lines = text.trimEnd().split('\n');
  expect(lines[0]).toBe('      PID    PPID  CPU       TASK        ST  %MEM      VSZ      RSS  COMM');
  return lines.slice(1).map((l) => {
    const m = /^([> ]) +(\d+) +(\d+) +(\d+)  ([0-9a-f]{16}) +(\S\S)  ( ?\d+\.\d) +(\d+) +(\d+)  (.*)$/.exec(l);
    expect(m, l).not.toBeNull();
    return { active: m![1] === '>', pid: +m![2], ppid: +m![3], cpu: +m![4], task: m![5], st: m![6], mem: m![7], vsz: +m![8], rss: +m![9], comm: m![10] };
  });
}

/** `struct X.m ADDR` → the member's value (pointer or integer) as the struct command prints it. */
function member(line: string, struct: string, m: string, addr: string): bigint {
  const out = rs().run(`struct ${struct}.${m} ${addr}`);
  const v = new RegExp(`^ +${m.replace(/[[\]]/g, '\\$&')} = (0x[0-9a-f]+|-?\\d+)`, 'm').exec(out);
  expect(v, `${line}: ${out}`).not.toBeNull();
  return BigInt.asUintN(64, BigInt(v![1]));
}

function listGolden(): { task: string; pid: number; comm: string }[] {
  const g = readFileSync(join(rs().ref.goldenDir, '22_list_task_struct_tasks_h_init_task_s_tas.txt'), 'latin1');
  const out: { task: string; pid: number; comm: string }[] = [];
  const re = /^([0-9a-f]{16})\n {2}pid = (\d+),\n {2}comm = "((?:[^"\\]|\\\d{3})*)",$/gm;
  for (let m; (m = re.exec(g)); ) out.push({ task: m[1], pid: +m[2], comm: m[3].replace(/(\\000)+$/, '') });
  return out;
}

describe.skipIf(!!skip)('ps on the reference dump: all 61 tasks (crash 8.0.2 lists 3)', () => {
  it('lists the 60 tasks of init_task.tasks and the idle task of cpu 1, sorted by pid, idle tasks by cpu', () => {
    const rows = psRows(rs().run('ps'));
    const truth = listGolden();
    expect(truth).toHaveLength(60);
    expect(rows).toHaveLength(61);
    const ours = new Map(rows.map((r) => [r.task, r]));
    for (const t of truth) {
      const r = ours.get(t.task);
      expect(r, `${t.pid} ${t.comm}`).toBeDefined();
      expect(r!.pid).toBe(t.pid);
      expect(r!.comm.replace(/^\[(.*)\]$/, '$1')).toBe(t.comm);
    }
    const extra = rows.filter((r) => !truth.some((t) => t.task === r.task));
    expect(extra.map((r) => [r.pid, r.comm, r.cpu])).toEqual([[0, '[swapper/1]', 1]]);
    expect(rows.slice(0, 2).map((r) => r.comm)).toEqual(['[swapper/0]', '[swapper/1]']);
    const pids = rows.map((r) => r.pid);
    expect(pids).toEqual([...pids].sort((a, b) => a - b));
  });

  it('marks the active task of each cpu (runqueues.curr): swapper/0 on cpu 0, init on cpu 1', () => {
    const rows = psRows(rs().run('ps'));
    expect(rows.filter((r) => r.active).map((r) => [r.pid, r.cpu, r.comm])).toEqual([
      [0, 0, '[swapper/0]'],
      [1, 1, 'init'],
    ]);
  });

  it('PPID is the pid of real_parent, CPU is thread_info.cpu, kernel threads are bracketed', () => {
    const rows = psRows(rs().run('ps'));
    const byTask = new Map(rows.map((r) => [r.task, r]));
    for (const r of rows) {
      const parent = hex(member(r.comm, 'task_struct', 'real_parent', r.task));
      expect(r.ppid, r.comm).toBe(byTask.get(parent)?.pid);
      // x86 keeps the cpu in thread_info since v5.16 (bcf9033e5449)
      expect(r.cpu, r.comm).toBe(Number(member(r.comm, 'task_struct', 'thread_info.cpu', r.task)));
      const mm = member(r.comm, 'task_struct', 'mm', r.task);
      expect(r.comm.startsWith('['), r.comm).toBe(mm === 0n);
    }
    expect(rows.find((r) => r.pid === 104)!.ppid).toBe(102);
    expect(rows.find((r) => r.pid === 106)!.ppid).toBe(94);
  });

  it('VSZ is mm->total_vm and RSS the file+anon+shmem counters of mm->rss_stat (plus the per-thread counts), in KiB', () => {
    const rows = psRows(rs().run('ps')).filter((r) => !r.comm.startsWith('['));
    expect(rows.map((r) => r.pid)).toEqual([1, 94, 95, 102, 104, 106]);
    for (const r of rows) {
      const mm = hex(member(r.comm, 'task_struct', 'mm', r.task));
      expect(r.vsz).toBe(Number(member(r.comm, 'mm_struct', 'total_vm', mm)) * 4);
      let pages = 0n;
      for (const i of [0, 1, 3]) pages += BigInt.asIntN(64, member(r.comm, 'mm_struct', `rss_stat.count[${i}].counter`, mm));
      for (const i of [0, 1, 3]) pages += BigInt.asIntN(32, member(r.comm, 'task_struct', `rss_stat.count[${i}]`, r.task));
      expect(BigInt(r.rss)).toBe(pages * 4n);
      // %MEM against high_memory's pages (0x1ffe0)
      expect(r.mem.trim()).toBe(((Number(pages) * 100) / 0x1ffe0).toFixed(1));
    }
  });

  it('states come from task_state_array: the panic task and idle tasks RU, kworkers ID, sleepers IN', () => {
    const rows = psRows(rs().run('ps'));
    const st = (pid: number) => rows.filter((r) => r.pid === pid).map((r) => r.st);
    expect(st(0)).toEqual(['RU', 'RU']);
    expect(st(1)).toEqual(['RU']);
    expect(st(95)).toEqual(['IN']);
    expect(rows.filter((r) => r.comm.startsWith('[kworker/')).every((r) => r.st === 'ID')).toBe(true);
    expect(rs().run('ps -S')).toBe('  RU: 3\n  IN: 19\n  ID: 39\n');
  });

  it('selects by pid, task address and command name; -k and -u split kernel threads from user tasks; -G keeps leaders', () => {
    const r = rs();
    const all = psRows(r.run('ps'));
    expect(psRows(r.run('ps 1 ffff8b3e826b4200')).map((x) => x.pid)).toEqual([1, 106]);
    expect(psRows(r.run('ps sleep')).map((x) => x.pid)).toEqual([95, 104, 106]);
    expect(psRows(r.run('ps -k')).length + psRows(r.run('ps -u')).length).toBe(61);
    expect(psRows(r.run('ps -u')).map((x) => x.pid)).toEqual([1, 94, 95, 102, 104, 106]);
    expect(psRows(r.run('ps -G')).length).toBe(all.length);
    expect(r.run('ps 9999')).toBe('ps: invalid task or pid value: 9999\n\n      PID    PPID  CPU       TASK        ST  %MEM      VSZ      RSS  COMM\n');
    expect(r.run('ps -k -u')).toBe('ps: -u and -k are mutually exclusive\n');
  });

  it('ps -p shows the parental chain, one more space per generation; ps -c the children', () => {
    const r = rs();
    expect(r.run('ps -p 106')).toBe(
      [
        'PID: 0        TASK: ffffffff8d01aa40  CPU: 0    COMMAND: "swapper/0"',
        ' PID: 1        TASK: ffff8b3e81210000  CPU: 1    COMMAND: "init"',
        '  PID: 94       TASK: ffff8b3e826a8000  CPU: 1    COMMAND: "init"',
        '   PID: 106      TASK: ffff8b3e826b4200  CPU: 0    COMMAND: "sleep"',
        '',
        '',
      ].join('\n'),
    );
    expect(r.run('ps -c 102')).toBe('PID: 102      TASK: ffff8b3e82580000  CPU: 1    COMMAND: "init"\n  PID: 104      TASK: ffff8b3e826b0000  CPU: 0    COMMAND: "sleep"\n\n');
    expect(r.run('ps -c 95')).toBe('PID: 95       TASK: ffff8b3e8252a100  CPU: 0    COMMAND: "sleep"\n  (no children)\n\n');
  });

  it('ps -a reads argv and the environment from the task\'s own pages; kernel threads have none', () => {
    const r = rs();
    expect(r.run('ps -a 95')).toBe(
      'PID: 95       TASK: ffff8b3e8252a100  CPU: 0    COMMAND: "sleep"\nARG: sleep 1000 \nENV: SHLVL=1\n     HOME=/\n     TERM=linux\n     PATH=/sbin:/usr/sbin:/bin:/usr/bin\n     PWD=/\n\n',
    );
    expect(r.run('ps -a 2')).toBe('PID: 2        TASK: ffff8b3e81214200  CPU: 1    COMMAND: "kthreadd"\nps: no user stack\n\n');
  });

  it('ps -l orders by sched_info.last_arrival, newest first, with the panic task on top', () => {
    const lines = rs().run('ps -l').trimEnd().split('\n');
    expect(lines).toHaveLength(61);
    expect(lines[0]).toMatch(/^\[\d+\] \[RU\]  PID: 1        TASK: ffff8b3e81210000/);
    const stamps = lines.map((l) => Number(/^\[ *(\d+)\]/.exec(l)![1]));
    expect(stamps).toEqual([...stamps].sort((a, b) => b - a));
  });
});

/** The kernel's own trace: console.log entries without `?`, as [function, offset]. */
function consoleChain(): [string, bigint][] {
  const log = readFileSync(join(rs().ref.dir, 'console.log'), 'latin1').split('\n');
  const start = log.findIndex((l) => l.includes('<TASK>'));
  const end = log.findIndex((l, i) => i > start && l.includes('</TASK>'));
  return log
    .slice(start + 1, end)
    .map((l) => /\]  ([\w.]+)\+0x([0-9a-f]+)\/0x[0-9a-f]+$/.exec(l))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => [m[1], BigInt('0x' + m[2])]);
}

describe.skipIf(!!skip)('bt on the reference dump: ORC unwinding, not crash\'s stale frames', () => {
  const golden = (f: string) => readFileSync(join(rs().ref.goldenDir, f), 'latin1');

  it('the panic task\'s frames are the console.log call chain from panic() to entry_SYSCALL_64_after_hwframe', () => {
    const chain = consoleChain();
    expect(chain[0][0]).toBe('dump_stack_lvl');
    const frames = [...rs().run('bt').matchAll(/^ ?#(\d+) \[([0-9a-f]+)\] (\S+) at ([0-9a-f]+)$/gm)];
    expect(frames.map((f) => f[3])).toEqual(chain.slice(1).map((c) => c[0]));
    // every frame but panic's (which had moved on from dump_stack to its mdelay loop) returns where the console says
    for (const [i, f] of frames.entries()) {
      const [name, off] = chain[i + 1];
      if (name === 'panic') continue;
      expect(BigInt('0x' + f[4]), name).toBe(rs().mapAddr(name) + off);
    }
  });

  it('frames #0-#7 are 01_bt.txt\'s, then entry_SYSCALL_64_after_hwframe and the user registers exactly as crash printed them', () => {
    const crash = golden('01_bt.txt').split('\n');
    const ours = rs().run('bt').split('\n');
    expect(ours.slice(0, 9)).toEqual(crash.slice(0, 9)); // header + #0..#7
    expect(ours[9]).toBe(crash[24].replace('#23', ' #8'));
    expect(ours.slice(10, 17)).toEqual(crash.slice(25, 32));
    expect(ours.length).toBe(18);
  });

  it('bt -a: cpu 0 stopped in stop_this_cpu on its IRQ stack, over the real exception frame of its idle loop; cpu 1 as bt', () => {
    const out = rs().run('bt -a');
    const [cpu0, cpu1] = out.split('\n\n');
    expect(cpu1 + (cpu1.endsWith('\n') ? '' : '\n')).toBe(rs().run('bt'));
    const lines = cpu0.split('\n');
    expect(lines[0]).toBe('PID: 0        TASK: ffffffff8d01aa40  CPU: 0    COMMAND: "swapper/0"');
    expect(lines.slice(1, 4).map((l) => l.split(' ').at(-3))).toEqual(['stop_this_cpu', '__sysvec_reboot', 'sysvec_reboot']);
    expect(lines[1]).toMatch(/^ #0 \[ffffcb6700003fc0\] stop_this_cpu at ffffffff8b63fc9b$/); // NT_PRSTATUS rip/rsp
    expect(lines[4]).toBe('--- <IRQ stack> ---');
    expect(lines[5]).toMatch(/^ #3 \[ffffffff8d003[0-9a-f]{3}\] asm_sysvec_reboot at /);
    expect(lines[6]).toBe('    [exception RIP: native_safe_halt+11]');
    expect(lines[7]).toMatch(/^ {4}RIP: ffffffff8c0592eb  RSP: ffffffff8d003e98  RFLAGS: 00000246$/);
    expect(lines[13]).toMatch(/ORIG_RAX: ffffffffffffffff  CS: 0010  SS: 0018$/);
    expect(lines.at(-1)).toMatch(/secondary_startup_64_no_verify at /);
    expect(cpu0).not.toContain('bogus');
  });

  it('sleeping tasks start in __schedule from their inactive_task_frame and end at ret_from_fork or the syscall entry', () => {
    const r = rs();
    expect(r.run('bt 2')).toMatch(/^PID: 2 .*\n #0 \[[0-9a-f]+\] __schedule at [0-9a-f]+\n #1 \[[0-9a-f]+\] schedule at .*\n #2 .* kthreadd at .*\n #3 .* ret_from_fork at [0-9a-f]+\n$/);
    const sleep = r.run('bt 95');
    expect(sleep).toMatch(/ #0 \[[0-9a-f]+\] __schedule at /);
    expect(sleep).toMatch(/entry_SYSCALL_64_after_hwframe at ffffffff8c200126\n {4}RIP: [0-9a-f]{16}/);
    expect(sleep).toMatch(/ORIG_RAX: 00000000000000e6  CS: 0033  SS: 002b\n$/); // clock_nanosleep
  });

  it('every one of the 61 tasks unwinds to a stack end without errors', () => {
    const pids = psRows(rs().run('ps')).map((x) => x.pid).filter((p, i, a) => a.indexOf(p) === i);
    const all = rs().run(`bt ${pids.join(' ')}`);
    expect(all).not.toContain('bt:');
    const traces = all.split(/\n(?=PID: )/);
    expect(traces).toHaveLength(61);
    for (const t of traces) expect(t, t.split('\n')[0]).toMatch(/(ret_from_fork at [0-9a-f]+|SS: 002b|secondary_startup_64_no_verify at [0-9a-f]+)\n*$/);
  });

  it('bt -f shows the words between frames; bt -s name+offset; bt -t the text addresses on the stack', () => {
    const r = rs();
    const f = r.run('bt -f 2').split('\n');
    // a sleeping task's #0 is at task->thread.sp (its inactive_task_frame), its words from there on,
    // as crash 8.0.2 shows swapper/1 (`bt -f 0`: #0 [ffffcb670009be50], words from be58)
    expect(f[1]).toMatch(/^ #0 \[ffffcb670001be20\] __schedule at /);
    expect(f[2]).toMatch(/^ {4}ffffcb670001be28: [0-9a-f]{16} [0-9a-f]{16} $/);
    expect(r.run('bt -s 2')).toContain(' #1 [ffffcb670001bea8] schedule+90 at ffffffff8c052e2a\n');
    expect(r.run('bt -sx 2')).toContain(' #1 [ffffcb670001bea8] schedule+0x5a at ffffffff8c052e2a\n');
    const t = r.run('bt -t 2').split('\n');
    expect(t[1]).toBe('              START: __schedule at ffffffff8c05271d');
    expect(t[2]).toBe('  [ffffcb670001bea8] schedule at ffffffff8c052e2a');
  });
});

describe.skipIf(!!skip)('set and task: the current context', () => {
  it('set shows the panic task; set -c, set PID and set -p switch (task.c show_context)', () => {
    const s = rs().fresh();
    const ctx = (pid: number, comm: string, task: string, cpu: number, state: string, extra = '') =>
      `    PID: ${pid}\nCOMMAND: "${comm}"\n   TASK: ${task}  ${extra}[THREAD_INFO: ${task}]\n    CPU: ${cpu}\n  STATE: ${state}\n`;
    // (SYSRQ), not (PANIC): crash 8.0.2 prints this very block in golden 17 (kmem ffff8b3e81210000),
    // tagging the sysrq-c panic task from the sysrq_handle_crash frame on its stack
    expect(s.runLine('set').text).toBe(ctx(1, 'init', 'ffff8b3e81210000', 1, 'TASK_RUNNING (SYSRQ)'));
    expect(s.runLine('set -c 0').text).toBe(ctx(0, 'swapper/0', 'ffffffff8d01aa40', 0, 'TASK_RUNNING (ACTIVE)', '(1 of 2)  '));
    expect(s.runLine('bt').text.split('\n')[0]).toBe('PID: 0        TASK: ffffffff8d01aa40  CPU: 0    COMMAND: "swapper/0"');
    expect(s.runLine('set 95').text).toBe(ctx(95, 'sleep', 'ffff8b3e8252a100', 0, 'TASK_INTERRUPTIBLE '));
    expect(s.runLine('set ffff8b3e81214200').text).toBe(ctx(2, 'kthreadd', 'ffff8b3e81214200', 1, 'TASK_INTERRUPTIBLE '));
    expect(s.runLine('set -p').text).toBe(ctx(1, 'init', 'ffff8b3e81210000', 1, 'TASK_RUNNING (SYSRQ)'));
    expect(s.runLine('set 4242').text).toBe('set: invalid task or pid value: 4242\n');
  });

  it('task prints the task header, struct task_struct and struct thread_info; -R picks members', () => {
    const s = rs().fresh();
    const full = s.runLine('task 1').text;
    expect(full.startsWith('PID: 1        TASK: ffff8b3e81210000  CPU: 1    COMMAND: "init"\nstruct task_struct {\n')).toBe(true);
    expect(full).toMatch(/\n}\n\nstruct thread_info {\n {2}flags = \d+,\n[^]*\n {2}cpu = 1\n}\n\n$/);
    expect(full).toContain(`\n  comm = "init\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000",\n`);
    expect(s.runLine('task -R pid,comm 95').text).toBe(
      'PID: 95       TASK: ffff8b3e8252a100  CPU: 0    COMMAND: "sleep"\n  pid = 95,\n  comm = "sleep\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000",\n\n',
    );
    expect(s.runLine('task 95 se.on_rq').text).toBe('PID: 95       TASK: ffff8b3e8252a100  CPU: 0    COMMAND: "sleep"\n  se.on_rq = 0,\n\n');
  });
});
