import type { VtopEntry } from './memory-results.js';
import type { WalkView } from './vtop-walk.js';

/**
 * `vtop -e` (beyond crash): what the translation means, in words, from the leaf entry's bits:
 * who may access the page, whether it is writable and executable, the mapping size.
 */
export function explainMapping(arch: 'x86_64' | 'arm64', e: VtopEntry, view: WalkView): string {
  if (e.status) return e.status;
  const pte = view.pte;
  if (!pte) {
    const last = view.steps[view.steps.length - 1];
    if (e.paddr !== undefined) return 'linearly mapped; the page tables do not map it';
    return last ? `not mapped: the ${last.level} entry is ${last.value ? 'not present' : 'empty'}` : 'not mapped';
  }
  if (!pte.present) {
    return pte.swap ? `not present: swapped out to ${pte.swap.device} at offset ${pte.swap.offset}` : 'not present';
  }
  const size = view.page?.size ? `${view.page.size} mapping` : `${arch === 'x86_64' ? '4K' : 'page'} mapping`;
  const v = pte.value;
  const bit = (n: bigint) => ((v >> n) & 1n) === 1n;
  if (arch === 'x86_64') {
    if (!bit(0n) && bit(8n)) return `PROT_NONE page (present bit clear, _PAGE_PROTNONE set: no access until mprotect or a NUMA hinting fault), ${size}`;
    const who = bit(2n) ? 'user' : 'kernel';
    const rw = bit(1n) ? `writable ${who} page` : `read-only ${who} page (RW clear)`;
    const x = bit(63n) ? 'not executable (NX)' : 'executable';
    const extra = [bit(8n) ? 'global (kept across address-space switches)' : '', bit(6n) ? 'dirty' : '', bit(4n) ? 'uncached (PCD)' : '']
      .filter(Boolean)
      .join(', ');
    return `${rw}, ${x}, ${size}${extra ? ', ' + extra : ''}`;
  }
  // arm64 (pgtable-hwdef.h): AP[1] = EL0 access, AP[2] = read-only, DBM = writable-clean
  const who = bit(6n) ? 'user' : 'kernel';
  const ro = bit(7n);
  const dbm = bit(51n);
  const rw = !ro ? `writable ${who} page` : dbm ? `writable ${who} page, still clean (RDONLY with DBM)` : `read-only ${who} page (RDONLY)`;
  const exec = who === 'user' ? !bit(54n) : !bit(53n);
  const x = exec ? 'executable' : `not executable (${who === 'user' ? 'UXN' : 'PXN'})`;
  const extra = [bit(11n) ? 'not global (nG)' : '', bit(55n) ? 'dirty' : ''].filter(Boolean).join(', ');
  return `${rw}, ${x}, ${size}${extra ? ', ' + extra : ''}`;
}
