import type { NumPairsResult, PtovResult } from '../commands/memory-results.js';
import { mkstring } from './mkstring.js';

/** `ptov` (memory.c cmd_ptov): VIRTUAL/PHYSICAL pairs, or a per-cpu offset across cpus. */
export function formatPtov(r: PtovResult): string {
  let out = '';
  r.items.forEach((it, i) => {
    if (i) out += '\n';
    if (it.type === 'phys') {
      out += `${'VIRTUAL'.padEnd(16)}  ${'PHYSICAL'.padEnd(16)}\n`;
      out += `${it.vaddr.toString(16).padEnd(16)}  ${it.paddr.toString(16).padEnd(16)}\n`;
      return;
    }
    const len = `[${it.ncpus - 1}]`.length + 2;
    out += `PER-CPU OFFSET: ${it.offset.toString(16)}\n`;
    out += `  ${mkstring('CPU', len, 'ljust')}  ${mkstring('VIRTUAL', 16, 'ljust')}\n`;
    for (const c of it.cpus) out += `  ${mkstring(`[${c.cpu}]`, len, 'ljust')}${c.vaddr.toString(16)}${c.offline ? ' [OFFLINE]' : ''}\n`;
  });
  return out;
}

/** `btop` / `ptob`: "%llx: %llx". */
export function formatNumPairs(r: NumPairsResult): string {
  return r.pairs.map(([a, b]) => `${a.toString(16)}: ${b.toString(16)}\n`).join('');
}
