import type { ModResult } from '../commands/result.js';

const center = (s: string, w: number) => {
  const extra = Math.max(0, w - s.length);
  const left = Math.floor(extra / 2);
  return ' '.repeat(left) + s + ' '.repeat(extra - left);
};

/** kernel.c do_module_cmd(LIST_MODULE_HDR): name and size columns as wide as their longest value. */
export function formatMod(r: ModResult): string {
  const nameW = Math.max(0, ...r.modules.map((m) => m.name.length));
  const sizeW = Math.max(0, ...r.modules.map((m) => m.size.toString().length));
  let out = `${center('MODULE', 16)}  ${'NAME'.padEnd(nameW)}  ${center(r.memoryRegions ? 'TEXT_BASE' : 'BASE', 16)}  ${'SIZE'.padStart(sizeW)}  OBJECT FILE\n`;
  for (const m of r.modules) {
    out += `${m.addr.toString(16).padStart(16)}  ${m.name.padEnd(nameW)}  ${m.base.toString(16).padStart(16)}  ${m.size.toString().padStart(sizeW)}  (not loaded)${m.kallsyms ? '  [CONFIG_KALLSYMS]' : ''}\n`;
  }
  return out;
}
