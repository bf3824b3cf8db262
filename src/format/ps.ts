import type { PsResult, PsRow, PsTreeResult } from '../commands/task-results.js';
import { mkstring } from './mkstring.js';
import { taskHeaderLine } from './task.js';

/** ps (task.c show_ps, show_ps_data): header, then one row per task. */
export function formatPs(r: PsResult): string {
  let out = '';
  if (r.header) out += `      PID    PPID  CPU ${mkstring(r.kstackp ? 'KSTACKP' : 'TASK', 16, r.kstackp ? 'center-rjust' : 'center')}  ST  %MEM      VSZ      RSS  COMM\n`;
  for (const row of r.rows) out += psRow(row, r.kstackp) + '\n';
  return out;
}

function psRow(w: PsRow, kstackp: boolean): string {
  const cpu = w.cpu === undefined ? '?' : String(w.cpu);
  const task = kstackp && !w.task ? mkstring('--', 16, 'center-rjust') : mkstring(w.task.toString(16), 16, 'center-rjust');
  let s = `${w.active ? '> ' : '  '}${String(w.pid).padStart(7)} ${String(w.ppid).padStart(7)} ${cpu.padStart(3)}  ${task} ${w.state.padStart(3)}`;
  s += ' '.repeat(w.state.length > 3 ? 1 : 2);
  let pct = w.pctMem.toFixed(1);
  if (pct.length === 3) pct = mkstring(pct, 4, 'center-rjust');
  s += `${pct} ${String(w.vsz).padStart(8)} ${String(w.rss).padStart(8)}  `;
  return s + (w.kernelThread ? `[${w.comm}]` : w.comm);
}

/** ps -p/-c/-g/-t/-l: task headers (indented one space per level), detail lines, blank lines. */
export function formatPsTree(r: PsTreeResult): string {
  let out = '';
  for (const b of r.blocks) {
    for (const l of b.lines) out += ('text' in l ? l.text : ' '.repeat(l.indent) + (l.prefix ?? '') + taskHeaderLine(l.header)) + '\n';
    if (b.blankAfter) out += '\n';
  }
  return out;
}
