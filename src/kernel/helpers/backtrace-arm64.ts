import type { Kernel } from '../kernel.js';
import type { Backtrace, BtEntry, BtFrame, BtWords } from './backtrace.js';
import { isActive, isKernelThread, type TaskContext } from './task.js';
import { isKernelText, taskStack, threadSize, type StackRange } from './stack.js';
import { moduleSymbolAt } from './module.js';
import { cpuState } from './sched.js';
import { arm64IrqStack, arm64OverflowStack, onStack } from './stacks-arm64.js';
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

/** struct pt_regs' size and where exception entry leaves it relative to the frame pointer and the stack top. */
export interface Arm64Layout {
  size: number;
  /** KERN_EFRAME_OFFSET: a kernel-mode pt_regs lies this far below the x29 kernel_entry set */
  kern: bigint;
  /** USER_EFRAME_OFFSET: the user-mode pt_regs lies this far below the task stack's top */
  user: bigint;
  /** NUMBER(KERNELPACMASK): the bits pointer authentication puts in saved return addresses */
  pac: bigint;
}

export function arm64Layout(k: Kernel): Arm64Layout {
  return k.memo('arm64-layout', () => {
    let size = 0x150;
    try {
      size = k.sizeOf('struct pt_regs');
    } catch {
      /* no BTF for pt_regs: v5.x's size */
    }
    // kernel_entry points x29 at pt_regs.stackframe (v4.17? 7326749801396): crash takes
    // sizeof(pt_regs) - 16, right while stackframe was the last member; v5.11 appended
    // lockdep_hardirqs and exit_rcu after it, so the member's own offset is the one to use
    const sf = k.memberByteOffset('struct pt_regs', 'stackframe');
    return { size, kern: BigInt(sf ?? size), user: BigInt(sf !== undefined ? size : size + 16), pac: k.vmcoreinfo.number('KERNELPACMASK') ?? 0n };
  });
}

/** Kernel or module text (crash's is_kernel_text). */
const isText = (k: Kernel, a: bigint) => isKernelText(k, a) || moduleSymbolAt(k, a) !== undefined;

/** A saved return address with its pointer-authentication code restored to the kernel's top bits. */
const withPac = (k: Kernel, a: bigint, pac: bigint) => (pac && isText(k, a | pac) ? a | pac : a);

export function readArm64Regs(k: Kernel, at: bigint): Arm64Regs | undefined {
  try {
    return decodeArm64PtRegs(k.readBytes(at, ARM64_PT_REGS_MIN, 'pt_regs'));
  } catch {
    return undefined;
  }
}

/**
 * arm64_is_kernel_exception_frame(): a pt_regs in the stack whose sp and x29 are in the same
 * stack, whose pstate is an AArch64 EL1/EL2 mode with no upper bits, and whose pc and lr are text.
 */
export function arm64KernelEframe(k: Kernel, st: StackRange, at: bigint, regs = readArm64Regs(k, at)): Arm64Regs | undefined {
  const r = regs;
  if (!onStack(st, at) || !r || !onStack(st, r.sp) || !onStack(st, r.x[29]) || r.pstate & 0xffffffff00000010n) return undefined;
  if (!isText(k, r.pc) || !isText(k, r.x[30] | arm64Layout(k).pac)) return undefined;
  return [4n, 5n, 8n, 9n].includes(r.pstate & 0xfn) ? r : undefined;
}

/** An exception-frame entry: PC and LR with their symbols (arm64_print_exception_frame). */
export function arm64RegsEntry(k: Kernel, r: Arm64Regs, user: boolean): BtEntry {
  const lr = user ? r.x[30] : withPac(k, r.x[30], arm64Layout(k).pac);
  return { kind: 'arm64-regs', regs: { ...r, x: [...r.x.slice(0, 30), lr] }, user, pcSym: symAt(k, r.pc), lrSym: symAt(k, lr) };
}

type Mode = 'task' | 'irq' | 'overflow';

/**
 * The backtrace of one task on arm64, as crash's arm64_back_trace_cmd() walks it (the v4.14+
 * UNW_4_14 rules): frame records from the task's starting frame (an active task's NT_PRSTATUS
 * registers, moved to kdump's machine_kexec/crash_save_cpu frame when its return address is on
 * the task or IRQ stack; a sleeping task's thread.cpu_context), each shown as `#N [fp] function
 * at pc - 4`. A trace starting on the cpu's IRQ (or overflow) stack follows the chain until a
 * frame pointer leaves it, which happens through call_on_irq_stack's frame record on the task
 * stack, and says `--- <IRQ stack> ---` there. Kernel-mode pt_regs follow el1h_64_irq/_sync
 * frames and the frames of exception-text functions; a user task ends with its user pt_regs.
 * With `full` (bt -f), the stack words between frames as arm64_display_full_frame() and
 * arm64_switch_stack() show them.
 */
export function backtraceArm64(k: Kernel, tc: TaskContext, opts: { full?: boolean } = {}): Backtrace {
  const bt: Backtrace = { task: tc, entries: [] };
  const taskSt = taskStack(k, tc);
  if (!taskSt) return { ...bt, error: '(no stack)' };
  const irq = arm64IrqStack(k, tc.cpu);
  const ovf = arm64OverflowStack(k, tc.cpu);
  let st: StackRange = taskSt;
  let mode: Mode = 'task' as Mode;
  const enter = (m: Mode) => {
    mode = m;
    st = m === 'irq' ? irq! : m === 'overflow' ? ovf! : taskSt;
  };
  const inStack = (a: bigint) => onStack(st, a);
  const mem = {
    u64(a: bigint) {
      try {
        return k.readU64(a, 'stack');
      } catch {
        return undefined;
      }
    },
  };
  const L = arm64Layout(k);
  const userEframe = taskSt.top - L.user;
  const eframeAt = (at: bigint) => arm64KernelEframe(k, st, at);
  const out: BtEntry[] = [];
  const eframe = (r: Arm64Regs, user: boolean) => out.push(arm64RegsEntry(k, r, user));
  const done = (): Backtrace => ({ ...bt, entries: out });
  const userTail = (): Backtrace => {
    if (!isKernelThread(k, tc)) {
      const r = readArm64Regs(k, userEframe);
      if (r) eframe(r, true);
    }
    return done();
  };

  let frame: Arm64Frame;
  let kdump = false;
  let user = false;
  const active = isActive(k, tc.task);
  if (active) {
    const r = cpuRegisters(k, tc.cpu);
    if (!r || (!r.sp && !r.pc)) return { ...bt, error: 'cannot determine starting stack pointer' };
    user = arm64UserMode(r.pstate);
    frame = { pc: r.pc, sp: r.sp, fp: r.x[29] };
    // arm64_in_kdump_text() on the task stack, then arm64_in_kdump_text_on_irq_stack() (crash
    // wants all three functions in the symbol table; any one of them is evidence enough here)
    let hit = kdumpFrame(k, taskSt, user || !onStack(taskSt, frame.fp) ? taskSt.top : frame.fp, mem, true);
    if (hit === undefined && irq) hit = kdumpFrame(k, irq, irq.top, mem, false);
    if (hit !== undefined) {
      kdump = true;
      if (onStack(irq, hit)) enter('irq');
      frame = { fp: mem.u64(hit - 8n) ?? 0n, pc: mem.u64(hit) ?? 0n, sp: hit + 8n };
    }
  } else {
    const ctx = (m: string) => k.memberByteOffset('struct task_struct', `thread.cpu_context.${m}`);
    const [sp, pc, fp] = [ctx('sp'), ctx('pc'), ctx('fp')];
    if (sp === undefined || pc === undefined || fp === undefined) return { ...bt, error: 'cannot determine starting stack pointer' };
    frame = { sp: k.readPtr(tc.task + BigInt(sp), 'cpu_context'), pc: k.readPtr(tc.task + BigInt(pc), 'cpu_context'), fp: k.readPtr(tc.task + BigInt(fp), 'cpu_context') };
  }
  if (!kdump) {
    if (onStack(irq, frame.fp)) enter('irq');
    else if (onStack(ovf, frame.fp)) enter('overflow');
  }

  if (user && !kdump) {
    userTail();
    out.push({ kind: 'line', text: ' #0 [user space]' });
    return done();
  }
  if (active && !kdump) {
    const r = eframeAt(frame.fp - L.kern);
    if (r) eframe(r, false);
  }
  const mask = threadSize(k) - 1n;
  let pending: Arm64Regs | undefined;
  /** bt->frameptr: the previous frame's fp, where the words shown before the next frame start */
  let framePtr: bigint | undefined;
  for (let level = 0; level < MAX_FRAMES; level++) {
    const branch = frame.pc - 4n;
    const f: BtFrame = { kind: 'frame', level, sp: frame.fp || userEframe, ip: branch, exact: true, ...symOf(k, branch) };
    if (opts.full) {
      // arm64_display_full_frame(): from the previous frame's record up to this one's, both in the
      // current stack; a record outside it ends the words at the user pt_regs (fp 0: an entry
      // from user mode) or at the stack's top; a previous record on the stack just left shows none
      if (level > 0 && framePtr !== undefined && framePtr !== frame.fp && inStack(framePtr)) {
        const end = inStack(frame.fp) ? frame.fp : frame.fp === 0n ? st.top - L.user : st.top;
        const w = stackWords(k, framePtr, end);
        if (w) out.push(w);
      }
      framePtr = frame.fp;
    }
    out.push(f);
    if (f.name === 'el1h_64_irq' || f.name === 'el1h_64_sync') {
      const r = eframeAt(frame.sp);
      if (r) eframe(r, false);
    }
    if (KERNEL_ENDS.includes(f.name ?? '')) return done();
    if (pending) {
      eframe(pending, false);
      pending = undefined;
    }
    // arm64_unwind_frame(): the record must be in the current stack; a chain leaving the IRQ or
    // overflow stack for the task stack switches to it, the frame's sp at the pt_regs below fp
    const next = arm64Unwind(frame, mem, mask + 1n, inStack);
    if (!next) break;
    next.pc = withPac(k, next.pc, L.pac);
    if ((mode === 'irq' && !onStack(irq, next.fp)) || (mode === 'overflow' && !onStack(ovf, next.fp))) {
      if (!onStack(taskSt, next.fp)) break;
      st = taskSt;
      next.sp = next.fp - L.kern;
    }
    if (inExceptionText(k, frame.pc) && inStack(next.fp)) {
      if (mode === 'overflow') pending = readArm64Regs(k, next.fp - L.kern);
      else if (mode !== 'irq' || next.sp + BigInt(L.size) < st.top) pending = eframeAt(next.fp - L.kern);
    }
    const left = frame.fp;
    frame = next;
    if (mode !== 'task' && st === taskSt) {
      // arm64_switch_stack(): with -f, the rest of the IRQ (overflow) stack from the last record on it
      const alt = mode === 'irq' ? irq : ovf;
      const w = opts.full && alt ? stackWords(k, left, alt.top) : undefined;
      if (w) out.push(w);
      out.push({ kind: 'switch', label: mode === 'irq' ? 'IRQ stack' : 'Overflow stack' });
      mode = 'task';
      if (frame.fp === 0n) break;
    }
  }
  return userTail();
}

/**
 * crash's search for kdump's frames: from 64 bytes below `start` down to the stack's base, the
 * first return address into machine_kexec or crash_save_cpu (on the task stack; else the first into
 * crash_kexec), or into crash_kexec or crash_save_cpu (on the IRQ stack); the word holding it.
 */
function kdumpFrame(k: Kernel, st: StackRange, start: bigint, mem: { u64(a: bigint): bigint | undefined }, taskStack: boolean): bigint | undefined {
  let crashKexec: bigint | undefined;
  for (let p = start - 64n; p >= st.base; p -= 8n) {
    const v = mem.u64(p);
    if (v === undefined || !isKernelText(k, v)) continue;
    const hit = k.symbols.containing(v);
    if (!hit || hit.offset === 0n) continue;
    const name = hit.sym.name;
    if (name === 'crash_save_cpu' || (taskStack ? name === 'machine_kexec' : name === 'crash_kexec')) return p;
    if (name === 'crash_kexec' && crashKexec === undefined) crashKexec = p;
  }
  return crashKexec;
}

/** The 64-bit words in [from, to), at most one stack's worth; none when unreadable. */
function stackWords(k: Kernel, from: bigint, to: bigint): BtWords | undefined {
  if (to <= from || to - from > threadSize(k) * 4n) return undefined;
  const n = Number((to - from) / 8n);
  if (!n) return undefined;
  try {
    const b = k.readBytes(from, n * 8, 'stack');
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    return { kind: 'words', start: from, words: Array.from({ length: n }, (_, j) => dv.getBigUint64(j * 8, true)) };
  } catch {
    return undefined;
  }
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
  if (!isText(k, a)) return undefined;
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
