import type { VtopEntry, VtopPte, VtopResult } from '../commands/memory-results.js';
import { mkstring } from './mkstring.js';
import { pageHeader, pageRowText } from './kmem-pages.js';

/**
 * `vtop` (memory.c do_vtop; x86_64.c x86_64_kvtop/x86_64_uvtop_level4/x86_64_translate_pte;
 * arm64.c arm64_vtop_4level_4k/arm64_translate_pte). Addresses are separated by a blank line.
 */
export function formatVtop(r: VtopResult): string {
  return r.entries.map(formatEntry).join('\n');
}

function formatEntry(e: VtopEntry): string {
  const x = (v: bigint) => v.toString(16);
  let out = `${mkstring('VIRTUAL', e.vWidth, 'ljust')}  ${mkstring('PHYSICAL', 16, 'ljust')}\n`;
  if (e.status === 'not a kernel virtual address') return out + `${x(e.vaddr).padEnd(8)}  (not a kernel virtual address)\n\n`;
  const v = mkstring(x(e.vaddr), e.vWidth, 'ljust');
  if (e.status === 'not accessible') return out + `${v}  (not accessible)\n\n`;
  out += e.paddr === undefined ? `${v}  (not mapped)\n\n` : `${v}  ${mkstring(x(e.paddr), 16, 'ljust')}\n\n`;
  if (e.pgdDirectory !== undefined) out += `PGD DIRECTORY: ${x(e.pgdDirectory)}\n`;
  if (e.pageDirectory !== undefined) out += `PAGE DIRECTORY: ${x(e.pageDirectory)}\n`;
  for (const s of e.steps) out += `   ${s.level}: ${x(s.entry)} => ${x(s.value)}\n`;
  if (e.page) out += `  PAGE: ${x(e.page.base)}${e.page.size ? `  (${e.page.size})` : e.page.blank ? '  ' : ''}\n\n`;
  else if (e.pte) out += '\n';
  if (e.pte) out += pteTable(e.pte);
  if (e.vma !== undefined) {
    out += '\n';
    out += `${mkstring('VMA', 16, 'center-ljust')} ${mkstring('START', 10, 'center-rjust')} ${mkstring('END', 10, 'center-rjust')}  FLAGS FILE\n`;
    if (e.vma === 'not found') out += '(not found)\n';
    else {
      const m = e.vma;
      out += `${mkstring(x(m.addr), 16, 'center-ljust')} ${x(m.start).padStart(10)} ${x(m.end).padStart(10)} ${x(m.flags).padStart(6)} ${m.file}\n`;
    }
  }
  if (e.location) out += `\n${e.location}\n`;
  out += '\n';
  if (e.pageRow) out += (e.pageHeader ? pageHeader(e.physWidth) : '') + pageRowText(e.pageRow, e.physWidth);
  if (e.explanation) out += `EXPLANATION: ${e.explanation}\n`;
  return out;
}

/** x86_64_translate_pte / arm64_translate_pte: the PTE, PHYSICAL, FLAGS (or SWAP, OFFSET) table. */
export function pteTable(p: VtopPte): string {
  const pte = p.value.toString(16);
  const len1 = Math.max(pte.length, 3);
  if (p.swap) {
    const dev = p.swap.device;
    const off = p.swap.offset.toString();
    const len2 = Math.max(dev.length, 4);
    const len3 = Math.max(off.length, 6);
    return (
      `${mkstring('PTE', len1, 'center-ljust')}  ${mkstring('SWAP', len2, 'center-ljust')}  ${mkstring('OFFSET', len3, 'center-ljust')}\n` +
      `${mkstring(pte, len1, 'center-rjust')}  ${mkstring(dev, len2, 'center-rjust')}  ${mkstring(off, len3, 'center-rjust')}\n`
    );
  }
  const phys = p.phys.toString(16);
  const len2 = Math.max(phys.length, 8);
  return (
    `${mkstring('PTE', len1, 'center-ljust')}  ${mkstring('PHYSICAL', len2, 'center-ljust')}  FLAGS\n` +
    `${mkstring(pte, len1, 'center-rjust')}  ${mkstring(phys, len2, 'center-rjust')}  (${p.value ? p.flags.join('|') : 'no mapping'})\n`
  );
}
