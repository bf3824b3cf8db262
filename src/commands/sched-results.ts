/** Results of `runq`, `irq` and `timer`; rendered by format/runq.ts, format/irq.ts, format/timer.ts. */
import type { TaskContext } from '../kernel/helpers/task.js';
import type { CpuRunqueue, QueuedTask } from '../kernel/helpers/runq.js';
import type { TaskGroups } from '../kernel/helpers/runq-groups.js';
import type { IrqDescInfo, SoftirqVec } from '../kernel/helpers/irq.js';
import type { HrtimerCpu, TimerBase } from '../kernel/helpers/timer.js';


export type RunqResult =
  /** `runq` / `runq -c`: dump_CFS_runqueues() */
  | { kind: 'runq'; view: 'queues'; cpus: CpuRunqueue[] }
  /** `runq -t`: rq clock and the current task's last arrival */
  | { kind: 'runq'; view: 'timestamps'; radix: 10 | 16; rows: { cpu: number; rqTs: bigint; tc?: TaskContext; lastRun: bigint }[] }
  /** `runq -m`: time since the current task last arrived, crash's `[D HH:MM:SS.mmm]` */
  | { kind: 'runq'; view: 'since'; ncpus: number; rows: { cpu: number; rqTs: bigint; tc?: TaskContext; lastRun: bigint }[] }
  /** `runq -T`: each cpu's rq clock behind the most recent one */
  | { kind: 'runq'; view: 'lag'; ncpus: number; rows: { cpu: number; ts: bigint }[] }
  /** `runq -g`: task groups */
  | { kind: 'runq'; view: 'groups'; groups: TaskGroups }
  /** `runq -d`: every task with on_rq set, by cpu */
  | { kind: 'runq'; view: 'on-rq'; cpus: { cpu: number; tasks: QueuedTask[] }[] };

export type IrqResult =
  /** `irq` / `irq N...` / `irq -u`: generic_dump_irq() v2 rows (desc 0: unused) */
  | { kind: 'irq'; view: 'table'; rows: IrqDescInfo[]; header: boolean }
  /** `irq -s [-c cpus]`: /proc/interrupts-like counts */
  | { kind: 'irq'; view: 'stats'; cpus: number[]; rows: IrqDescInfo[] }
  /** `irq -a` */
  | { kind: 'irq'; view: 'affinity'; ncpus: number; rows: IrqDescInfo[] }
  /** `irq -b`: softirq_vec[] */
  | { kind: 'irq'; view: 'softirq'; vecs: SoftirqVec[] };

export type TimerResult =
  /** `timer` / `timer -C`: the timer wheel of each cpu */
  | { kind: 'timer'; view: 'wheel'; radix: 10 | 16; jiffies: bigint; cpus: { cpu: number; bases: TimerBase[] }[] }
  /** `timer -r`: hrtimers */
  | { kind: 'timer'; view: 'hrtimer'; radix: 10 | 16; cpus: HrtimerCpu[] };
