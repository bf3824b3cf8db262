import type { Kernel } from '../kernel.js';
import { perCpuPtr } from './percpu.js';
import { cpuState } from './sched.js';

/** The cpu that panicked: panic_cpu (atomic_t, -1 when none), else crashing_cpu, else 0. */
export function panicCpu(k: Kernel): number {
  return k.memo('panic_cpu', () => {
    for (const name of ['panic_cpu', 'crashing_cpu']) {
      const s = k.symbol(name);
      if (!s) continue;
      try {
        const v = k.readS32(s.address, name);
        if (v >= 0 && v < cpuState(k).present) return v;
      } catch {
        /* try the next source */
      }
    }
    return 0;
  });
}

/** The task running on a cpu: per-cpu runqueues.curr (kernel/sched/sched.h). */
export function activeTask(k: Kernel, cpu: number): bigint | undefined {
  const rq = k.symbol('runqueues');
  const off = k.memberByteOffset('struct rq', 'curr');
  if (!rq || off === undefined) return undefined;
  return k.readPtr(perCpuPtr(k, rq.address, cpu) + BigInt(off), 'rq curr');
}

/** Physical address of a task's user page tables (mm->pgd), undefined for kernel threads. */
export function taskPgdPhys(k: Kernel, task: bigint): bigint | undefined {
  const mm = k.readPtr(task + BigInt(k.offsetOf('struct task_struct', 'mm')), 'task_struct mm');
  if (!mm) return undefined;
  const pgd = k.readPtr(mm + BigInt(k.offsetOf('struct mm_struct', 'pgd')), 'mm_struct pgd');
  return k.mem.kvtop(pgd);
}
