import { findMember } from '../debuginfo/btf/types.js';
import type { BuildContext } from './infra.js';
import { writeObject } from './infra.js';
import { CrashError } from '../util/errors.js';

/**
 * Tasks as the kernel links them: init_task.tasks through every thread-group leader, each
 * thread group's list, parents, the state word (`__state` since 5.14, `state` before), the cpu
 * (task_struct.cpu or thread_info.cpu), and each cpu's runqueue curr/idle and hotplug state.
 * Returns the extra per-cpu variables (runqueues, cpuhp_state) for buildPerCpu.
 */
export function buildTasks(c: BuildContext): { name: string; type: string; values: Record<string, unknown>[] }[] {
  const tasks = c.s.tasks;
  if (!tasks.length) throw new CrashError(`scenario ${c.s.name}: no tasks (init_task at least)`);
  const init = tasks[0];
  if (init.pid !== 0) throw new CrashError(`scenario ${c.s.name}: the first task must be init_task (pid 0)`);
  c.syms.add('init_task', init.task, 'D');
  const T = 'struct task_struct';
  const has = (m: string) => !!findMember(c.type(T), m);
  const tasksOff = BigInt(c.offsetOf(T, 'tasks'));
  const byPid = new Map(tasks.map((t) => [t.pid, t]));
  // The task list holds init_task and the thread-group leaders, excluding other idle tasks.
  const listed = tasks.filter((t, i) => i === 0 || !t.idle);
  listed.forEach((t, i) => {
    const next = listed[(i + 1) % listed.length].task + tasksOff;
    const prev = listed[(i - 1 + listed.length) % listed.length].task + tasksOff;
    c.mem.writeU64(t.task + tasksOff, next);
    c.mem.writeU64(t.task + tasksOff + 8n, prev);
  });
  for (const t of tasks) {
    const parent = byPid.get(t.ppid ?? 0)?.task ?? init.task;
    const v: Record<string, unknown> = {
      pid: t.pid,
      tgid: t.pid,
      comm: t.comm,
      [has('__state') ? '__state' : 'state']: t.state,
      real_parent: parent,
      parent,
      group_leader: t.task,
      ...(t.stack !== undefined && has('stack') ? { stack: t.stack } : {}),
      ...(has('cpu') ? { cpu: t.cpu } : has('thread_info.cpu') ? { 'thread_info.cpu': t.cpu } : {}),
      ...(t.values ?? {}),
    };
    writeObject(c, t.task, T, v);
    if (!has('cpu') && !has('thread_info') && c.hasType('struct thread_info')) {
      // Before THREAD_INFO_IN_TASK, thread_info (with the cpu) sits at the bottom of the stack.
      const stack = t.stack ?? c.mem.allocData(16384, 16384);
      if (t.stack === undefined) writeObject(c, t.task, T, { stack });
      writeObject(c, stack, 'struct thread_info', { task: t.task, cpu: t.cpu });
    }
    if (has('thread_group')) {
      const tg = t.task + BigInt(c.offsetOf(T, 'thread_group'));
      c.mem.writeU64(tg, tg);
      c.mem.writeU64(tg + 8n, tg);
    }
  }
  const cpus = c.s.cpus.count;
  const rq = [...Array(cpus).keys()].map((cpu) => {
    const idle = tasks.find((t) => t.idle && t.cpu === cpu) ?? (cpu === 0 ? init : undefined);
    const curr = tasks.find((t) => t.active && t.cpu === cpu) ?? idle;
    if (!idle) throw new CrashError(`scenario ${c.s.name}: cpu ${cpu} has no idle task`);
    return { curr: curr!.task, idle: idle.task };
  });
  const extra = [{ name: 'runqueues', type: 'struct rq', values: rq as Record<string, unknown>[] }];
  if (c.hasType('struct cpuhp_cpu_state')) {
    extra.push({ name: 'cpuhp_state', type: 'struct cpuhp_cpu_state', values: [...Array(cpus)].map(() => ({ state: 'CPUHP_ONLINE' })) });
  }
  return extra;
}
