/**
 * ELF note encoders for synthetic dumps (VMCOREINFO text, per-CPU NT_PRSTATUS) and, for now, the
 * NT_PRSTATUS decoder the readers share (to be moved under dump/ or arch/).
 *
 * struct elf_prstatus (include/uapi/linux/elfcore.h) on 64-bit targets:
 *   0 pr_info {si_signo, si_code, si_errno}   12 short pr_cursig   16 pr_sigpend   24 pr_sighold
 *   32 pr_pid   36 pr_ppid   40 pr_pgrp   44 pr_sid   48..112 pr_utime, pr_stime, pr_cutime, pr_cstime
 *   112 pr_reg (elf_gregset_t)   then int pr_fpvalid, padded to 8.
 * x86_64 pr_reg is struct user_regs_struct (arch/x86/include/asm/user_64.h), 27 u64: 336 bytes.
 * arm64 pr_reg is struct user_pt_regs {regs[31], sp, pc, pstate}, 34 u64: 392 bytes.
 */
import type { ElfNote, Machine } from '../dump/types.js';
import { NT_PRSTATUS } from '../dump/elf-notes.js';

export { NT_PRSTATUS };
export const VMCOREINFO_NOTE_NAME = 'VMCOREINFO';
/** CRASH_CORE_NOTE_NAME */
export const CORE_NOTE_NAME = 'CORE';

export const X86_64_PRSTATUS_REGS = [
  'r15', 'r14', 'r13', 'r12', 'rbp', 'rbx', 'r11', 'r10', 'r9', 'r8', 'rax', 'rcx', 'rdx', 'rsi', 'rdi',
  'orig_rax', 'rip', 'cs', 'eflags', 'rsp', 'ss', 'fs_base', 'gs_base', 'ds', 'es', 'fs', 'gs',
] as const;
export const ARM64_PRSTATUS_REGS = [...Array.from({ length: 31 }, (_, i) => `x${i}`), 'sp', 'pc', 'pstate'] as const;

const ARM64_ALIASES: Record<string, string> = { fp: 'x29', lr: 'x30' };

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

const align4 = (n: number) => (n + 3) & ~3;

/** One ELF note: namesz, descsz, type, NUL-terminated name, desc; both padded to 4. */
export function encodeNote(note: ElfNote): Uint8Array {
  const name = Buffer.from(note.name + '\0', 'latin1');
  const out = new Uint8Array(12 + align4(name.length) + align4(note.desc.length));
  const dv = new DataView(out.buffer);
  dv.setUint32(0, name.length, true);
  dv.setUint32(4, note.desc.length, true);
  dv.setUint32(8, note.type, true);
  out.set(name, 12);
  out.set(note.desc, 12 + align4(name.length));
  return out;
}

/** A PT_NOTE segment's contents. */
export function encodeNotes(notes: readonly ElfNote[]): Uint8Array {
  const parts = notes.map(encodeNote);
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The VMCOREINFO note (type 0, text KEY=VALUE lines; crash_save_vmcoreinfo()). */
export function vmcoreinfoNote(text: string): ElfNote {
  return { name: VMCOREINFO_NOTE_NAME, type: 0, desc: new Uint8Array(Buffer.from(text, 'latin1')) };
}

/** A CORE/NT_PRSTATUS note for one CPU (crash_save_cpu()). */
export function prstatusNote(machine: Machine, p: Prstatus): ElfNote {
  return { name: CORE_NOTE_NAME, type: NT_PRSTATUS, desc: encodePrstatus(machine, p) };
}

export function encodePrstatus(machine: Machine, p: Prstatus): Uint8Array {
  const names = regNames(machine);
  const out = new Uint8Array(PRSTATUS_SIZE[machine]);
  const dv = new DataView(out.buffer);
  dv.setInt32(0, p.signo ?? 0, true);
  dv.setInt16(12, p.cursig ?? 0, true);
  dv.setInt32(32, p.pid, true);
  dv.setInt32(36, p.ppid ?? 0, true);
  dv.setInt32(40, p.pgrp ?? 0, true);
  dv.setInt32(44, p.sid ?? 0, true);
  for (const [key, value] of Object.entries(p.regs)) {
    const canon = machine === 'arm64' ? (ARM64_ALIASES[key] ?? key) : key;
    const i = names.indexOf(canon);
    if (i < 0) throw new RangeError(`NT_PRSTATUS: no register ${JSON.stringify(key)} on ${machine}`);
    dv.setBigUint64(PR_REG_OFFSET + i * 8, BigInt.asUintN(64, value), true);
  }
  dv.setInt32(PR_REG_OFFSET + names.length * 8, p.fpvalid ?? 0, true);
  return out;
}

/** Read an NT_PRSTATUS descriptor back into named registers. */
export function decodePrstatus(machine: Machine, desc: Uint8Array): Prstatus {
  const names = regNames(machine);
  const need = PR_REG_OFFSET + names.length * 8;
  if (desc.length < need) throw new RangeError(`NT_PRSTATUS of ${desc.length} bytes is too short for ${machine} (need ${need})`);
  const dv = new DataView(desc.buffer, desc.byteOffset, desc.byteLength);
  const regs: RegMap = {};
  names.forEach((n, i) => (regs[n] = dv.getBigUint64(PR_REG_OFFSET + i * 8, true)));
  const fpOff = need;
  return {
    signo: dv.getInt32(0, true),
    cursig: dv.getInt16(12, true),
    pid: dv.getInt32(32, true),
    ppid: dv.getInt32(36, true),
    pgrp: dv.getInt32(40, true),
    sid: dv.getInt32(44, true),
    regs,
    fpvalid: desc.length >= fpOff + 4 ? dv.getInt32(fpOff, true) : 0,
  };
}
