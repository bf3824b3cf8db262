import type { DisResult } from '../commands/mach-dis-results.js';

/**
 * `dis`: crash's filtered line `0x<addr> <sym+off>:\t<text>` (kernel.c cmd_dis, x86_64_dis_filter),
 * or gdb's own `x/i` line, indented three spaces, for the unfiltered cases.
 */
export function formatDis(r: DisResult): string {
  return r.lines
    .map((l) => {
      const a = `0x${l.addr.toString(16)}`;
      if (r.raw) return `   ${a}${l.label ? ` <${l.label}>` : ''}:\t${l.text}\n`;
      return `${a} <${l.label}>:\t${l.text}\n`;
    })
    .join('');
}
