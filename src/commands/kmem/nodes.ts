import type { Kernel } from '../../kernel/kernel.js';
import type { KmemNodesReport, MemBlockRow, MemSectionRow } from './report-results.js';
import { err, type CommandResult } from '../result.js';
import { memoryNodes, totalMemoryPages } from '../../kernel/helpers/mm.js';
import { nodeZones, nrZones } from '../../kernel/helpers/zone.js';
import { pageLayout, pfnToPage, sparseMem, validSections } from '../../kernel/helpers/mm-page.js';
import { memoryBlocks } from '../../kernel/helpers/memory-block.js';

/**
 * `kmem -n` (memory.c dump_memory_nodes, dump_mem_sections, dump_memory_blocks): each node's
 * pglist_data, zones and first struct page; with SPARSEMEM every present mem_section (its
 * encoded and decoded mem_map and state bits) and the memory blocks of the "memory" bus.
 */
export function kmemNodes(k: Kernel, radix: 10 | 16): CommandResult[] {
  const nodes = memoryNodes(k);
  if (!nodes.length) return [err('cannot determine pgdat list for this kernel/architecture')];
  const zones = nodeZones(k);
  const zonesOff = k.vmcoreinfo.offset('pglist_data.node_zones') ?? k.memberByteOffset('struct pglist_data', 'node_zones');
  if (!zones.length || zonesOff === undefined) return [err('cannot determine pgdat list for this kernel/architecture')];
  const zoneSize = BigInt(k.vmcoreinfo.size('zone') ?? k.sizeOf('struct zone'));
  const bdataOff = k.memberByteOffset('struct pglist_data', 'bdata');
  const shift = BigInt(k.arch.pageShift);
  const r: KmemNodesReport = {
    kind: 'kmem-report',
    report: 'nodes',
    radix,
    paddrWidth: (totalMemoryPages(k) * BigInt(k.arch.pageSize)).toString(16).length,
    nodes: nodes.map((n) => {
      const first = n.pgdat + BigInt(zonesOff);
      return {
        id: n.id,
        size: n.spannedPages,
        pgdat: n.pgdat,
        bootmem: bdataOff === undefined ? undefined : k.readPtr(n.pgdat + BigInt(bdataOff), 'pglist bdata'),
        zonesAddr: Array.from({ length: nrZones(k) }, (_, i) => first + BigInt(i) * zoneSize),
        memMap: pfnToPage(k, n.startPfn) ?? 0n,
        startPaddr: n.startPfn << shift,
        startMapnr: n.startPfn,
        zones: zones
          .filter((z) => z.node === n)
          .map((z) => ({
            index: z.index,
            name: z.name,
            size: z.spanned,
            memMap: z.spanned ? (pfnToPage(k, z.startPfn) ?? 0n) : 0n,
            startPaddr: z.startPfn << shift,
            startMapnr: z.spanned ? z.startPfn : 0n,
          })),
      };
    }),
  };
  const s = sparseMem(k);
  if (s) {
    r.sections = validSections(k).map((e): MemSectionRow => {
      const coded = e.raw & s.mapMask;
      const pfn = e.nr << s.pfnSectionShift;
      return { nr: e.nr, addr: e.addr, coded, memMap: (coded + pfn * BigInt(pageLayout(k).size)) & ((1n << 64n) - 1n), state: sectionState(k, e.raw), pfn };
    });
    r.blocks = blocks(k, s.pfnSectionShift + shift);
  }
  return [r];
}

/** fill_mem_section_state(): P(resent) M(em_map) O(nline) E(arly) D(evice) from the section flag bits. */
function sectionState(k: Kernel, raw: bigint): string {
  const bit = (name: string, dflt: bigint) => 1n << (k.btf ? (k.types.enumValue(name) ?? dflt) : dflt);
  const flags: [string, string, bigint][] = [
    ['P', 'SECTION_MARKED_PRESENT_BIT', 0n],
    ['M', 'SECTION_HAS_MEM_MAP_BIT', 1n],
    ['O', 'SECTION_IS_ONLINE_BIT', 2n],
    ['E', 'SECTION_IS_EARLY_BIT', 3n],
    ['D', 'SECTION_TAINT_ZONE_DEVICE_BIT', 4n],
  ];
  return flags.filter(([, name, d]) => raw & bit(name, d)).map(([c]) => c).join('');
}

const MEM_STATES: Record<string, string> = { '1': 'ONLINE', '2': 'GOING_OFFLINE', '4': 'OFFLINE', '8': 'GOING_ONLINE', '16': 'CANCEL_ONLINE', '32': 'CANCEL_OFFLINE' };

function blocks(k: Kernel, sectionShift: bigint): KmemNodesReport['blocks'] {
  const list = memoryBlocks(k);
  if (!list) return undefined;
  const probed = k.symbol('memory_block_size_probed');
  const range = !!probed || k.hasMember('struct memory_block', 'end_section_nr');
  const mbs = probed ? k.readU64(probed.address, 'memory_block_size_probed') : undefined;
  const rows = list.map((b): MemBlockRow => {
    const start = b.startSection << sectionShift;
    const end = mbs !== undefined ? BigInt.asUintN(64, start + mbs - 1n) : b.endSection !== undefined ? ((b.endSection + 1n) << sectionShift) - 1n : undefined;
    return { addr: b.addr, name: b.name, start, end, nid: b.nid, state: MEM_STATES[b.state.toString()] ?? 'UNKNOWN', startSection: b.startSection };
  });
  return { withNid: k.hasMember('struct memory_block', 'nid'), range, rows };
}
