import type { Kernel } from '../../kernel/kernel.js';
import type { KmemPagesResult, PageRow } from '../memory-results.js';
import { pageLayout, pageToPfn, pfnToPage, pfnToPhys, physToPfn, presentSections, sparseMem } from '../../kernel/helpers/mm-page.js';
import { decodePage, decodePageFlags, pageFlagNames, readPage, type PageInfo } from '../../kernel/helpers/page.js';
import { totalMemoryPages } from '../../kernel/helpers/mm.js';
import { explainPage } from '../../kernel/helpers/page-explain.js';
import { checkpoint, rethrowInterrupt, type ProgressHooks } from '../../util/interrupt.js';

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

/**
 * One address argument, as crash's cmd_kmem decides its type: a kernel virtual address is a
 * struct page when it is one (is_page_ptr), else translated; anything else is physical.
 */
export function pageRowForAddress(k: Kernel, addr: bigint, forcePhys: boolean, explain: boolean): PageRow | undefined {
  if (!forcePhys && k.arch.isKernelAddr(addr)) {
    const pfn = pageToPfn(k, addr);
    if (pfn !== undefined) {
      try {
        return pageRow(k, readPage(k, addr), pfnToPhys(k, pfn), explain);
      } catch (e) {
        rethrowInterrupt(e);
        return undefined;
      }
    }
    let paddr: bigint;
    try {
      paddr = k.mem.kvtop(addr);
    } catch (e) {
      rethrowInterrupt(e);
      return undefined;
    }
    return pageRowForPhys(k, paddr, explain);
  }
  return pageRowForPhys(k, addr, explain);
}

export function kmemPagesFor(k: Kernel, addrs: bigint[], forcePhys: boolean, explain: boolean): KmemPagesResult {
  const rows: PageRow[] = [];
  for (const a of addrs) {
    const r = pageRowForAddress(k, a, forcePhys, explain);
    if (r) rows.push(r);
  }
  return { kind: 'kmem-pages', physWidth: physColumnWidth(k), header: rows.length > 0, rows };
}

/** Every page of every present section, read a section's mem_map at a time. */
export function kmemAllPages(k: Kernel, explain: boolean, hooks?: ProgressHooks): KmemPagesResult {
  const layout = pageLayout(k);
  const sm = sparseMem(k);
  const rows: PageRow[] = [];
  const per = Number(sm?.pagesPerSection ?? 0n);
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
      const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (let j = 0; j < n; j++) {
        const info = decodePage(layout, dv, j * layout.size, base + BigInt(j * layout.size));
        rows.push(pageRow(k, info, pfnToPhys(k, sec.startPfn + BigInt(i + j)), explain));
      }
    }
  }
  return { kind: 'kmem-pages', physWidth: physColumnWidth(k), header: true, rows };
}

/**
 * The counts crash's dump_mem_map(GET_ALL) gathers for kmem -i: pages with PG_slab set, and
 * non-reserved pages with a reference count above one ("shared").
 */
export function memMapCounts(k: Kernel, slabBit: number | undefined, reservedBit: number | undefined): { slab: bigint; shared: bigint } {
  const layout = pageLayout(k);
  const per = Number(sparseMem(k)?.pagesPerSection ?? 0n);
  let slab = 0;
  let shared = 0;
  const CHUNK = 4096;
  const sb = slabBit === undefined ? -1n : BigInt(slabBit);
  const rmask = reservedBit === undefined ? 0n : 1n << BigInt(reservedBit);
  for (const sec of presentSections(k)) {
    for (let i = 0; i < per; i += CHUNK) {
      const n = Math.min(CHUNK, per - i);
      let bytes: Uint8Array;
      try {
        bytes = k.readBytes(sec.memMap + BigInt(i * layout.size), n * layout.size, 'page structs');
      } catch (e) {
        rethrowInterrupt(e);
        continue;
      }
      const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (let j = 0; j < n; j++) {
        const off = j * layout.size;
        const flags = dv.getBigUint64(off + layout.flags, true);
        if (sb >= 0n && (flags >> sb) & 1n) slab++;
        if (flags & rmask) continue;
        if (layout.refcount >= 0 && dv.getInt32(off + layout.refcount, true) > 1) shared++;
      }
    }
  }
  return { slab: BigInt(slab), shared: BigInt(shared) };
}
