import type { Kernel } from '../kernel.js';
import { allTasksPartial, cpuState, idleTasks } from './sched.js';
import { activeTask, panicCpu } from './context.js';
import { pidHashTasks } from './pid.js';
import { perCpuPtr } from './percpu.js';
import { CrashError } from '../../util/errors.js';

/** What crash keeps per task (task.c struct task_context), read once per session. */
export interface TaskContext {
  task: bigint;
  pid: number;
  tgid: number;
  comm: string;
  /** task_struct.cpu (thread_info.cpu before THREAD_INFO_IN_TASK) */
  cpu: number;
  /** real_parent: the PPID column */
  parent: bigint;
  mm: bigint;
  flags: number;
  /** Base of the kernel stack (task_struct.stack), when the kernel has it. */
  stack?: bigint;
  /** The thread_info crash shows: the task itself on THREAD_INFO_IN_TASK kernels (v4.9+). */
  threadInfo: bigint;
}

const TASK_COMM_LEN = 16;
/** PF_KTHREAD (include/linux/sched.h, a #define BTF cannot give us; stable since v2.6.27). */
const PF_KTHREAD = 0x00200000;

/** Read one task's context; throws a CrashError when the task_struct is unreadable. */
export function readTaskContext(k: Kernel, task: bigint): TaskContext {
  const T = 'struct task_struct';
  const off = (m: string) => k.memberByteOffset(T, m);
  const int = (m: string) => {
    const o = off(m);
    return o === undefined ? 0 : k.readS32(task + BigInt(o), `task_struct ${m}`);
  };
  const ptr = (m: string) => {
    const o = off(m);
    return o === undefined ? 0n : k.readPtr(task + BigInt(o), `task_struct ${m}`);
  };
  const commOff = k.offsetOf(T, 'comm');
  const comm = k.readBytes(task + BigInt(commOff), TASK_COMM_LEN, 'task_struct comm');
  const z = comm.indexOf(0);
  const inTask = k.hasMember(T, 'thread_info') && k.types.memberOf(T, 'thread_info')?.type.kind !== 'ptr';
  let cpu: number;
  if (off('cpu') !== undefined) cpu = int('cpu');
  else if (off('thread_info.cpu') !== undefined) cpu = int('thread_info.cpu');
  else cpu = k.readS32(ptr('stack') + BigInt(k.offsetOf('struct thread_info', 'cpu')), 'thread_info cpu');
  const stack = off('stack') !== undefined ? ptr('stack') : undefined;
  return {
    task,
    pid: int('pid'),
    tgid: int('tgid'),
    comm: String.fromCharCode(...comm.subarray(0, z < 0 ? TASK_COMM_LEN : z)),
    cpu,
    parent: off('real_parent') !== undefined ? ptr('real_parent') : ptr('parent'),
    mm: ptr('mm'),
    flags: int('flags') >>> 0,
    stack,
    threadInfo: inTask ? task + BigInt(off('thread_info') ?? 0) : (stack ?? task),
  };
}

/**
 * Every task as crash's task table holds them (task.c refresh_xarray_task_table, get_idle_threads,
 * sort_by_pid): the per-cpu idle tasks, every task the PID IDR knows, and — in case the IDR misses
 * some — init_task.tasks with each group's threads; sorted by pid, pid 0 by cpu.
 */
export function taskTable(k: Kernel): TaskContext[] {
  return k.memo('task-table', () => {
    const addrs = new Set<bigint>(idleTasks(k));
    for (const t of pidHashTasks(k) ?? []) addrs.add(t);
    // the list walk is only a cross-check: a broken list still gives the tasks before the break
    for (const t of allTasksPartial(k).tasks) addrs.add(t);
    const out: TaskContext[] = [];
    for (const t of addrs) {
      try {
        out.push(readTaskContext(k, t));
      } catch {
        /* crash: "invalid task address" — skipped */
      }
    }
    return out.sort((a, b) => (a.pid === 0 && b.pid === 0 ? a.cpu - b.cpu : a.pid - b.pid || (a.task < b.task ? -1 : a.task > b.task ? 1 : 0)));
  });
}

export function taskByAddress(k: Kernel, task: bigint): TaskContext | undefined {
  const byAddr = k.memo('task-by-addr', () => new Map(taskTable(k).map((t) => [t.task, t])));
  return byAddr.get(task);
}

export function tasksByPid(k: Kernel, pid: number): TaskContext[] {
  return taskTable(k).filter((t) => t.pid === pid);
}

/** The active task of every cpu (runqueues.curr), crash's panic_threads[]. */
export function activeTasks(k: Kernel): Map<number, bigint> {
  return k.memo('active-tasks', () => {
    const m = new Map<number, bigint>();
    for (let cpu = 0; cpu < cpuState(k).present; cpu++) {
      try {
        const t = activeTask(k, cpu);
        if (t) m.set(cpu, t);
      } catch {
        /* no runqueue for this cpu */
      }
    }
    return m;
  });
}

export function isActive(k: Kernel, task: bigint): boolean {
  for (const t of activeTasks(k).values()) if (t === task) return true;
  return false;
}

/** The task that panicked: the active task of the panic cpu. */
export function panicTask(k: Kernel): TaskContext | undefined {
  const t = activeTasks(k).get(panicCpu(k));
  return t === undefined ? undefined : taskByAddress(k, t);
}

/** Kernel threads carry PF_KTHREAD (crash checks pid 0 has it and a user pid 1 does not). */
export function isKernelThread(k: Kernel, tc: TaskContext): boolean {
  const usable = k.memo('pf-kthread-usable', () => {
    const idle = tasksByPid(k, 0)[0];
    const init = tasksByPid(k, 1)[0];
    if (idle && !(idle.flags & PF_KTHREAD)) return false;
    if (init && init.mm && init.flags & PF_KTHREAD) return false;
    return true;
  });
  if (usable) return (tc.flags & PF_KTHREAD) !== 0;
  return tc.pid === 0 || tc.mm === 0n;
}

export interface TaskMemUsage {
  /** pages */
  rss: bigint;
  totalVm: bigint;
  pctPhysmem: number;
}

/** crash's get_task_mem_usage(): RSS = file + anon + shmem counters, VSZ = total_vm. */
export function taskMemUsage(k: Kernel, tc: TaskContext): TaskMemUsage {
  const none = { rss: 0n, totalVm: 0n, pctPhysmem: 0 };
  if (!tc.mm) return none;
  const M = 'struct mm_struct';
  const counters = ['MM_FILEPAGES', 'MM_ANONPAGES', 'MM_SHMEMPAGES'].map((n) => k.types.enumValue(n)).filter((v): v is bigint => v !== undefined);
  let rss = 0n;
  const rssOff = BigInt(k.offsetOf(M, 'rss_stat'));
  if (k.hasMember('struct mm_rss_stat', 'count')) {
    // v2.6.34..v6.1: struct mm_rss_stat { atomic_long_t count[NR_MM_COUNTERS]; }
    for (const c of counters) {
      const v = BigInt.asIntN(64, k.readU64(tc.mm + rssOff + c * 8n, 'mm_struct rss_stat'));
      if (v > 0n) rss += v;
    }
  } else {
    // v6.2 f1a7941243c1 "mm: convert mm's rss stats into percpu_counter"
    const size = BigInt(k.sizeOf('struct percpu_counter'));
    for (const c of counters) rss += percpuCounterSumPositive(k, tc.mm + rssOff + c * size);
  }
  if (k.hasMember('struct task_struct', 'rss_stat')) rss += splitRss(k, tc, counters);
  const totalVm = k.readU64(tc.mm + BigInt(k.offsetOf(M, 'total_vm')), 'mm_struct total_vm');
  const pages = totalPages(k);
  return { rss, totalVm, pctPhysmem: pages ? Number(rss * 100n) / Number(pages) : 0 };
}

/** SPLIT_RSS_COUNTING (removed in v6.2): per-thread task_struct.rss_stat counts, summed over the group. */
function splitRss(k: Kernel, tc: TaskContext, counters: bigint[]): bigint {
  const off = BigInt(k.offsetOf('struct task_struct', 'rss_stat') + k.offsetOf('struct task_rss_stat', 'count'));
  let sum = 0n;
  for (const t of taskTable(k)) {
    if (t.tgid !== tc.tgid || t.mm !== tc.mm) continue;
    for (const c of counters) {
      const v = k.readS32(t.task + off + c * 4n, 'task_struct rss_stat');
      if (v > 0) sum += BigInt(v);
    }
  }
  return sum;
}

function percpuCounterSumPositive(k: Kernel, fbc: bigint): bigint {
  let sum = BigInt.asIntN(64, k.readU64(fbc + BigInt(k.offsetOf('struct percpu_counter', 'count')), 'percpu_counter count'));
  const pcp = k.readPtr(fbc + BigInt(k.offsetOf('struct percpu_counter', 'counters')), 'percpu_counter counters');
  for (const cpu of cpuState(k).online) sum += BigInt(k.readS32(perCpuPtr(k, pcp, cpu), 'percpu_counter'));
  return sum > 0n ? sum : 0n;
}

/** crash's vt->total_pages: the direct map's extent, (high_memory - PAGE_OFFSET) / PAGE_SIZE. */
export function totalPages(k: Kernel): bigint {
  return k.memo('total-pages-hm', () => {
    const hm = k.symbol('high_memory');
    if (!hm) return 0n;
    const pa = k.arch.linearToPhys(k.readPtr(hm.address, 'high_memory'));
    return pa === undefined ? 0n : pa / BigInt(k.arch.pageSize);
  });
}

/**
 * crash's str_to_context(): a decimal pid, or a hex pid or task address. A decimal pid wins over a
 * hex reading of the same digits. Returns the matching contexts (several for pid 0).
 */
export function resolveTaskArg(k: Kernel, arg: string): { kind: 'pid' | 'task'; tasks: TaskContext[] } {
  const dec = /^\d+$/.test(arg) ? Number(arg) : undefined;
  const hexStr = arg.replace(/^0x/i, '');
  const hex = /^[0-9a-f]{1,16}$/i.test(hexStr) ? BigInt('0x' + hexStr) : undefined;
  if (dec !== undefined) {
    const byPid = tasksByPid(k, dec);
    if (byPid.length) return { kind: 'pid', tasks: byPid };
    const t = taskByAddress(k, BigInt(dec));
    if (t) return { kind: 'task', tasks: [t] };
  }
  if (hex !== undefined && (dec === undefined || BigInt(dec) !== hex)) {
    const t = taskByAddress(k, hex);
    if (t) return { kind: 'task', tasks: [t] };
    if (hex < 1n << 31n) {
      const byPid = tasksByPid(k, Number(hex));
      if (byPid.length) return { kind: 'pid', tasks: byPid };
    }
  }
  throw new CrashError(`invalid task or pid value: ${arg}`);
}

/** crash's initial context: the panic task, else cpu 0's idle task ("panic task not found"). */
export function defaultContextTask(k: Kernel): bigint | undefined {
  try {
    return panicTask(k)?.task ?? idleTasks(k)[0];
  } catch {
    return undefined;
  }
}
