import type { Kernel } from '../kernel.js';
import { listForEach } from './list.js';

/**
 * vmalloc areas (mm/vmalloc.c): the busy vmap_areas, as crash's dump_vmap_area reads them — on
 * vmap_area_list (v2.6.28+), or on every vmap_nodes[].busy.head list sorted by address (v6.9+,
 * "mm: vmalloc: add a per-node vmap area tree") — keeping an area when it has a vm_struct
 * (before v5.2, when flags == VM_VM_AREA).
 */
export interface VmapArea {
  area: bigint;
  vm: bigint;
  start: bigint;
  end: bigint;
}

export function isVmallocAddr(k: Kernel, addr: bigint): boolean {
  const l = k.arch.layout;
  return addr >= l.vmallocStart && addr < l.vmallocEnd;
}

/** Every busy vmap_area in list order; throws crash's `duplicate list entry` on a cycle. */
export function vmapAreas(k: Kernel): VmapArea[] {
  return k.memo('vmalloc:areas', () => {
    const V = 'struct vmap_area';
    const off = (m: string) => k.memberByteOffset(V, m);
    const [list, start, end, vm, flags] = [off('list'), off('va_start'), off('va_end'), off('vm'), off('flags')];
    if (list === undefined || start === undefined || end === undefined || vm === undefined) return [];
    const VM_VM_AREA = 0x4n;
    const useFlags = flags !== undefined && k.hasMember(V, 'purge_list');
    const out: VmapArea[] = [];
    const visit = (head: bigint, what: string) => {
      for (const n of listForEach(k, head, what)) {
        const a = n - BigInt(list);
        const v = k.readPtr(a + BigInt(vm), 'vmap_area struct');
        if (useFlags ? k.readU64(a + BigInt(flags!), 'vmap_area struct') !== VM_VM_AREA : !v) continue;
        out.push({ area: a, vm: v, start: k.readU64(a + BigInt(start), 'vmap_area struct'), end: k.readU64(a + BigInt(end), 'vmap_area struct') });
      }
    };
    const head = k.symbol('vmap_area_list')?.address;
    if (head !== undefined) {
      visit(head, 'vmap_area_list');
      return out;
    }
    const nodes = k.symbol('vmap_nodes');
    const busy = k.memberByteOffset('struct vmap_node', 'busy.head');
    if (!nodes || busy === undefined) return out;
    const base = k.readPtr(nodes.address, 'vmap_nodes');
    const nr = Math.min(k.symbol('nr_vmap_nodes') ? k.readU32(k.symbol('nr_vmap_nodes')!.address, 'nr_vmap_nodes') : 1, 4096);
    const size = BigInt(k.sizeOf('struct vmap_node'));
    for (let i = 0; i < nr; i++) visit(base + BigInt(i) * size + BigInt(busy), 'vmap_nodes.busy');
    return out.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  });
}

export function vmapAreaContaining(k: Kernel, addr: bigint): VmapArea | undefined {
  return vmapAreas(k).find((a) => addr >= a.start && addr < a.end);
}

/**
 * The areas with a page mapped to the physical address's page (crash dump_vmap_area with a
 * PHYSADDR), each with the virtual address there; at most `limit` pages are translated.
 */
export function vmapAreasMapping(k: Kernel, paddr: bigint, limit = 1 << 20): { area: VmapArea; vaddr: bigint }[] {
  const ps = BigInt(k.arch.pageSize);
  const page = paddr & ~(ps - 1n);
  const out: { area: VmapArea; vaddr: bigint }[] = [];
  let n = 0;
  for (const a of vmapAreas(k)) {
    for (let v = a.start; v < a.end && n < limit; v += ps, n++) {
      let p: bigint;
      try {
        p = k.mem.kvtop(v);
      } catch {
        continue;
      }
      if ((p & ~(ps - 1n)) === page) out.push({ area: a, vaddr: v + (paddr & (ps - 1n)) });
    }
  }
  return out;
}
