/**
 * Kernel stacks as the kernel leaves them, from a scenario's `stacks:` list.
 *
 * A scenario declares, per task, the frames crash's `bt` walks, innermost first, each as
 *   { sp: STACK SLOT, fn: FUNCTION, ret: RETURN ADDRESS, regs: {pt_regs...}? }
 * x86_64: `sp` is the slot holding the return address `ret` (crash's `[sp]` column), `ret` lies in
 * `fn` (checked against the symbols). A frame with `regs` is an entry-code frame (asm_exc_*,
 * entry_SYSCALL_64...): the kernel's entry code pushed that struct pt_regs right above the slot,
 * and the frame after it is the interrupted code (kernel mode), or nothing (user mode: the
 * system call's user registers at the top of the stack).
 * arm64: see stacks-arm64.ts.
 *
 * From that the builder writes what the kernel would have left:
 *   - each return address at its slot and each pt_regs where the entry code put it;
 *   - the saved %rbp of each frame just below its return address (frame-pointer kernels; a
 *     harmless word in ORC kernels), the interrupted %rbp below an entry frame;
 *   - a sleeping task's struct inactive_task_frame at task->thread.sp (v4.9 0100301bfdf5), its
 *     ret_addr being the first frame's return address into __schedule;
 *   - `regs:` of the stack → the NT_PRSTATUS of the task's cpu (what crash_setup_regs() saved),
 *     unless the scenario's `prstatus:` already gives that cpu;
 *   - `words:` any other stack contents (stale values, the int3 entry's copied iret frame).
 * It returns the unwind facts (the stack-pointer offset at each return site and interrupted ip)
 * from which place-orc.ts generates the kernel's ORC tables.
 */
import type { BuildContext } from './infra.js';
import { num } from './scenario.js';
import { CrashError } from '../util/errors.js';
import { PT_REGS_FIELDS } from '../arch/regs.js';

export interface StackFrameDecl {
  /** x86_64: the slot of the return address; arm64 (written `fp`): the function's frame record. */
  sp: bigint;
  fn?: string;
  /** x86_64: the return address at `sp`; arm64: the frame's pc (crash prints pc - 4). */
  ret: bigint;
  /** pt_regs of an entry frame (register names as struct pt_regs or crash prints them). */
  regs?: Record<string, bigint>;
  /** where the pt_regs lie when not right above the slot (3.10's system call entry, whose return slot is inside them) */
  regsAt?: bigint;
}

export interface ScenarioStack {
  pid?: number;
  task?: bigint;
  /** Registers the cpu stopped with (NT_PRSTATUS), for the active task of a cpu. */
  regs?: Record<string, bigint>;
  frames: StackFrameDecl[];
  /** arm64: where frame #0's callee left its frame record (stacks-arm64.ts) */
  callee?: bigint;
  words: { at: bigint; u64: bigint[] }[];
  /** the stack's base when the task's own (scenario) entry gives none: an idle task's, from idle-stacks.ts */
  base?: bigint;
  /** x86_64: other stacks [base, top) of the task's cpu its first frames lie on (the NMI stack, idle-stacks.ts) */
  also?: [bigint, bigint][];
}

/** One fact the unwind tables must tell: at `ip`, the caller's frame is `spOffset` above sp. */
export interface UnwindFact {
  ip: bigint;
  /** `call`: return address at sp + spOffset - 8; `regs`: pt_regs at sp + spOffset; `end`: stack end. */
  type: 'call' | 'regs' | 'end';
  spOffset: number;
  /** where the fact comes from, for error messages */
  what: string;
}

export function parseStacks(raw: unknown, file: string): ScenarioStack[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new CrashError(`${file}: stacks must be a list`);
  return raw.map((s: Record<string, any>, i) => {
    if (s.pid === undefined && s.task === undefined) throw new CrashError(`${file}: stacks[${i}] needs pid or task`);
    const regs = (o: unknown, what: string) =>
      o === undefined ? undefined : Object.fromEntries(Object.entries(o as object).map(([k, v]) => [k, num(v, `${what} ${k}`)]));
    return {
      pid: s.pid === undefined ? undefined : Number(s.pid),
      task: s.task === undefined ? undefined : num(s.task, 'stack task'),
      regs: regs(s.regs, 'stack register'),
      callee: s.callee === undefined ? undefined : num(s.callee, 'callee record'),
      frames: (s.frames ?? []).map((f: Record<string, any>) => ({
        sp: num(f.sp ?? f.fp, 'frame sp (arm64: fp)'),
        fn: f.fn === undefined ? undefined : String(f.fn),
        ret: num(f.ret ?? f.pc, 'frame return address'),
        regs: regs(f.regs, 'pt_regs'),
        regsAt: f.regs_at === undefined ? undefined : num(f.regs_at, 'frame regs_at'),
      })),
      words: Object.entries(s.words ?? {}).map(([at, v]) => ({
        at: num(at, 'stack word address'),
        u64: (Array.isArray(v) ? v : [v]).map((w: unknown) => num(w, 'stack word')),
      })),
    };
  });
}

/** crash's names for pt_regs members (rip, rflags ...) and NT_PRSTATUS's, to struct pt_regs's. */
const X86_ALIASES: Record<string, string> = {
  rip: 'ip', rsp: 'sp', rflags: 'flags', eflags: 'flags', rax: 'ax', rbx: 'bx', rcx: 'cx', rdx: 'dx', rsi: 'si',
  rdi: 'di', rbp: 'bp', orig_rax: 'orig_ax', r08: 'r8', r09: 'r9',
};
const PT_REGS_SIZE = PT_REGS_FIELDS.length * 8;

/** Text symbols of the kernel and of each module, to name the function an address lies in. */
export class TextMap {
  private readonly syms: { name: string; address: bigint; module?: string }[];
  constructor(c: BuildContext) {
    const text = (t: string) => /^[tTwW]$/.test(t);
    const kernel = c.syms.list.filter((s) => text(s.type)).map((s) => ({ name: s.name, address: s.address }));
    const mods = (c.s.modules ?? []).flatMap((m) => m.symbols.filter((s) => text(s.type)).map((s) => ({ name: s.name, address: s.addr, module: m.name })));
    this.syms = [...kernel, ...mods].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  }
  /** The text symbol at or below `addr` (within 1 MB). */
  at(addr: bigint): { name: string; address: bigint; module?: string } | undefined {
    let best: (typeof this.syms)[number] | undefined;
    for (const s of this.syms) {
      if (s.address > addr) break;
      best = s;
    }
    return best && addr - best.address < 0x100000n ? best : undefined;
  }
}

export function stackTask(c: BuildContext, st: ScenarioStack) {
  const t = c.s.tasks.find((x) => (st.task !== undefined ? x.task === st.task : x.pid === st.pid));
  if (!t) throw new CrashError(`scenario ${c.s.name}: stacks: no task ${st.task !== undefined ? st.task.toString(16) : `with pid ${st.pid}`}`);
  return t;
}

/** Lay out every declared x86_64 stack; returns the unwind facts for the ORC tables. */
export function placeStacksX86(c: BuildContext, stacks: ScenarioStack[]): UnwindFact[] {
  const text = new TextMap(c);
  const facts: UnwindFact[] = [];
  for (const st of stacks) {
    const t = stackTask(c, st);
    const base = st.base ?? t.stack;
    if (base === undefined) throw new CrashError(`scenario ${c.s.name}: task ${t.pid} (${t.comm}) has a stacks entry but no stack`);
    const top = base + 0x4000n; // THREAD_SIZE (16K since v3.15; 3.10 x86_64 used 8K, enough for what we lay out)
    const ranges: [bigint, bigint][] = [[base, top], ...(st.also ?? [])];
    const rangeOf = (a: bigint) => ranges.findIndex(([b, e]) => a >= b && a < e);
    const inStack = (a: bigint, what: string) => {
      if (rangeOf(a) < 0) throw new CrashError(`scenario ${c.s.name}: ${what} ${a.toString(16)} is outside task ${t.pid}'s stack ${base.toString(16)}-${top.toString(16)}`);
    };
    // the whole stack is mapped, as vmalloc'ed (or direct-mapped) stack pages are in a dump
    c.mem.write(base, c.mem.read(base, Number(top - base)));
    const fr = st.frames;
    fr.forEach((f, i) => {
      const where = `task ${t.pid} frame #${i} (${f.fn ?? f.ret.toString(16)})`;
      inStack(f.sp, `${where}: slot`);
      if ((f.sp & 7n) !== 0n) throw new CrashError(`scenario ${c.s.name}: ${where}: slot ${f.sp.toString(16)} is not 8-byte aligned`);
      if (i > 0 && rangeOf(f.sp) === rangeOf(fr[i - 1].sp) && f.sp <= fr[i - 1].sp) throw new CrashError(`scenario ${c.s.name}: ${where}: slots must grow towards the stack top`);
      const fn = text.at(f.ret - 1n);
      if (f.fn !== undefined && fn?.name !== f.fn) {
        throw new CrashError(`scenario ${c.s.name}: ${where}: ${f.ret.toString(16)} - 1 is in ${fn?.name ?? 'no function'}, not ${f.fn}`);
      }
      const next = fr[i + 1];
      // the callee's saved %rbp, below the return address: the caller's frame pointer
      const savedBp = f.regs ? (x86Regs(f.regs, true).bp ?? 0n) : next ? next.sp - 8n : 0n;
      const prev = fr[i - 1];
      const floor = prev ? (prev.regs ? (x86Regs(prev.regs, false).sp ?? f.sp) : prev.sp + 8n) : f.sp;
      if (f.sp - 8n >= floor) c.mem.writeU64(f.sp - 8n, savedBp);
      const site = callSite(text, f.ret);
      if (f.regs) {
        const user = next === undefined;
        const r = x86Regs(f.regs, user);
        const at = f.regsAt ?? f.sp + 8n;
        inStack(at, `${where}: pt_regs`);
        inStack(at + BigInt(PT_REGS_SIZE) - 1n, `${where}: pt_regs end`);
        PT_REGS_FIELDS.forEach((n, j) => c.mem.writeU64(at + BigInt(8 * j), r[n] ?? 0n));
        facts.push({ ip: site, type: 'regs', spOffset: Number(at - f.sp - 8n), what: where });
        if (!user) {
          if (r.sp === undefined || r.ip === undefined) throw new CrashError(`scenario ${c.s.name}: ${where}: kernel pt_regs need ip and sp`);
          inStack(r.sp, `${where}: pt_regs sp`);
          if (next.sp + 8n - r.sp < 8n) throw new CrashError(`scenario ${c.s.name}: ${where}: the next slot ${next.sp.toString(16)} lies below the interrupted sp`);
          facts.push({ ip: r.ip, type: 'call', spOffset: Number(next.sp + 8n - r.sp), what: `${where}: interrupted ${text.at(r.ip)?.name ?? ''}` });
        } else if (at + BigInt(PT_REGS_SIZE) !== top) {
          throw new CrashError(`scenario ${c.s.name}: ${where}: the user pt_regs must end at the stack top ${top.toString(16)}`);
        }
      } else if (next) {
        facts.push({ ip: site, type: 'call', spOffset: Number(next.sp - f.sp), what: where });
      } else {
        facts.push({ ip: site, type: 'end', spOffset: 0, what: where });
      }
      c.mem.writeU64(f.sp, f.ret);
    });
    for (const w of st.words) w.u64.forEach((v, j) => c.mem.writeU64(w.at + BigInt(8 * j), v));
    if (!fr.length) continue;
    if (!t.active) sleepingFrame(c, t.task, fr[0].sp, fr[1] ? fr[1].sp - 8n : 0n);
    if (st.regs) addPrstatus(c, t.cpu, t.pid, st.regs);
  }
  return facts;
}

/**
 * The call instruction a return address follows: a 5-byte `call rel32` (the kernel's direct
 * calls), not before the function's start. ORC describes the call's bytes, so the unwinder's
 * lookup of ret - 1 falls on it.
 */
export function callSite(text: TextMap, ret: bigint): bigint {
  const fn = text.at(ret - 1n);
  const at = ret - 5n;
  return fn && at < fn.address ? fn.address : at;
}

function x86Regs(raw: Record<string, bigint>, user: boolean): Partial<Record<(typeof PT_REGS_FIELDS)[number], bigint>> {
  const out: Record<string, bigint> = { cs: user ? 0x33n : 0x10n, ss: user ? 0x2bn : 0x18n, flags: user ? 0x246n : 0x10246n, ...(user ? {} : { orig_ax: (1n << 64n) - 1n }) };
  for (const [k, v] of Object.entries(raw)) {
    const n = X86_ALIASES[k] ?? k;
    if (!(PT_REGS_FIELDS as readonly string[]).includes(n)) throw new CrashError(`scenario: pt_regs has no register ${k}`);
    out[n] = BigInt.asUintN(64, v);
  }
  return out;
}

/**
 * A task switched out by __switch_to_asm(): struct inactive_task_frame {r15 r14 r13 r12 bx bp
 * ret_addr} at task->thread.sp, ret_addr being the return into __schedule.
 */
function sleepingFrame(c: BuildContext, task: bigint, retSlot: bigint, bp: bigint): void {
  const T = 'struct inactive_task_frame';
  const ret = c.offsetOfOptional(T, 'ret_addr');
  const spOff = c.offsetOfOptional('struct task_struct', 'thread.sp');
  if (ret === undefined || spOff === undefined) throw new CrashError(`scenario ${c.s.name}: a sleeping task's stack needs struct inactive_task_frame and task_struct.thread.sp declared`);
  const frame = retSlot - BigInt(ret);
  const bpOff = c.offsetOfOptional(T, 'bp');
  if (bpOff !== undefined) c.mem.writeU64(frame + BigInt(bpOff), bp);
  c.mem.writeU64(task + BigInt(spOff), frame);
}

export function addPrstatus(c: BuildContext, cpu: number, pid: number, regs: Record<string, bigint>): void {
  if (c.s.prstatus.some((p) => p.cpu === cpu)) return;
  c.s.prstatus.push({ cpu, pid, regs });
}
