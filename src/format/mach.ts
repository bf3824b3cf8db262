import type { E820Result, MachResult } from '../commands/mach-dis-results.js';

const hex16 = (v: bigint) => v.toString(16).padStart(16, '0');

/**
 * `mach`: x86_64_display_machine_stats() right-aligns labels so the colons sit in column 23 and
 * prints each stack table as `%22s: %016lx`; arm64_display_machine_stats() uses column 20 and
 * unpadded addresses.
 */
export function formatMach(r: MachResult): string {
  const x86 = r.arch === 'x86_64';
  const w = x86 ? 22 : 19;
  let s = r.fields.map(([l, v]) => `${l.padStart(w)}: ${v}\n`).join('');
  for (const st of r.stacks) {
    s += `${`${st.name} STACK SIZE`.padStart(w)}: ${st.size}\n`;
    s += `${`${st.name} STACKS:`.padStart(w + 1)}\n`;
    for (const c of st.cpus) {
      if (x86) s += `${`CPU ${c.cpu}`.padStart(22)}: ${hex16(c.base)}${c.unavailable ? ' [unavailable]' : ''}\n`;
      else s += `${' '.repeat(c.cpu < 10 ? 3 : c.cpu < 100 ? 2 : c.cpu < 1000 ? 1 : 0)}           CPU ${c.cpu}: ${c.base.toString(16)}\n`;
    }
  }
  return s;
}

/** x86_64_display_memmap(): the e820 type names crash knows, else `type N`. */
const E820_TYPES = ['(invalid type)', 'E820_RAM', 'E820_RESERVED', 'E820_ACPI', 'E820_NVS', 'E820_UNUSABLE'];

export function formatE820(r: E820Result): string {
  let s = '      PHYSICAL ADDRESS RANGE         TYPE\n';
  for (const e of r.entries) {
    const name = E820_TYPES[e.type] ?? (e.type === 12 ? 'E820_PRAM' : e.type === 128 ? 'E820_RESERVED_KERN' : `type ${e.type}`);
    s += `${hex16(e.addr)} - ${hex16(BigInt.asUintN(64, e.addr + e.size))}  ${name}\n`;
  }
  return s;
}
