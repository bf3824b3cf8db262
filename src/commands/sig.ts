import { defineCommand, flag, withArg, type CommandContext } from './types.js';
import { err, lines, type CommandResult } from './result.js';
import type { ParsedArgs } from './getopt.js';
import type { SigResult } from './proc-results.js';
import { currentContext, headerOf } from './task-context.js';
import { resolveTaskArg, taskTable, type TaskContext } from '../kernel/helpers/task.js';
import { NSIG, SIG_ALTNAMES, sigActions, signalName, signalNrThreads, sigPending, taskBlocked, taskSigpending, taskSignalStruct } from '../kernel/helpers/signal.js';
import { CrashError } from '../util/errors.js';

export const sig = defineCommand({
  name: 'sig',
  summary: 'task signal handling',
  synopsis: '[[-l] | [-s sigset]] | [-g] [pid | taskp] ...',
  description: [
    'This command displays signal-handling data of one or more tasks.  Multiple task or PID',
    'numbers may be entered; if no arguments are entered, the signal-handling data of the current',
    'context is displayed.  The default display shows the signal_struct address and thread count,',
    'each signal\'s sigaction address, handler, mask and flags, whether a signal is pending, the',
    'blocked set, and the private and shared pending sets and queues.',
  ],
  options: {
    g: flag('displays signal information for all threads in a task\'s thread group'),
    l: flag('displays the defined signal numbers and names'),
    s: withArg('translates a 64-bit hexadecimal value representing the contents of a sigset_t into the signal names'),
  },
  examples: [{ command: 'sig' }, { command: 'sig -g 1' }, { command: 'sig -l' }, { command: 'sig -s 40000' }],
  run: (ctx, a) => runSig(ctx, a),
});

function runSig(ctx: CommandContext, a: ParsedArgs): CommandResult[] {
  if (a.values.has('s')) {
    const v = a.values.get('s')![0].replace(/^0x/i, '');
    if (!/^[0-9a-f]{1,16}$/i.test(v)) return [err(`invalid expression: ${a.values.get('s')![0]}`)];
    return [lines(translateSigset(BigInt('0x' + v)))];
  }
  if (a.flags.has('l')) return [lines(signameList())];
  const out: CommandResult[] = [];
  const tasks: TaskContext[] = [];
  let bogus = 0;
  for (const arg of a.args) {
    try {
      tasks.push(...resolveTaskArg(ctx.kernel, arg).tasks);
    } catch (e) {
      if (!(e instanceof CrashError)) throw e;
      bogus++;
      out.push(err(`invalid task or pid value: ${arg}\n`));
    }
  }
  try {
    if (!tasks.length && !bogus) tasks.push(currentContext(ctx));
    const shownGroups = new Set<number>();
    for (const tc of tasks) {
      if (a.flags.has('g')) {
        const leader = taskTable(ctx.kernel).find((t) => t.pid === tc.tgid) ?? tc;
        if (shownGroups.has(leader.tgid) && leader.pid !== 0) continue;
        shownGroups.add(leader.tgid);
        out.push(...sigResults(ctx, leader, true));
      } else out.push({ kind: 'taskheader', header: headerOf(tc) }, ...sigResults(ctx, tc, false), lines(['']));
    }
  } catch (e) {
    if (e instanceof CrashError) return [...out, err(e.message)];
    throw e;
  }
  return out;
}

/** do_sig() (no header) or, with `group`, do_sig_thread_group() (headers for each thread). */
export function sigResults(ctx: CommandContext, tc: TaskContext, group: boolean): CommandResult[] {
  if (!group) return [signalData(ctx, tc, true, true, false)];
  const out: CommandResult[] = [{ kind: 'taskheader', header: headerOf(tc) }, signalData(ctx, tc, true, false, false)];
  const threads = [tc, ...taskTable(ctx.kernel).filter((t) => t.tgid === tc.tgid && t.task !== tc.task)];
  for (const t of threads) out.push(lines(['']), { ...signalData(ctx, t, false, true, true), header: headerOf(t) });
  out.push(lines(['']));
  return out;
}

function signalData(ctx: CommandContext, tc: TaskContext, groupLevel: boolean, taskLevel: boolean, indent: boolean): SigResult {
  const k = ctx.kernel;
  const signal = taskSignalStruct(k, tc.task);
  const r: SigResult = { kind: 'sig', indent };
  if (groupLevel) {
    r.group = { signalStruct: signal, nrThreads: signal ? signalNrThreads(k, signal) : undefined, actions: signal ? sigActions(k, tc.task) : [] };
  }
  const hasShared = k.hasMember('struct signal_struct', 'shared_pending');
  if (taskLevel) {
    const p = sigPending(k, tc.task + BigInt(k.offsetOf('struct task_struct', 'pending')));
    r.task = {
      sigpending: taskSigpending(k, tc.task, tc.threadInfo),
      blocked: taskBlocked(k, tc.task),
      privateLabel: hasShared,
      signal: p.signal,
      queue: { entries: p.queue.length ? p.queue : undefined },
    };
  }
  if (groupLevel && signal && hasShared) {
    const p = sigPending(k, signal + BigInt(k.offsetOf('struct signal_struct', 'shared_pending')));
    r.shared = { signal: p.signal, queue: { entries: p.queue.length ? p.queue : undefined } };
  }
  return r;
}

/** signame_list(). */
function signameList(): string[] {
  const out: string[] = [];
  for (let i = 1; i <= NSIG; i++) {
    const name = signalName(i);
    if (i < 32) out.push(`${i < 10 ? ' ' : ''}[${i}] ${name}${SIG_ALTNAMES[i] ? '/' + SIG_ALTNAMES[i] : ''}`);
    else out.push(`[${i}] ${name}`);
  }
  return out;
}

/** translate_sigset(): the names of the set bits, wrapped before 80 columns. */
function translateSigset(set: bigint): string[] {
  if (!set) return ['(none)'];
  const out: string[] = [];
  let line = '';
  let c = 0;
  for (let i = 1; i <= NSIG; i++) {
    if (!((set >> BigInt(i - 1)) & 1n)) continue;
    let buf = (c++ ? ' ' : '') + signalName(i);
    if (line.length + buf.length > 80) {
      out.push(line);
      buf = buf.slice(1);
      line = '';
    }
    line += buf;
  }
  out.push(line);
  return out;
}
