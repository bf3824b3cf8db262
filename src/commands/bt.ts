import { defineCommand, flag, withArg, type CommandContext } from './types.js';
import { err, type CommandResult } from './result.js';
import type { ParsedArgs } from './getopt.js';
import type { BtResult } from './task-results.js';
import { currentContext, tasksFromArgs } from './task-context.js';
import { parseCpuSpec } from './cpuspec.js';
import { cpuState } from '../kernel/helpers/sched.js';
import { activeTasks, panicTask, taskByAddress, taskTable, type TaskContext } from '../kernel/helpers/task.js';
import { backtrace, textScan } from '../kernel/helpers/backtrace.js';
import { CrashError } from '../util/errors.js';

export const bt = defineCommand({
  name: 'bt',
  summary: 'backtrace',
  synopsis: '[-a|-c cpu(s)|-g|-p|-t|-T|-f|-s [-x|-d]] [-R ref] [pid | task]',
  description: [
    'Display a kernel stack backtrace.  If no arguments are given, the stack trace of the current',
    'context will be displayed.  The trace is unwound with the kernel\'s own ORC data read from the',
    'dump (frame pointers where ORC has none), starting from the NT_PRSTATUS registers of active',
    'tasks and from the saved inactive_task_frame of sleeping ones, across IRQ and exception stacks,',
    'showing exception frames and the user-mode registers at the system call boundary.',
  ],
  options: {
    a: flag('display the stack traces of the active task on each cpu'),
    c: withArg('display the stack traces of the active task on one or more cpus (1,3-5)'),
    p: flag('display the stack trace of the panic task only'),
    g: flag('display the stack traces of all threads in the thread group'),
    f: flag('display all stack data contained in a frame'),
    t: flag('display all text symbols found from the last known stack location to the top'),
    T: flag('display all text symbols found from the base of the stack to the top'),
    s: flag('display the symbol name plus its offset in each frame'),
    x: flag('with -s, display the offset in hexadecimal'),
    d: flag('with -s, display the offset in decimal'),
    l: flag('show file and line number (not available without DWARF: ignored)'),
    R: withArg('display the trace only if it references this symbol or value'),
  },
  examples: [{ command: 'bt' }, { command: 'bt -a' }, { command: 'bt -f 1' }, { command: 'bt -t 94' }],
  run: (ctx, a) => runBt(ctx, a),
});

function runBt(ctx: CommandContext, a: ParsedArgs): CommandResult | CommandResult[] {
  const k = ctx.kernel;
  const f = (c: string) => a.flags.has(c);
  if (f('x') && f('d')) return err('-d and -x are mutually exclusive');
  let tasks: TaskContext[];
  try {
    tasks = selectTasks(ctx, a);
  } catch (e) {
    if (e instanceof CrashError) return err(e.message);
    throw e;
  }
  const radix: 10 | 16 = f('x') ? 16 : f('d') ? 10 : ctx.settings.radix;
  const r: BtResult = { kind: 'bt', traces: [], radix, symbolOffsets: f('s') };
  for (const tc of tasks) {
    if (f('t') || f('T')) {
      r.traces.push({ ...textScan(k, tc, f('T')), text: true });
      continue;
    }
    const trace = backtrace(k, tc, { full: f('f') });
    if (a.values.has('R') && !references(trace, a.values.get('R')!)) continue;
    r.traces.push(trace);
  }
  return r;
}

function selectTasks(ctx: CommandContext, a: ParsedArgs): TaskContext[] {
  const k = ctx.kernel;
  const active = activeTasks(k);
  const ofCpus = (cpus: number[]) => cpus.flatMap((c) => (active.has(c) ? [taskByAddress(k, active.get(c)!)].filter((t): t is TaskContext => !!t) : []));
  if (a.flags.has('a')) return ofCpus([...active.keys()].sort((x, y) => x - y));
  if (a.values.has('c')) return ofCpus(parseCpuSpec(a.values.get('c')!.join(','), cpuState(k).present, ctx.currentCpu));
  if (a.flags.has('p')) {
    const p = panicTask(k);
    if (!p) throw new CrashError('no panic task found!');
    return [p];
  }
  const tasks = a.args.length ? tasksFromArgs(ctx, a.args) : [currentContext(ctx)];
  if (!a.flags.has('g')) return tasks;
  // -g: every thread of each task's group, the leader first
  return tasks.flatMap((tc) => {
    const group = taskTable(k).filter((t) => t.tgid === tc.tgid && tc.pid !== 0);
    return group.length ? [...group.filter((t) => t.pid === t.tgid), ...group.filter((t) => t.pid !== t.tgid)] : [tc];
  });
}

/** bt -R: does the trace mention a symbol name or a value (frame ip, sp, or register)? */
function references(t: ReturnType<typeof backtrace>, refs: string[]): boolean {
  const wanted = refs.flatMap((r) => r.split(','));
  return t.entries.some((e) => {
    if (e.kind === 'frame') return wanted.some((w) => w === e.name || /^(0x)?[0-9a-f]+$/i.test(w) && (BigInt(w.startsWith('0x') ? w : '0x' + w) === e.ip || BigInt(w.startsWith('0x') ? w : '0x' + w) === e.sp));
    if (e.kind === 'regs') return wanted.some((w) => /^(0x)?[0-9a-f]+$/i.test(w) && Object.values(e.regs).includes(BigInt(w.startsWith('0x') ? w : '0x' + w)));
    return false;
  });
}
