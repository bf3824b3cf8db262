import type { Kernel } from '../kernel.js';

/**
 * VM counters (include/linux/vmstat.h, mm/vmstat.c): the global vm_zone_stat[] / vm_node_stat[]
 * / vm_numa_event[] arrays (v4.8+ split; vm_stat[] before), indexed by the enumerators of
 * zone_stat_item / node_stat_item / numa_stat_item, and per-zone zone.vm_stat[].
 */

const ARRAYS: Record<string, string[]> = {
  zone_stat_item: ['vm_zone_stat', 'vm_stat'],
  node_stat_item: ['vm_node_stat'],
  numa_stat_item: ['vm_numa_event', 'vm_numa_stat'],
};

/** global_*_page_state(): the named counter, undefined when this kernel has no such item. */
export function globalPageState(k: Kernel, item: string): bigint | undefined {
  const e = k.btf?.enumConstant(item);
  if (!e) return undefined;
  for (const name of ARRAYS[e.type.name] ?? []) {
    const s = k.symbol(name);
    if (s) return BigInt.asIntN(64, k.readU64(s.address + e.value * 8n, name));
  }
  return undefined;
}

/** Online nodes' pglist_data: node_data[] (NUMA) or contig_page_data. */
export function onlinePgdats(k: Kernel): bigint[] {
  return k.memo('vmstat:pgdats', () => {
    const nodeData = k.vmcoreinfo.symbol('node_data') ?? k.symbol('node_data')?.address;
    if (nodeData === undefined) {
      const c = k.vmcoreinfo.symbol('contig_page_data') ?? k.symbol('contig_page_data')?.address;
      return c === undefined ? [] : [c];
    }
    const len = k.vmcoreinfo.length('node_data') ?? 1;
    const map = k.vmcoreinfo.symbol('node_online_map') ?? k.symbol('node_online_map')?.address;
    const out: bigint[] = [];
    for (let w = 0; w * 64 < len && w < 16; w++) {
      const bits = map === undefined ? (w === 0 ? 1n : 0n) : k.readU64(map + BigInt(w * 8), 'node_online_map');
      for (let b = 0; b < 64 && w * 64 + b < len; b++) {
        if (!((bits >> BigInt(b)) & 1n)) continue;
        const p = k.readPtr(nodeData + BigInt((w * 64 + b) * 8), 'node_data');
        if (p) out.push(p);
      }
    }
    return out;
  });
}

/** Every struct zone of every online node (pglist_data.node_zones[MAX_NR_ZONES]). */
export function allZones(k: Kernel): bigint[] {
  return k.memo('vmstat:zones', () => {
    const zonesOff = k.vmcoreinfo.offset('pglist_data.node_zones') ?? k.offsetOf('struct pglist_data', 'node_zones');
    const zoneSize = k.vmcoreinfo.size('zone') ?? k.sizeOf('struct zone');
    const n = Number(k.types.enumValue('__MAX_NR_ZONES') ?? 4n);
    const out: bigint[] = [];
    for (const pg of onlinePgdats(k)) for (let i = 0; i < n; i++) out.push(pg + BigInt(zonesOff + i * zoneSize));
    return out;
  });
}

/** zone_page_state(zone, item) from zone.vm_stat[]. */
export function zonePageState(k: Kernel, zone: bigint, item: string): bigint | undefined {
  const e = k.btf?.enumConstant(item);
  const off = k.vmcoreinfo.offset('zone.vm_stat') ?? k.memberByteOffset('struct zone', 'vm_stat');
  if (!e || off === undefined) return undefined;
  return BigInt.asIntN(64, k.readU64(zone + BigInt(off) + e.value * 8n, 'zone vm_stat'));
}
