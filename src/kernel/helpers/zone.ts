import type { Kernel } from '../kernel.js';
import { memoryNodes, type MemoryNode } from './mm.js';
import { zonePageState } from './vmstat.js';

/**
 * Memory zones (include/linux/mmzone.h): pglist_data.node_zones[MAX_NR_ZONES] of every node, as
 * crash's node_table holds the nodes (sorted by start pfn), with the fields its kmem -f/-z/-n read.
 */
export interface ZoneDesc {
  addr: bigint;
  /** position of the node in crash's node table (kmem -z's NODE:) */
  nodeIndex: number;
  node: MemoryNode;
  /** ZONE_DMA, ZONE_DMA32, ZONE_NORMAL ... */
  index: number;
  name: string;
  spanned: bigint;
  present: bigint;
  startPfn: bigint;
}

/** MAX_NR_ZONES (enum zone_type's __MAX_NR_ZONES), as crash's vt->nr_zones. */
export function nrZones(k: Kernel): number {
  const n = k.btf ? k.types.enumValue('__MAX_NR_ZONES') : undefined;
  return n !== undefined && n > 0n && n <= 16n ? Number(n) : 4;
}

function zoneOffsets(k: Kernel) {
  const Z = 'struct zone';
  const off = (m: string) => k.vmcoreinfo.offset(`zone.${m}`) ?? (k.btf ? k.memberByteOffset(Z, m) : undefined);
  return {
    name: off('name'),
    spanned: off('spanned_pages'),
    present: off('present_pages'),
    startPfn: off('zone_start_pfn'),
    size: k.vmcoreinfo.size('zone') ?? (k.btf && k.hasType(Z) ? k.sizeOf(Z) : undefined),
    zones: k.vmcoreinfo.offset('pglist_data.node_zones') ?? (k.btf ? k.memberByteOffset('struct pglist_data', 'node_zones') : undefined),
  };
}

/** Every zone of every node, node by node; throws (a crash-worded read error) on an unreadable zone. */
export function nodeZones(k: Kernel): ZoneDesc[] {
  return k.memo('zone:all', () => {
    const o = zoneOffsets(k);
    if (o.size === undefined || o.zones === undefined || o.spanned === undefined) return [];
    const out: ZoneDesc[] = [];
    const n = nrZones(k);
    memoryNodes(k).forEach((node, nodeIndex) => {
      for (let i = 0; i < n; i++) {
        const addr = node.pgdat + BigInt(o.zones! + i * o.size!);
        const u64 = (off: number | undefined, what: string) => (off === undefined ? 0n : k.readU64(addr + BigInt(off), what));
        out.push({
          addr,
          nodeIndex,
          node,
          index: i,
          name: zoneName(k, addr, o.name),
          spanned: u64(o.spanned, 'node_zones size'),
          present: u64(o.present, 'node_zones present_pages'),
          startPfn: u64(o.startPfn, 'node_zones zone_start_pfn'),
        });
      }
    });
    return out;
  });
}

/** crash: the zone's name string, or "(unknown) " when it cannot be read. */
function zoneName(k: Kernel, zone: bigint, off: number | undefined): string {
  if (off === undefined) return '(unknown) ';
  try {
    return k.readCString(k.readPtr(zone + BigInt(off), 'node_zones name'), 64, 'zone name');
  } catch {
    return '(unknown) ';
  }
}

/** zone free pages: zone.free_pages (before v2.6.21), else zone.vm_stat[NR_FREE_PAGES]. */
export function zoneFreePages(k: Kernel, zone: bigint): bigint {
  const fp = k.btf ? k.memberByteOffset('struct zone', 'free_pages') : undefined;
  if (fp !== undefined) return k.readU64(zone + BigInt(fp), 'node_zones free_pages');
  return zonePageState(k, zone, 'NR_FREE_PAGES') ?? 0n;
}

/**
 * MIN/LOW/HIGH watermarks: zone._watermark[] (v5.0+) or watermark[] (v2.6.37+) indexed by
 * WMARK_MIN/LOW/HIGH, else pages_min/pages_low/pages_high.
 */
export function zoneWatermarks(k: Kernel, zone: bigint): [bigint, bigint, bigint] {
  const wm = k.memberByteOffset('struct zone', '_watermark') ?? k.memberByteOffset('struct zone', 'watermark');
  if (wm !== undefined) {
    const idx = (name: string, dflt: bigint) => k.types.enumValue(name) ?? dflt;
    const at = (i: bigint) => k.readU64(zone + BigInt(wm) + i * 8n, 'zone watermark');
    return [at(idx('WMARK_MIN', 0n)), at(idx('WMARK_LOW', 1n)), at(idx('WMARK_HIGH', 2n))];
  }
  const at = (m: string) => {
    const o = k.memberByteOffset('struct zone', m);
    return o === undefined ? 0n : k.readU64(zone + BigInt(o), `zone ${m}`);
  };
  return [at('pages_min'), at('pages_low'), at('pages_high')];
}
