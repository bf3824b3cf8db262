/**
 * Frame-pointer unwinding for x86_64 code ORC does not describe (CONFIG_UNWINDER_FRAME_POINTER
 * kernels, generated code): `push %rbp; mov %rsp,%rbp` leaves the caller's rbp at [rbp] and the
 * return address at [rbp+8]. This is the kernel's own fallback, `orc_fp_entry` in unwind_orc.c.
 */
import { orcStep, type OrcEntry, type OrcStep, type StackReader, type UnwindState } from './unwind-orc.js';

export const FP_ENTRY: OrcEntry = { type: 'call', spReg: 'bp', spOffset: 16, bpReg: 'prev_sp', bpOffset: -16, signal: false };

/** One frame-pointer step: caller's sp = rbp + 16, ip = [rbp + 8], rbp = [rbp]. */
export function fpStep(s: UnwindState, mem: StackReader): OrcStep {
  if (s.bp === undefined || s.bp === 0n) return { kind: 'error', message: 'no frame pointer' };
  return orcStep(FP_ENTRY, s, mem);
}
