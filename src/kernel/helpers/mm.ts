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
