import type { CommandContext } from './types.js';
import type { ParsedArgs } from './getopt.js';
import { err, lines, type CommandResult } from './result.js';
import { contextResult, currentContext } from './task-context.js';
import { cpuState } from '../kernel/helpers/sched.js';
import { activeTasks, panicTask, resolveTaskArg, taskByAddress, tasksByPid } from '../kernel/helpers/task.js';
import { CrashError } from '../util/errors.js';

/**
 * The context half of `set` (tools.c cmd_set, kernel.c set_cpu, task.c set_context): -p, -c cpu,
 * -a task, and no argument. Undefined when the command is about a variable.
 */
export function setTaskContext(ctx: CommandContext, a: ParsedArgs): CommandResult | CommandResult[] | undefined {
  const k = ctx.kernel;
  if (a.values.has('c')) {
    const spec = a.values.get('c')![0];
    const cpu = Number(spec);
    const n = cpuState(k).present;
    if (!/^\d+$/.test(spec) || cpu >= n) return err(`invalid cpu number: system has only ${n} cpu${n > 1 ? 's' : ''}`);
    const t = activeTasks(k).get(cpu);
    if (t === undefined) return err(`cannot determine active task on cpu ${cpu}`);
    if (t === ctx.currentTask) return [];
    return switchTo(ctx, t);
  }
  if (a.flags.has('p')) {
    const p = panicTask(k);
    if (!p) return err('no panic task found!');
    return switchTo(ctx, p.task);
  }
  if (a.flags.has('a')) {
    const arg = a.args[0];
    if (arg === undefined) return err('-a requires a pid or task address');
    const r = resolveTaskArg(k, arg);
    if (r.kind === 'pid' && r.tasks.length > 1) return err(`pid ${r.tasks[0].pid} has ${r.tasks.length} tasks: use a task address`);
    const tc = r.tasks[0];
    activeTasks(k).set(tc.cpu, tc.task);
    return lines([`"${tc.comm}" task ${tc.task.toString(16)} has been marked as the active task on cpu ${tc.cpu}`]);
  }
  if (!a.args.length) return contextResult(k, currentContext(ctx));
  return undefined;
}

/** `set pid|task`: switch and show; a pid keeps the current task when it already has that pid. */
export function setTaskArg(ctx: CommandContext, arg: string): CommandResult | CommandResult[] {
  let r;
  try {
    r = resolveTaskArg(ctx.kernel, arg);
  } catch (e) {
    if (e instanceof CrashError) return err(e.message);
    throw e;
  }
  const cur = ctx.currentTask === undefined ? undefined : taskByAddress(ctx.kernel, ctx.currentTask);
  if (r.kind === 'pid' && cur && cur.pid === r.tasks[0].pid) return contextResult(ctx.kernel, cur);
  const t = r.kind === 'pid' ? tasksByPid(ctx.kernel, r.tasks[0].pid)[0] : r.tasks[0];
  return switchTo(ctx, t.task);
}

function switchTo(ctx: CommandContext, task: bigint): CommandResult {
  const tc = taskByAddress(ctx.kernel, task);
  if (!tc) return err(`cannot set context for task: ${task.toString(16)}`);
  ctx.setCurrentTask?.(tc.task, tc.cpu);
  ctx.setCurrentCpu(tc.cpu);
  return contextResult(ctx.kernel, tc);
}
