/**
 * ELF note encoders for synthetic dumps (VMCOREINFO text, per-CPU NT_PRSTATUS). The NT_PRSTATUS
 * layout and its decoder live in dump/prstatus.ts, which the readers use.
 */
import type { ElfNote, Machine } from '../dump/types.js';
import { CORE_NOTE_NAME, NT_PRSTATUS, PRSTATUS_SIZE, PR_REG_OFFSET, regNames, type Prstatus } from '../dump/prstatus.js';
import { concatBytes } from '../util/bytes.js';

export {
  ARM64_PRSTATUS_REGS, CORE_NOTE_NAME, NT_PRSTATUS, PRSTATUS_SIZE, PR_REG_OFFSET, X86_64_PRSTATUS_REGS, decodePrstatus, regNames,
} from '../dump/prstatus.js';
export type { Prstatus, RegMap } from '../dump/prstatus.js';
export const VMCOREINFO_NOTE_NAME = 'VMCOREINFO';

const ARM64_ALIASES: Record<string, string> = { fp: 'x29', lr: 'x30' };

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
  return concatBytes(notes.map(encodeNote));
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
