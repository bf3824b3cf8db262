import type { IrqResult } from '../commands/sched-results.js';
import type { IrqDescInfo } from '../kernel/helpers/irq.js';
import { hex, mkstring } from './mkstring.js';

const W = 16; // MAX(VADDR_PRLEN, strlen("IRQ_DESC/_DATA"))

/** generic_dump_irq() v2 header: ` IRQ  %s  %s  NAME` with CENTER("IRQ_DESC/_DATA") and CENTER("IRQACTION"). */
export const IRQ_HEADER = ` IRQ  ${mkstring('IRQ_DESC/_DATA', W, 'center')}  ${mkstring('IRQACTION', W, 'center')}  NAME`;

function tableRow(r: IrqDescInfo): string {
  let s = `${mkstring(String(r.irq), 4, 'center-rjust')}  ${r.desc ? mkstring(hex(r.desc), W, 'center') : mkstring('(unused)', W, 'center')}  `;
  if (!r.actions.length) return `${s}${mkstring('(unused)', W, 'center')}  \n`;
  r.actions.forEach((a, i) => {
    if (i) s += '\n' + ' '.repeat(4 + 2 + W + 2);
    s += `${mkstring(hex(a.addr), W, 'center')}  ${a.name !== undefined ? `"${a.name}"` : ''}`;
  });
  return s + '\n';
}

/** display_cpu_affinity(): runs of cpus as `0-3,5`. */
export function cpuRanges(cpus: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < cpus.length; ) {
    let j = i;
    while (j + 1 < cpus.length && cpus[j + 1] === cpus[j] + 1) j++;
    parts.push(j === i ? String(cpus[i]) : `${cpus[i]}-${cpus[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

const names = (r: IrqDescInfo) => r.actions.filter((a) => a.name !== undefined).map((a) => a.name).join(',');

export function formatIrq(r: IrqResult): string {
  let s = '';
  switch (r.view) {
    case 'table':
      if (r.header) s += IRQ_HEADER + '\n';
      for (const row of r.rows) s += tableRow(row);
      return s;
    case 'stats':
      // "%10s " per cpu heading, then "%3d: " "%10u " counts, "%8s" chip "-%-8s" flow name, " %s" names
      s += '     ' + r.cpus.map((c) => `CPU${c}`.padStart(10) + ' ').join('') + '\n';
      for (const row of r.rows) {
        s += `${String(row.irq).padStart(3)}: ` + r.cpus.map((c) => String(row.counts?.get(c) ?? 0).padStart(10) + ' ').join('');
        if (row.chip !== undefined) s += row.chip.padStart(8);
        if (row.chip !== undefined && row.handlerName !== undefined) s += `-${row.handlerName.padEnd(8)}`;
        s += ` ${names(row)}\n`;
      }
      return s;
    case 'affinity':
      s += 'IRQ NAME                 AFFINITY\n';
      for (const row of r.rows) s += `${String(row.irq).padStart(3)} ${names(row).padEnd(20)} ${cpuRanges(row.affinity ?? [])}\n`;
      return s;
    case 'softirq':
      s += `SOFTIRQ_VEC ${mkstring('ACTION', W, 'center-rjust')}\n`;
      for (const v of r.vecs) {
        s += `    [${v.index}]${' '.repeat(v.index < 10 ? 4 : 3)} ${mkstring(hex(v.action), W, 'center-rjust')}  <${v.sym ?? ''}>`;
        s += `${v.module ? `  [${v.module}]` : ''}\n`;
      }
      return s;
  }
}
