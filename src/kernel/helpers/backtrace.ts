import type { Kernel } from '../kernel.js';
import { panicTask, isActive, type TaskContext } from './task.js';
import { cpuRegisters, exceptionStacks, irqStack, isKernelText, sleepingFrame, stackContaining, taskStack, type StackRange } from './stack.js';
import { kernelOrcTable, orcEntryFor } from './orc.js';
import { moduleSymbolAt } from './module.js';
import { orcStep, PT_REGS_IP, PT_REGS_SIZE, type OrcEntry, type OrcStep, type StackReader, type UnwindState } from '../../arch/unwind-orc.js';
import { fpStep } from '../../arch/unwind-fp.js';
import { decodePtRegs, userMode, type X86Regs } from '../../arch/regs.js';
import type { Arm64Regs } from '../../arch/unwind-arm64.js';
import { backtraceArm64 } from './backtrace-arm64.js';

/** One line of a backtrace: `#N [sp] name at ip`. */
export interface BtFrame {
  kind: 'frame';
  level: number;
  /** The stack slot holding the return address (or the stack pointer, for an exact ip). */
  sp: bigint;
  ip: bigint;
  /** ip is the interrupted/current instruction, not a return address (named by ip, not ip-1). */
  exact: boolean;
  name?: string;
  /** ip - symbol start */
  offset?: bigint;
  /** the module whose text holds ip (crash appends ` [module]`) */
  module?: string;
  /** how the unwinder reached this frame (bt -U): where the trace started, an ORC entry, a frame pointer, an exception frame */
  via?: UnwindSource;
}
export type UnwindSource = 'start' | 'orc' | 'fp' | 'regs' | 'entry';
/** A pt_regs block: an exception frame in the kernel, or the user registers at the top. */
export interface BtRegs {
  kind: 'regs';
  regs: X86Regs;
  user: boolean;
  /** `[exception RIP: name+off]` for kernel-mode frames */
  rip?: { name: string; offset: bigint };
  /** the task was in user space when the dump was taken: `[exception RIP: user space]` */
  userSpace?: boolean;
  /** where the pt_regs lie on the stack (not for NT_PRSTATUS registers) */
  addr?: bigint;
}
export interface BtSwitch {
  kind: 'switch';
  /** `IRQ stack`, `NMI exception stack` ... */
  label: string;
}
/** bt -f: the stack words between two frames. */
export interface BtWords {
  kind: 'words';
  start: bigint;
  words: bigint[];
  /** bt -F: each word's symbolic text (undefined: the number) */
  symbols?: (string | undefined)[];
}
/** arm64: a struct pt_regs, kernel-mode (after an exception entry) or the user registers. */
export interface BtArm64Regs {
  kind: 'arm64-regs';
  regs: Arm64Regs;
  user: boolean;
  pcSym?: { name: string; offset: bigint };
  lrSym?: { name: string; offset: bigint };
}
/** A line of its own (arm64's ` #0 [user space]`). */
export interface BtLine {
  kind: 'line';
  text: string;
}
export type BtEntry = BtFrame | BtRegs | BtSwitch | BtWords | BtArm64Regs | BtLine;

export interface Backtrace {
  task: TaskContext;
  entries: BtEntry[];
  /** crash's one-line outcomes: no stack, cannot determine the starting stack pointer */
  error?: string;
}

const MAX_FRAMES = 256;

export function stackReader(k: Kernel): StackReader {
  return {
    u64(a) {
      try {
        return k.readU64(a, 'stack');
      } catch {
        return undefined;
      }
    },
  };
}

interface Start {
  state: UnwindState;
  sp: bigint;
  exact: boolean;
  /** registers of an active task caught in user space */
  user?: X86Regs;
}

/**
 * Where the unwind starts. An active task: its cpu's NT_PRSTATUS registers, when their stack
 * pointer lies on one of that task's stacks. A sleeping task: its inactive_task_frame.
 */
export function unwindStart(k: Kernel, tc: TaskContext): Start | undefined {
  if (isActive(k, tc.task)) {
    const r = cpuRegisters(k, tc.cpu);
    if (r && userMode(r)) return { state: { ip: r.ip, sp: r.sp, signal: true }, sp: r.sp, exact: true, user: r };
    const onStack = r && stackContaining(k, tc, r.sp);
    // kdump saves the registers in __crash_kexec (crash_setup_regs) before machine_kexec runs;
    // machine_kexec's own frame, below them, is the last one (crash's stack search starts there)
    const panicking = panicTask(k)?.task === tc.task;
    const kexec = panicking ? searchStack(k, tc, ['machine_kexec'], 'highest', onStack ? r.sp : undefined) : undefined;
    if (kexec) return kexec;
    // a cpu kdump stopped: crash looks for the crash NMI's handler on the task's stack, then on its
    // cpu's IRQ and exception stacks, before it takes the registers the NMI saved
    // (x86_64_get_dumpfile_stack_frame)
    const nmi = panicking ? undefined : (searchStack(k, tc, ['crash_nmi_callback'], 'lowest') ?? searchStack(k, tc, ['crash_nmi_callback'], 'lowest', undefined, true));
    if (nmi) return nmi;
    if (r && onStack) {
      const known = { ax: r.ax, dx: r.dx, di: r.di, r10: r.r10, r13: r.r13, bp: r.bp };
      return { state: { ip: r.ip, sp: r.sp, bp: r.bp, known, signal: true }, sp: r.sp, exact: true };
    }
    // no usable registers: crash's search for well-known frames (x86_64_get_dumpfile_stack_frame)
    const found = searchStack(k, tc, ['panic'], 'highest') ?? searchStack(k, tc, ['crash_nmi_callback', 'stop_this_cpu'], 'lowest', undefined, true);
    if (found) return found;
  }
  const f = sleepingFrame(k, tc);
  if (!f) return undefined;
  // crash shows the saved frame at task->thread.sp, the inactive_task_frame's start
  return { state: { ip: f.ip, sp: f.slot + 8n, bp: f.bp, signal: false }, sp: f.sp, exact: false };
}

/**
 * A return address into one of `names` on the task's stack (or, with `otherStacks`, its cpu's IRQ
 * and exception stacks), below `limit`: the trace starts at that slot.
 */
function searchStack(k: Kernel, tc: TaskContext, names: string[], pick: 'lowest' | 'highest', limit?: bigint, otherStacks = false): Start | undefined {
  const stacks = otherStacks ? [irqStack(k, tc.cpu), ...exceptionStacks(k, tc.cpu)] : [taskStack(k, tc)];
  for (const st of stacks) {
    if (!st) continue;
    const top = limit !== undefined && limit > st.base && limit <= st.top ? limit : st.top;
    let b: Uint8Array;
    try {
      b = k.readBytes(st.base, Number(top - st.base), 'stack');
    } catch {
      continue;
    }
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    let hit: bigint | undefined;
    for (let i = 0; i + 8 <= b.length; i += 8) {
      const v = dv.getBigUint64(i, true);
      if (!isKernelText(k, v)) continue;
      const sym = k.symbols.containing(v - 1n);
      if (!sym || !names.includes(sym.sym.name)) continue;
      hit = st.base + BigInt(i);
      if (pick === 'lowest') break;
    }
    if (hit !== undefined) {
      const ip = dv.getBigUint64(Number(hit - st.base), true);
      return { state: { ip, sp: hit + 8n, signal: false }, sp: hit, exact: false };
    }
  }
  return undefined;
}

const stackLabel = (s: StackRange | undefined) => (s?.kind === 'irq' ? 'IRQ stack' : `${s?.name ?? '(unknown)'} exception stack`);
const sameStack = (a: StackRange | undefined, b: StackRange | undefined) => a?.base === b?.base;

/**
 * One step with the ORC entry of the ip, the kernel's or its module's; frame pointers where ORC
 * has none. A kernel without ORC (CONFIG_FRAME_POINTER, before v4.14) has no description of its
 * entry code either: there, as crash does, a return into one of the exception entry points means
 * the entry pushed a struct pt_regs right above the return address, and a return into the system
 * call entry means the user registers at the top of the task's stack.
 */
function step(k: Kernel, tc: TaskContext, s: UnwindState, mem: StackReader): OrcStep & { via: UnwindSource } {
  const e = orcEntryFor(k, s.signal ? s.ip : s.ip - 1n);
  if (e) return { ...orcStep(e, s, mem), via: 'orc' };
  if (!kernelOrcTable(k) && !s.signal) {
    const name = symbolOf(k, s.ip, false).name;
    if (isExceptionEntry(k, name)) return { ...orcStep(REGS_AT_SP, s, mem), via: 'entry' };
    const top = taskStack(k, tc)?.top;
    if (name !== undefined && SYSCALL_ENTRIES.includes(name) && top !== undefined && s.sp < top) {
      return { ...orcStep({ ...REGS_AT_SP, spOffset: Number(top - BigInt(PT_REGS_SIZE) - s.sp) }, s, mem), via: 'entry' };
    }
  }
  // a frame-pointer kernel's trace found by a stack search starts without %rbp
  const bp = s.bp ?? (kernelOrcTable(k) ? undefined : frameRecordAbove(k, tc, s.sp, mem));
  return { ...fpStep({ ...s, bp }, mem), via: 'fp' };
}

const REGS_AT_SP: OrcEntry = { type: 'regs', spReg: 'sp', spOffset: 0, bpReg: 'undefined', bpOffset: 0, signal: true };
/** The 64-bit system call entry points of kernels before ORC (crash ends the trace there, then prints the user registers). */
const SYSCALL_ENTRIES = ['system_call_fastpath', 'system_call', 'tracesys', 'int_ret_from_sys_call', 'entry_SYSCALL_64_fastpath', 'entry_SYSCALL_64', 'entry_SYSCALL_64_after_swapgs', 'entry_SYSCALL_64_after_hwframe'];

/**
 * The frame pointer of a frame whose %rbp is not known (a trace started from a return address
 * found on the stack): the nearest frame record above sp, a saved %rbp pointing higher up the
 * same stack followed by a kernel return address.
 */
function frameRecordAbove(k: Kernel, tc: TaskContext, sp: bigint, mem: StackReader): bigint | undefined {
  const st = stackContaining(k, tc, sp);
  if (!st) return undefined;
  for (let p = sp; p + 16n <= st.top; p += 8n) {
    const saved = mem.u64(p);
    const ret = mem.u64(p + 8n);
    if (saved === undefined || ret === undefined || saved <= p || saved >= st.top) continue;
    if (isKernelText(k, ret) || moduleSymbolAt(k, ret - 1n)) return p;
  }
  return undefined;
}

/**
 * The entry points after which crash's x86_64 bt shows a kernel-mode pt_regs block (x86_64.c
 * exception_functions_5_8 when the kernel has asm_exc_divide_error, else exception_functions_orig).
 * After other entry code (asm_exc_int3, asm_sysvec_* reached on the task stack ...) crash's stack
 * scan shows no block: it takes the pt_regs' saved RIP word for a return address.
 */
const EXCEPTION_FUNCTIONS_5_8 = [
  'asm_exc_invalid_tss', 'asm_exc_segment_not_present', 'asm_exc_alignment_check', 'asm_exc_general_protection',
  'asm_exc_page_fault', 'asm_exc_divide_error', 'asm_exc_overflow', 'asm_exc_bounds', 'asm_exc_invalid_op',
  'asm_exc_device_not_available', 'asm_exc_coproc_segment_overrun', 'asm_exc_spurious_interrupt_bug',
  'asm_exc_coprocessor_error', 'asm_exc_simd_coprocessor_error', 'asm_exc_debug', 'xen_asm_exc_stack_segment',
  'xen_asm_exc_xen_hypervisor_callback', 'xen_asm_exc_int3',
];
const EXCEPTION_FUNCTIONS_ORIG = [
  'invalid_TSS', 'segment_not_present', 'alignment_check', 'xen_stack_segment', 'general_protection', 'page_fault',
  'divide_error', 'overflow', 'bounds', 'invalid_op', 'device_not_available', 'coprocessor_segment_overrun',
  'spurious_interrupt_bug', 'coprocessor_error', 'simd_coprocessor_error', 'xen_hypervisor_callback', 'xen_debug',
  'xen_int3', 'async_page_fault',
];
function isExceptionEntry(k: Kernel, name: string | undefined): boolean {
  if (name === undefined) return false;
  return (k.symbol('asm_exc_divide_error') ? EXCEPTION_FUNCTIONS_5_8 : EXCEPTION_FUNCTIONS_ORIG).includes(name);
}

/** The backtrace of one task, as crash's x86_64 bt shows it, unwound with the kernel's ORC data. */
export function backtrace(k: Kernel, tc: TaskContext, opts: { full?: boolean } = {}): Backtrace {
  const bt: Backtrace = { task: tc, entries: [] };
  if (k.dump.machine === 'arm64') return backtraceArm64(k, tc, opts);
  if (k.dump.machine !== 'x86_64') return { ...bt, error: 'bt is not supported on this architecture yet' };
  if (!tc.stack) return { ...bt, error: '(no stack)' };
  const start = unwindStart(k, tc);
  if (!start) return { ...bt, error: 'cannot determine starting stack pointer' };
  if (start.user) return { ...bt, entries: [{ kind: 'regs', regs: start.user, user: true, userSpace: true }] };
  const mem = stackReader(k);
  const out: BtEntry[] = [];
  let level = 0;
  const frame = (sp: bigint, ip: bigint, exact: boolean, via: UnwindSource) => out.push({ kind: 'frame', level: level++, sp, ip, exact, ...symbolOf(k, ip, exact), via });
  frame(start.sp, start.state.ip, start.exact, 'start');
  let stack = stackContaining(k, tc, start.sp);
  let s = start.state;
  for (let n = 0; n < MAX_FRAMES; n++) {
    const r = step(k, tc, s, mem);
    if (r.kind === 'end' || r.kind === 'error') break;
    if (r.kind === 'call') {
      const next = stackContaining(k, tc, r.retSlot);
      if (!next || (sameStack(next, stack) && r.next.sp <= s.sp)) break;
      if (!sameStack(next, stack)) out.push({ kind: 'switch', label: stackLabel(stack) });
      frame(r.retSlot, r.next.ip, false, r.via);
      stack = next;
    } else {
      let regs: X86Regs;
      try {
        regs = decodePtRegs(k.readBytes(r.regsAddr, PT_REGS_SIZE, 'pt_regs'));
      } catch {
        break;
      }
      if (userMode(regs)) {
        out.push({ kind: 'regs', regs, user: true, addr: r.regsAddr });
        break;
      }
      const next = stackContaining(k, tc, regs.sp);
      const regsStack = stackContaining(k, tc, r.regsAddr);
      const entry = out[out.length - 1];
      // crash shows the block after its exception entry points, at the end of an IRQ or exception
      // stack, and where the pt_regs lie on another stack than the code that saved them
      const shown =
        entry?.kind !== 'frame' || isExceptionEntry(k, entry.name) || out[out.length - 2]?.kind === 'switch' ||
        !sameStack(regsStack, stack) || !sameStack(next, regsStack);
      if (!shown) {
        // crash's scan finds the saved RIP in the pt_regs and shows it as a frame at that slot
        frame(r.regsAddr + BigInt(PT_REGS_IP), regs.ip, false, 'regs');
        if (!next) break;
        stack = next;
        s = r.next;
        continue;
      }
      if (!sameStack(regsStack, stack)) out.push({ kind: 'switch', label: stackLabel(stack) });
      const sym = symbolOf(k, regs.ip, true);
      out.push({ kind: 'regs', regs, user: false, addr: r.regsAddr, rip: sym.name !== undefined ? { name: sym.name, offset: sym.offset ?? 0n } : undefined });
      if (!next) break;
      // the interrupted code is a frame of its own only when the pt_regs ended another stack
      // (crash: the exception stack's end); on the same stack the unwind goes on to its caller
      if (!sameStack(next, regsStack)) {
        out.push({ kind: 'switch', label: stackLabel(regsStack) });
        frame(regs.sp, regs.ip, true, 'regs');
      }
      stack = next;
    }
    s = r.next;
  }
  bt.entries = trimPanicLoop(k, tc, out);
  if (opts.full) bt.entries = withWords(k, tc, bt.entries);
  return bt;
}

function symbolOf(k: Kernel, ip: bigint, exact: boolean): { name?: string; offset?: bigint; module?: string } {
  const at = exact ? ip : ip - 1n;
  const hit = k.symbols.containing(at);
  if (hit) return { name: hit.sym.name, offset: hit.offset + (exact ? 0n : 1n) };
  const m = moduleSymbolAt(k, at);
  return m ? { name: m.sym.name, offset: m.offset + (exact ? 0n : 1n), module: m.module } : {};
}

/**
 * crash starts the panic task's trace at panic() itself (x86_64_get_dumpfile_stack_frame), so
 * what panic() called after giving up — the mdelay() loop it spins in, dump_stack() — is not
 * shown; kdump's __crash_kexec/machine_kexec frames are, as crash shows them.
 */
function trimPanicLoop(k: Kernel, tc: TaskContext, entries: BtEntry[]): BtEntry[] {
  if (panicTask(k)?.task !== tc.task) return entries;
  const i = entries.findIndex((e) => e.kind === 'frame' && e.name === 'panic');
  if (i <= 0) return entries;
  const before = entries.slice(0, i);
  if (before.some((e) => e.kind !== 'frame' || /kexec/.test(e.name ?? ''))) return entries;
  return entries.slice(i).map((e) => (e.kind === 'frame' ? { ...e, level: e.level - i } : e));
}

/** bt -f: before each frame, the words from just above the previous frame's slot up to its own. */
function withWords(k: Kernel, tc: TaskContext, entries: BtEntry[]): BtEntry[] {
  const out: BtEntry[] = [];
  let prev: BtFrame | undefined;
  for (const e of entries) {
    if (e.kind === 'switch') prev = undefined;
    if (e.kind === 'frame') {
      if (prev && e.sp > prev.sp && sameStack(stackContaining(k, tc, prev.sp), stackContaining(k, tc, e.sp))) {
        const start = prev.sp + 8n;
        const n = Number((e.sp - start) / 8n) + 1;
        const b = k.readBytes(start, n * 8, 'stack');
        const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
        out.push({ kind: 'words', start, words: Array.from({ length: n }, (_, j) => dv.getBigUint64(j * 8, true)) });
      }
      prev = e;
    }
    out.push(e);
  }
  return out;
}

/** bt -t: every kernel text address on the task's stacks, from where the trace starts to each top. */
export interface TextScan {
  task: TaskContext;
  start?: { name: string; ip: bigint };
  entries: ({ kind: 'text'; sp: bigint; ip: bigint; name: string } | BtSwitch | BtRegs)[];
  error?: string;
}

export function textScan(k: Kernel, tc: TaskContext, fromBase = false): TextScan {
  const bt = backtrace(k, tc);
  const res: TextScan = { task: tc, entries: [], error: bt.error };
  const first = bt.entries.find((e): e is BtFrame => e.kind === 'frame');
  const own = taskStack(k, tc);
  if (!first && !(fromBase && own)) return res;
  // one scan per stack the trace visits, from its first frame on that stack to the stack's top;
  // -T: the task's whole stack, from its base
  const visits: { from: bigint; stack: StackRange }[] = fromBase && own ? [{ from: own.base, stack: own }] : [];
  if (first && !fromBase) res.start = { name: k.symbols.containing(first.ip)?.sym.name ?? first.ip.toString(16), ip: first.ip };
  for (const e of fromBase ? [] : bt.entries) {
    if (e.kind !== 'frame') continue;
    const st = stackContaining(k, tc, e.sp);
    const saved = e === first && !isActive(k, tc.task) ? sleepingFrame(k, tc) : undefined;
    if (st && !visits.some((v) => sameStack(v.stack, st))) visits.push({ from: e === first && !isActive(k, tc.task) ? (saved?.slot ?? e.sp) + 8n : e.sp, stack: st });
  }
  visits.forEach((v, i) => {
    const n = Number((v.stack.top - v.from) / 8n);
    const b = k.readBytes(v.from, n * 8, 'stack');
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    for (let j = 0; j < n; j++) {
      const ip = dv.getBigUint64(j * 8, true);
      if (!isKernelText(k, ip)) continue;
      // named by the value itself, as crash's value_search() does (a function pointer names its function)
      const hit = k.symbols.containing(ip);
      if (hit) res.entries.push({ kind: 'text', sp: v.from + BigInt(j * 8), ip, name: hit.sym.name });
    }
    if (i < visits.length - 1) res.entries.push({ kind: 'switch', label: stackLabel(v.stack) });
  });
  // the user-mode registers at the top of the task's stack end the scan, as they end the trace
  const last = bt.entries[bt.entries.length - 1];
  if (last?.kind === 'regs' && last.user && !last.userSpace) res.entries.push(last);
  return res;
}
