import type { CommandContext } from './types.js';
import type { VmPage } from './proc-results.js';
import type { Vma } from '../kernel/helpers/vma.js';
import { arm64SwapEntry, swapDevice, x86SwapEntry } from '../kernel/helpers/swap.js';
import { checkpoint, rethrowInterrupt } from '../util/interrupt.js';

/** The address of init_mm: vm_area_page_dump() shows no pages of the kernel's own mm. */
export const initMm = (ctx: CommandContext) => ctx.kernel.symbol('init_mm')?.address;

/**
 * vm_area_page_dump(): each page's physical address, else its swap entry or file offset. With
 * `keep`, only the pages it accepts are kept (vm -R: a huge VMA is walked, not held in memory).
 */
export function vmaPages(ctx: CommandContext, v: Vma, root: bigint, file: string, keep?: (p: VmPage) => boolean): VmPage[] {
  const k = ctx.kernel;
  const ps = BigInt(k.arch.pageSize);
  const pages: VmPage[] = [];
  const total = Number((v.end - v.start) / ps);
  const pgoffOff = k.memberByteOffset('struct vm_area_struct', 'vm_pgoff');
  const pgoff = pgoffOff === undefined ? 0n : k.readU64(v.addr + BigInt(pgoffOff), 'vm_area_struct vm_pgoff');
  let i = 0;
  for (let va = v.start; va < v.end && i < 1 << 24; va += ps, i++) {
    if ((i & 1023) === 0) checkpoint(ctx, i, total, 'pages');
    const page: VmPage = { vaddr: va };
    let walk;
    try {
      walk = k.arch.walk(va, root);
    } catch (e) {
      rethrowInterrupt(e);
      walk = undefined;
    }
    if (walk?.paddr !== undefined) page.paddr = walk.paddr;
    else {
      const last = walk?.steps[walk.steps.length - 1];
      if (last && last.level === 'PTE' && last.value && k.hasSymbol('nr_swapfiles') && k.hasSymbol('swap_info')) {
        const s = k.arch.name === 'x86_64' ? x86SwapEntry(last.value) : arm64SwapEntry(last.value);
        page.swap = `${swapDevice(k, s.type)}  OFFSET: ${s.offset}`;
      } else if (file) {
        const off = (((va - v.start) >> BigInt(k.arch.pageShift)) + pgoff) << BigInt(k.arch.pageShift);
        page.file = `${file}  OFFSET: ${off.toString(16)}`;
      }
    }
    if (!keep || keep(page)) pages.push(page);
  }
  return pages;
}
