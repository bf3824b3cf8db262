import type { Kernel } from '../../kernel/kernel.js';
import type { KmemPagesResult, PageMemberRow, PageRow } from '../memory-results.js';
import { err, type CommandResult } from '../result.js';
import { collectPageMembers, pageMemberCells } from './page-members.js';
import { CrashError } from '../../util/errors.js';
import { pageLayout, pageToPfn, pfnToPage, pfnToPhys, physToPfn, presentSections, sparseMem } from '../../kernel/helpers/mm-page.js';
import { decodePage, decodePageFlags, pageFlagNames, readPage, type PageInfo } from '../../kernel/helpers/page.js';
import { totalMemoryPages } from '../../kernel/helpers/mm.js';
import { explainPage } from '../../kernel/helpers/page-explain.js';
import { checkpoint, Interrupted, rethrowInterrupt, type ProgressHooks } from '../../util/interrupt.js';

/**
 * `kmem -p` (memory.c dump_mem_map_SPARSEMEM): every struct page of every present section, or
 * the pages of the given addresses (a struct page pointer, a kernel virtual or a physical address).
 */

/**
 * crash's PADDR_PRLEN: strlen("%llx") of MAX(max_mapnr * PAGESIZE, total_node_memory()); the
 * PHYSICAL column is MAX(that, strlen("PHYSICAL")). SPARSEMEM kernels have no max_mapnr.
 */
export function physColumnWidth(k: Kernel): number {
  return k.memo('kmem:physwidth', () => {
    const bytes = totalMemoryPages(k) * BigInt(k.arch.pageSize);
    return Math.max(bytes.toString(16).length, 'PHYSICAL'.length);
  });
}

/** A PageRow from decoded page contents; flag names decoded once per distinct flags value. */
export function pageRow(k: Kernel, info: PageInfo, phys: bigint, explain = false): PageRow {
  const cache = k.memo('kmem:flagcache', () => new Map<bigint, string[]>());
  let names = cache.get(info.flags);
  if (!names) {
    names = decodePageFlags(info.flags, pageFlagNames(k));
    if (cache.size < 65536) cache.set(info.flags, names);
  }
  const row: PageRow = { page: info.page, phys, mapping: info.mapping, index: info.index, count: info.refcount, flags: info.flags, names };
  if (explain) row.explanation = explainPage(k, info);
  return row;
}

/** The kmem -p row of the page holding a physical address (crash phys_to_page + dump_mem_map). */
export function pageRowForPhys(k: Kernel, paddr: bigint, explain = false): PageRow | undefined {
  const pfn = physToPfn(k, paddr);
  const page = pfnToPage(k, pfn);
  if (page === undefined) return undefined;
  try {
    return pageRow(k, readPage(k, page), pfnToPhys(k, pfn), explain);
  } catch (e) {
    rethrowInterrupt(e);
    return undefined;
  }
}

/** x86_64's vsyscall page (VSYSCALL_ADDR, -10 MB): page-table mapped, so crash walks it. */
const VSYSCALL_START = 0xffffffffff600000n;

/**
 * A kernel virtual address translated as crash's kvtop() does for kmem: x86_64_kvtop() walks the
 * page tables only for vmalloc, vmemmap, module, vsyscall and cpu_entry_area addresses; every other
 * one is x86_64_VTOP() arithmetic, so the fixmap and whatever lies above MODULES_END translate
 * through the kernel image map (__START_KERNEL_map + phys_base) whether mapped or not.
 * Undefined where the translation fails.
 */
export function crashKvtop(k: Kernel, addr: bigint): bigint | undefined {
  const L = k.arch.layout;
  if (k.dump.machine === 'x86_64' && addr > L.modulesEnd && !(addr >= VSYSCALL_START && addr < VSYSCALL_START + 0x1000n)) {
    const base = k.arch.linearToPhys(L.kernelStart);
    if (base !== undefined) return BigInt.asUintN(64, base + (addr - L.kernelStart));
  }
  try {
    return k.mem.kvtop(addr);
  } catch (e) {
    rethrowInterrupt(e);
    return undefined;
  }
}

/**
 * One address argument, as crash's cmd_kmem decides its type: a kernel virtual address is a
 * struct page when it is one (is_page_ptr), else translated; anything else is physical.
 * Returns the struct page and its pfn, or undefined when no page holds it.
 */
export function pageOfAddress(k: Kernel, addr: bigint, forcePhys: boolean): { page: bigint; pfn: bigint } | undefined {
  let paddr = addr;
  if (!forcePhys && k.arch.isKernelAddr(addr)) {
    const pfn = pageToPfn(k, addr);
    if (pfn !== undefined) return { page: addr, pfn };
    const p = crashKvtop(k, addr);
    if (p === undefined) return undefined;
    paddr = p;
  }
  const pfn = physToPfn(k, paddr);
  const page = pfnToPage(k, pfn);
  return page === undefined ? undefined : { page, pfn };
}

export function pageRowForAddress(k: Kernel, addr: bigint, forcePhys: boolean, explain: boolean): PageRow | undefined {
  const p = pageOfAddress(k, addr, forcePhys);
  if (!p) return undefined;
  try {
    return pageRow(k, readPage(k, p.page), pfnToPhys(k, p.pfn), explain);
  } catch (e) {
    rethrowInterrupt(e);
    return undefined;
  }
}

export function kmemPagesFor(k: Kernel, addrs: bigint[], forcePhys: boolean, explain: boolean): KmemPagesResult {
  const rows: PageRow[] = [];
  for (const a of addrs) {
    const r = pageRowForAddress(k, a, forcePhys, explain);
    if (r) rows.push(r);
  }
  return { kind: 'kmem-pages', physWidth: physColumnWidth(k), header: rows.length > 0, rows };
}

/**
 * Every present section's mem_map, a chunk of struct pages at a time (one read each), with the
 * progress/cancel checkpoint of kmem -p; unreadable chunks are skipped.
 */
function forEachPageChunk(k: Kernel, hooks: ProgressHooks | undefined, each: (dv: DataView, n: number, base: bigint, startPfn: bigint) => void): void {
  const layout = pageLayout(k);
  const per = Number(sparseMem(k)?.pagesPerSection ?? 0n);
  const CHUNK = 4096;
  const sections = presentSections(k);
  const total = sections.length * per;
  let done = 0;
  for (const sec of sections) {
    for (let i = 0; i < per; i += CHUNK) {
      const n = Math.min(CHUNK, per - i);
      checkpoint(hooks, done, total, 'pages');
      done += n;
      const base = sec.memMap + BigInt(i * layout.size);
      let bytes: Uint8Array;
      try {
        bytes = k.readBytes(base, n * layout.size, 'page structs');
      } catch (e) {
        rethrowInterrupt(e);
        continue;
      }
      each(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), n, base, sec.startPfn + BigInt(i));
    }
  }
}

/** Every page of every present section, read a section's mem_map at a time. */
export function kmemAllPages(k: Kernel, explain: boolean, hooks?: ProgressHooks): KmemPagesResult {
  const layout = pageLayout(k);
  const rows: PageRow[] = [];
  forEachPageChunk(k, hooks, (dv, n, base, startPfn) => {
    for (let j = 0; j < n; j++) {
      const info = decodePage(layout, dv, j * layout.size, base + BigInt(j * layout.size));
      rows.push(pageRow(k, info, pfnToPhys(k, startPfn + BigInt(j)), explain));
    }
  });
  return { kind: 'kmem-pages', physWidth: physColumnWidth(k), header: true, rows };
}

/**
 * `kmem -m member[,member] [address...]` (dump_mem_map_SPARSEMEM with nr_members): the chosen
 * members of the pages of the addresses, or of every page. A member show_page_member_data cannot
 * print ends the command with its error after the header, as crash's FATAL does.
 */
export function kmemMemberPages(k: Kernel, optlist: string, addrs: bigint[], forcePhys: boolean, radix: 10 | 16, hooks?: ProgressHooks): CommandResult[] {
  const members = collectPageMembers(k, optlist);
  const size = pageLayout(k).size;
  const rows: PageMemberRow[] = [];
  const result = (): KmemPagesResult => ({
    kind: 'kmem-pages', physWidth: physColumnWidth(k), header: true, rows: [], members: { names: members.map((m) => m.name), rows },
  });
  try {
    if (!addrs.length) {
      forEachPageChunk(k, hooks, (dv, n, base) => {
        for (let j = 0; j < n; j++) rows.push({ page: base + BigInt(j * size), cells: pageMemberCells(members, dv, j * size, radix) });
      });
      return [result()];
    }
    for (const a of addrs) {
      const p = pageOfAddress(k, a, forcePhys);
      if (!p) continue;
      let bytes: Uint8Array;
      try {
        bytes = k.readBytes(p.page, size, 'page structs');
      } catch (e) {
        rethrowInterrupt(e);
        continue;
      }
      rows.push({ page: p.page, cells: pageMemberCells(members, new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), 0, radix) });
    }
  } catch (e) {
    if (e instanceof CrashError && !(e instanceof Interrupted)) {
      // the header is out before the first row meets the unsupported member; buffered rows are lost
      rows.length = 0;
      return [result(), err(e.message)];
    }
    throw e;
  }
  return rows.length ? [result()] : [];
}
