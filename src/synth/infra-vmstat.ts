import type { EnumType } from '../debuginfo/btf/types.js';
import type { BuildContext } from './infra.js';
import { defineGlobal } from './infra.js';
import { sizeofType } from '../debuginfo/btf/types.js';

/**
 * The VM counters /proc/meminfo and crash's `kmem -i` read (mm/vmstat.c, include/linux/mmzone.h):
 * vm_zone_stat[] and vm_node_stat[] indexed by the enumerators of zone_stat_item and
 * node_stat_item, each zone's own vm_stat[] inside pglist_data.node_zones[], and totalram_pages.
 * Laid out only when the scenario declares the types (struct zone with vm_stat, pglist_data with
 * node_zones) and gives the values (Scenario.vmstat, in pages); node 0's first zone holds the
 * zone counters.
 */
export function buildVmstat(c: BuildContext): void {
  const v = c.s.vmstat;
  const zonesOff = c.offsetOfOptional('struct pglist_data', 'node_zones');
  const zoneStat = c.offsetOfOptional('struct zone', 'vm_stat');
  if (!v || zonesOff === undefined || zoneStat === undefined) return;
  const items = (e: string): Map<string, bigint> => new Map((c.type(`enum ${e}`) as EnumType).values.map((x) => [x.name, x.value]));
  const write = (base: bigint, index: Map<string, bigint>, values: Record<string, bigint>) => {
    for (const [name, pages] of Object.entries(values)) {
      const i = index.get(name);
      if (i === undefined) throw new Error(`vmstat: no counter ${name} in this kernel's enums`);
      c.mem.writeU64(base + i * 8n, pages);
    }
  };
  const zoneItems = items('zone_stat_item');
  const nodeItems = items('node_stat_item');
  const arr = (e: Map<string, bigint>) => [...e.values()].reduce((a, b) => (b > a ? b : a), 0n) + 1n;
  const vmZone = c.mem.allocData(Number(arr(zoneItems)) * 8, 64);
  const vmNode = c.mem.allocData(Number(arr(nodeItems)) * 8, 64);
  c.syms.add('vm_zone_stat', vmZone, 'D');
  c.syms.add('vm_node_stat', vmNode, 'D');
  write(vmZone, zoneItems, v.zone);
  write(vmNode, nodeItems, v.node);
  const nd = c.syms.get('node_data')?.address;
  const pgdat = nd === undefined ? undefined : c.mem.readU64(nd);
  if (pgdat) write(pgdat + BigInt(zonesOff + zoneStat), zoneItems, v.zone);
  defineGlobal(c, v.totalramSymbol ?? 'totalram_pages', 'unsigned long', {});
  c.mem.writeU64(c.syms.get(v.totalramSymbol ?? 'totalram_pages')!.address, v.totalram);
  c.vmcoreinfo.push(`OFFSET(pglist_data.node_zones)=${zonesOff}`, `SIZE(zone)=${sizeofType(c.type('struct zone'))}`);
}
