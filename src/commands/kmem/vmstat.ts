import type { Kernel } from '../../kernel/kernel.js';
import type { Counter, KmemVmStatReport, KmemZonesReport, ZoneStat } from './report-results.js';
import { err, type CommandResult } from '../result.js';
import type { EnumType } from '../../debuginfo/btf/types.js';
import { nodeZones, zoneWatermarks } from '../../kernel/helpers/zone.js';
import { perCpuInfo } from '../../kernel/helpers/percpu.js';

/**
 * `kmem -V` and `kmem -z` (memory.c vm_stat_init, dump_vm_stat, dump_vm_event_state,
 * dump_zone_stats): the kernel's VM counters named by its own enumerators — zone_stat_item,
 * node_stat_item (v4.8+ "mm, vmstat: add infrastructure for per-node vmstats"), numa_stat_item
 * when vm_numa_stat[] exists (v4.14 to v5.13) — read from vm_zone_stat[]/vm_node_stat[]/
 * vm_numa_stat[] (vm_stat[] before v4.8), the per-cpu vm_event_states summed over the cpus,
 * and each zone's own zone.vm_stat[].
 */

/**
 * The item names of `enum name`, indexed by value below its terminator (NR_VM_ZONE_STAT_ITEMS
 * ...); an alias (NR_ZONE_LRU_BASE = NR_ZONE_INACTIVE_ANON) gives way to the later name, as in
 * crash's vm_stat_items[] table.
 */
function items(k: Kernel, name: string, end: string): string[] {
  const t = k.btf?.findType(`enum ${name}`);
  if (!t || t.kind !== 'enum') return [];
  const values = (t as EnumType).values;
  const count = values.find((v) => v.name === end)?.value;
  if (count === undefined || count < 0n || count > 4096n) return [];
  const out: string[] = Array.from({ length: Number(count) }, () => '');
  for (const v of values) if (v.value >= 0n && v.value < count) out[Number(v.value)] = v.name;
  return out;
}

/** Names and array of each vm_stat block; undefined when this kernel has none. */
function statLayout(k: Kernel) {
  const zoneItems = items(k, 'zone_stat_item', 'NR_VM_ZONE_STAT_ITEMS');
  if (!zoneItems.length) return undefined;
  const split = !!k.symbol('vm_zone_stat') && !!k.symbol('vm_node_stat');
  const zoneArr = k.symbol(split ? 'vm_zone_stat' : 'vm_stat');
  if (!zoneArr) return undefined;
  const numaSym = k.symbol('vm_numa_stat');
  return {
    split,
    zone: { names: zoneItems, addr: zoneArr.address },
    node: split ? { names: items(k, 'node_stat_item', 'NR_VM_NODE_STAT_ITEMS'), addr: k.symbol('vm_node_stat')!.address } : undefined,
    numa: numaSym ? { names: items(k, 'numa_stat_item', 'NR_VM_NUMA_STAT_ITEMS'), addr: numaSym.address } : undefined,
  };
}

function readCounters(k: Kernel, names: string[], addr: bigint, what: string): Counter[] {
  if (!names.length) return [];
  const b = k.readBytes(addr, names.length * 8, what);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return names.map((name, i) => ({ name, value: dv.getBigInt64(i * 8, true) }));
}

export function kmemVmStat(k: Kernel): CommandResult[] {
  const r: KmemVmStatReport = { kind: 'kmem-report', report: 'vmstat' };
  const l = statLayout(k);
  if (l) {
    r.stat = {
      split: l.split,
      zone: readCounters(k, l.zone.names, l.zone.addr, l.split ? 'vm_zone_stat' : 'vm_stat'),
      node: l.node ? readCounters(k, l.node.names, l.node.addr, 'vm_node_stat') : [],
      numa: l.numa ? readCounters(k, l.numa.names, l.numa.addr, 'vm_numa_stat') : [],
    };
  }
  r.events = vmEvents(k);
  if (!r.stat && !r.events) return [err('vm_stat not available in this kernel')];
  return [r];
}

/** all_vm_events(): vm_event_states of every cpu, summed (unsigned). */
function vmEvents(k: Kernel): Counter[] | undefined {
  const names = items(k, 'vm_event_item', 'NR_VM_EVENT_ITEMS');
  const sym = k.symbol('vm_event_states');
  const pc = perCpuInfo(k);
  if (!names.length || !sym || !pc) return undefined;
  const sums = names.map(() => 0n);
  for (const off of pc.offsets) {
    const b = k.readBytes((sym.address + off) & ((1n << 64n) - 1n), names.length * 8, 'vm_event_states buffer');
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    names.forEach((_, i) => (sums[i] = BigInt.asUintN(64, sums[i] + dv.getBigUint64(i * 8, true))));
  }
  return names.map((name, i) => ({ name, value: sums[i] }));
}

export function kmemZones(k: Kernel): CommandResult[] {
  const zones = nodeZones(k);
  if (!zones.length) return [err('cannot determine pgdat list for this kernel/architecture')];
  const l = statLayout(k);
  const vmStatOff = k.memberByteOffset('struct zone', 'vm_stat');
  const out: ZoneStat[] = zones.map((z) => ({
    nodeIndex: z.nodeIndex,
    index: z.index,
    addr: z.addr,
    name: z.name,
    size: z.spanned,
    present: z.present,
    watermarks: z.spanned ? zoneWatermarks(k, z.addr) : [0n, 0n, 0n],
    vmStat: z.spanned && l && vmStatOff !== undefined ? readCounters(k, l.zone.names, z.addr + BigInt(vmStatOff), 'zone vm_stat') : undefined,
  }));
  const r: KmemZonesReport = { kind: 'kmem-report', report: 'zones', zones: out };
  return [r];
}
