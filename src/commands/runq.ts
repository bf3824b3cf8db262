import { defineCommand, flag, withArg, type CommandContext } from './types.js';
import { err, type CommandResult } from './result.js';
import type { ParsedArgs } from './getopt.js';
import type { RunqResult } from './sched-results.js';
import { parseCpuSpec } from './cpuspec.js';
import { CrashError } from '../util/errors.js';
import { cpuRunqueue, currentOf, runqCpus, runqueueAddr, rqTimestamp, taskLastRun, taskPrio, type CpuRunqueue, type QueuedTask } from '../kernel/helpers/runq.js';
import { taskGroups } from '../kernel/helpers/runq-groups.js';
import { taskTable } from '../kernel/helpers/task.js';

export const runq = defineCommand({
  name: 'runq',
  summary: 'run queue',
  synopsis: '[-t] [-T] [-m] [-g] [-d] [-c cpu(s)]',
  description: [
    'This command displays the tasks on the run queues of each cpu: the per-cpu struct rq',
    '(runqueues), its current task, the RT priority array (rq->rt.active, tasks listed by queue',
    'index), and the CFS red-black tree (rq->cfs.tasks_timeline) walked in vruntime order with each',
    "task's prio.  Group scheduling entities (se->my_q, rt_se->my_q) are expanded into their tasks.",
    '-t shows the run queue clock (rq->clock) and the current task\'s sched_info.last_arrival in',
    'nanoseconds; -m the time since that arrival as [days hours:minutes:seconds.milliseconds];',
    '-g the task groups (root_task_group and its children, cgroup names from kernfs).',
  ],
  options: {
    t: flag('display run queue and current task timestamps'),
    T: flag('display the time lag of each cpu'),
    m: flag('display the time since the current task last ran'),
    g: flag('display tasks by task group'),
    d: flag('display all tasks with on_rq set'),
    c: withArg('restrict the output to these cpus'),
  },
  examples: [{ command: 'runq' }, { command: 'runq -t' }, { command: 'runq -m' }, { command: 'runq -g' }, { command: 'runq -c 1' }],
  run: (ctx, a) => runRunq(ctx, a),
});

function runRunq(ctx: CommandContext, a: ParsedArgs): CommandResult | CommandResult[] {
  const k = ctx.kernel;
  const f = (c: string) => a.flags.has(c);
  const ncpus = runqCpus(k);
  const spec = a.values.get('c');
  if (spec && spec.length > 1) throw new CrashError('only one -c option allowed');
  const cpus = spec ? parseCpuSpec(spec[0], ncpus, ctx.currentCpu) : [...Array(ncpus).keys()];
  if (f('t')) return timestamps(ctx, cpus, 'timestamps');
  if (f('T')) return lag(ctx, ncpus);
  if (f('m')) return timestamps(ctx, cpus, 'since');
  if (f('d')) return onRq(ctx, cpus);
  if (f('g')) return { kind: 'runq', view: 'groups', groups: taskGroups(k, cpus) };
  const out: CpuRunqueue[] = [];
  for (const cpu of cpus) {
    try {
      out.push(cpuRunqueue(k, cpu));
    } catch (e) {
      if (!(e instanceof CrashError) || !out.length) throw e;
      return [{ kind: 'runq', view: 'queues', cpus: out }, err(e.message)];
    }
  }
  return { kind: 'runq', view: 'queues', cpus: out };
}

function timestamps(ctx: CommandContext, cpus: number[], view: 'timestamps' | 'since'): RunqResult {
  const k = ctx.kernel;
  const rows = cpus.map((cpu) => {
    const rqTs = rqTimestamp(k, runqueueAddr(k, cpu));
    if (rqTs === undefined) throw new CrashError(`-${view === 'since' ? 'm' : 't'} option not supported or applicable on this architecture or kernel`);
    const { currTc } = currentOf(k, cpu);
    return { cpu, rqTs, tc: currTc, lastRun: currTc ? taskLastRun(k, currTc.task) : 0n };
  });
  return view === 'since' ? { kind: 'runq', view, ncpus: runqCpus(k), rows } : { kind: 'runq', view, radix: ctx.settings.radix, rows };
}

/** dump_on_rq_lag(): every cpu, sorted by rq clock, most recent first. */
function lag(ctx: CommandContext, ncpus: number): RunqResult {
  const k = ctx.kernel;
  const rows = [...Array(ncpus).keys()].map((cpu) => {
    const ts = rqTimestamp(k, runqueueAddr(k, cpu));
    if (ts === undefined) throw new CrashError('-T option not supported or applicable on this architecture or kernel');
    return { cpu, ts };
  });
  rows.sort((x, y) => (x.ts > y.ts ? -1 : x.ts < y.ts ? 1 : 0));
  return { kind: 'runq', view: 'lag', ncpus, rows };
}

/** dump_on_rq_tasks(): the task table in pid order, those with on_rq set on each cpu. */
function onRq(ctx: CommandContext, cpus: number[]): RunqResult {
  const k = ctx.kernel;
  const T = 'struct task_struct';
  const onRqOff = k.memberByteOffset(T, 'on_rq') ?? (k.memberByteOffset(T, 'se') ?? -1) + (k.memberByteOffset('struct sched_entity', 'on_rq') ?? -1e9);
  if (onRqOff < 0) throw new CrashError('-d option not supported or applicable on this architecture or kernel');
  const table = taskTable(k);
  return {
    kind: 'runq',
    view: 'on-rq',
    cpus: cpus.map((cpu) => {
      const tasks: QueuedTask[] = [];
      for (const tc of table) {
        if (tc.cpu !== cpu) continue;
        if (!k.readS32(tc.task + BigInt(onRqOff), 'task on_rq')) continue;
        tasks.push({ prio: taskPrio(k, tc.task), tc });
      }
      return { cpu, tasks };
    }),
  };
}
