import { defineCommand, flag, withArg, type CommandContext } from './types.js';
import { err, warn, type CommandResult } from './result.js';
import type { ParsedArgs } from './getopt.js';
import type { PsResult, PsRow, PsTreeResult } from './task-results.js';
import { isActive, isKernelThread, resolveTaskArg, taskByAddress, taskMemUsage, taskTable, type TaskContext } from '../kernel/helpers/task.js';
import { taskStateShort } from '../kernel/helpers/task-state.js';
import { pidHashError } from '../kernel/helpers/pid.js';
import { childList, parentList, taskArgs, taskTimes, tgidList } from './ps-views.js';
import { byLastRun, hasLastRun, lastRunView, parsePolicies, rlimitView, taskPolicy } from './ps-sched.js';
import { parseCpuSpec } from './cpuspec.js';
import { cpuState } from '../kernel/helpers/sched.js';
import { CrashError } from '../util/errors.js';

const EXCLUSIVE = ['a', 't', 'c', 'p', 'g', 'l', 'm', 'S', 'r', 'A'];

export const ps = defineCommand({
  name: 'ps',
  summary: 'display process status information',
  synopsis: '[-k|-u|-G|-y policy] [-s] [-p|-c|-t|-[l|m][-C cpu]|-a|-g|-r|-S|-A] [pid | task | command] ...',
  description: [
    'This command displays process status for selected, or all, processes in the system.  If no',
    'arguments are entered, the process data is displayed for all processes.  Specific processes',
    'may be selected by pid, task address or command name (or a regular expression).  Tasks are',
    'found as the kernel finds them, through the PID namespace IDR, plus each cpu\'s idle task.',
    'The ">" marks the active task of each cpu.',
  ],
  options: {
    k: flag('restrict the output to kernel threads'),
    u: flag('restrict the output to user tasks'),
    G: flag('display only the thread group leader of a thread group'),
    y: withArg('restrict the output to tasks with these scheduling policies (NORMAL,FIFO,RR,BATCH,ISO,IDLE,DEADLINE or numbers)'),
    s: flag('replace the TASK column with the KSTACKP column'),
    I: flag('exclude the idle tasks'),
    H: flag('do not display the header'),
    A: flag('display only the active task on each cpu'),
    p: flag('display the parental hierarchy of selected, or all, tasks'),
    c: flag('display the children of selected, or all, tasks'),
    g: flag('display tasks by thread group'),
    t: flag('display the task run time, start time, and cumulative user and system times'),
    l: flag('display the last-run timestamp (sched_info.last_arrival), most recent first'),
    m: flag('like -l, as the time since the last run (days hours:minutes:seconds.msecs) against the rq clock'),
    C: withArg('with -l or -m: the tasks of these cpus, cpu by cpu (1,3-5 or all)'),
    a: flag('display the command line arguments and environment strings of user tasks'),
    r: flag('display the resource limits of selected, or all, tasks'),
    S: flag('display a summary of the tasks in each state'),
  },
  examples: [{ command: 'ps' }, { command: 'ps -k' }, { command: 'ps -p 1' }, { command: 'ps init' }, { command: 'ps -m -C all' }, { command: 'ps -y FIFO,RR' }],
  run: (ctx, a) => runPs(ctx, a),
});

interface Selector {
  kind: 'pid' | 'task' | 'comm' | 'regex';
  match(tc: TaskContext): boolean;
}

function runPs(ctx: CommandContext, a: ParsedArgs): CommandResult | CommandResult[] {
  const k = ctx.kernel;
  const f = (c: string) => a.flags.has(c);
  if (f('u') && f('k')) return err('-u and -k are mutually exclusive');
  if (EXCLUSIVE.filter(f).length > 1) return err('-a, -t, -c, -p, -g, -l, -m, -S, -r and -A flags are all mutually-exclusive');
  if ((f('l') || f('m')) && !hasLastRun(k)) return err('last-run timestamps do not exist in this kernel');
  let policy: number | undefined;
  let cpus: number[] | undefined;
  try {
    if (a.values.has('y')) policy = a.values.get('y')!.reduce((m, v) => m | parsePolicies(v), 0);
    const spec = a.values.get('C')?.at(-1);
    if (spec !== undefined) cpus = parseCpuSpec(spec, cpuState(k).present, ctx.currentCpu);
  } catch (e) {
    if (e instanceof CrashError) return err(e.message);
    throw e;
  }
  if (cpus && !f('l') && !f('m')) return err('-C option is only applicable with -l and -m');
  if (f('S') && a.args.length) return err('-S option takes no arguments');
  if (f('S') && (f('u') || f('k') || f('G') || f('I'))) return err('-S option cannot be used with other options');
  if (f('G') && (f('l') || f('m'))) return err(`-G not supported with -${f('l') ? 'l' : 'm'} option`);
  const out: CommandResult[] = [];
  // a looping or garbage PID xarray: say so; the table still has the tasks of the task list
  const idr = pidHashError(k);
  if (idr) out.push(warn(`PID namespace IDR: ${idr.message}: tasks from the task list`));
  if (cpus && a.args.length) {
    out.push(err('-C option is not applicable with specified tasks'));
    cpus = undefined;
  }
  const selectors: Selector[] = [];
  for (const arg of a.args) {
    try {
      selectors.push(selector(ctx, arg));
    } catch (e) {
      if (!(e instanceof CrashError)) throw e;
      out.push(err(`${e.message}\n`));
    }
  }

  const lastRunMode = f('l') || f('m');
  const all = lastRunMode ? byLastRun(k, taskTable(k)) : taskTable(k);
  const group = (tc: TaskContext) => (tc.pid === tc.tgid ? tc : (all.find((t) => t.pid === tc.tgid) ?? tc));
  // show_ps(): with selectors, each context is tested against each selector in turn
  let picked: TaskContext[] = a.args.length ? all.flatMap((tc) => selectors.filter((s) => s.match(tc)).map(() => tc)) : all;
  const filtered: TaskContext[] = [];
  const seen = new Set<bigint>();
  for (let tc of picked) {
    if (f('u') && isKernelThread(k, tc)) continue;
    if (f('k') && !isKernelThread(k, tc)) continue;
    // show_task_times() and show_ps_summary() do not look at the policy
    if (policy !== undefined && !f('t') && !f('S') && !(policy & (1 << taskPolicy(k, tc)))) continue;
    if (f('I') && tc.pid === 0) continue;
    if (f('G') || f('g')) {
      if (tc.pid !== tc.tgid && !selectors.length) continue;
      tc = group(tc);
      if (seen.has(tc.task)) continue;
      seen.add(tc.task);
    }
    filtered.push(tc);
  }
  picked = filtered;

  if (f('S')) return [...out, summary(ctx, picked)];
  if (f('p')) return [...out, parentList(k, picked)];
  if (f('c')) return [...out, childList(k, picked, all)];
  if (f('g')) return [...out, tgidList(k, picked, all)];
  if (f('t')) return [...out, taskTimes(k, picked, !selectors.length)];
  if (f('r')) return wrap(out, () => rlimitView(k, picked));
  if (lastRunMode) return wrap(out, () => lastRunView(k, picked, all, { msecs: f('m'), radix: ctx.settings.radix, cpus, excludeIdle: f('I') }));
  if (f('a')) return [...out, ...taskArgs(k, picked)];
  // -A: only the active tasks when the whole table is shown (show_ps_data PS_ACTIVE|PS_SHOW_ALL)
  const rows = picked.filter((tc) => !f('A') || a.args.length || isActive(k, tc.task)).map((tc) => psRow(ctx, tc, f('s')));
  const r: PsResult = { kind: 'ps', rows, header: !f('H'), kstackp: f('s') };
  return [...out, r];
}

function wrap(out: CommandResult[], view: () => CommandResult): CommandResult[] {
  try {
    return [...out, view()];
  } catch (e) {
    if (e instanceof CrashError) return [...out, err(e.message)];
    throw e;
  }
}

/** A pid or task address (str_to_context), else a command name (`\name` when numeric) or a regex. */
function selector(ctx: CommandContext, arg: string): Selector {
  if (/^(0x)?[0-9a-f]+$/i.test(arg)) {
    const r = resolveTaskArg(ctx.kernel, arg);
    const tasks = new Set(r.tasks.map((t) => t.task));
    return { kind: r.kind, match: (tc) => tasks.has(tc.task) };
  }
  const name = arg.startsWith('\\') ? arg.slice(1) : arg;
  // crash takes '...' as a POSIX ERE; the quotes are gone by now, so regex syntax marks one
  if (!arg.startsWith('\\') && /[*+?[\]()|^$]/.test(arg)) {
    let re: RegExp;
    try {
      re = new RegExp(arg);
    } catch {
      throw new CrashError(`invalid regular expression: ${arg}`);
    }
    return { kind: 'regex', match: (tc) => re.test(tc.comm) };
  }
  return { kind: 'comm', match: (tc) => tc.comm === name.slice(0, 15) };
}

function psRow(ctx: CommandContext, tc: TaskContext, kstackp: boolean): PsRow {
  const k = ctx.kernel;
  const m = taskMemUsage(k, tc);
  const kthread = isKernelThread(k, tc);
  const page = BigInt(k.arch.pageSize);
  let task = tc.task;
  if (kstackp) {
    const off = k.memberByteOffset('struct task_struct', 'thread.sp');
    task = isActive(k, tc.task) || off === undefined ? 0n : k.readPtr(tc.task + BigInt(off), 'thread.sp');
  }
  return {
    active: isActive(k, tc.task),
    pid: tc.pid,
    ppid: taskByAddress(k, tc.parent)?.pid ?? 0,
    cpu: tc.cpu,
    task,
    state: taskStateShort(k, tc.task),
    pctMem: kthread && !m.rss ? 0 : m.pctPhysmem,
    vsz: (m.totalVm * page) / 1024n,
    rss: (m.rss * page) / 1024n,
    comm: tc.comm,
    kernelThread: kthread,
  };
}

/** ps -S: `  RU: 5` per state, in order of first appearance. */
function summary(ctx: CommandContext, tasks: TaskContext[]): PsTreeResult {
  const counts = new Map<string, number>();
  for (const tc of tasks) {
    const s = taskStateShort(ctx.kernel, tc.task);
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  return { kind: 'pstree', blocks: [{ lines: [...counts].map(([s, n]) => ({ text: `  ${s}: ${n}` })), blankAfter: false }] };
}
