import { defineCommand, flag, withArg, type CommandContext } from './types.js';
import { err, lines, type CommandResult, type StructResult } from './result.js';
import type { ParsedArgs } from './getopt.js';
import { currentContext, headerOf } from './task-context.js';
import { valueView } from './value-view.js';
import { resolveTaskArg, type TaskContext } from '../kernel/helpers/task.js';
import { CrashError } from '../util/errors.js';

export const task = defineCommand({
  name: 'task',
  summary: 'task_struct contents',
  synopsis: '[-R member[,member]] [-dx] [pid | taskp] ...',
  description: [
    'This command dumps a formatted display of the contents of a task\'s task_struct and thread_info',
    'structures.  Multiple task or PID numbers may be entered; if no arguments are entered, the',
    'task_struct and thread_info structures of the current context are displayed.  With -R (or',
    'member names given as arguments) only those members are shown; nested members (se.on_rq) and',
    'array elements (pid_links[0]) may be named.',
  ],
  options: {
    R: withArg('only display the specified task_struct and/or thread_info member(s)'),
    x: flag('override default output format with hexadecimal format'),
    d: flag('override default output format with decimal format'),
    h: flag('same as -x'),
  },
  examples: [{ command: 'task' }, { command: 'task -R pid,comm 1' }, { command: 'task 1 se.on_rq' }],
  run: (ctx, a) => runTask(ctx, a),
});

function runTask(ctx: CommandContext, a: ParsedArgs): CommandResult[] {
  const k = ctx.kernel;
  const hex = a.flags.has('x') || a.flags.has('h');
  if (hex && a.flags.has('d')) return [err('-d and -x are mutually exclusive')];
  const radix: 10 | 16 = hex ? 16 : a.flags.has('d') ? 10 : ctx.settings.radix;
  const out: CommandResult[] = [];
  const members: string[] = (a.values.get('R') ?? []).flatMap((r) => r.split(',')).filter(Boolean);
  const tasks: TaskContext[] = [];
  let bogus = 0;
  for (const arg of a.args) {
    if (/^(0x)?[0-9a-f]+$/i.test(arg) && !k.hasMember('struct task_struct', arg)) {
      try {
        tasks.push(...resolveTaskArg(k, arg).tasks);
      } catch (e) {
        if (!(e instanceof CrashError)) throw e;
        bogus++;
        out.push(err(`${e.message}\n`));
      }
    } else if (arg.includes(',') || k.hasMember('struct task_struct', arg) || /[.[]/.test(arg)) {
      members.push(...arg.split(',').filter(Boolean));
    } else out.push(err(`invalid task, pid, or task_struct member: ${arg}\n`));
  }
  if (!tasks.length && !bogus) tasks.push(currentContext(ctx));
  const view = valueView(ctx, radix);
  const T = k.type('struct task_struct');
  const TI = k.hasType('struct thread_info') ? k.type('struct thread_info') : undefined;
  const object = (type: typeof T, addr: bigint, only?: string[]): StructResult => ({
    kind: 'struct',
    keyword: 'struct',
    type,
    objects: [{ addr, bytes: k.readBytes(addr, k.types.sizeof(type), 'gdb request') }],
    members: only,
    view,
  });
  for (const tc of tasks) {
    out.push({ kind: 'taskheader', header: headerOf(tc) });
    if (!members.length) {
      out.push(object(T, tc.task));
      if (TI) out.push(lines(['']), object(TI, tc.threadInfo));
    } else {
      for (const m of members) {
        const inTask = !!k.types.memberOf('struct task_struct', m);
        const inInfo = !!TI && !!k.types.memberOf('struct thread_info', m);
        if (!inTask && !inInfo) out.push(err(`${m}: not a task_struct or thread_info member`));
        if (inTask) out.push(object(T, tc.task, [m]));
        if (inInfo && TI) out.push(object(TI, tc.threadInfo, [m]));
      }
    }
    out.push(lines(['']));
  }
  return out;
}
