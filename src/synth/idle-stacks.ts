/**
 * The stacks of the cpus the crash stopped in their idle loop: every cpu whose active task is its
 * idle task and that the scenario gives neither a stack nor NT_PRSTATUS registers gets the idle
 * path of its arch and kernel era (idle-templates.ts) on its idle task's stack, as
 * stacks.ts/stacks-arm64.ts lay out declared ones (return addresses or frame records, ORC facts),
 * with the registers the stopping interrupt saved (crash_save_cpu() of the interrupted context:
 * the instruction after hlt/wfi, the stack pointer at it) as that cpu's NT_PRSTATUS. The functions
 * the scenario's kallsyms lacks are added after its last kernel text symbol. An idle task without
 * a stack gets one (16K, THREAD_SIZE-aligned) in free RAM, set as task_struct.stack.
 */
import type { BuildContext } from './infra.js';
import { writeObject } from './infra.js';
import type { ScenarioStack, StackFrameDecl } from './stacks.js';
import { ARM64_IDLE, ARM64_IRQ_STOP, X86_64_IDLE, X86_64_NMI, inEra, kernelVersion, type IdleCall, type KernelVersion } from './idle-templates.js';
import { PT_REGS_FIELDS } from '../arch/regs.js';
import { sizeofType } from '../debuginfo/btf/types.js';
import { CrashError } from '../util/errors.js';

const THREAD_SIZE = 0x4000n;
/** x86_64: the head code's call leaves the outermost return address here below the stack top (TOP_OF_INIT_STACK, a pt_regs below the top, less the call's push). */
const X86_TOP_GAP = 0xb0n;
/** arm64 before the final frame record (5.13): secondary_start_kernel's record below the top */
const ARM64_TOP_GAP = 0x40n;

export function idleStacks(c: BuildContext, declared: ScenarioStack[]): ScenarioStack[] {
  const { s } = c;
  const v = kernelVersion(s.uts.release);
  const tpl = s.arch === 'arm64' ? ARM64_IDLE : X86_64_IDLE;
  const era = <T extends { since?: [number, number]; until?: [number, number] }>(l: T[]) => l.filter((e) => inEra(e, v));
  const halt = era(tpl.halt)[0];
  if (!halt) return [];
  const out: ScenarioStack[] = [];
  const init = s.tasks[0];
  for (let cpu = 0; cpu < s.cpus.count; cpu++) {
    const idle = s.tasks.find((t) => t.idle && t.cpu === cpu) ?? (cpu === 0 ? init : undefined);
    const curr = s.tasks.find((t) => t.active && t.cpu === cpu) ?? idle;
    // registers the scenario states for the cpu (not ones an earlier build of the same object generated) say it was elsewhere
    if (!curr || curr !== idle || s.prstatus.some((p) => p.cpu === cpu && !GENERATED.has(p.regs))) continue;
    if (declared.some((st) => (st.task !== undefined ? st.task === curr.task : st.pid === curr.pid))) continue;
    const calls = [...era(tpl.idle), ...era(curr === init ? tpl.boot : tpl.secondary)];
    const base = curr.stack ?? stackOf(c, curr.task);
    const top = base + THREAD_SIZE;
    out.push(s.arch === 'arm64' ? arm64Idle(c, cpu, curr.task, base, top, halt, calls, v) : x86Idle(c, cpu, v, curr.task, top, halt, calls, base));
  }
  return out;
}

/**
 * The idle task's stack: the one buildTasks gave it (thread_info kernels), else a new one in the
 * direct map: free page frames (written by nothing, outside memory.scratch and the scenario's user
 * pages) from the top of RAM down, so that nothing the builder allocates after (and a scenario's
 * transcript shows) moves.
 */
function stackOf(c: BuildContext, task: bigint): bigint {
  const off = c.offsetOfOptional('struct task_struct', 'stack');
  if (off === undefined) throw new CrashError(`scenario ${c.s.name}: an idle stack needs task_struct.stack declared`);
  const have = c.mem.readU64(task + BigInt(off));
  if (have) return have;
  const base = freeStack(c, 'an idle task\'s stack');
  writeObject(c, task, 'struct task_struct', { stack: base });
  return base;
}

/** A zeroed THREAD_SIZE stack in free RAM (see stackOf), by its direct-map address. */
function freeStack(c: BuildContext, what: string): bigint {
  const img = c.mem.img;
  const [s0, s1] = c.s.memory.scratch;
  const userPages = new Set(c.s.tasks.flatMap((t) => t.mm?.maps.map((m) => m.pa & ~0xfffn) ?? []));
  const ranges = [...img.ranges()].sort((a, b) => (a.end > b.end ? -1 : a.end < b.end ? 1 : 0));
  for (const r of ranges) {
    let tries = 0;
    for (let p = (r.end - THREAD_SIZE) & ~(THREAD_SIZE - 1n); p >= r.start && tries < 4096; p -= THREAD_SIZE, tries++) {
      if (p < s1 && p + THREAD_SIZE > s0) continue;
      let free = true;
      for (let q = p; q < p + THREAD_SIZE && free; q += 0x1000n) free = !img.hasPage(q) && !userPages.has(q);
      if (!free) continue;
      const base = c.mem.directMap(p);
      c.mem.write(base, new Uint8Array(Number(THREAD_SIZE)));
      return base;
    }
  }
  throw new CrashError(`scenario ${c.s.name}: no free RAM for ${what}`);
}

/** A text address for each function of the path, adding the ones the scenario's kallsyms lacks. */
function fnAddress(c: BuildContext, name: string, need: number): bigint {
  const have = c.syms.get(name);
  if (have) return have.address;
  const start = c.mem.textBase;
  const limit = c.s.layout.dataStart;
  let last = start;
  for (const s of c.syms.list) if (/^[tT]$/.test(s.type) && s.address >= start && s.address < limit && s.address > last) last = s.address;
  // past the last text symbol: a page on for the first added function, the next 16-aligned slot after an added one
  const added = IDLE_ADDED.get(c);
  const at = added && added.last === last ? (last + BigInt(added.size) + 0xfn) & ~0xfn : (last + 0x1000n + 0xfffn) & ~0xfffn;
  const size = (need + 0x40 + 0xf) & ~0xf;
  for (const s of c.syms.list) {
    if (s.address >= at && s.address < at + BigInt(size)) throw new CrashError(`scenario ${c.s.name}: no room for the idle path's ${name} at ${at.toString(16)} (${s.name} is there)`);
  }
  if (at + BigInt(size) >= limit) throw new CrashError(`scenario ${c.s.name}: no room for the idle path's ${name} below data_start`);
  c.syms.add(name, at, 'T');
  IDLE_ADDED.set(c, { last: at, size });
  return at;
}
/** NT_PRSTATUS registers this module generated (addPrstatus keeps the object) */
const GENERATED = new WeakSet<object>();
const IDLE_ADDED = new WeakMap<BuildContext, { last: bigint; size: number }>();

function x86Idle(c: BuildContext, cpu: number, v: KernelVersion, task: bigint, top: bigint, halt: { fn: string; at: number }, calls: IdleCall[], base: bigint): ScenarioStack {
  const orc = c.hasType('struct orc_entry');
  const slots: bigint[] = new Array(calls.length);
  slots[calls.length - 1] = top - X86_TOP_GAP;
  for (let i = calls.length - 2; i >= 0; i--) slots[i] = slots[i + 1] - BigInt(calls[i].frame);
  const rip = fnAddress(c, halt.fn, halt.at) + BigInt(halt.at);
  const frames: StackFrameDecl[] = calls.map((f, i) => ({ sp: slots[i], fn: f.fn, ret: fnAddress(c, f.fn, f.ret) + BigInt(f.ret) }));
  // native_safe_halt: a leaf in an ORC kernel; a frame-pointer one pushed %rbp first
  const bp = slots[0] - 8n;
  const regs = { rip, rsp: orc ? slots[0] : bp, rbp: bp, cs: 0x10n, ss: 0x18n, eflags: 0x246n, rax: 0n, orig_rax: (1n << 64n) - 1n };
  GENERATED.add(regs);
  const words = [{ at: bp, u64: [frames[1] ? frames[1].sp - 8n : 0n] }];
  const nmi = nmiStack(c, cpu);
  if (!nmi) return { task, base, regs, frames, words };
  // the crash NMI's frames on the NMI stack, its entry's pt_regs holding the interrupted context
  const ncalls = X86_64_NMI.calls.filter((e) => inEra(e, v));
  const at = nmi[1] - BigInt(X86_64_NMI.regsGap) - BigInt(PT_REGS_FIELDS.length * 8);
  const nslots: bigint[] = new Array(ncalls.length);
  nslots[ncalls.length - 1] = at - 8n;
  for (let i = ncalls.length - 2; i >= 0; i--) nslots[i] = nslots[i + 1] - BigInt(ncalls[i].frame);
  const nframes: StackFrameDecl[] = ncalls.map((f, i) => ({ sp: nslots[i], fn: f.fn, ret: fnAddress(c, f.fn, f.ret) + BigInt(f.ret) }));
  nframes[nframes.length - 1].regs = regs;
  return { task, base, regs, frames: [...nframes, ...frames], words, also: [nmi] };
}

function arm64Idle(c: BuildContext, cpu: number, task: bigint, base: bigint, top: bigint, halt: { fn: string; at: number; frame: number }, calls: IdleCall[], v: [number, number]): ScenarioStack {
  const path = [{ fn: halt.fn, ret: halt.at, frame: halt.frame }, ...calls];
  const recs: bigint[] = new Array(path.length);
  // since 5.13 the outermost record is the final frame record in the pt_regs at the stack top
  const frameOff = c.offsetOfOptional('struct pt_regs', 'stackframe');
  const finalRecord = (v[0] > 5 || (v[0] === 5 && v[1] >= 13)) && frameOff !== undefined;
  recs[path.length - 1] = finalRecord ? top - BigInt(sizeofType(c.type('struct pt_regs'))) + BigInt(frameOff) : top - ARM64_TOP_GAP;
  for (let i = path.length - 2; i >= 0; i--) recs[i] = recs[i + 1] - BigInt(path[i].frame);
  const frames: StackFrameDecl[] = path.map((f, i) => ({ sp: recs[i], fn: f.fn, ret: fnAddress(c, f.fn, f.ret) + BigInt(f.ret) }));
  // the interrupted context: pc after wfi, sp and x29 at cpu_do_idle's frame record, lr into arch_cpu_idle; EL1h, interrupts were on
  const regs = { pc: frames[0].ret, sp: recs[0], x29: recs[0], x30: frames[1]?.ret ?? 0n, pstate: 0x60000005n };
  GENERATED.add(regs);
  const irq = inEra(ARM64_IRQ_STOP, v) && frameOff !== undefined ? arm64IrqStack(c, cpu) : undefined;
  if (!irq || frameOff === undefined) return { task, base, regs, frames, words: [] };
  // the crash IPI taken from the idle loop: kernel_entry's pt_regs right below the interrupted sp,
  // the entry's records below them, the handler's on the IRQ stack (idle-templates.ts ARM64_IRQ_STOP)
  const regsAt = recs[0] - BigInt(sizeofType(c.type('struct pt_regs')));
  const entry = ARM64_IRQ_STOP.entry;
  const erecs: bigint[] = new Array(entry.length);
  erecs[entry.length - 1] = regsAt + BigInt(frameOff);
  erecs[entry.length - 2] = regsAt - BigInt(entry[entry.length - 2].frame);
  for (let i = entry.length - 3; i >= 0; i--) erecs[i] = erecs[i + 1] - BigInt(entry[i].frame);
  const handler = ARM64_IRQ_STOP.irq;
  const irecs: bigint[] = new Array(handler.length);
  irecs[handler.length - 1] = irq[1] - BigInt(handler[handler.length - 1].frame);
  for (let i = handler.length - 2; i >= 0; i--) irecs[i] = irecs[i + 1] - BigInt(handler[i].frame);
  const decl = (l: IdleCall[], r: bigint[]) => l.map((f, i): StackFrameDecl => ({ sp: r[i], fn: f.fn, ret: fnAddress(c, f.fn, f.ret) + BigInt(f.ret) }));
  const eframes = decl(entry, erecs);
  eframes[eframes.length - 1].regs = regs;
  // crash_save_cpu's last callee left its frame record {crash_save_cpu's fp, return into it} below
  return { task, base, regs, frames: [...decl(handler, irecs), ...eframes, ...frames], words: [], callee: irecs[0] - 0x30n, also: [irq] };
}

/**
 * The cpu's IRQ stack [base, top), when the scenario declares the per-cpu irq_stack_ptr (v4.14):
 * the stack it points at, or a new one in free RAM when it is 0.
 */
function arm64IrqStack(c: BuildContext, cpu: number): [bigint, bigint] | undefined {
  const sym = c.syms.get('irq_stack_ptr');
  const pcpu = c.s.cpus.perCpuOffsets[cpu];
  if (!sym || pcpu === undefined) return undefined;
  const at = BigInt.asUintN(64, sym.address + pcpu);
  let base = c.mem.readU64(at);
  if (!base) {
    base = freeStack(c, `cpu ${cpu}'s IRQ stack`);
    c.mem.writeU64(at, base);
  }
  return [base, base + THREAD_SIZE];
}

/**
 * The cpu's NMI stack [base, top), when the kernel declares its IST stacks (struct
 * cea_exception_stacks, per-cpu cea_exception_stacks pointing at each cpu's, v5.2).
 */
function nmiStack(c: BuildContext, cpu: number): [bigint, bigint] | undefined {
  const sym = c.syms.get('cea_exception_stacks');
  const off = c.offsetOfOptional('struct cea_exception_stacks', 'NMI_stack');
  const pcpu = c.s.cpus.perCpuOffsets[cpu];
  if (!sym || off === undefined || pcpu === undefined || !c.hasType('struct orc_entry')) return undefined;
  const stacks = c.mem.readU64(BigInt.asUintN(64, sym.address + pcpu));
  if (!stacks) return undefined;
  const base = stacks + BigInt(off);
  // EXCEPTION_STKSZ: up to the next member (DB_stack_guard)
  const next = c.offsetOfOptional('struct cea_exception_stacks', 'DB_stack_guard');
  const size = BigInt(next !== undefined && next > off ? next - off : 4096);
  c.mem.write(base, new Uint8Array(Number(size)));
  return [base, base + size];
}
