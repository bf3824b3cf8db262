/**
 * arm64 kernel stacks from a scenario's `stacks:` list (see stacks.ts for the x86_64 form).
 *
 * Frames, innermost first, are written as crash's arm64 bt shows them, `#N [fp] fn at pc - 4`:
 *   { fp: FRAME RECORD, fn: FUNCTION, pc: RETURN ADDRESS INTO fn, regs: {pt_regs...}? }
 * `fp` is the function's frame record (its x29); the record holds the caller's: [fp] = next fp,
 * [fp + 8] = next pc. An exception entry frame (el1_da, el1h_64_sync, el0t_64_sync ...) has
 * `regs`: its fp is the pt_regs' stackframe record that kernel_entry links in, so the builder puts
 * struct pt_regs at fp - offsetof(pt_regs, stackframe); a kernel-mode one is followed by the
 * interrupted function (fp = regs x29, pc = regs pc), a user-mode one, last, ends at the stack top
 * with a record of zeros. A final frame with fp 0 only names the last record's return address
 * (ret_from_fork under kthread).
 * Frames may start on the cpu's IRQ stack (`also`, idle-stacks.ts), the record of the last one
 * there linking to the task stack, as call_on_irq_stack's frame does.
 * `callee: ADDRESS` writes the (stale) frame record of frame #0's callee there, {fp, pc} of frame
 * #0: crash starts a panic task's trace from the return address into machine_kexec it finds on
 * the stack. `regs:` of the stack become the cpu's NT_PRSTATUS (arm64 names x0..x30, sp, pc,
 * pstate); a sleeping task gets thread.cpu_context {fp, sp, pc} of frame #0.
 */
import type { BuildContext } from './infra.js';
import type { ScenarioStack } from './stacks.js';
import { TextMap, addPrstatus, stackTask } from './stacks.js';
import { sizeofType } from '../debuginfo/btf/types.js';
import { CrashError } from '../util/errors.js';

export function placeStacksArm64(c: BuildContext, stacks: ScenarioStack[]): void {
  if (!stacks.length) return;
  const text = new TextMap(c);
  const frameOff = c.offsetOfOptional('struct pt_regs', 'stackframe');
  const regsOff = c.offsetOfOptional('struct pt_regs', 'regs');
  if (frameOff === undefined || regsOff === undefined) throw new CrashError(`scenario ${c.s.name}: arm64 stacks need struct pt_regs with regs[] and stackframe[] declared`);
  const ptSize = BigInt(sizeofType(c.type('struct pt_regs')));
  for (const st of stacks) {
    const t = stackTask(c, st);
    const base = st.base ?? t.stack;
    if (base === undefined) throw new CrashError(`scenario ${c.s.name}: task ${t.pid} (${t.comm}) has a stacks entry but no stack`);
    const top = base + 0x4000n; // THREAD_SIZE, 16K
    c.mem.write(base, c.mem.read(base, Number(top - base)));
    // the IRQ stack of the task's cpu the first frames may lie on (idle-stacks.ts), then the task's
    const ranges: [bigint, bigint][] = [...(st.also ?? []), [base, top]];
    for (const [b, e] of st.also ?? []) c.mem.write(b, c.mem.read(b, Number(e - b)));
    const rangeOf = (a: bigint) => ranges.findIndex(([b, e]) => a >= b && a < e);
    const inStack = (a: bigint, what: string) => {
      if (rangeOf(a) < 0) throw new CrashError(`scenario ${c.s.name}: ${what} ${a.toString(16)} is outside task ${t.pid}'s stack ${base.toString(16)}-${top.toString(16)}`);
    };
    const fr = st.frames;
    fr.forEach((f, i) => {
      const where = `task ${t.pid} frame #${i} (${f.fn ?? f.ret.toString(16)})`;
      const fn = text.at(f.ret - 4n);
      if (f.fn !== undefined && fn?.name !== f.fn) throw new CrashError(`scenario ${c.s.name}: ${where}: ${f.ret.toString(16)} - 4 is in ${fn?.name ?? 'no function'}, not ${f.fn}`);
      if (f.sp === 0n) {
        if (i !== fr.length - 1) throw new CrashError(`scenario ${c.s.name}: ${where}: only the last frame may have fp 0`);
        return;
      }
      inStack(f.sp, `${where}: fp`);
      if ((f.sp & 0xfn) !== 0n) throw new CrashError(`scenario ${c.s.name}: ${where}: fp ${f.sp.toString(16)} is not 16-byte aligned`);
      if (i > 0 && fr[i - 1].sp !== 0n && rangeOf(fr[i - 1].sp) === rangeOf(f.sp) && f.sp <= fr[i - 1].sp) throw new CrashError(`scenario ${c.s.name}: ${where}: frame records must grow towards the stack top`);
      const next = fr[i + 1];
      let record: [bigint, bigint] = next ? [next.sp, next.ret] : [0n, 0n];
      if (f.regs) {
        const at = f.sp - BigInt(frameOff);
        inStack(at, `${where}: pt_regs`);
        const r = f.regs;
        const user = next === undefined;
        if (user && at + ptSize !== top) throw new CrashError(`scenario ${c.s.name}: ${where}: the user pt_regs must end at the stack top ${top.toString(16)}`);
        if (!user) {
          if (r.x29 !== undefined && r.x29 !== next.sp) throw new CrashError(`scenario ${c.s.name}: ${where}: pt_regs x29 ${r.x29.toString(16)} is not the next frame's fp`);
          if (r.pc !== undefined && r.pc !== next.ret) throw new CrashError(`scenario ${c.s.name}: ${where}: pt_regs pc ${r.pc.toString(16)} is not the next frame's pc`);
        }
        const regs: Record<string, bigint> = { ...(user ? {} : { x29: next.sp, pc: next.ret }), ...r };
        for (const [k, v] of Object.entries(regs)) {
          const m = /^x(\d+)$/.exec(k);
          const slot = m ? Number(m[1]) : ['sp', 'pc', 'pstate'].indexOf(k) + 31;
          if (k === 'orig_x0') c.mem.writeU64(at + BigInt(regsOff + 34 * 8), v);
          else if (k === 'syscallno') c.mem.writeU32(at + BigInt(regsOff + 35 * 8), v);
          else if ((m && slot <= 30) || (!m && slot >= 31)) c.mem.writeU64(at + BigInt(regsOff + slot * 8), v);
          else throw new CrashError(`scenario ${c.s.name}: ${where}: pt_regs has no register ${k}`);
        }
        if (user) record = [0n, 0n];
      }
      c.mem.writeU64(f.sp, record[0]);
      c.mem.writeU64(f.sp + 8n, record[1]);
    });
    if (st.callee !== undefined && fr.length) {
      inStack(st.callee, `task ${t.pid}: callee record`);
      c.mem.writeU64(st.callee, fr[0].sp);
      c.mem.writeU64(st.callee + 8n, fr[0].ret);
    }
    for (const w of st.words) w.u64.forEach((v, j) => c.mem.writeU64(w.at + BigInt(8 * j), v));
    if (!fr.length) continue;
    if (!t.active) {
      const ctx = (m: string) => c.offsetOfOptional('struct task_struct', `thread.cpu_context.${m}`);
      const [fp, sp, pc] = [ctx('fp'), ctx('sp'), ctx('pc')];
      if (fp === undefined || sp === undefined || pc === undefined) throw new CrashError(`scenario ${c.s.name}: a sleeping arm64 task's stack needs task_struct.thread.cpu_context declared`);
      c.mem.writeU64(t.task + BigInt(fp), fr[0].sp);
      c.mem.writeU64(t.task + BigInt(sp), fr[0].sp);
      c.mem.writeU64(t.task + BigInt(pc), fr[0].ret);
    }
    if (st.regs) addPrstatus(c, t.cpu, t.pid, st.regs);
  }
}
