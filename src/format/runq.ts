import type { RunqResult } from '../commands/sched-results.js';
import type { TaskContext } from '../kernel/helpers/task.js';
import type { GroupItem } from '../kernel/helpers/runq-groups.js';
import { hex } from './mkstring.js';

/** `PID: %-5ld  TASK: %lx  COMMAND: "%s"` (task.c, the runq entries). */
const pidText = (tc: TaskContext) => `PID: ${String(tc.pid).padEnd(5)}  TASK: ${hex(tc.task)}  COMMAND: "${tc.comm}"`;
const sp = (n: number) => ' '.repeat(Math.max(0, n));
const prio3 = (p: number) => `[${String(p).padStart(3)}] `;

/** crash's translate_nanoseconds(): `D HH:MM:SS.mmm`. */
export function translateNanoseconds(ns: bigint): string {
  let v = ns / 1_000_000n;
  const ms = v % 1000n;
  v /= 1000n;
  const secs = v % 60n;
  v /= 60n;
  const mins = v % 60n;
  v /= 60n;
  const hours = v % 24n;
  const days = v / 24n;
  const p2 = (x: bigint) => x.toString().padStart(2, '0');
  return `${days} ${p2(hours)}:${p2(mins)}:${p2(secs)}.${ms.toString().padStart(3, '0')}`;
}

/** crash's __log10ul(): digits of x (1 for 0). */
const log10ul = (x: number) => String(Math.max(0, Math.floor(x))).length;

export function formatRunq(r: RunqResult): string {
  let s = '';
  switch (r.view) {
    case 'queues':
      r.cpus.forEach((c, i) => {
        s += `${i ? '\n' : ''}CPU ${c.cpu} RUNQUEUE: ${hex(c.rq)}\n`;
        s += `  CURRENT: ${c.currTc ? pidText(c.currTc) : hex(c.curr)}\n`;
        s += `  RT PRIO_ARRAY: ${hex(c.rtArray)}\n`;
        for (const t of c.rt) s += `${sp(5)}${prio3(t.prio)}${pidText(t.tc)}\n`;
        if (!c.rt.length) s += `${sp(5)}[no tasks queued]\n`;
        s += `  CFS RB_ROOT: ${hex(c.cfsRoot)}\n`;
        for (const t of c.cfs) s += `${sp(5)}${prio3(t.prio)}${pidText(t.tc)}\n`;
        if (c.warning) s += `WARNING: ${c.warning}\n`;
        if (!c.cfs.length) s += `${sp(5)}[no tasks queued]\n`;
      });
      return s;
    case 'timestamps':
      for (const row of r.rows) {
        const num = (v: bigint) => v.toString(r.radix);
        const rq = num(row.rqTs);
        s += `${row.cpu < 10 ? ' ' : ''}CPU ${row.cpu}: ${rq}\n`;
        if (!row.tc) {
          s += '\n';
          continue;
        }
        const indent = (row.cpu < 10 ? 7 : row.cpu < 100 ? 8 : 9) + (row.cpu < 10 ? 1 : 0);
        s += `${sp(indent)}${num(row.lastRun).padStart(rq.length, '0')}  ${pidText(row.tc)}\n`;
      }
      return s;
    case 'since': {
      const maxIndent = r.ncpus < 10 ? 1 : r.ncpus < 100 ? 2 : r.ncpus < 1000 ? 3 : 4;
      let maxDays = -1;
      for (const row of r.rows) {
        if (maxDays < 0) maxDays = translateNanoseconds(row.rqTs).indexOf(' ');
        const c = row.cpu;
        const indent = c < 10 ? maxIndent : c < 100 ? maxIndent - 1 : c < 1000 ? maxIndent - 2 : maxIndent - 4;
        if (!row.tc) {
          s += `${sp(indent)}CPU ${c}: [unknown]\n`;
          continue;
        }
        let delta = BigInt.asIntN(64, row.rqTs - row.lastRun);
        if (delta < 0n) delta = 0n;
        const t = translateNanoseconds(delta);
        s += `${sp(indent)}CPU ${c}: [${sp(maxDays - t.indexOf(' '))}${t}]  ${pidText(row.tc)}\n`;
      }
      return s;
    }
    case 'lag': {
      const top = r.rows[0]?.ts ?? 0n;
      for (const row of r.rows) {
        const secs = (Number(top) - Number(row.ts)) / 1e9;
        s += `${sp(2 + log10ul(r.ncpus) - log10ul(row.cpu))}CPU ${row.cpu}: ${secs.toFixed(2)} secs\n`;
      }
      return s;
    }
    case 'groups': {
      const g = r.groups;
      g.cpus.forEach((c, i) => {
        s += `${i ? '\n' : ''}CPU ${c.cpu}\n`;
        s += `  CURRENT: ${c.currTc ? pidText(c.currTc) : hex(c.curr)}\n`;
        if (c.rtRq !== undefined) s += `  ${g.label}_TASK_GROUP: ${hex(g.root)}  RT_RQ: ${hex(c.rtRq)}\n` + groupItems(c.rt);
        if (c.cfsRq !== undefined) s += `  ${g.label}_TASK_GROUP: ${hex(g.root)}  CFS_RQ: ${hex(c.cfsRq)}\n` + groupItems(c.cfs);
        if (c.warning) s += `WARNING: ${c.warning}\n`;
      });
      return s;
    }
    case 'on-rq':
      r.cpus.forEach((c, i) => {
        s += `${i ? '\n' : ''}CPU ${c.cpu}\n`;
        for (const t of c.tasks) s += `${sp(5)}${prio3(t.prio)}${pidText(t.tc)}\n`;
        if (!c.tasks.length) s += `${sp(5)}[no tasks queued]\n`;
      });
      return s;
  }
}

function groupItems(items: GroupItem[]): string {
  let s = '';
  for (const it of items) {
    switch (it.kind) {
      case 'header':
        s += sp(it.indent);
        s += it.rt ? `TASK_GROUP: ${hex(it.tg)}  RT_RQ: ${hex(it.rq)}` : `TASK_GROUP: ${hex(it.tg)}  CFS_RQ: ${hex(it.rq)} `;
        s += `${it.name !== undefined ? ` <${it.name}>` : ''}${it.throttled ? ' (THROTTLED)' : ''}\n`;
        break;
      case 'prefix':
        s += sp(it.indent) + prio3(it.prio);
        break;
      case 'task':
        s += `${sp(it.indent)}${prio3(it.prio)}${pidText(it.tc)}${it.current ? ' [CURRENT]' : ''}\n`;
        break;
      case 'none':
        s += `${sp(it.indent)}[no tasks queued]\n`;
        break;
    }
  }
  return s;
}
