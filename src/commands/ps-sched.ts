/**
 * The scheduler-flavoured ps views: -l (last-run timestamps), -m (time since last run, against
 * each cpu's rq clock), -C (either, per cpu), -y (scheduling policy filter), -r (rlimits).
 * task.c show_last_run, show_milliseconds, make_sched_policy, show_task_rlimit.
 */
import type { Kernel } from '../kernel/kernel.js';
import type { PsTreeResult } from './task-results.js';
import { headerOf } from './task-context.js';
import { taskStateShort } from '../kernel/helpers/task-state.js';
import { cpuState } from '../kernel/helpers/sched.js';
import { perCpuPtr } from '../kernel/helpers/percpu.js';
import type { TaskContext } from '../kernel/helpers/task.js';
import { CrashError } from '../util/errors.js';

type Block = PsTreeResult['blocks'][number];
type Line = Block['lines'][number];
const T = 'struct task_struct';

/** task_last_run(): task_struct.last_run (2.4), .timestamp (2.6.0-2.6.22), else sched_info.last_arrival. */
export function lastRun(k: Kernel, tc: TaskContext): bigint {
  for (const m of ['last_run', 'timestamp', 'sched_info.last_arrival']) {
    const off = k.memberByteOffset(T, m);
    if (off === undefined) continue;
    try {
      return k.readU64(tc.task + BigInt(off), `task_struct ${m}`);
    } catch {
      return 0n;
    }
  }
  return 0n;
}

export const hasLastRun = (k: Kernel): boolean => ['last_run', 'timestamp', 'sched_info.last_arrival'].some((m) => k.memberByteOffset(T, m) !== undefined);

/** sort_context_array_by_last_run(): newest first. */
export function byLastRun(k: Kernel, tasks: TaskContext[]): TaskContext[] {
  return tasks.map((tc) => ({ tc, t: lastRun(k, tc) })).sort((x, y) => (x.t > y.t ? -1 : x.t < y.t ? 1 : 0)).map((x) => x.tc);
}

/** The per-cpu runqueue's clock (crash's rq_timestamp: rq.clock, or timestamp_last_tick before v2.6.23). */
export function rqClock(k: Kernel, cpu: number): bigint {
  const rq = k.symbol('runqueues');
  const off = k.memberByteOffset('struct rq', 'clock') ?? k.memberByteOffset('struct rq', 'timestamp_last_tick');
  if (!rq || off === undefined) throw new CrashError('cannot determine per-cpu runqueue address');
  return k.readU64(perCpuPtr(k, rq.address, cpu) + BigInt(off), 'per-cpu rq clock');
}

/** translate_nanoseconds(): `D HH:MM:SS.mmm`. */
export function translateNanoseconds(ns: bigint): string {
  let v = ns / 1_000_000n;
  const ms = v % 1000n;
  v /= 1000n;
  const p2 = (n: bigint) => String(n).padStart(2, '0');
  const secs = v % 60n;
  v /= 60n;
  const mins = v % 60n;
  v /= 60n;
  const hours = v % 24n;
  return `${v / 24n} ${p2(hours)}:${p2(mins)}:${p2(secs)}.${String(ms).padStart(3, '0')}`;
}

export interface LastRunOptions {
  /** -m: time since the last run instead of the raw stamp */
  msecs: boolean;
  radix: 10 | 16;
  /** -C: these cpus, each with its tasks */
  cpus?: number[];
  excludeIdle?: boolean;
}

/**
 * ps -l / -m, one line per task: `[stamp] [ST]  header`. Raw stamps are right-aligned to the width
 * of the newest one (the first of the sorted table); -m deltas to the day-field width of the rq clock.
 */
export function lastRunView(k: Kernel, tasks: TaskContext[], sortedAll: TaskContext[], o: LastRunOptions): PsTreeResult {
  const fmt = (v: bigint) => v.toString(o.radix);
  const width = sortedAll.length ? fmt(lastRun(k, sortedAll[0])).length : 1;
  const daysWidth = (s: string) => s.indexOf(' ');
  const line = (tc: TaskContext): Line => {
    let stamp: string;
    if (o.msecs) {
      const clock = rqClock(k, tc.cpu ?? 0);
      const d = clock - lastRun(k, tc);
      const text = translateNanoseconds(d < 0n ? 0n : d);
      stamp = ' '.repeat(Math.max(0, daysWidth(translateNanoseconds(clock)) - daysWidth(text))) + text;
    } else stamp = fmt(lastRun(k, tc)).padStart(width);
    return { indent: 0, prefix: `[${stamp}] [${taskStateShort(k, tc.task)}]  `, header: headerOf(tc) };
  };
  if (!o.cpus) return { kind: 'pstree', blocks: [{ lines: tasks.map(line), blankAfter: false }] };
  const online = new Set(cpuState(k).online);
  const lines: Line[] = [];
  o.cpus.forEach((c, i) => {
    lines.push({ text: `${i ? '\n' : ''}CPU: ${c}${online.has(c) ? '' : ' [OFFLINE]'}` });
    if (!online.has(c)) return;
    for (const tc of sortedAll) {
      if (tc.cpu !== c || (o.excludeIdle && tc.pid === 0)) continue;
      lines.push(line(tc));
    }
  });
  return { kind: 'pstree', blocks: [{ lines, blankAfter: false }] };
}

/** sched_policy_info[]: the SCHED_* names by value. */
const POLICIES = ['NORMAL', 'FIFO', 'RR', 'BATCH', 'ISO', 'IDLE', 'DEADLINE'];

/**
 * make_sched_policy(): a comma-separated list of policy names (a name prefix of the word, any
 * case), numbers (`1`) or hex numbers (`0x1`), as a bit mask of 1 << policy.
 */
export function parsePolicies(spec: string): number {
  let mask = 0;
  for (const word of spec.split(',')) {
    const up = word.toUpperCase();
    const v = POLICIES.findIndex((name, i) => up.startsWith(name) || up === String(i) || up === `0X${i.toString(16).toUpperCase()}`);
    if (v < 0) throw new CrashError(`${word}: invalid scheduling policy`);
    mask |= 1 << v;
  }
  return mask;
}

/** task_struct.policy (its SCHED_* value). */
export function taskPolicy(k: Kernel, tc: TaskContext): number {
  const off = k.memberByteOffset(T, 'policy');
  if (off === undefined) return 0;
  try {
    return Number(k.readU32(tc.task + BigInt(off), 'task_struct policy'));
  } catch {
    return 0;
  }
}

/** mkstring() justification for the rlimit table: RJUST, or CENTER with the odd space left (rjust) or right. */
function mkstring(v: string, width: number, how: 'rjust' | 'center-rjust' | 'center-ljust'): string {
  const extra = width - v.length;
  if (extra <= 0) return v;
  if (how === 'rjust') return ' '.repeat(extra) + v;
  const left = Math.floor(extra / 2) + (extra % 2 && how === 'center-rjust' ? 1 : 0);
  return ' '.repeat(left) + v + ' '.repeat(extra - left);
}

/** task.c rlim_names[] */
const RLIM_NAMES = ['CPU', 'FSIZE', 'DATA', 'STACK', 'CORE', 'RSS', 'NPROC', 'NOFILE', 'MEMLOCK', 'AS', 'LOCKS', 'SIGPENDING', 'MSGQUEUE', 'NICE', 'RTPRIO', 'RTTIME'];
const RLIM_INFINITY = (1n << 64n) - 1n;

/** ps -r: the task's resource limits, task_struct.rlim (2.4) or signal_struct.rlim, current and maximum. */
export function rlimitView(k: Kernel, tasks: TaskContext[]): PsTreeResult {
  const inTask = k.memberByteOffset(T, 'rlim');
  const inSignal = k.memberByteOffset('struct signal_struct', 'rlim');
  const member = inTask !== undefined ? k.types.memberOf(T, 'rlim') : inSignal !== undefined ? k.types.memberOf('struct signal_struct', 'rlim') : undefined;
  if (!member) throw new CrashError('cannot determine rlimit array location');
  const size = k.types.sizeof(member.type);
  const count = Math.floor(size / 16);
  if (!count) throw new CrashError('cannot determine rlimit array size');
  const len1 = Math.max(...RLIM_NAMES.slice(0, count).map((n) => n.length));
  const len2 = '(unlimited)'.length;
  const value = (v: bigint) => (v === RLIM_INFINITY ? '(unlimited)' : mkstring(String(v), len2, 'center-ljust'));
  const blocks: Block[] = [];
  for (const tc of tasks) {
    const lines: Line[] = [{ indent: 0, header: headerOf(tc) }];
    let base: bigint;
    try {
      base = inTask !== undefined ? tc.task + BigInt(inTask) : k.readPtr(tc.task + BigInt(k.offsetOf(T, 'signal')), 'task_struct signal') + BigInt(inSignal!);
      const b = k.readBytes(base, count * 16, 'signal_struct rlimit array');
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      lines.push({ text: `  ${mkstring('RLIMIT', len1, 'rjust')}   ${mkstring('CURRENT', len2, 'center-rjust')}   ${mkstring('MAXIMUM', len2, 'center-rjust')}` });
      for (let i = 0; i < count; i++) {
        const name = mkstring(RLIM_NAMES[i] ?? '(unknown)', len1, 'rjust');
        lines.push({ text: `  ${name}   ${value(dv.getBigUint64(i * 16, true))}   ${value(dv.getBigUint64(i * 16 + 8, true))}` });
      }
    } catch (e) {
      if (e instanceof CrashError) lines.push({ text: `ps: ${e.message}` });
      else throw e;
    }
    blocks.push({ lines, blankAfter: true });
  }
  return { kind: 'pstree', blocks };
}
