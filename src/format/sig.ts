import type { SigQueue, SigResult } from '../commands/proc-results.js';
import { hex, mkstring } from './mkstring.js';
import { taskHeaderLine } from './task.js';

const x16 = (v: bigint) => v.toString(16).padStart(16, '0');
// include/uapi/asm-generic/signal-defs.h, arch/x86/include/uapi/asm/signal.h; crash's print order
const SA_FLAGS: [bigint, string][] = [
  [0x1n, 'SA_NOCLDSTOP'], [0x04000000n, 'SA_RESTORER'], [0x2n, 'SA_NOCLDWAIT'], [0x4n, 'SA_SIGINFO'],
  [0x08000000n, 'SA_ONSTACK'], [0x10000000n, 'SA_RESTART'], [0x40000000n, 'SA_NODEFER'], [0x80000000n, 'SA_RESETHAND'],
];

function handlerText(h: bigint): string {
  const s = BigInt.asIntN(64, h);
  return s === -1n ? 'SIG_ERR' : s === 0n ? 'SIG_DFL' : s === 1n ? 'SIG_IGN' : hex(h);
}

function queueLines(q: SigQueue, ind: string): string {
  if (!q.entries) return `${ind}  SIGQUEUE: (empty)\n`;
  let s = `${ind}  SIGQUEUE:  SIG  ${mkstring('SIGINFO', 16, 'center-ljust')}\n`;
  for (const e of q.entries) s += `             ${String(e.sig).padStart(3)}  ${hex(e.info)}\n`;
  return s;
}

/** dump_signal_data() (task.c). */
export function formatSig(r: SigResult): string {
  const ind = r.indent ? '  ' : '';
  let s = r.header ? `  ${taskHeaderLine(r.header)}\n` : '';
  if (r.group) {
    s += `${ind}SIGNAL_STRUCT: ${hex(r.group.signalStruct)}  `;
    if (!r.group.signalStruct) return s + '\n';
    s += r.group.nrThreads !== undefined ? `NR_THREADS: ${r.group.nrThreads}\n` : '\n';
    s += `${ind} SIG ${mkstring('SIGACTION', 16, 'center')} ${mkstring('HANDLER', 10, 'rjust')} ${mkstring('MASK', 16, 'center')} ${mkstring('FLAGS', 16, 'ljust')}\n`;
    for (const a of r.group.actions) {
      let line = `${ind}${a.sig < 10 ? ' ' : ''}[${a.sig}] ${hex(a.kaddr).padEnd(10)} ${handlerText(a.handler).padStart(10)} ${x16(a.mask)} ${hex(a.flags)} `;
      const names = SA_FLAGS.filter(([bit]) => a.flags & bit).map(([, n]) => n);
      if (names.length) line += `(${names.join('|')})`;
      s += line + '\n';
    }
  }
  if (r.task) {
    s += `${ind}SIGPENDING: ${r.task.sigpending ? 'yes' : 'no'}\n`;
    s += `${ind}   BLOCKED: ${x16(r.task.blocked)}\n`;
    if (r.task.privateLabel) s += `${ind}PRIVATE_PENDING\n`;
    s += `${ind}    SIGNAL: ${x16(r.task.signal)}\n`;
    s += queueLines(r.task.queue, ind);
  }
  if (r.shared) {
    s += `SHARED_PENDING\n${ind}    SIGNAL: ${x16(r.shared.signal)}\n`;
    s += queueLines(r.shared.queue, ind);
  }
  return s;
}
