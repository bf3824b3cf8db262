import type { KmemPagesResult, PageRow } from '../commands/memory-results.js';
import { mkstring } from './mkstring.js';

/**
 * The mem_map table of `kmem -p` and `vtop` (memory.c dump_mem_map_SPARSEMEM): header
 * CENTER("PAGE",16) PHYSICAL MAPPING INDEX CNT FLAGS; rows "%-16lx %*llx %16lx %8lx %2d " + flags.
 */
export function pageHeader(physWidth: number): string {
  return (
    mkstring('PAGE', 16, 'center') +
    ' ' +
    mkstring('PHYSICAL', physWidth, 'rjust') +
    ' ' +
    mkstring('MAPPING', 16, 'center-rjust') +
    ' ' +
    mkstring('INDEX', 8, 'center-rjust') +
    'CNT FLAGS\n'
  );
}

export function pageRowText(r: PageRow, physWidth: number): string {
  const flags = r.flags.toString(16) + (r.flags && r.names.length ? ' ' + r.names.join(',') : '');
  return (
    r.page.toString(16).padEnd(16) +
    ' ' +
    r.phys.toString(16).padStart(physWidth) +
    ' ' +
    r.mapping.toString(16).padStart(16) +
    ' ' +
    r.index.toString(16).padStart(8) +
    ' ' +
    String(r.count).padStart(2) +
    ' ' +
    flags +
    '\n' +
    (r.explanation ? `  ${r.explanation}\n` : '')
  );
}

export function formatKmemPages(r: KmemPagesResult): string {
  const parts: string[] = r.header ? [pageHeader(r.physWidth)] : [];
  for (const row of r.rows) parts.push(pageRowText(row, r.physWidth));
  return parts.join('');
}
