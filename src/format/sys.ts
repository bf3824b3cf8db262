import type { SysResult } from '../commands/result.js';

/** Labels right-aligned so the colons line up in column 12 (kernel.c display_sys_stats). */
export function formatSys(r: SysResult): string {
  return r.fields.map(([label, value]) => `${label.padStart(12)}: ${value}\n`).join('');
}
