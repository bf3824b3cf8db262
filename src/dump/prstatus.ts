/**
 * NT_PRSTATUS notes (name "CORE", type 1): one per CPU in a kdump or QEMU ELF core, each holding
 * that CPU's registers when the machine stopped.
 *
 * struct elf_prstatus (include/uapi/linux/elfcore.h) on 64-bit targets:
 *   0 pr_info {si_signo, si_code, si_errno}   12 short pr_cursig   16 pr_sigpend   24 pr_sighold
 *   32 pr_pid   36 pr_ppid   40 pr_pgrp   44 pr_sid   48..112 pr_utime, pr_stime, pr_cutime, pr_cstime
 *   112 pr_reg (elf_gregset_t)   then int pr_fpvalid, padded to 8.
 * x86_64 pr_reg is struct user_regs_struct (arch/x86/include/asm/user_64.h), 27 u64: 336 bytes.
 * arm64 pr_reg is struct user_pt_regs {regs[31], sp, pc, pstate}, 34 u64: 392 bytes.
 */
import type { ElfNote, Machine } from './types.js';
import { NT_PRSTATUS } from './elf-notes.js';

export { NT_PRSTATUS };
/** CRASH_CORE_NOTE_NAME */
export const CORE_NOTE_NAME = 'CORE';

export const X86_64_PRSTATUS_REGS = [
  'r15', 'r14', 'r13', 'r12', 'rbp', 'rbx', 'r11', 'r10', 'r9', 'r8', 'rax', 'rcx', 'rdx', 'rsi', 'rdi',
  'orig_rax', 'rip', 'cs', 'eflags', 'rsp', 'ss', 'fs_base', 'gs_base', 'ds', 'es', 'fs', 'gs',
] as const;
export const ARM64_PRSTATUS_REGS = [...Array.from({ length: 31 }, (_, i) => `x${i}`), 'sp', 'pc', 'pstate'] as const;

export const PR_REG_OFFSET = 112;
export const PRSTATUS_SIZE: Record<Machine, number> = { x86_64: 336, arm64: 392 };

export type RegMap = Record<string, bigint>;

export interface Prstatus {
  pid: number;
  ppid?: number;
  pgrp?: number;
  sid?: number;
  /** pr_cursig: the signal that stopped the task (0 for a kdump note) */
  cursig?: number;
  /** pr_info.si_signo */
  signo?: number;
  /** Named registers; missing ones are 0. */
  regs: RegMap;
  fpvalid?: number;
}

export function regNames(machine: Machine): readonly string[] {
  return machine === 'x86_64' ? X86_64_PRSTATUS_REGS : ARM64_PRSTATUS_REGS;
}

/** Read an NT_PRSTATUS descriptor back into named registers. */
export function decodePrstatus(machine: Machine, desc: Uint8Array): Prstatus {
  const names = regNames(machine);
  const need = PR_REG_OFFSET + names.length * 8;
  if (desc.length < need) throw new RangeError(`NT_PRSTATUS of ${desc.length} bytes is too short for ${machine} (need ${need})`);
  const dv = new DataView(desc.buffer, desc.byteOffset, desc.byteLength);
  const regs: RegMap = {};
  names.forEach((n, i) => (regs[n] = dv.getBigUint64(PR_REG_OFFSET + i * 8, true)));
  return {
    signo: dv.getInt32(0, true),
    cursig: dv.getInt16(12, true),
    pid: dv.getInt32(32, true),
    ppid: dv.getInt32(36, true),
    pgrp: dv.getInt32(40, true),
    sid: dv.getInt32(44, true),
    regs,
    fpvalid: desc.length >= need + 4 ? dv.getInt32(need, true) : 0,
  };
}

/** The dump's NT_PRSTATUS notes in file order (one per CPU that was saved), undecodable ones skipped. */
export function prstatusNotes(machine: Machine, notes: readonly ElfNote[]): Prstatus[] {
  const out: Prstatus[] = [];
  for (const n of notes) {
    if (n.name !== CORE_NOTE_NAME || n.type !== NT_PRSTATUS) continue;
    try {
      out.push(decodePrstatus(machine, n.desc));
    } catch {
      /* a short note: not a CPU we can use */
    }
  }
  return out;
}
