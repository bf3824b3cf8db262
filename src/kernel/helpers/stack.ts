import type { Kernel } from '../kernel.js';
import type { TaskContext } from './task.js';
import { perCpuInfo, perCpuPtr } from './percpu.js';
import { cpuState } from './sched.js';
import { prstatusNotes } from '../../dump/prstatus.js';
import { regsFromPrstatus, type X86Regs } from '../../arch/regs.js';
import { isStructLike } from '../../debuginfo/btf/types.js';

/** A kernel stack: [base, top). */
export interface StackRange {
  base: bigint;
  top: bigint;
  kind: 'task' | 'irq' | 'exception';
  /** crash's name for an exception stack: NMI, DEBUG, DOUBLEFAULT, MCE, VC, VC2 */
  name?: string;
  cpu?: number;
}

/** THREAD_SIZE: the init task's stack extent (init_stack.. __end_init_task), else 16K (x86_64, v4.x+). */
export function threadSize(k: Kernel): bigint {
  return k.memo('thread-size', () => {
    const a = k.symbol('init_stack') ?? k.symbol('init_thread_union');
    const b = k.symbol('__end_init_task');
    const d = a && b ? b.address - a.address : 0n;
    return d >= 0x2000n && d <= 0x100000n && (d & (d - 1n)) === 0n ? d : 0x4000n;
  });
}

export function taskStack(k: Kernel, tc: TaskContext): StackRange | undefined {
  if (!tc.stack) return undefined;
  return { base: tc.stack, top: tc.stack + threadSize(k), kind: 'task' };
}

/**
 * Each cpu's hard-IRQ stack: per-cpu hardirq_stack_ptr (v5.2+; pcpu_hot.hardirq_stack_ptr since
 * v6.2 c063a217bc07), which points at the top word, IRQ_STACK_SIZE - 8 above the base.
 */
export function irqStack(k: Kernel, cpu: number): StackRange | undefined {
  const stacks = k.memo('irq-stacks', () => {
    const size = k.hasType('struct irq_stack') ? BigInt(k.sizeOf('struct irq_stack')) : threadSize(k);
    let at: ((cpu: number) => bigint) | undefined;
    const direct = k.symbol('hardirq_stack_ptr');
    const hot = k.symbol('pcpu_hot');
    const hotOff = k.memberByteOffset('struct pcpu_hot', 'hardirq_stack_ptr');
    if (direct) at = (c) => perCpuPtr(k, direct.address, c);
    else if (hot && hotOff !== undefined) at = (c) => perCpuPtr(k, hot.address, c) + BigInt(hotOff);
    const out: (StackRange | undefined)[] = [];
    if (!at || !perCpuInfo(k)) return out;
    for (let c = 0; c < cpuState(k).present; c++) {
      try {
        const p = k.readPtr(at(c), 'hardirq_stack_ptr');
        out.push(p ? { base: p + 8n - size, top: p + 8n, kind: 'irq', cpu: c } : undefined);
      } catch {
        out.push(undefined);
      }
    }
    return out;
  });
  return stacks[cpu];
}

const ESTACK_NAMES: Record<string, string> = { DF: 'DOUBLEFAULT', NMI: 'NMI', DB: 'DEBUG', MCE: 'MCE', VC: 'VC', VC2: 'VC2' };

/**
 * Each cpu's IST exception stacks in the cpu entry area: per-cpu cea_exception_stacks points at a
 * struct cea_exception_stacks whose `<NAME>_stack` members are the stacks (v5.2, 019b17b3ffe4).
 */
export function exceptionStacks(k: Kernel, cpu: number): StackRange[] {
  const all = k.memo('exception-stacks', () => {
    const sym = k.symbol('cea_exception_stacks');
    const t = k.types.tryParse('struct cea_exception_stacks');
    const out: StackRange[][] = [];
    if (!sym || !t || !isStructLike(t) || !perCpuInfo(k)) return out;
    for (let c = 0; c < cpuState(k).present; c++) {
      const list: StackRange[] = [];
      try {
        const base = k.readPtr(perCpuPtr(k, sym.address, c), 'cea_exception_stacks');
        for (const m of t.members) {
          const name = /^(\w+)_stack$/.exec(m.name)?.[1];
          const info = name ? k.types.memberOf('struct cea_exception_stacks', m.name) : undefined;
          if (!name || !info || !base) continue;
          const start = base + BigInt(info.bitOffset / 8);
          list.push({ base: start, top: start + BigInt(k.types.sizeof(info.type)), kind: 'exception', name: ESTACK_NAMES[name] ?? name, cpu: c });
        }
      } catch {
        /* no entry area for this cpu */
      }
      out.push(list);
    }
    return out;
  });
  return all[cpu] ?? [];
}

/** The stack holding `sp` among a task's own, and its cpu's IRQ and exception stacks. */
export function stackContaining(k: Kernel, tc: TaskContext, sp: bigint): StackRange | undefined {
  const candidates = [taskStack(k, tc), irqStack(k, tc.cpu), ...exceptionStacks(k, tc.cpu)];
  return candidates.find((s) => s && sp >= s.base && sp < s.top);
}

/**
 * The registers each cpu stopped with: the dump's NT_PRSTATUS notes, one per cpu in cpu order
 * (kdump saves the online cpus; QEMU every vcpu).
 */
export function cpuRegisters(k: Kernel, cpu: number): X86Regs | undefined {
  const regs = k.memo('cpu-regs', () => {
    if (k.dump.machine !== 'x86_64') return [];
    const notes = prstatusNotes(k.dump.machine, k.dump.notes);
    const c = cpuState(k);
    const cpus = notes.length === c.present ? [...Array(c.present).keys()] : c.online;
    const out: (X86Regs | undefined)[] = [];
    notes.forEach((n, i) => {
      if (cpus[i] !== undefined) out[cpus[i]] = regsFromPrstatus(n.regs);
    });
    return out;
  });
  return regs[cpu];
}

/**
 * Where a sleeping task resumes: task->thread.sp points at its struct inactive_task_frame
 * (v4.9 0100301bfdf5) {r15 r14 r13 r12 bx bp ret_addr}; ret_addr is in __schedule.
 */
export function sleepingFrame(k: Kernel, tc: TaskContext): { ip: bigint; slot: bigint; bp: bigint; sp: bigint } | undefined {
  const spOff = k.memberByteOffset('struct task_struct', 'thread.sp');
  const ret = k.memberByteOffset('struct inactive_task_frame', 'ret_addr');
  const bp = k.memberByteOffset('struct inactive_task_frame', 'bp');
  if (spOff === undefined || ret === undefined || bp === undefined) return undefined;
  const sp = k.readPtr(tc.task + BigInt(spOff), 'thread.sp');
  return { ip: k.readPtr(sp + BigInt(ret), 'inactive_task_frame ret_addr'), slot: sp + BigInt(ret), bp: k.readPtr(sp + BigInt(bp), 'inactive_task_frame bp'), sp };
}

/** Is `addr` kernel text (crash's is_kernel_text: the image's text and init text)? */
export function isKernelText(k: Kernel, addr: bigint): boolean {
  const ranges = k.memo('text-ranges', () => {
    const out: [bigint, bigint][] = [];
    for (const [a, b] of [['_stext', '_etext'], ['_sinittext', '_einittext']]) {
      const s = k.symbol(a)?.address;
      const e = k.symbol(b)?.address;
      if (s !== undefined && e !== undefined && e > s) out.push([s, e]);
    }
    return out;
  });
  return ranges.some(([s, e]) => addr >= s && addr < e);
}
