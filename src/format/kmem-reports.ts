import type { Counter, KmemFreeReport, KmemReportResult, KmemVmStatReport, KmemZonesReport, KmemPageFlagsReport } from '../commands/kmem/report-results.js';
import { mkstring } from './mkstring.js';
import { VMAP_HEADER, ZONE_HEADER, vmapRowText, zoneLineText } from './kmem-slab.js';
import { formatKmemNodes } from './kmem-nodes.js';

/**
 * kmem's whole-system reports in crash's layout (memory.c dump_free_pages_zones_v2,
 * dump_zone_free_area, dump_vmap_area, dump_vm_stat, dump_vm_event_state, dump_zone_stats,
 * dump_per_cpu_offsets, dump_hstates, dump_page_flags; 64-bit widths).
 */
const hex = (v: bigint) => v.toString(16);
const r = (v: bigint | number | string, w: number) => String(v).padStart(w);

export function formatKmemReport(res: KmemReportResult): string {
  switch (res.report) {
    case 'free':
      return formatFree(res);
    case 'vmlist':
      return [VMAP_HEADER, ...res.areas.map(vmapRowText)].map((l) => l + '\n').join('');
    case 'vmstat':
      return formatVmStat(res);
    case 'zones':
      return formatZones(res);
    case 'nodes':
      return formatKmemNodes(res);
    case 'percpu':
      return ['PER-CPU OFFSET VALUES:', ...res.offsets.map((o, c) => `${r(`CPU ${c}`, 7)}: ${hex(o)}`)].map((l) => l + '\n').join('');
    case 'hstates':
      return [
        `${mkstring('HSTATE', 16, 'center')}   SIZE    FREE   TOTAL  NAME`,
        ...res.rows.map((h) => `${hex(h.addr)}  ${r(h.size, 5)}  ${r(h.free, 6)}  ${r(h.total, 6)}  ${h.name}`),
      ]
        .map((l) => l + '\n')
        .join('');
    case 'pageflags':
      return formatPageFlags(res);
  }
}

const FREE_AREA_HDR3 = 'AREA    SIZE  FREE_AREA_STRUCT\n';
const FREE_AREA_HDR4 = 'AREA    SIZE  FREE_AREA_STRUCT  BLOCKS  PAGES\n';

function formatFree(f: KmemFreeReport): string {
  let out = '';
  for (const z of f.zones) {
    if (z.node) {
      if (!z.node.first) out += '\n' + '-'.repeat(74) + '\n';
      out += `${z.node.first ? '' : '\n'}NODE\n ${r(z.node.id, 2)}\n`;
    }
    out += `${z.index > 0 ? '\n' : ''}${ZONE_HEADER}\n${zoneLineText(z)}\n`;
    if (!z.areas) continue;
    if (!f.verbose) out += FREE_AREA_HDR4;
    for (const a of z.areas) {
      if (f.verbose) out += FREE_AREA_HDR3;
      out += `${r(a.order, 3)}  ${r(`${a.sizeK}k`, 7)}  ${mkstring(hex(a.list), 16, 'center')}  `;
      if (a.error) {
        if (f.verbose) out += '\n' + a.pages.map((p) => hex(p) + '\n').join('');
        // the report stops here; the command's error results follow
        return out;
      }
      if (f.verbose) out += '\n' + a.pages.map((p) => hex(p) + '\n').join('');
      else out += `${r(a.blocks, 6)} ${r(BigInt(a.blocks) << BigInt(a.order), 6)}\n`;
    }
  }
  return out + `\nnr_free_pages: ${f.total}  ${f.total === f.found ? '(verified)' : `(found ${f.found})`}\n`;
}

/** `%*s: %ld` right-aligned to the longest name of the block. */
function counterLines(items: Counter[], width: number): string {
  return items.map((c) => `${c.name.padStart(width)}: ${c.value}\n`).join('');
}
const widest = (items: Counter[]) => items.reduce((w, c) => Math.max(w, c.name.length), 0);

function formatVmStat(v: KmemVmStatReport): string {
  let out = '';
  if (v.stat) {
    const s = v.stat;
    const w = widest([...s.zone, ...s.node, ...s.numa]);
    out += `  ${s.split ? 'VM_ZONE_STAT' : 'VM_STAT'}:\n` + counterLines(s.zone, w);
    if (s.split) out += '\n  VM_NODE_STAT:\n' + counterLines(s.node, w);
    if (s.numa.length) out += '\n  VM_NUMA_STAT:\n' + counterLines(s.numa, w);
  }
  if (v.events) out += '\n  VM_EVENT_STATES:\n' + counterLines(v.events, widest(v.events));
  return out;
}

function formatZones(z: KmemZonesReport): string {
  let out = '';
  for (const s of z.zones) {
    out += `NODE: ${s.nodeIndex}  ZONE: ${s.index}  ADDR: ${hex(s.addr)}  NAME: "${s.name}"\n`;
    if (!s.size) {
      out += '  [unpopulated]\n\n';
      continue;
    }
    out += `  SIZE: ${s.size}${s.present < s.size ? `  PRESENT: ${s.present}` : ''}  MIN/LOW/HIGH: ${s.watermarks.join('/')}`;
    out += s.vmStat ? '\n  VM_STAT:\n' + counterLines(s.vmStat, widest(s.vmStat)) : '\n';
    out += '\n\n';
  }
  return out;
}

function formatPageFlags(p: KmemPageFlagsReport): string {
  const ind = p.flags ? '  ' : '';
  let out = p.flags ? `FLAGS: ${hex(p.flags)}\n` : '';
  out += `${ind}${mkstring('PAGE-FLAG', p.nameWidth, 'ljust')} BIT  VALUE\n`;
  let found = 0;
  for (const n of p.names) {
    const mask = 1n << BigInt(n.bit);
    if (p.flags && !(p.flags & mask)) continue;
    if (p.flags) found++;
    out += `${ind}${mkstring(n.name, p.nameWidth, 'ljust')}  ${r(n.bit, 2)}  ${hex(mask).padStart(p.valueDigits, '0')}\n`;
  }
  if (p.flags && !found) out += '  (none found)\n';
  return out;
}
