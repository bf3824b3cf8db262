import type { CommandContext } from './types.js';
import type { ContextResult, TaskHeaderInfo } from './task-results.js';
import type { Kernel } from '../kernel/kernel.js';
import { isActive, panicTask, resolveTaskArg, taskByAddress, tasksByPid, type TaskContext } from '../kernel/helpers/task.js';
import { taskStateVerbose } from '../kernel/helpers/task-state.js';
import { panicMessage, stackHoldsSysrqCrash } from '../kernel/helpers/panic.js';
import { taskStack } from '../kernel/helpers/stack.js';
import { CrashError } from '../util/errors.js';

export const headerOf = (tc: TaskContext): TaskHeaderInfo => ({ pid: tc.pid, task: tc.task, cpu: tc.cpu, comm: tc.comm });

/** The current context's task (crash's CURRENT_CONTEXT()). */
export function currentContext(ctx: CommandContext): TaskContext {
  const t = ctx.currentTask;
  const tc = t === undefined ? undefined : taskByAddress(ctx.kernel, t);
  if (!tc) throw new CrashError('no current task context');
  return tc;
}

/**
 * Tasks named by `pid | task` arguments (str_to_context); none → the current context. A pid
 * shared by several tasks (pid 0) names all of them.
 */
export function tasksFromArgs(ctx: CommandContext, args: string[]): TaskContext[] {
  if (!args.length) return [currentContext(ctx)];
  return args.flatMap((a) => resolveTaskArg(ctx.kernel, a).tasks);
}

/** show_context(): the block `set` prints. */
export function contextResult(k: Kernel, tc: TaskContext, indent = 0): ContextResult {
  let tag: string | undefined;
  if (isActive(k, tc.task)) {
    const panic = panicTask(k)?.task === tc.task;
    // crash tags a sysrq-c panic task (SYSRQ) when the panic message came from the sysrq handler
    const stack = panic ? taskStack(k, tc) : undefined;
    const sysrq = /SysRq : (Crash|Trigger a crash)/.test(panicMessage(k)) || stackHoldsSysrqCrash(k, stack?.base, stack?.top);
    tag = panic ? (sysrq ? '(SYSRQ)' : '(PANIC)') : '(ACTIVE)';
  }
  return {
    kind: 'context',
    header: headerOf(tc),
    threadInfo: tc.threadInfo,
    ofPid: tasksByPid(k, tc.pid).length,
    state: taskStateVerbose(k, tc.task),
    tag,
    indent,
  };
}
