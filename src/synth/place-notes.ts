import type { ElfNote } from '../dump/types.js';
import type { Scenario } from './scenario.js';
import { prstatusNote, vmcoreinfoNote } from './notes.js';

/** One NT_PRSTATUS per cpu (the registers the scenario knows, zeros otherwise), then VMCOREINFO. */
export function scenarioNotes(s: Scenario, vmcoreinfo: string): ElfNote[] {
  const notes: ElfNote[] = [];
  for (let cpu = 0; cpu < s.cpus.count; cpu++) {
    const p = s.prstatus.find((x) => x.cpu === cpu);
    const active = s.tasks.find((t) => t.cpu === cpu && t.active);
    notes.push(prstatusNote(s.arch, { pid: p?.pid ?? active?.pid ?? 0, regs: p?.regs ?? {} }));
  }
  notes.push(vmcoreinfoNote(vmcoreinfo));
  return notes;
}
