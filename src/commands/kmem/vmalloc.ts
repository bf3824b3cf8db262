import type { Kernel } from '../../kernel/kernel.js';
import type { KmemVmlistReport } from './report-results.js';
import { err, lines, type CommandResult } from '../result.js';
import { vmapAreas, vmapAreasMapping, type VmapArea } from '../../kernel/helpers/vmalloc.js';
import { ListLoopError } from '../../kernel/helpers/list.js';

/**
 * `kmem -v [address]` (memory.c dump_vmlist → dump_vmap_area): the busy vmap_areas, or those
 * holding a kernel virtual address, or those with a page mapped to a physical address. The
 * header is printed whenever there is an area, as crash does even when none matches.
 */
export function kmemVmalloc(k: Kernel, addrs: bigint[] = [], physical: (addr: bigint) => boolean = () => false): CommandResult[] {
  // memory.c dump_vmlist: kernels without vmap_area lists read vmlist
  if (!k.symbol('vmap_area_list') && !k.symbol('vmap_nodes') && !k.symbol('vmlist')) return [err('cannot resolve: "vmlist"')];
  let all: VmapArea[];
  try {
    all = vmapAreas(k);
  } catch (e) {
    return vmallocError(e);
  }
  let areas = all;
  // one header for every address, as crash's HEADER_PRINTED
  if (addrs.length) {
    areas = addrs.flatMap((addr) => (physical(addr) ? vmapAreasMapping(k, addr).map((m) => m.area) : all.filter((a) => addr >= a.start && addr < a.end)));
  }
  if (!all.length) return [];
  const r: KmemVmlistReport = { kind: 'kmem-report', report: 'vmlist', areas };
  return [r];
}

/** crash's do_list FATAL on a cycle (after a newline); other read errors as they are worded. */
export function vmallocError(e: unknown): CommandResult[] {
  if (e instanceof ListLoopError) return [lines(['']), err(e.message)];
  return [err((e as Error).message)];
}
