import type { VmaTableResult, VmDataResult, VmaRow, VmPage, VmRefBlock } from '../commands/proc-results.js';
import { hex, mkstring } from './mkstring.js';

// defs.h on 64-bit: VADDR_PRLEN 16, UVADDR_PRLEN 10; vm_area_page_dump's PHYSICAL column is 16 wide
const UV = 10;

/** PRINT_VM_DATA (memory.c). */
export function formatVmData(r: VmDataResult): string {
  const c = (s: string, w: number) => mkstring(s, w, 'center-ljust');
  return (
    `${c('MM', 16)}  ${c('PGD', 16)}  ${c('RSS', 6)}  ${c('TOTAL_VM', 8)}\n` +
    `${c(hex(r.mm), 16)}  ${c(hex(r.pgd), 16)}  ${c(`${r.rssK}k`, 6)}  ${c(`${r.totalVmK}k`, 8)}\n`
  );
}

/** vm_area_dump()'s vma_header. */
export const VMA_HEADER = `${mkstring('VMA', 16, 'center-ljust')} ${mkstring('START', UV, 'center-rjust')} ${mkstring('END', UV, 'center-rjust')}  FLAGS FILE`;

/** PRINT_VMA_DATA. */
export function vmaLine(r: VmaRow): string {
  return `${mkstring(hex(r.vma), 16, 'center-ljust')} ${hex(r.start).padStart(UV)} ${hex(r.end).padStart(UV)} ${hex(r.flags).padStart(6)} ${r.file}`;
}

export function formatVmaTable(r: VmaTableResult): string {
  if (r.ref) return formatVmRef(r.ref);
  if (!r.phys) return [VMA_HEADER, ...r.rows.map(vmaLine)].map((l) => l + '\n').join('');
  let s = '';
  for (const row of r.rows) {
    s += `${VMA_HEADER}\n${vmaLine(row)}\n`;
    if (row.pages) s += pageLines(row.pages);
  }
  return s;
}

/** vm_area_page_dump(): the VIRTUAL/PHYSICAL header and one line per page. */
function pageLines(pages: VmPage[]): string {
  let s = `${mkstring('VIRTUAL', UV, 'ljust')}  ${mkstring('PHYSICAL', 16, 'ljust')}\n`;
  for (const p of pages) {
    const v = mkstring(hex(p.vaddr), UV, 'ljust');
    if (p.paddr !== undefined) s += `${v}  ${hex(p.paddr).padStart(16)}\n`;
    else if (p.swap) s += `${v}  SWAP: ${p.swap}\n`;
    else if (p.file) s += `${v}  FILE: ${p.file}\n`;
    else s += `${v}  (not mapped)\n`;
  }
  return s;
}

/** vm -R: VMA headers, VMA lines and page lists in the order vm_area_dump() printed them. */
function formatVmRef(blocks: VmRefBlock[]): string {
  let s = '';
  for (const b of blocks) {
    if (b.header) s += `${VMA_HEADER}\n`;
    if (b.row) s += `${vmaLine(b.row)}\n`;
    if (b.pages) s += pageLines(b.pages);
  }
  return s;
}
