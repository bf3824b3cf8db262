import { CrashError } from '../../util/errors.js';
import type { Kernel } from '../kernel.js';
import { cpumaskBits, perCpuInfo, perCpuPtr, possibleCpus } from './percpu.js';
import { listForEachEntry } from './list.js';

export interface CpuState {
  /** Highest present cpu + 1 (crash's CPUS count). */
  present: number;
  /** CPUs that were running when the machine died. */
  online: number[];
}

/**
 * Which CPUs were online. The panic path takes the other CPUs out of cpu_online_mask
 * (stop_this_cpu → set_cpu_online(false), arch/x86/kernel/process.c) without hotplugging them,
 * which is why crash 8.0.2 reports "[OFFLINE: 1]" on a healthy 2-cpu machine. Their hotplug
 * state (per-cpu cpuhp_state.state == CPUHP_ONLINE, kernel/cpu.c) still says online, so that
 * is what we trust; the online mask is the fallback.
 */
export function cpuState(k: Kernel): CpuState {
  return k.memo('cpus', () => {
    const present = cpumaskBits(k, '__cpu_present_mask');
    const n = present.length ? present[present.length - 1] + 1 : possibleCpus(k);
    const fromMask = cpumaskBits(k, '__cpu_online_mask');
    const online = hotplugOnline(k, n) ?? fromMask;
    return { present: n, online };
  });
}

function hotplugOnline(k: Kernel, n: number): number[] | undefined {
  const sym = k.symbol('cpuhp_state');
  const enumOnline = k.types.enumValue('CPUHP_ONLINE');
  const off = k.memberByteOffset('struct cpuhp_cpu_state', 'state');
  if (!sym || enumOnline === undefined || off === undefined || !perCpuInfo(k)) return undefined;
  const out: number[] = [];
  for (let cpu = 0; cpu < n; cpu++) {
    try {
      if (BigInt(k.readS32(perCpuPtr(k, sym.address, cpu) + BigInt(off), 'cpuhp_state')) === enumOnline) out.push(cpu);
    } catch {
      return undefined;
    }
  }
  return out;
}

/** The idle task of each cpu: per-cpu runqueues.idle (kernel/sched/sched.h struct rq). */
export function idleTasks(k: Kernel): bigint[] {
  return k.memo('idle', () => {
    const rq = k.symbol('runqueues');
    const off = k.memberByteOffset('struct rq', 'idle');
    const out: bigint[] = [];
    if (!rq || off === undefined) return [k.symbolAddress('init_task')];
    for (let cpu = 0; cpu < cpuState(k).present; cpu++) out.push(k.readPtr(perCpuPtr(k, rq.address, cpu) + BigInt(off), 'rq idle'));
    return out;
  });
}

/**
 * Every task: the idle tasks, then init_task.tasks (thread-group leaders) with each leader's
 * threads (signal->thread_head / thread_node on 6.x, thread_group before 6.7).
 * This is the task list issue "Tasks" will extend with the PID xarray.
 */
export function allTasks(k: Kernel): bigint[] {
  const r = allTasksPartial(k);
  if (r.error) throw r.error;
  return r.tasks;
}

/**
 * The task list walk, keeping what it found before a broken link (a loop, a pointer that leaves
 * memory): the tasks up to there, and the CrashError that stopped it.
 */
export function allTasksPartial(k: Kernel): { tasks: bigint[]; error?: CrashError } {
  return k.memo('tasks', () => {
    const init = k.symbolAddress('init_task');
    const seen = new Set<bigint>(idleTasks(k));
    const out = [...seen];
    const add = (t: bigint) => {
      if (!seen.has(t)) {
        seen.add(t);
        out.push(t);
      }
    };
    const tasksOff = BigInt(k.offsetOf('struct task_struct', 'tasks'));
    const threadsOf = threadWalker(k);
    try {
      add(init);
      for (const th of threadsOf(init)) add(th);
      for (const t of listForEachEntry(k, init + tasksOff, 'struct task_struct', 'tasks')) {
        add(t);
        for (const th of threadsOf(t)) add(th);
      }
    } catch (e) {
      if (!(e instanceof CrashError)) throw e;
      return { tasks: out, error: e };
    }
    return { tasks: out };
  });
}

function threadWalker(k: Kernel): (leader: bigint) => bigint[] {
  if (k.hasMember('struct task_struct', 'thread_group')) {
    const off = BigInt(k.offsetOf('struct task_struct', 'thread_group'));
    return (t) => [...listForEachEntry(k, t + off, 'struct task_struct', 'thread_group')];
  }
  if (k.hasMember('struct signal_struct', 'thread_head') && k.hasMember('struct task_struct', 'thread_node')) {
    const sig = BigInt(k.offsetOf('struct task_struct', 'signal'));
    const head = BigInt(k.offsetOf('struct signal_struct', 'thread_head'));
    return (t) => {
      const s = k.readPtr(t + sig, 'task_struct signal');
      return s ? [...listForEachEntry(k, s + head, 'struct task_struct', 'thread_node')] : [];
    };
  }
  return () => [];
}
