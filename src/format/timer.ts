import type { TimerResult } from '../commands/sched-results.js';
import type { FnSym, HrClockBase } from '../kernel/helpers/timer.js';
import { hex, mkstring } from './mkstring.js';

/** value_to_symstr(): `name`, `name+off` in the output radix, '' without a symbol. */
export function symstr(s: FnSym | undefined, radix: 10 | 16): string {
  if (!s) return '';
  if (!s.offset) return s.name;
  return radix === 16 ? `${s.name}+0x${s.offset.toString(16)}` : `${s.name}+${s.offset}`;
}

const signed = (v: bigint) => BigInt.asIntN(64, v).toString();

export function formatTimer(r: TimerResult): string {
  return r.view === 'wheel' ? wheel(r, r.radix) : hrtimers(r, r.radix);
}

/** dump_timer_data_timer_bases(). */
function wheel(r: Extract<TimerResult, { view: 'wheel' }>, radix: 10 | 16): string {
  const j = r.jiffies.toString();
  const flen = Math.max(j.length, 'JIFFIES'.length);
  let s = `${'JIFFIES'.padEnd(flen)}\n${j.padStart(flen)}\n\n`;
  r.cpus.forEach((c, i) => {
    if (i) s += '\n';
    for (const b of c.bases) {
      s += `TIMER_BASES[${c.cpu}][${b.label}]: ${hex(b.addr)}\n`;
      let highest = 0n;
      for (const t of b.timers) {
        const a = t.tte < 0n ? -t.tte : t.tte;
        if (a > highest) highest = a;
      }
      // +1 accounts for a possible "-" sign
      const tlen = Math.max(highest.toString().length + 1, 'TTE'.length);
      s += `  ${'EXPIRES'.padEnd(flen)}     ${'TTE'.padEnd(tlen)}     TIMER_LIST     FUNCTION\n`;
      for (const t of b.timers) {
        s += `  ${t.expires.toString().padStart(flen)}  ${t.tte.toString().padStart(tlen)}`;
        s += `  ${mkstring(hex(t.addr).padStart(16), 16, 'center')}  ${hex(t.function).padStart(16)}  <${symstr(t.sym, radix)}>\n`;
      }
      if (!b.timers.length) s += '  (none)\n';
    }
  });
  return s;
}

/** dump_hrtimer_data(). */
function hrtimers(r: Extract<TimerResult, { view: 'hrtimer' }>, radix: 10 | 16): string {
  let s = '';
  r.cpus.forEach((c, i) => {
    if (i) s += '\n';
    s += `CPU: ${c.cpu}  HRTIMER_CPU_BASE: ${hex(c.base)}\n`;
    c.clocks.forEach((b, j) => {
      if (j) s += '\n';
      s += `  CLOCK: ${b.index}  HRTIMER_CLOCK_BASE: ${hex(b.addr)}${b.clock !== undefined ? `  [${b.clock}]` : ''}\n`;
      s += activeTimers(b, radix);
    });
  });
  return s;
}

/** dump_active_timers(): column widths come from the last timer in expiry order. */
function activeTimers(b: HrClockBase, radix: 10 | 16): string {
  if (!b.timers.length) return '  (empty)\n';
  const last = b.timers[b.timers.length - 1];
  const lastExp = last.expires ?? 0n;
  const now = b.now;
  const expLen = Math.max(signed(lastExp).length, 7);
  const hasSoft = b.timers.some((t) => t.softexpires !== undefined) || last.softexpires !== undefined;
  const softLen = hasSoft ? Math.max(signed(last.softexpires ?? 0n).length, 11) : -1;
  const tteLen = signed(lastExp - now).length;
  const cr = (v: string, w: number) => mkstring(v, w, 'center-rjust');
  const cl = (v: string) => mkstring(v, 16, 'center-ljust');
  const w = hasSoft ? softLen : expLen;
  let s = `  ${cr('CURRENT', w)}\n  ${cr(signed(now), w)}\n`;
  s += hasSoft
    ? `  ${cr('SOFTEXPIRES', softLen)}  ${cr('EXPIRES', expLen)}  ${cr('TTE', tteLen)}  ${cl('HRTIMER')}  ${cl('FUNCTION')}\n`
    : `  ${cr('EXPIRES', expLen)}  ${cr('TTE', tteLen)}  ${cl('HRTIMER')}  ${cl('FUNCTION')}\n`;
  for (const t of b.timers) {
    if (t.expires === undefined) {
      s += '  (destroyed timer)\n';
      continue;
    }
    s += '  ';
    if (hasSoft) s += `${cr(signed(t.softexpires ?? 0n), softLen)}  `;
    s += `${cr(signed(t.expires), expLen)}  ${signed(t.expires - now).padStart(tteLen)}  ${hex(t.addr)}  `;
    if (t.function !== undefined) s += `${hex(t.function)}  <${symstr(t.sym, radix)}>`;
    s += '\n';
  }
  return s;
}
