import type { ProcCommandResult, SearchResult } from '../commands/proc-results.js';
import { formatBt } from './bt.js';
import { formatVmaTable, formatVmData } from './vm.js';
import { formatSig } from './sig.js';
import { formatDev, formatSwap } from './devices.js';
import { formatRd } from './rd.js';

/** The results of foreach, vm, sig, search, swap and dev. */
export function formatProc(r: ProcCommandResult): string {
  switch (r.kind) {
    case 'headless': {
      // foreach printed the task header: bt's own first line is left out
      const text = formatBt(r.result);
      return text.slice(text.indexOf('\n') + 1);
    }
    case 'vm-data':
      return formatVmData(r);
    case 'vma-table':
      return formatVmaTable(r);
    case 'sig':
      return formatSig(r);
    case 'search':
      return formatSearch(r);
    case 'swap':
      return formatSwap(r);
    case 'dev':
      return formatDev(r);
  }
}

const hx = (v: bigint) => v.toString(16);

/** search_ulong/uint/ushort/chars and display_with_pre_and_post (memory.c). */
export function formatSearch(r: SearchResult): string {
  let s = '';
  for (const h of r.hits) {
    if (h.text !== undefined) {
      s += `${hx(h.addr)}: ${h.text}\n`;
      continue;
    }
    if (!h.before && !h.after) {
      s += `${hx(h.addr)}: ${hx(h.value ?? 0n)} ${h.label}\n`;
      continue;
    }
    const rd = (b: { addr: bigint; words: bigint[] } | undefined) =>
      b && b.words.length ? formatRd({ kind: 'rd', space: 'kvaddr', start: b.addr, unit: r.unit as 2 | 4 | 8, mode: 'hex', ascii: true, values: b.words }) : '';
    s += rd(h.before) + `${hx(h.addr).padStart(16)}:  ${hx(h.value ?? 0n)} ${h.label}\n` + rd(h.after) + '\n';
  }
  return s;
}
