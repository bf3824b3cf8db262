import { defineCommand, flag, withArg, type CommandContext, type CommandDef } from './types.js';
import { err, lines, warn, type CommandResult } from './result.js';
import type { ParsedArgs } from './getopt.js';
import type { BtResult, PsResult } from './task-results.js';
import { contextResult } from './task-context.js';
import { shortUsage } from './help.js';
import { vmResults } from './vm.js';
import { sigResults } from './sig.js';
import { isActive, isKernelThread, resolveTaskArg, taskTable, type TaskContext } from '../kernel/helpers/task.js';
import { taskStateShort } from '../kernel/helpers/task-state.js';
import { CrashError } from '../util/errors.js';
import { checkpoint, Interrupted } from '../util/interrupt.js';
import { posixEre } from '../util/posix-regex.js';

/** task.c is_foreach_keyword(): the commands foreach can run. */
const KEYWORDS = ['bt', 'vm', 'task', 'set', 'files', 'net', 'vtop', 'sig', 'ps'] as const;
type Keyword = (typeof KEYWORDS)[number];
const STATES = ['RU', 'IN', 'UN', 'ST', 'TR', 'ZO', 'DE', 'PA', 'WA', 'ID', 'NE', 'SW'];

export const foreach = defineCommand({
  name: 'foreach',
  summary: 'display command data for multiple tasks in the system',
  synopsis: '[[pid | taskp | name | state | [kernel | user | gleader | active]] ...] command [flag] [argument]',
  description: [
    'This command allows for an examination of various kernel data associated with any, or all,',
    'tasks in the system, without having to set the context to each targeted task.  Tasks are',
    'selected by pid, task address, command name (a name enclosed in \'single quotes\' is a POSIX',
    'extended regular expression matched against task names), state (RU, IN, UN, ST, TR, ZO, DE,',
    'PA, WA, ID, NE), or the keywords kernel, user, gleader and active; no selector means every',
    'task.  The command is one of bt, vm, task, set, files, net, vtop, sig or ps, run for each task',
    'with the options given (options may appear anywhere on the line).  Each task\'s output follows',
    'its header.',
  ],
  options: {
    R: withArg('search for references to this symbol, value or member (bt, vm, task)'),
    v: flag('vm -v'), o: flag('bt -o'), m: flag('vm -m, ps -m'), l: flag('bt -l, ps -l'), g: flag('sig -g, ps -g'),
    e: flag('bt -e'), r: flag('bt -r, ps -r'), s: flag('bt -s, net -s'), S: flag('net -S'), t: flag('bt -t, ps -t'),
    T: flag('bt -T'), p: flag('vm -p, ps -p'), u: flag('vtop -u'), k: flag('vtop -k'), c: flag('files -c, vtop -c, ps -c'),
    f: flag('bt -f'), F: flag('bt -F'), x: flag('hexadecimal output'), h: flag('hexadecimal output'),
    d: flag('decimal output'), a: flag('ps -a'), G: flag('ps -G'), y: withArg('ps -y policy'),
  },
  keepSingleQuotes: true,
  examples: [{ command: 'foreach bt' }, { command: 'foreach RU bt' }, { command: "foreach 'kworker.*' ps" }, { command: 'foreach task -R comm' }, { command: 'foreach bash files' }, { command: 'foreach user vm' }],
  run: (ctx, a) => runForeach(ctx, a),
});

/** defs.h MAX_REGEX_ARGS */
const MAX_REGEX_ARGS = 10;

class BadRegex extends CrashError {}

/** A word left in single quotes (the words keep them for the regex selectors) as the command sees it. */
const unquote = (w: string) => (w.length >= 2 && w.startsWith("'") && w.endsWith("'") ? w.slice(1, -1) : w);

/** regcomp(REG_EXTENDED|REG_NOSUB) as a RegExp; regexec() finds a match anywhere in the name. */
function posixRegex(pattern: string): RegExp {
  try {
    return posixEre(pattern);
  } catch {
    throw new BadRegex(`invalid regular expression: ${pattern}`);
  }
}

interface Selection {
  keys: Keyword[];
  pids: number[];
  tasks: bigint[];
  comms: string[];
  regexes: RegExp[];
  args: string[];
  state?: string;
  kernel: boolean;
  user: boolean;
  gleader: boolean;
  active: boolean;
  specified: boolean;
}

function parseSelection(ctx: CommandContext, words: string[], out: CommandResult[]): Selection {
  const s: Selection = { keys: [], pids: [], tasks: [], comms: [], regexes: [], args: [], kernel: false, user: false, gleader: false, active: false, specified: false };
  const table = taskTable(ctx.kernel);
  for (const w of words) {
    if (s.keys.length && !(KEYWORDS as readonly string[]).includes(w)) {
      s.args.push(unquote(w));
      continue;
    }
    if ((KEYWORDS as readonly string[]).includes(w)) {
      s.keys.push(w as Keyword);
      continue;
    }
    if (/^(0x)?[0-9a-f]+$/i.test(w) && !STATES.includes(w)) {
      try {
        const r = resolveTaskArg(ctx.kernel, w);
        if (r.kind === 'pid') s.pids.push(r.tasks[0].pid);
        else s.tasks.push(r.tasks[0].task);
        s.specified = true;
        continue;
      } catch (e) {
        if (!(e instanceof CrashError)) throw e;
      }
    }
    if (w === 'kernel') {
      if (s.user) throw new CrashError('user and kernel are mutually exclusive!');
      s.kernel = true;
    } else if (STATES.includes(w.replace(/^\\/, ''))) {
      if (s.state) throw new CrashError('only one task state allowed');
      s.state = w.replace(/^\\/, '');
    } else if (w === 'user' || w === 'gleader') {
      if (s.kernel) throw new CrashError(`${w} and kernel are mutually exclusive!`);
      s.user = true;
      s.gleader ||= w === 'gleader';
    } else if (w === 'active') s.active = true;
    else if (w.length >= 2 && w.startsWith("'") && w.endsWith("'")) {
      // task.c cmd_foreach: a single-quoted name is a POSIX extended regular expression
      if (s.regexes.length === MAX_REGEX_ARGS) out.push(err('too many expressions specified!'));
      else {
        s.regexes.push(posixRegex(w.slice(1, -1)));
        s.specified = true;
      }
    } else if (table.some((t) => t.comm === w.replace(/^\\/, ''))) {
      s.comms.push(w.replace(/^\\/, ''));
      s.specified = true;
    } else {
      s.specified = true;
      out.push(err(`unknown argument: "${w}"`));
    }
  }
  return s;
}

function runForeach(ctx: CommandContext, a: ParsedArgs): CommandResult[] {
  const k = ctx.kernel;
  const f = (c: string) => a.flags.has(c);
  const out: CommandResult[] = [];
  if (!a.args.length) return [lines(shortUsage(foreach))];
  let sel: Selection;
  try {
    sel = parseSelection(ctx, a.args, out);
  } catch (e) {
    // an invalid expression ends the command (crash's bailout) after what was said so far
    if (e instanceof BadRegex) return [...out, err(e.message)];
    throw e;
  }
  if (!sel.keys.length) return [...out, err('no keywords specified')];
  const R = a.values.get('R')?.[0];
  const ref = R === undefined ? undefined : unquote(R);
  let header = true;
  for (const key of sel.keys) {
    const pre = checkOptions(key, f, ref, sel);
    if (pre === 'noheader') header = false;
    else if (pre) out.push(...pre);
  }
  const picked = taskTable(k).filter((tc) => {
    if (sel.active && !isActive(k, tc.task)) return false;
    if (sel.user && isKernelThread(k, tc)) return false;
    if (sel.gleader && tc.pid !== tc.tgid) return false;
    if (sel.kernel && !isKernelThread(k, tc)) return false;
    if (sel.state && !taskStateShort(k, tc.task).startsWith(sel.state)) return false;
    if (!sel.specified) return true;
    return sel.tasks.includes(tc.task) || sel.pids.includes(tc.pid) || sel.comms.includes(tc.comm) || sel.regexes.some((r) => r.test(tc.comm));
  });
  let subsequent = 0;
  const sigGroups = new Set<number>();
  for (const [i, tc] of picked.entries()) {
    checkpoint(ctx, i, picked.length, 'tasks');
    if (!ref && header) out.push({ kind: 'taskheader', header: { pid: tc.pid, task: tc.task, cpu: tc.cpu, comm: tc.comm }, newline: subsequent++ > 0 });
    for (const key of sel.keys) {
      try {
        out.push(...runKeyword(ctx, key, tc, a, sel, { ref, first: i === 0, sigGroups }));
      } catch (e) {
        if (e instanceof Interrupted || !(e instanceof CrashError)) throw e;
        out.push(err(`${key}: ${e.message}`, true));
      }
    }
  }
  return out;
}

/** foreach()'s per-command option checks: errors, the net warning, or 'noheader' (ps, sig -g). */
function checkOptions(key: Keyword, f: (c: string) => boolean, ref: string | undefined, sel: Selection): CommandResult[] | 'noheader' | undefined {
  const xd = f('x') || f('h');
  switch (key) {
    case 'net':
      if (f('s') && f('S')) return [warn('net -s and -S options are mutually exclusive!')];
      if (!f('s') && !f('S')) return [warn('net command requires -s or -S option'), lines([''])];
      if (xd && f('d')) throw new CrashError('net: -x and -d options are mutually exclusive');
      return undefined;
    case 'vtop':
      if (!sel.args.length) throw new CrashError('foreach command requires address argument');
      if (ref) throw new CrashError('vtop command does not support -R option');
      if (f('u') && f('k')) throw new CrashError('vtop: -u and -k options are mutually exclusive');
      return undefined;
    case 'vm':
      if (xd && f('d')) throw new CrashError('vm: -x and -d options are mutually exclusive');
      if (['p', 'm', 'v'].filter(f).length > 1) throw new CrashError('vm command accepts only one of -p, -m or -v flags');
      if (ref && f('m')) throw new CrashError('vm: -m is not applicable to the -R option');
      if (ref && f('v')) throw new CrashError('vm: -v is not applicable to the -R option');
      return undefined;
    case 'bt':
      if (xd && f('d')) throw new CrashError('bt: -x and -d options are mutually exclusive');
      if (f('g')) throw new CrashError('bt -g option is not supported when issued from foreach');
      return undefined;
    case 'task':
      if (xd && f('d')) throw new CrashError('task: -x and -d options are mutually exclusive');
      return undefined;
    case 'set':
      if (ref) throw new CrashError('set command does not support -R option');
      return undefined;
    case 'sig':
      if (f('l') || f('s')) throw new CrashError('sig: -l and -s options are not applicable');
      return f('g') ? 'noheader' : undefined;
    case 'ps':
      return 'noheader';
    case 'files':
      if (f('p')) throw new CrashError('files command does not support -p option');
      return undefined;
  }
}

interface RunState {
  ref?: string;
  first: boolean;
  sigGroups: Set<number>;
}

/** The command's own run() for one task, in a context whose current task is that task. */
function runKeyword(ctx: CommandContext, key: Keyword, tc: TaskContext, a: ParsedArgs, sel: Selection, st: RunState): CommandResult[] {
  const k = ctx.kernel;
  const child: CommandContext = { ...ctx, currentTask: tc.task, currentCpu: tc.cpu };
  const f = (c: string) => a.flags.has(c);
  const pass = (letters: string, values: Record<string, string | undefined> = {}, args: string[] = []): ParsedArgs => {
    const flags = new Map<string, number>();
    for (const c of letters) if (f(c)) flags.set(c, 1);
    const vals = new Map<string, string[]>();
    for (const [c, v] of Object.entries(values)) if (v !== undefined) (vals.set(c, [v]), flags.set(c, 1));
    return { flags, values: vals, args };
  };
  const run = (name: string, args: ParsedArgs): CommandResult[] => {
    const def = ctx.commands.find((c) => c.name === name) as CommandDef;
    const r = def.run(child, args, [name]);
    return (Array.isArray(r) ? r : [r]).map((x) => (x.kind === 'error' && !x.bare ? err(`${name}: ${x.message}`, true) : x));
  };
  const hex = f('x') || f('h');
  switch (key) {
    case 'bt': {
      const r = run('bt', pass('fFtTsdlo', { R: st.ref, ...(hex ? { x: '' } : {}) }));
      // the foreach header replaces bt's own; with -R bt prints its header only on a match
      return st.ref ? r : r.map((x) => (x.kind === 'bt' ? { kind: 'headless', result: x as BtResult } : x));
    }
    case 'task': {
      const r = run('task', pass('d', { R: st.ref, ...(hex ? { x: '' } : {}) }));
      return st.ref ? r : dropHeader(r);
    }
    case 'files':
      return dropHeader(run('files', pass('c')));
    case 'net':
      return dropHeader(run('net', pass('Sdx', f('S') ? {} : { s: '' })));
    case 'set':
      return [contextResult(k, tc)];
    case 'vtop':
      return run('vtop', pass('ukc', {}, sel.args));
    case 'vm':
      return vmResults(child, tc, { p: f('p'), m: f('m'), v: f('v'), radix: hex ? 16 : f('d') ? 10 : ctx.settings.radix, ref: st.ref });
    case 'sig':
      if (!f('g')) return sigResults(child, tc, false);
      if (st.sigGroups.has(tc.tgid)) return [];
      st.sigGroups.add(tc.tgid);
      return sigResults(child, taskTable(k).find((t) => t.pid === tc.tgid) ?? tc, true);
    case 'ps': {
      const r = run('ps', pass('sGatplcg', {}, ['0x' + tc.task.toString(16)]));
      return r.map((x) => (x.kind === 'ps' && !st.first ? ({ ...x, header: false } as PsResult) : x));
    }
  }
}

/** The command printed its own task header first; foreach already printed one. */
function dropHeader(r: CommandResult[]): CommandResult[] {
  const i = r.findIndex((x) => x.kind === 'taskheader');
  return i < 0 ? r : [...r.slice(0, i), ...r.slice(i + 1)];
}
