/**
 * x86_64 register sets as crash prints them: struct pt_regs (arch/x86/include/asm/ptrace.h) on the
 * stack, and NT_PRSTATUS's user_regs_struct from the dump's notes.
 */

/** struct pt_regs in memory order (stable since the x86 merge; crash probes rbp/bp etc. by name). */
export const PT_REGS_FIELDS = [
  'r15', 'r14', 'r13', 'r12', 'bp', 'bx', 'r11', 'r10', 'r9', 'r8', 'ax', 'cx', 'dx', 'si', 'di', 'orig_ax', 'ip', 'cs', 'flags', 'sp', 'ss',
] as const;
export type PtRegName = (typeof PT_REGS_FIELDS)[number];
export type X86Regs = Record<PtRegName, bigint>;

/** Decode 168 bytes of pt_regs. */
export function decodePtRegs(b: Uint8Array): X86Regs {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const r = {} as X86Regs;
  PT_REGS_FIELDS.forEach((n, i) => (r[n] = dv.getBigUint64(i * 8, true)));
  return r;
}

/** NT_PRSTATUS names (user_regs_struct: rax, eflags ...) to pt_regs names. */
export function regsFromPrstatus(m: Record<string, bigint>): X86Regs {
  const g = (k: string) => m[k] ?? 0n;
  return {
    r15: g('r15'), r14: g('r14'), r13: g('r13'), r12: g('r12'), bp: g('rbp'), bx: g('rbx'), r11: g('r11'), r10: g('r10'),
    r9: g('r9'), r8: g('r8'), ax: g('rax'), cx: g('rcx'), dx: g('rdx'), si: g('rsi'), di: g('rdi'), orig_ax: g('orig_rax'),
    ip: g('rip'), cs: g('cs'), flags: g('eflags'), sp: g('rsp'), ss: g('ss'),
  };
}

/** user_mode(): the saved CS has a non-zero privilege level. */
export const userMode = (r: Pick<X86Regs, 'cs'>): boolean => (r.cs & 3n) !== 0n;
