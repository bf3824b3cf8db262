import type { BtResult } from '../commands/task-results.js';
import type { Backtrace, BtEntry, TextScan } from '../kernel/helpers/backtrace.js';
import type { X86Regs } from '../arch/regs.js';
import type { FoundEframe } from '../kernel/helpers/backtrace-search.js';
import { taskHeaderLine } from './task.js';

const x16 = (v: bigint) => v.toString(16).padStart(16, '0');
const hx = (v: bigint) => v.toString(16);

/** bt (kernel.c back_trace; x86_64.c x86_64_print_stack_entry, x86_64_exception_frame). */
export function formatBt(r: BtResult): string {
  if (r.overflows) return overflowText(r);
  if (r.arm64Searches) return r.arm64Searches.map((s) => [s.label, ...s.entries.flatMap((e) => entryLines(e, r))].map((l) => l + '\n').join('')).join('');
  if (r.stackSearches) return r.stackSearches.map((s) => `${s.label}${s.offline ? ' [OFFLINE]\n\n' : '\n' + (s.frames.length ? s.frames.flatMap((f) => eframeLines(f, r.radix)).join('\n') + '\n\n' : '(none found)\n\n')}`).join('');
  return r.traces
    .map((t, i) => {
      const head = `${i ? '\n' : ''}${taskHeaderLine({ pid: t.task.pid, task: t.task.task, cpu: t.task.cpu, comm: t.task.comm })}\n`;
      const body = 'eframes' in t ? t.eframes.flatMap((f) => eframeLines(f, r.radix)) : 'text' in t ? textScanLines(t) : traceLines(t, r);
      const extra = 'entries' in t && !('text' in t) ? (r.explain?.get(t.task.task) ?? []) : [];
      return head + [...body, ...extra].map((l) => l + '\n').join('');
    })
    .join('');
}

/** bt -e / -E: `  KERNEL-MODE EXCEPTION FRAME AT: addr` after a blank line, then the registers (x86_64_exception_frame EFRAME_SEARCH). */
function eframeLines(f: FoundEframe, radix: 10 | 16): string[] {
  const rip = f.user ? [] : [`    [exception RIP: ${f.rip ? f.rip.name + offsetText(f.rip.offset, radix) : 'unknown or invalid address'}]`];
  return ['', `  ${f.user ? 'USER' : 'KERNEL'}-MODE EXCEPTION FRAME AT: ${hx(f.addr)}`, ...rip, ...regLines(f.regs)];
}

/** bt -v (task.c check_stack_overflow). */
function overflowText(r: BtResult): string {
  const found = r.overflows ?? [];
  if (!found.length) return 'No stack overflows detected\n';
  return found.map((o) => `${taskHeaderLine({ pid: o.task.pid, task: o.task.task, cpu: o.task.cpu, comm: o.task.comm })}\n${o.messages.map((m) => `  ${m}\n`).join('')}\n`).join('');
}

const VIA: Record<string, string> = { start: 'start of the trace', orc: 'ORC', fp: 'frame pointer', regs: 'exception frame', entry: 'entry code pt_regs' };

function traceLines(t: Backtrace, r: BtResult): string[] {
  const out: string[] = [];
  for (const e of t.entries) {
    const l = entryLines(e, r);
    if (r.unwindSources && e.kind === 'frame' && e.via) l[0] += `  (via ${VIA[e.via] ?? e.via})`;
    out.push(...l);
  }
  if (t.error) out.push(t.error.startsWith('(') ? `    ${t.error}` : `bt: ${t.error}`);
  return out;
}

const offsetText = (off: bigint, radix: 10 | 16) => (off ? (radix === 16 ? `+0x${hx(off)}` : `+${off}`) : '');

function entryLines(e: BtEntry, r: BtResult): string[] {
  switch (e.kind) {
    case 'frame': {
      const name = e.name === undefined ? hx(e.ip) : r.symbolOffsets ? e.name + offsetText(e.offset ?? 0n, r.radix) : e.name;
      return [`${e.level < 10 ? ' ' : ''}#${e.level} [${hx(e.sp).padStart(8)}] ${name} at ${hx(e.ip)}${e.module ? ` [${e.module}]` : ''}`];
    }
    case 'regs': {
      const head = e.userSpace ? ['    [exception RIP: user space]'] : e.user ? [] : [`    [exception RIP: ${e.rip ? e.rip.name + offsetText(e.rip.offset, r.radix) : 'unknown or invalid address'}]`];
      return [...head, ...regLines(e.regs)];
    }
    case 'switch':
      return [`--- <${e.label}> ---`];
    case 'line':
      return [e.text];
    case 'arm64-regs':
      return arm64RegLines(e, r.radix);
    case 'words': {
      const lines: string[] = [];
      for (let i = 0; i < e.words.length; i += 2) {
        const pair = e.words.slice(i, i + 2).map((w, j) => `${e.symbols?.[i + j]?.padEnd(16) ?? x16(w)} `).join('');
        lines.push(`    ${hx(e.start + BigInt(i * 8))}: ${pair}`);
      }
      return lines;
    }
  }
}

/** x86_64_exception_frame()'s seven register lines. */
export function regLines(g: X86Regs): string[] {
  return [
    `    RIP: ${x16(g.ip)}  RSP: ${x16(g.sp)}  RFLAGS: ${hx(g.flags).padStart(8, '0')}`,
    `    RAX: ${x16(g.ax)}  RBX: ${x16(g.bx)}  RCX: ${x16(g.cx)}`,
    `    RDX: ${x16(g.dx)}  RSI: ${x16(g.si)}  RDI: ${x16(g.di)}`,
    `    RBP: ${x16(g.bp)}   R8: ${x16(g.r8)}   R9: ${x16(g.r9)}`,
    `    R10: ${x16(g.r10)}  R11: ${x16(g.r11)}  R12: ${x16(g.r12)}`,
    `    R13: ${x16(g.r13)}  R14: ${x16(g.r14)}  R15: ${x16(g.r15)}`,
    `    ORIG_RAX: ${x16(g.orig_ax)}  CS: ${hx(g.cs).padStart(4, '0')}  SS: ${hx(g.ss).padStart(4, '0')}`,
  ];
}

/** arm64_print_exception_frame(): PC/LR/SP (kernel: with their symbols), X29..X0 three to a line. */
function arm64RegLines(e: Extract<BtEntry, { kind: 'arm64-regs' }>, radix: 10 | 16): string[] {
  const g = e.regs;
  const sym = (s: { name: string; offset: bigint } | undefined) => (s ? `[${s.name}${offsetText(s.offset, radix)}]` : '[unknown or invalid address]');
  const head = e.user
    ? [`     PC: ${x16(g.pc)}   LR: ${x16(g.x[30])}   SP: ${x16(g.sp)}`]
    : [`     PC: ${x16(g.pc)}  ${sym(e.pcSym)}`, `     LR: ${x16(g.x[30])}  ${sym(e.lrSym)}`, `     SP: ${x16(g.sp)}  PSTATE: ${hx(g.pstate).padStart(8, '0')}`];
  const rows: string[] = [];
  for (let i = 29; i >= 0; i -= 3) {
    rows.push('    ' + [i, i - 1, i - 2].map((n) => `${n < 10 ? ' ' : ''}X${n}: ${x16(g.x[n])}`).join('  '));
  }
  if (e.user) rows.push(`    ORIG_X0: ${x16(g.orig_x0)}  SYSCALLNO: ${hx(g.syscallno)}  PSTATE: ${hx(g.pstate).padStart(8, '0')}`);
  return [...head, ...rows];
}

/** bt -t: `START: name at ip`, then every text address found on the stack. */
function textScanLines(t: TextScan): string[] {
  const out: string[] = [];
  if (t.start) out.push(`${' '.repeat(14)}START: ${t.start.name} at ${hx(t.start.ip)}`);
  for (const e of t.entries) {
    if (e.kind === 'regs') out.push(...regLines(e.regs));
    else out.push(e.kind === 'switch' ? `--- <${e.label}> ---` : `  [${hx(e.sp).padStart(16)}] ${e.name} at ${hx(e.ip)}`);
  }
  if (t.error) out.push(`bt: ${t.error}`);
  return out;
}
