import type { Kernel } from '../kernel.js';
import { listForEach } from './list.js';

/**
 * vmalloc areas (mm/vmalloc.c): the busy vmap_areas on vmap_area_list, as crash's dump_vmap_area
 * reads them (an area counts when it has a vm_struct; before v5.2 when flags == VM_VM_AREA).
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

export function vmapAreaContaining(k: Kernel, addr: bigint): VmapArea | undefined {
  const V = 'struct vmap_area';
  const head = k.symbol('vmap_area_list')?.address;
  const off = (m: string) => k.memberByteOffset(V, m);
  const [list, start, end, vm, flags] = [off('list'), off('va_start'), off('va_end'), off('vm'), off('flags')];
  if (head === undefined || list === undefined || start === undefined || end === undefined || vm === undefined) return undefined;
  const VM_VM_AREA = 0x4n;
  const useFlags = flags !== undefined && k.hasMember(V, 'purge_list');
  for (const n of listForEach(k, head, 'vmap_area_list')) {
    const a = n - BigInt(list);
    const s = k.readU64(a + BigInt(start), 'vmap_area va_start');
    const e = k.readU64(a + BigInt(end), 'vmap_area va_end');
    const v = k.readPtr(a + BigInt(vm), 'vmap_area vm');
    if (useFlags ? k.readU64(a + BigInt(flags!), 'vmap_area flags') !== VM_VM_AREA : !v) continue;
    if (addr >= s && addr < e) return { area: a, vm: v, start: s, end: e };
  }
  return undefined;
}
