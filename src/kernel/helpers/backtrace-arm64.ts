import type { Kernel } from '../kernel.js';
import type { Backtrace, BtEntry, BtFrame } from './backtrace.js';
import { isActive, isKernelThread, type TaskContext } from './task.js';
import { isKernelText, taskStack } from './stack.js';
import { moduleSymbolAt } from './module.js';
import { cpuState } from './sched.js';
import { prstatusNotes } from '../../dump/prstatus.js';
import { arm64RegsFromPrstatus, arm64Unwind, arm64UserMode, decodeArm64PtRegs, ARM64_PT_REGS_MIN, type Arm64Frame, type Arm64Regs } from '../../arch/unwind-arm64.js';

const MAX_FRAMES = 256;

/** crash's arm64_exception_functions (5.5+ names; older kernels mark them __exception). */
const EXCEPTION_FUNCTIONS = [
  'do_undefinstr', 'do_sysinstr', 'do_debug_exception', 'do_mem_abort', 'do_el0_irq_bp_hardening', 'do_sp_pc_abort',
  'handle_bad_stack', 'el1h_64_sync', 'el1h_64_irq', 'el1h_64_error',
];
/** Where crash's arm64 bt stops for a kernel thread or an idle task. */
const KERNEL_ENDS = ['start_kernel', 'secondary_start_kernel', 'kthread', 'kthreadd'];

/**
 * The backtrace of one task on arm64, as crash's arm64_back_trace_cmd() walks it: frame records
 * from the task's starting frame (an active task's NT_PRSTATUS registers, moved to kdump's
 * machine_kexec frame when its return address is on the stack; a sleeping task's
 * thread.cpu_context), each shown as `#N [fp] function at pc - 4`; a kernel-mode pt_regs after the
 * exception entries that saved them; the user-mode pt_regs at the top of a user task's stack.
 */
export function backtraceArm64(k: Kernel, tc: TaskContext): Backtrace {
  const bt: Backtrace = { task: tc, entries: [] };
  const st = taskStack(k, tc);
  if (!st) return { ...bt, error: '(no stack)' };
  const inStack = (a: bigint) => a >= st.base && a < st.top;
  const mem = {
    u64(a: bigint) {
      try {
        return k.readU64(a, 'stack');
      } catch {
        return undefined;
      }
    },
  };
  const size = ptRegsSize(k);
  const hasStackframe = k.memberByteOffset('struct pt_regs', 'stackframe');
  const kernEframe = BigInt(hasStackframe ?? size);
  const userEframe = st.top - BigInt(hasStackframe !== undefined ? size : size + 16);
  const text = (a: bigint) => isKernelText(k, a) || moduleSymbolAt(k, a) !== undefined;
  const readRegs = (at: bigint): Arm64Regs | undefined => {
    try {
      return decodeArm64PtRegs(k.readBytes(at, ARM64_PT_REGS_MIN, 'pt_regs'));
    } catch {
      return undefined;
    }
  };
  const isKernelEframe = (at: bigint): Arm64Regs | undefined => {
    if (!inStack(at)) return undefined;
    const r = readRegs(at);
    if (!r || !inStack(r.sp) || !inStack(r.x[29]) || r.pstate & 0xffffffff00000010n || !text(r.pc) || !text(r.x[30])) return undefined;
    return [4n, 5n, 8n, 9n].includes(r.pstate & 0xfn) ? r : undefined;
  };
  const out: BtEntry[] = [];
  const eframe = (r: Arm64Regs, user: boolean) => out.push({ kind: 'arm64-regs', regs: r, user, pcSym: symAt(k, r.pc), lrSym: symAt(k, r.x[30]) });

  let frame: Arm64Frame;
  let fromDump = false;
  let kdump = false;
  let user = false;
  if (isActive(k, tc.task)) {
    const r = cpuRegisters(k, tc.cpu);
    if (!r || (!r.sp && !r.pc)) return { ...bt, error: 'cannot determine starting stack pointer' };
    fromDump = true;
    user = arm64UserMode(r.pstate);
    frame = { pc: r.pc, sp: r.sp, fp: r.x[29] };
    // arm64_in_kdump_text(): kdump's frames under the registers the panic saved
    const hit = kdumpFrame(k, st, user || !inStack(frame.fp) ? st.top : frame.fp, mem);
    if (hit !== undefined) {
      kdump = true;
      frame = { fp: mem.u64(hit - 8n) ?? 0n, pc: mem.u64(hit) ?? 0n, sp: hit + 8n };
    }
  } else {
    const ctx = (m: string) => k.memberByteOffset('struct task_struct', `thread.cpu_context.${m}`);
    const [sp, pc, fp] = [ctx('sp'), ctx('pc'), ctx('fp')];
    if (sp === undefined || pc === undefined || fp === undefined) return { ...bt, error: 'cannot determine starting stack pointer' };
    frame = { sp: k.readPtr(tc.task + BigInt(sp), 'cpu_context'), pc: k.readPtr(tc.task + BigInt(pc), 'cpu_context'), fp: k.readPtr(tc.task + BigInt(fp), 'cpu_context') };
  }

  if (user && !kdump) {
    if (!isKernelThread(k, tc)) {
      const r = readRegs(userEframe);
      if (r) eframe(r, true);
    }
    out.push({ kind: 'line', text: ' #0 [user space]' });
    return { ...bt, entries: out };
  }
  if (fromDump && !kdump) {
    const r = isKernelEframe(frame.fp - kernEframe);
    if (r) eframe(r, false);
  }
  let pending: Arm64Regs | undefined;
  for (let level = 0; level < MAX_FRAMES; level++) {
    const branch = frame.pc - 4n;
    const f: BtFrame = { kind: 'frame', level, sp: frame.fp || userEframe, ip: branch, exact: true, ...symOf(k, branch) };
    out.push(f);
    if (f.name === 'el1h_64_irq' || f.name === 'el1h_64_sync') {
      const r = isKernelEframe(frame.sp);
      if (r) eframe(r, false);
    }
    if (KERNEL_ENDS.includes(f.name ?? '')) return { ...bt, entries: out };
    if (pending) {
      eframe(pending, false);
      pending = undefined;
    }
    const next = arm64Unwind(frame, mem, st.top - st.base, inStack);
    if (!next) break;
    if (inExceptionText(k, frame.pc) && inStack(next.fp)) pending = isKernelEframe(next.fp - kernEframe);
    frame = next;
  }
  if (!isKernelThread(k, tc)) {
    const r = readRegs(userEframe);
    if (r) eframe(r, true);
  }
  return { ...bt, entries: out };
}

function ptRegsSize(k: Kernel): number {
  try {
    return k.sizeOf('struct pt_regs');
  } catch {
    return 0x150;
  }
}

/**
 * crash's search for kdump's frames: from 64 bytes below the starting frame pointer down to the
 * stack base, the first return address into machine_kexec or crash_save_cpu (else the first into
 * crash_kexec); the frame record holding it starts the trace.
 */
function kdumpFrame(k: Kernel, st: { base: bigint; top: bigint }, start: bigint, mem: { u64(a: bigint): bigint | undefined }): bigint | undefined {
  let crashKexec: bigint | undefined;
  for (let p = start - 64n; p >= st.base; p -= 8n) {
    const v = mem.u64(p);
    if (v === undefined || !isKernelText(k, v)) continue;
    const hit = k.symbols.containing(v);
    if (!hit || hit.offset === 0n) continue;
    const name = hit.sym.name;
    if (name === 'machine_kexec' || name === 'crash_save_cpu') return p;
    if (name === 'crash_kexec' && crashKexec === undefined) crashKexec = p;
  }
  return crashKexec;
}

function inExceptionText(k: Kernel, pc: bigint): boolean {
  for (const [a, b] of [['__irqentry_text_start', '__irqentry_text_end'], ['__exception_text_start', '__exception_text_end']]) {
    const s = k.symbol(a)?.address;
    const e = k.symbol(b)?.address;
    if (s !== undefined && e !== undefined && pc >= s && pc < e) return true;
  }
  const hit = k.symbols.containing(pc);
  return !!hit && EXCEPTION_FUNCTIONS.includes(hit.sym.name);
}

function symOf(k: Kernel, a: bigint): { name?: string; offset?: bigint; module?: string } {
  const hit = k.symbols.containing(a);
  if (hit) return { name: hit.sym.name, offset: hit.offset };
  const m = moduleSymbolAt(k, a);
  return m ? { name: m.sym.name, offset: m.offset, module: m.module } : {};
}

function symAt(k: Kernel, a: bigint): { name: string; offset: bigint } | undefined {
  if (!isKernelText(k, a) && !moduleSymbolAt(k, a)) return undefined;
  const s = symOf(k, a);
  return s.name === undefined ? undefined : { name: s.name, offset: s.offset ?? 0n };
}

/** The registers each cpu stopped with, from the dump's NT_PRSTATUS notes (one per cpu, in order). */
function cpuRegisters(k: Kernel, cpu: number): Arm64Regs | undefined {
  const regs = k.memo('cpu-regs-arm64', () => {
    const notes = prstatusNotes(k.dump.machine, k.dump.notes);
    const c = cpuState(k);
    const cpus = notes.length === c.present ? [...Array(c.present).keys()] : c.online;
    const out: (Arm64Regs | undefined)[] = [];
    notes.forEach((n, i) => {
      if (cpus[i] !== undefined) out[cpus[i]] = arm64RegsFromPrstatus(n.regs);
    });
    return out;
  });
  return regs[cpu];
}
