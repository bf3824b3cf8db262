import type { Kernel } from '../kernel.js';

/**
 * Total RAM as crash's total_node_memory(): the sum of node_present_pages (or spanned pages)
 * over the online nodes' pglist_data (node_data[] on NUMA kernels, contig_page_data otherwise).
 */
export function totalMemoryPages(k: Kernel): bigint {
  return k.memo('totalpages', () => {
    const present = k.memberByteOffset('struct pglist_data', 'node_present_pages');
    const spanned = k.vmcoreinfo.offset('pglist_data.node_spanned_pages') ?? k.memberByteOffset('struct pglist_data', 'node_spanned_pages');
    const pgdats: bigint[] = [];
    const nodeData = k.vmcoreinfo.symbol('node_data') ?? k.symbol('node_data')?.address;
    if (nodeData !== undefined) {
      const len = k.vmcoreinfo.length('node_data') ?? 1;
      for (const nid of nodesOnline(k, len)) {
        const p = k.readPtr(nodeData + BigInt(nid * 8), 'node_data');
        if (p) pgdats.push(p);
      }
    } else {
      const c = k.vmcoreinfo.symbol('contig_page_data') ?? k.symbol('contig_page_data')?.address;
      if (c !== undefined) pgdats.push(c);
    }
    let total = 0n;
    for (const pg of pgdats) {
      const pres = present !== undefined ? k.readU64(pg + BigInt(present), 'node_present_pages') : 0n;
      total += pres || (spanned !== undefined ? k.readU64(pg + BigInt(spanned), 'node_spanned_pages') : 0n);
    }
    return total;
  });
}

function nodesOnline(k: Kernel, max: number): number[] {
  const map = k.vmcoreinfo.symbol('node_online_map') ?? k.symbol('node_online_map')?.address;
  if (map === undefined) return [0];
  const out: number[] = [];
  for (let w = 0; w * 64 < max && w < 16; w++) {
    const v = k.readU64(map + BigInt(w * 8), 'node_online_map');
    for (let b = 0; b < 64 && w * 64 + b < max; b++) if ((v >> BigInt(b)) & 1n) out.push(w * 64 + b);
  }
  return out.length ? out : [0];
}

/** crash's pages_to_size(): "4 GB", "15.4 GB", "511.5 MB", "512 KB". */
export function pagesToSize(pages: bigint, pageSize: number): string {
  if (pages === 0n) return '0';
  const total = Number(pages) * pageSize;
  let s: string;
  if (total >= 2 ** 30) s = `${(total / 2 ** 30).toFixed(1)} GB`;
  else if (total >= 2 ** 20) s = `${(total / 2 ** 20).toFixed(1)} MB`;
  else s = `${Math.floor(total / 1024)} KB`;
  return s.replace('.0 ', ' ');
}

/** crash's get_memory_size(): rounded up to the next GB when within 64 MB of it. */
export function memorySizeText(k: Kernel): string {
  const ps = BigInt(k.arch.pageSize);
  let total = totalMemoryPages(k) * ps;
  const gig = 1n << 30n;
  const next = ((total + gig - 1n) / gig) * gig;
  if (next && next - total <= 64n << 20n) total = next;
  return pagesToSize(total / ps, k.arch.pageSize);
}

/** One memory node as crash's node_table holds it (memory.c dump_memory_nodes). */
export interface MemoryNode {
  id: number;
  pgdat: bigint;
  startPfn: bigint;
  spannedPages: bigint;
}

/**
 * The online nodes' pglist_data (node_data[] on NUMA kernels, contig_page_data otherwise) with
 * node_id, node_start_pfn and node_spanned_pages, sorted by start as crash sorts its node_table.
 */
export function memoryNodes(k: Kernel): MemoryNode[] {
  return k.memo('mm:nodes', () => {
    const P = 'struct pglist_data';
    const off = (m: string) => k.vmcoreinfo.offset(`pglist_data.${m}`) ?? (k.btf ? k.memberByteOffset(P, m) : undefined);
    const [idOff, startOff, spannedOff] = [off('node_id'), off('node_start_pfn'), off('node_spanned_pages')];
    const out: MemoryNode[] = [];
    const nodeData = k.vmcoreinfo.symbol('node_data') ?? k.symbol('node_data')?.address;
    const entries: [number, bigint][] = [];
    if (nodeData !== undefined) {
      for (const nid of nodesOnline(k, k.vmcoreinfo.length('node_data') ?? 1)) entries.push([nid, k.readPtr(nodeData + BigInt(nid * 8), 'node_data')]);
    } else {
      const c = k.vmcoreinfo.symbol('contig_page_data') ?? k.symbol('contig_page_data')?.address;
      if (c !== undefined) entries.push([0, c]);
    }
    for (const [nid, pgdat] of entries) {
      if (!pgdat) continue;
      try {
        out.push({
          id: idOff !== undefined ? k.readS32(pgdat + BigInt(idOff), 'pglist_data node_id') : nid,
          pgdat,
          startPfn: startOff !== undefined ? k.readU64(pgdat + BigInt(startOff), 'node_start_pfn') : 0n,
          spannedPages: spannedOff !== undefined ? k.readU64(pgdat + BigInt(spannedOff), 'node_spanned_pages') : 0n,
        });
      } catch {
        /* an unreadable pglist_data: crash would fail; we leave the node out */
      }
    }
    return out.sort((a, b) => (a.startPfn < b.startPfn ? -1 : a.startPfn > b.startPfn ? 1 : 0));
  });
}

/**
 * crash's page_to_nid(): the node whose span holds the pfn (crash uses the node table, not the
 * node bits of page.flags); 0 when the kernel describes no nodes, undefined when none matches.
 */
export function pfnToNid(k: Kernel, pfn: bigint): number | undefined {
  const nodes = memoryNodes(k);
  if (!nodes.length) return 0;
  return nodes.find((n) => pfn >= n.startPfn && pfn < n.startPfn + n.spannedPages)?.id;
}
