import type { Kernel } from '../kernel.js';
import { CrashError } from '../../util/errors.js';
import { isPerCpuSymbol, perCpuPtr } from './percpu.js';
import { cpuState } from './sched.js';
import { activeTask } from './context.js';
import { taskByAddress, type TaskContext } from './task.js';
import { listForEach } from './list.js';
import { rbInorder } from './rbtree.js';
import { resolveType } from '../../debuginfo/btf/types.js';

/**
 * Per-cpu run queues (kernel/sched/sched.h struct rq): the running task, the RT priority array
 * (rq->rt.active, one list per priority) and the CFS tree (rq->cfs.tasks_timeline, in vruntime
 * order), descending into group entities (se->my_q, rt_se->my_q) the way crash's runq does.
 */

/** A queued task: `prio` is the RT queue index or task_struct.prio (CFS). */
export interface QueuedTask {
  prio: number;
  tc: TaskContext;
}

export interface CpuRunqueue {
  cpu: number;
  rq: bigint;
  /** rq->curr, and its context when the task table knows it. */
  curr: bigint;
  currTc?: TaskContext;
  rtArray: bigint;
  rt: QueuedTask[];
  cfsRoot: bigint;
  cfs: QueuedTask[];
  /** crash's "duplicate CFS runqueue node: task %lx" (the walk stopped there). */
  warning?: string;
}

const off = (k: Kernel, s: string, m: string) => BigInt(k.offsetOf(s, m));

/** The address of cpu's struct rq; crash's error when the kernel has no per-cpu runqueues. */
export function runqueueAddr(k: Kernel, cpu: number): bigint {
  const rq = k.symbol('runqueues');
  if (!rq) throw new CrashError('per-cpu runqueues do not exist');
  return perCpuPtr(k, rq.address, cpu);
}

/** Number of cpus crash iterates (kt->cpus). */
export const runqCpus = (k: Kernel): number => cpuState(k).present;

export function currentOf(k: Kernel, cpu: number): { curr: bigint; currTc?: TaskContext } {
  const curr = activeTask(k, cpu) ?? 0n;
  return { curr, currTc: taskByAddress(k, curr) };
}

/** One cpu's run queue as crash's dump_CFS_runqueues() shows it. */
export function cpuRunqueue(k: Kernel, cpu: number): CpuRunqueue {
  const rq = runqueueAddr(k, cpu);
  if (!k.hasMember('struct rq', 'cfs') || !k.hasMember('struct rq', 'rt')) throw new CrashError('cannot determine run queue structures');
  // Before v2.6.24's group scheduling rework, the root cfs_rq was the per-cpu init_cfs_rq.
  const init = k.symbol('init_cfs_rq');
  const cfsRq = init && isPerCpuSymbol(k, init) ? perCpuPtr(k, init.address, cpu) : rq + off(k, 'struct rq', 'cfs');
  const rtArray = rq + off(k, 'struct rq', 'rt') + off(k, 'struct rt_rq', 'active');
  const seen = new Set<bigint>();
  const cfs: QueuedTask[] = [];
  let warning: string | undefined;
  try {
    cfsTasks(k, cfsRq, cfs, seen, 0);
  } catch (e) {
    if (!(e instanceof DuplicateTask)) throw e;
    warning = `duplicate CFS runqueue node: task ${e.task.toString(16)}`;
  }
  return {
    cpu,
    rq,
    ...currentOf(k, cpu),
    rtArray,
    rt: rtPrioArray(k, rtArray, 0),
    cfsRoot: cfsRq + off(k, 'struct cfs_rq', 'tasks_timeline'),
    cfs,
    warning,
  };
}

class DuplicateTask extends Error {
  constructor(readonly task: bigint) {
    super('duplicate');
  }
}

/** The leftmost pointer of a cfs_rq (cfs_rq.rb_leftmost, or rb_root_cached.rb_leftmost since 4.14). */
export function cfsLeftmost(k: Kernel, cfsRq: bigint): bigint {
  const o = k.memberByteOffset('struct cfs_rq', 'rb_leftmost') ?? k.memberByteOffset('struct cfs_rq', 'tasks_timeline.rb_leftmost');
  return o === undefined ? 1n : k.readPtr(cfsRq + BigInt(o), 'cfs_rq rb_leftmost');
}

/** The sched_entity nodes of a cfs_rq's timeline, in vruntime order (none when rb_leftmost is NULL). */
export function* cfsEntities(k: Kernel, cfsRq: bigint): Generator<bigint> {
  if (!cfsLeftmost(k, cfsRq)) return;
  const root = cfsRq + off(k, 'struct cfs_rq', 'tasks_timeline') + BigInt(k.memberByteOffset('struct rb_root', 'rb_node') ?? 0);
  const runNode = off(k, 'struct sched_entity', 'run_node');
  for (const n of rbInorder(k, k.readPtr(root, 'cfs_rq tasks_timeline'), 'cfs_rq tasks_timeline')) yield n - runNode;
}

/** se->my_q (the cfs_rq a group entity owns), 0 for a task's entity or without group scheduling. */
export function seMyQ(k: Kernel, se: bigint): bigint {
  const o = k.memberByteOffset('struct sched_entity', 'my_q');
  return o === undefined || !se ? 0n : k.readPtr(se + BigInt(o), 'sched_entity my_q');
}

export const taskOfSe = (k: Kernel, se: bigint): bigint => se - off(k, 'struct task_struct', 'se');

export function taskPrio(k: Kernel, task: bigint): number {
  return k.readS32(task + off(k, 'struct task_struct', 'prio'), 'task prio');
}

/** crash's dump_tasks_in_cfs_rq(): curr's group queue first, then the tree, groups expanded. */
function cfsTasks(k: Kernel, cfsRq: bigint, out: QueuedTask[], seen: Set<bigint>, depth: number): void {
  if (depth > 32) throw new CrashError(`cfs_rq ${cfsRq.toString(16)}: group nesting too deep`);
  const curr = k.readPtr(cfsRq + off(k, 'struct cfs_rq', 'curr'), 'curr');
  const currQ = seMyQ(k, curr);
  if (currQ) cfsTasks(k, currQ, out, seen, depth + 1);
  for (const se of cfsEntities(k, cfsRq)) {
    const q = seMyQ(k, se);
    if (q) {
      cfsTasks(k, q, out, seen, depth + 1);
      continue;
    }
    const tc = taskByAddress(k, taskOfSe(k, se));
    if (!tc) continue;
    if (seen.has(tc.task)) throw new DuplicateTask(tc.task);
    seen.add(tc.task);
    out.push({ prio: taskPrio(k, tc.task), tc });
  }
}

/** Number of lists in struct rt_prio_array.queue (MAX_RT_PRIO). */
export function rtQueueCount(k: Kernel): number {
  const m = k.types.memberOf('struct rt_prio_array', 'queue');
  const t = m && resolveType(m.type);
  return t && t.kind === 'array' && t.length ? t.length : 100;
}

/** The sched_rt_entity entries queued on each priority list of an rt_prio_array. */
export function* rtQueues(k: Kernel, prioArray: bigint): Generator<{ prio: number; rtSe: bigint }> {
  const queue = prioArray + off(k, 'struct rt_prio_array', 'queue');
  const runList = off(k, 'struct sched_rt_entity', 'run_list');
  for (let i = 0; i < rtQueueCount(k); i++) {
    const head = queue + BigInt(i * 16);
    for (const node of listForEach(k, head, 'rt_prio_array queue')) yield { prio: i, rtSe: node - runList };
  }
}

export function rtSeMyQ(k: Kernel, rtSe: bigint): bigint {
  const o = k.memberByteOffset('struct sched_rt_entity', 'my_q');
  return o === undefined ? 0n : k.readPtr(rtSe + BigInt(o), 'my_q');
}

/** crash's dump_RT_prio_array(): tasks by queue index, group queues (rt_se->my_q) expanded. */
function rtPrioArray(k: Kernel, prioArray: bigint, depth: number): QueuedTask[] {
  if (depth > 32) throw new CrashError(`rt_prio_array ${prioArray.toString(16)}: group nesting too deep`);
  const out: QueuedTask[] = [];
  for (const { prio, rtSe } of rtQueues(k, prioArray)) {
    const q = rtSeMyQ(k, rtSe);
    if (q) {
      out.push(...rtPrioArray(k, q + off(k, 'struct rt_rq', 'active'), depth + 1));
      continue;
    }
    const tc = taskByAddress(k, rtSe - off(k, 'struct task_struct', 'rt'));
    if (tc) out.push({ prio, tc });
  }
  return out;
}

/** rq->clock (crash's rq_timestamp: clock, most_recent_timestamp or timestamp_last_tick). */
export function rqTimestamp(k: Kernel, rq: bigint): bigint | undefined {
  for (const m of ['clock', 'most_recent_timestamp', 'timestamp_last_tick']) {
    const o = k.memberByteOffset('struct rq', m);
    if (o !== undefined) return k.readU64(rq + BigInt(o), 'per-cpu rq timestamp');
  }
  return undefined;
}

/** crash's task_last_run(): last_run, timestamp, or sched_info.last_arrival; 0 when none exists. */
export function taskLastRun(k: Kernel, task: bigint): bigint {
  for (const m of ['last_run', 'timestamp', 'sched_info.last_arrival']) {
    const o = k.memberByteOffset('struct task_struct', m);
    if (o !== undefined) return k.readU64(task + BigInt(o), 'task last run');
  }
  return 0n;
}
