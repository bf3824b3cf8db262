/**
 * bt -e / -E on arm64 (arm64.c arm64_eframe_search): every byte offset of a stack tried as a
 * struct pt_regs, kept when arm64_is_kernel_exception_frame() accepts it; -e searches the task's
 * stack and then shows a user task's user-mode pt_regs at the stack top, -E each cpu's IRQ stack.
 */
import type { Kernel } from '../kernel.js';
import type { BtEntry } from './backtrace.js';
import { isKernelThread, type TaskContext } from './task.js';
import { taskStack, type StackRange } from './stack.js';
import { arm64IrqStack } from './stacks-arm64.js';
import { arm64KernelEframe, arm64Layout, arm64RegsEntry, readArm64Regs } from './backtrace-arm64.js';
import { decodeArm64PtRegs, ARM64_PT_REGS_MIN } from '../../arch/unwind-arm64.js';

const hx = (v: bigint) => v.toString(16);

/** The kernel-mode exception frames on [base, top - sizeof(pt_regs)), crash's byte-by-byte walk. */
export function arm64StackEframes(k: Kernel, st: StackRange): { addr: bigint; entry: BtEntry }[] {
  let b: Uint8Array;
  try {
    b = k.readBytes(st.base, Number(st.top - st.base), 'stack');
  } catch {
    return [];
  }
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const size = arm64Layout(k).size;
  const out: { addr: bigint; entry: BtEntry }[] = [];
  const PSTATE = 33 * 8;
  for (let off = 0; off < b.length - size; off++) {
    // the pstate test first (an EL1/EL2 AArch64 mode, no upper bits): cheap, and rarely passed
    const ps = dv.getBigUint64(off + PSTATE, true);
    if (ps >> 32n || ps & 0x10n || ![4n, 5n, 8n, 9n].includes(ps & 0xfn)) continue;
    const addr = st.base + BigInt(off);
    const r = arm64KernelEframe(k, st, addr, decodeArm64PtRegs(b.subarray(off, off + ARM64_PT_REGS_MIN)));
    if (r) out.push({ addr, entry: arm64RegsEntry(k, r, false) });
  }
  return out;
}

/** bt -e: `KERNEL-MODE EXCEPTION FRAME AT: addr` for each found, then a user task's user-mode frame. */
export function arm64TaskEframes(k: Kernel, tc: TaskContext): BtEntry[] | undefined {
  const st = taskStack(k, tc);
  if (!st) return undefined;
  const out: BtEntry[] = [];
  const line = (text: string) => out.push({ kind: 'line', text });
  const found = arm64StackEframes(k, st);
  for (const f of found) {
    line('');
    line(`KERNEL-MODE EXCEPTION FRAME AT: ${hx(f.addr)}`);
    out.push(f.entry);
  }
  if (isKernelThread(k, tc)) return out;
  const at = st.top - arm64Layout(k).user;
  const r = readArm64Regs(k, at);
  if (found.length) line('');
  line(`USER-MODE EXCEPTION FRAME AT: ${hx(at)}`);
  if (r) out.push(arm64RegsEntry(k, r, true));
  return out;
}

/** bt -E: each selected cpu's IRQ stack, `CPU n IRQ STACK:` then its frames or `(none found)`. */
export function arm64IrqEframes(k: Kernel, cpus: number[]): { label: string; entries: BtEntry[] }[] | undefined {
  if (!arm64IrqStack(k, 0)) return undefined;
  return cpus.map((c) => {
    const st = arm64IrqStack(k, c);
    const found = st ? arm64StackEframes(k, st) : [];
    const entries: BtEntry[] = [];
    found.forEach((f, i) => {
      if (!i) entries.push({ kind: 'line', text: '' });
      entries.push({ kind: 'line', text: `KERNEL-MODE EXCEPTION FRAME AT: ${hx(f.addr)}` }, f.entry, { kind: 'line', text: '' });
    });
    return { label: `CPU ${c} IRQ STACK:${found.length ? '' : '(none found)'}`, entries: found.length ? entries : [{ kind: 'line', text: '' }] };
  });
}
