import type { KmemNodesReport } from '../commands/kmem/report-results.js';
import { mkstring } from './mkstring.js';

/**
 * kmem -n in crash's layout (memory.c dump_memory_nodes, dump_mem_sections, print_memory_block,
 * dump_memory_blocks; VADDR_PRLEN 16, PADDR_PRLEN from the memory size).
 */
const hex = (v: bigint) => v.toString(16);
const U64_MAX = (1n << 64n) - 1n;

export function formatKmemNodes(r: KmemNodesReport): string {
  let out = '';
  const zoneHdr = `ZONE  NAME         SIZE  ${mkstring('MEM_MAP', 16, 'center-rjust')}  START_PADDR  START_MAPNR`;
  r.nodes.forEach((n, i) => {
    if (i) out += '\n' + '-'.repeat(zoneHdr.length);
    out += `${i ? '\n\n' : ''}NODE  ${mkstring('SIZE', 8, 'center')}  ${mkstring('PGLIST_DATA', 16, 'center-ljust')}  ${mkstring('BOOTMEM_DATA', 16, 'center-ljust')}  ${mkstring('NODE_ZONES', 16, 'center-ljust')}\n`;
    const size = mkstring(n.size.toString(), 8, 'center-ljust');
    const pgdat = mkstring(hex(n.pgdat), 16, 'center-ljust');
    const bootmem = n.bootmem === undefined ? mkstring('----', 16, 'center') : mkstring(hex(n.bootmem), 16, 'center');
    const zones0 = mkstring(hex(n.zonesAddr[0] ?? 0n), 16, 'center-ljust');
    out += ` ${String(n.id).padStart(2)}   ${size}  ${pgdat}  ${bootmem}  ${zones0}\n`;
    const indent = 12 + size.length + pgdat.length + bootmem.length + (zones0.length - zones0.trimStart().length);
    for (const z of n.zonesAddr.slice(1)) out += `${' '.repeat(indent)}${hex(z)}\n`;
    out += `${mkstring('MEM_MAP', 16, 'center-ljust')}     START_PADDR    START_MAPNR\n`;
    out += `${mkstring(hex(n.memMap), 16, 'center')}  ${mkstring(hex(n.startPaddr), 16, 'center-rjust')}  ${mkstring(n.startMapnr.toString(), 11, 'center-rjust')}\n`;
    out += `\n${zoneHdr}\n`;
    for (const z of n.zones) {
      out += ` ${String(z.index).padStart(2)}   ${z.name.padEnd(9)} ${z.size.toString().padStart(7)}  `;
      out += `${hex(z.memMap).padStart(16)}  ${hex(z.startPaddr).padStart(11)}  ${z.startMapnr.toString().padStart(11)}\n`;
    }
  });
  if (r.sections) {
    out += '\n' + '-'.repeat(67) + '\n';
    out += `\nNR  ${mkstring('SECTION', 16, 'center-ljust')}  ${mkstring('CODED_MEM_MAP', 16, 'center-ljust')}  ${mkstring('MEM_MAP', 16, 'center-ljust')}  ${mkstring('STATE', 5, 'center')} PFN\n`;
    for (const s of r.sections) {
      const pfn = r.radix === 10 ? s.pfn.toString() : hex(s.pfn);
      out += `${s.nr.toString().padStart(2)}  ${mkstring(hex(s.addr), 16, 'center')}  ${mkstring(hex(s.coded), 16, 'center-rjust')}  `;
      out += `${mkstring(hex(s.memMap), 16, 'center-rjust')}  ${mkstring(s.state, 5, 'center')} ${pfn.padEnd(16)}\n`;
    }
  }
  if (r.blocks) out += memoryBlocks(r.blocks, r.paddrWidth);
  return out;
}

function memoryBlocks(b: NonNullable<KmemNodesReport['blocks']>, pw: number): string {
  const paddrHdr = b.range ? 'PHYSICAL RANGE' : 'PHYSICAL START';
  let out = b.withNid
    ? `\n${mkstring('MEM_BLOCK', 16, 'center-ljust')} ${mkstring('NAME', 10, 'center')}   ${mkstring(paddrHdr, pw * 2 + 2, 'center')}   ${mkstring('NODE', 4, 'center')}  ${mkstring('STATE', 7, 'ljust')} ${mkstring('START_SECTION_NO', 12, 'ljust')}\n`
    : `\n${mkstring('MEM_BLOCK', 16, 'center-ljust')} ${mkstring('NAME', 10, 'center')}   ${mkstring(paddrHdr, pw * 2, 'center')}    ${mkstring('STATE', 7, 'ljust')} ${mkstring('START_SECTION_NO', 12, 'ljust')}\n`;
  for (const m of b.rows) {
    const range =
      m.end === undefined || m.end === U64_MAX
        ? mkstring(hex(m.start), pw * 2 + 3, 'center')
        : `${hex(m.start).padStart(pw)} - ${hex(m.end).padStart(pw)}`;
    const addr = mkstring(hex(m.addr), 16, 'ljust');
    const state = mkstring(m.state, 7, 'ljust');
    const sec = mkstring(m.startSection.toString(), 12, 'ljust');
    out += b.withNid
      ? ` ${addr} ${mkstring(m.name, 12, 'center')} ${range} ${mkstring(String(m.nid ?? 0), 4, 'center')}  ${state} ${sec}\n`
      : ` ${addr} ${mkstring(m.name, 10, 'center')} ${range}  ${state} ${sec}\n`;
  }
  return out;
}
