/**
 * Stack searches that are not unwinds: bt -e / -E (every word offset of a stack tried as a struct
 * pt_regs, kept when it verifies as an exception frame: x86_64.c x86_64_eframe_search and
 * x86_64_eframe_verify), bt -v (the stack-overflow check of task.c check_stack_overflow).
 */
import type { Kernel } from '../kernel.js';
import type { TaskContext } from './task.js';
import { exceptionStacks, irqStack, isKernelText, taskStack, type StackRange } from './stack.js';
import { moduleSymbolAt } from './module.js';
import { cpuState } from './sched.js';
import { decodePtRegs, type X86Regs } from '../../arch/regs.js';
import { PT_REGS_SIZE } from '../../arch/unwind-orc.js';

/** An exception frame found by searching a stack. */
export interface FoundEframe {
  addr: bigint;
  regs: X86Regs;
  user: boolean;
  /** kernel-mode frames: `[exception RIP: name+off]` */
  rip?: { name: string; offset: bigint };
}

/** x86_64.c RAZ_MASK: RFLAGS bits that read as zero. */
const RAZ_MASK = 0xffffffffffc08028n;
/** x86_64 user addresses end at the canonical hole (IS_UVADDR). */
const USER_TOP = 1n << 47n;
const isUser = (v: bigint) => v < USER_TOP;

/**
 * x86_64_eframe_verify(): kernel frames need the kernel CS/SS pair (0x10/0x18), an RIP in kernel
 * or module text and a kernel RSP (or, on an IST stack, any RSP); user frames the 64-bit (0x33) or
 * 32-bit (0x23) user CS with SS 0x2b and user RIP and RSP.
 */
export function verifyEframe(k: Kernel, addr: bigint, r: X86Regs, onExceptionStack: boolean): boolean {
  if (r.flags & RAZ_MASK || !(r.flags & 2n)) return false;
  const kva = (v: bigint) => k.arch.isKernelAddr(v);
  const text = (v: bigint) => isKernelText(k, v);
  const moduleText = (v: bigint) => !!moduleSymbolAt(k, v);
  if (r.cs === 0x10n && r.ss === 0x18n) {
    if (text(r.ip) && kva(r.sp)) return true;
    if (moduleText(r.ip) && kva(r.sp) && r.sp === addr + BigInt(PT_REGS_SIZE)) return true;
    if (text(r.ip) && onExceptionStack) return true;
    if (addr + BigInt(PT_REGS_SIZE) === r.sp) return true;
  }
  if (r.cs === 0x10n && kva(r.sp) && moduleText(r.ip)) return true;
  if ((r.cs === 0x33n || r.cs === 0x23n) && r.ss === 0x2bn && isUser(r.ip) && isUser(r.sp)) return true;
  return false;
}

/** Every verified exception frame on [base, top - sizeof(pt_regs)], word by word from the base. */
export function searchEframes(k: Kernel, st: StackRange): FoundEframe[] {
  let b: Uint8Array;
  try {
    b = k.readBytes(st.base, Number(st.top - st.base), 'stack');
  } catch {
    return [];
  }
  const out: FoundEframe[] = [];
  const size = PT_REGS_SIZE;
  for (let off = 0; off + size <= b.length; off += 8) {
    const regs = decodePtRegs(b.subarray(off, off + size));
    const addr = st.base + BigInt(off);
    if (!verifyEframe(k, addr, regs, st.kind === 'exception')) continue;
    const user = (regs.cs & 3n) !== 0n;
    const hit = user ? undefined : k.symbols.containing(regs.ip) ?? moduleSymbolAt(k, regs.ip);
    out.push({ addr, regs, user, rip: hit ? { name: hit.sym.name, offset: hit.offset } : undefined });
  }
  return out;
}

/** bt -e: the task's own stack. */
export function taskEframes(k: Kernel, tc: TaskContext): FoundEframe[] | undefined {
  const st = taskStack(k, tc);
  return st ? searchEframes(k, st) : undefined;
}

/** One stack of bt -E: `CPU n IRQ STACK:` / `CPU n NMI EXCEPTION STACK:` and what it holds. */
export interface StackSearch {
  label: string;
  offline: boolean;
  frames: FoundEframe[];
}

/**
 * bt -E: each selected cpu's IRQ stack, then each cpu's exception stacks in the cpu entry area
 * (those that are mapped: the SEV #VC stacks exist only on SEV-ES guests).
 */
export function irqAndExceptionEframes(k: Kernel, cpus: number[]): StackSearch[] {
  const online = new Set(cpuState(k).online);
  const out: StackSearch[] = [];
  for (const c of cpus) {
    const st = irqStack(k, c);
    if (!st) break;
    out.push({ label: `CPU ${c} IRQ STACK:`, offline: !online.has(c), frames: online.has(c) ? searchEframes(k, st) : [] });
  }
  for (const c of cpus) {
    for (const st of exceptionStacks(k, c)) {
      if (!readable(k, st.base)) break;
      out.push({ label: `CPU ${c} ${st.name} EXCEPTION STACK:`, offline: !online.has(c), frames: online.has(c) ? searchEframes(k, st) : [] });
    }
  }
  return out;
}

function readable(k: Kernel, addr: bigint): boolean {
  try {
    k.readU64(addr, 'exception stack');
    return true;
  } catch {
    return false;
  }
}

/** include/linux/magic.h STACK_END_MAGIC, written at the stack's end (its lowest word) by set_task_stack_end_magic(). */
export const STACK_END_MAGIC = 0x57ac6e9dn;

export interface OverflowFinding {
  task: TaskContext;
  messages: string[];
}

/**
 * bt -v: for every task, thread_info.task (when thread_info is a separate structure) must point
 * back at the task, thread_info.cpu must be a present cpu, and the stack's end must still hold
 * STACK_END_MAGIC (init_task's static stack is not checked: it is set up before the magic exists).
 */
export function stackOverflowCheck(k: Kernel, tasks: TaskContext[]): OverflowFinding[] {
  const present = cpuState(k).present;
  const tiInTask = k.hasMember('struct task_struct', 'thread_info') && k.types.memberOf('struct task_struct', 'thread_info')?.bitOffset === 0;
  const tiTask = tiInTask ? undefined : k.memberByteOffset('struct thread_info', 'task');
  const tiCpu = k.types.memberOf('struct thread_info', 'cpu');
  const initTask = k.symbol('init_task')?.address;
  const out: OverflowFinding[] = [];
  for (const tc of tasks) {
    const msgs: string[] = [];
    try {
      if (tiTask !== undefined) {
        const t = k.readPtr(tc.threadInfo + BigInt(tiTask), 'thread_info task');
        if (t !== tc.task) msgs.push(`possible stack overflow: thread_info.task: ${t.toString(16)} != ${tc.task.toString(16)}`);
      }
      if (tiCpu && !tiInTask) {
        const size = k.types.sizeof(tiCpu.type);
        const at = tc.threadInfo + BigInt(tiCpu.bitOffset / 8);
        const cpu = size === 1 ? k.readBytes(at, 1, 'thread_info cpu')[0] : size === 2 ? k.readU32(at, 'thread_info cpu') & 0xffff : size === 4 ? k.readU32(at, 'thread_info cpu') : 0;
        if (cpu >= present) msgs.push(`possible stack overflow: thread_info.cpu: ${cpu} >= ${present}`);
      }
      const st = taskStack(k, tc);
      const skip = tc.pid === 0 && (initTask === undefined || tc.task === initTask);
      if (st && !skip) {
        // with thread_info in the task the magic is the stack's first word; else it follows thread_info
        const loc = tiInTask || !k.hasType('struct thread_info') ? st.base : tc.threadInfo + BigInt(k.sizeOf('struct thread_info'));
        const magic = k.readU64(loc, 'stack overflow check');
        if (magic !== STACK_END_MAGIC) msgs.push(`possible stack overflow: ${loc.toString(16)}: ${magic.toString(16)} != STACK_END_MAGIC`);
      }
    } catch {
      continue; // unreadable: crash skips the task (RETURN_ON_ERROR)
    }
    if (msgs.length) out.push({ task: tc, messages: msgs });
  }
  return out;
}
