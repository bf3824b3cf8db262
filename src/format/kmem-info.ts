import type { KmemInfoResult } from '../commands/memory-results.js';

/** `kmem -i` (memory.c dump_kmeminfo): "%13s  %7ld  %11s  %3ld%% of TOTAL MEM" or "         ----". */
export function formatKmemInfo(r: KmemInfoResult): string {
  let out = '                 PAGES        TOTAL      PERCENTAGE\n';
  for (const row of r.rows) {
    if (!row) {
      out += '\n';
      continue;
    }
    const head = `${row.label.padStart(13)}  ${row.pages.toString().padStart(7)}  ${row.size.padStart(11)}`;
    out += row.percent ? `${head}  ${row.percent.value.toString().padStart(3)}% of ${row.percent.of}\n` : `${head}         ----\n`;
  }
  return out;
}
