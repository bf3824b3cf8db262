import { defineCommand, flag, withArg, type CommandContext } from './types.js';
import { err, lines, type CommandResult, type RdResult } from './result.js';
import type { ParsedArgs } from './getopt.js';
import type { BtResult } from './task-results.js';
import { currentContext, headerOf, tasksFromArgs } from './task-context.js';
import { parseCpuSpec } from './cpuspec.js';
import { cpuState } from '../kernel/helpers/sched.js';
import { activeTasks, panicTask, taskByAddress, taskTable, type TaskContext } from '../kernel/helpers/task.js';
import { backtrace, textScan, type Backtrace } from '../kernel/helpers/backtrace.js';
import { oldBacktrace } from '../kernel/helpers/backtrace-old.js';
import { irqAndExceptionEframes, stackOverflowCheck, taskEframes } from '../kernel/helpers/backtrace-search.js';
import { explainOops } from '../kernel/helpers/oops.js';
import { arm64IrqEframes, arm64TaskEframes } from '../kernel/helpers/eframe-search-arm64.js';
import { taskStack } from '../kernel/helpers/stack.js';
import { addrToSlab } from '../kernel/helpers/slab-walk.js';
import { moduleSymbolAt } from '../kernel/helpers/module.js';
import { CrashError } from '../util/errors.js';
import { ReadError } from '../memory/read-error.js';

export const bt = defineCommand({
  name: 'bt',
  summary: 'backtrace',
  synopsis: '[-a|-c cpu(s)|-g|-r|-t|-T|-l|-e|-E|-f|-F|-o|-O|-v|-p] [-R ref] [-s [-x|d]] [-n idle] [-U] [-X] [pid | task]',
  description: [
    'Display a kernel stack backtrace.  If no arguments are given, the stack trace of the current',
    'context will be displayed.  The trace is unwound with the kernel\'s own ORC data read from the',
    'dump (frame pointers where ORC has none), starting from the NT_PRSTATUS registers of active',
    'tasks and from the saved inactive_task_frame of sleeping ones, across IRQ and exception stacks,',
    'showing exception frames and the user-mode registers at the system call boundary.',
    'Beyond crash: -U says after each frame how the unwinder reached it (ORC entry, frame pointer,',
    'exception frame), and -X explains the oops header of the log (x86 page-fault error code, arm64',
    'ESR) and the preempt_count of the task\'s cpu.',
  ],
  options: {
    a: flag('display the stack traces of the active task on each cpu'),
    c: withArg('display the stack traces of the active task on one or more cpus (1,3-5)'),
    p: flag('display the stack trace of the panic task only'),
    g: flag('display the stack traces of all threads in the thread group'),
    f: flag('display all stack data contained in a frame'),
    F: flag('like -f, symbolically: symbols, and slab objects as [cache]; -FF as [address:cache]'),
    t: flag('display all text symbols found from the last known stack location to the top'),
    T: flag('display all text symbols found from the base of the stack to the top'),
    s: flag('display the symbol name plus its offset in each frame'),
    x: flag('with -s, display the offset in hexadecimal'),
    d: flag('with -s, display the offset in decimal'),
    l: flag('show file and line number (needs DWARF, which the dump does not carry: says so)'),
    e: flag('search the stack for possible kernel and user mode exception frames'),
    E: flag('search the IRQ stacks and the exception stacks for possible exception frames'),
    r: flag('display raw stack data: the whole kernel stack, symbolically'),
    o: flag('use the old backtrace method: every kernel text return address on the stack, stale ones included'),
    O: flag('toggle the default to the old backtrace method (-o) for every later bt'),
    v: flag('check the kernel stack of all tasks for evidence of stack overflows'),
    n: withArg('with "idle": filter out the stacks of idle tasks'),
    R: withArg('display the trace only if it references this symbol or value'),
    U: flag('show how the unwinder reached each frame (beyond crash)'),
    X: flag('explain the oops header and the preempt_count (beyond crash)'),
  },
  examples: [{ command: 'bt' }, { command: 'bt -a' }, { command: 'bt -f 1' }, { command: 'bt -t 94' }, { command: 'bt -e' }, { command: 'bt -v' }, { command: 'bt -U' }],
  run: (ctx, a) => runBt(ctx, a),
});

function runBt(ctx: CommandContext, a: ParsedArgs): CommandResult | CommandResult[] {
  const k = ctx.kernel;
  const f = (c: string) => a.flags.has(c);
  if (f('O')) return toggleOldBt(ctx);
  if (f('x') && f('d')) return err('-d and -x are mutually exclusive');
  if (a.values.has('n') && a.values.get('n')!.some((v) => v !== 'idle')) return err('-n option not supported or applicable on this architecture or kernel');
  const radix: 10 | 16 = f('x') ? 16 : f('d') ? 10 : ctx.settings.radix;
  const base: BtResult = { kind: 'bt', traces: [], radix, symbolOffsets: f('s') };
  if (f('v')) return { ...base, overflows: stackOverflowCheck(k, taskTable(k)) };
  // the exception-frame searches verify x86_64 and arm64 struct pt_regs layouts
  if ((f('e') || f('E')) && k.dump.machine !== 'x86_64' && k.dump.machine !== 'arm64') return err(`-${f('e') ? 'e' : 'E'} option not supported on this architecture`);
  try {
    if (f('E') && k.dump.machine === 'arm64') {
      const spec = a.values.get('c')?.join(',');
      const n = cpuState(k).present;
      const found = arm64IrqEframes(k, spec === undefined ? [...Array(n).keys()] : parseCpuSpec(spec, n, ctx.currentCpu));
      return found ? { ...base, arm64Searches: found } : err('IRQ stacks do not exist in this kernel');
    }
    if (f('E')) {
      const spec = a.values.get('c')?.join(',');
      const n = cpuState(k).present;
      return { ...base, stackSearches: irqAndExceptionEframes(k, spec === undefined ? [...Array(n).keys()] : parseCpuSpec(spec, n, ctx.currentCpu)) };
    }
    const tasks = selectTasks(ctx, a);
    const out: CommandResult[] = [];
    if (f('l')) out.push(err('line numbers are not available'));
    if (f('r')) return [...out, ...tasks.flatMap((tc, i) => rawStack(ctx, tc, i > 0))];
    const r: BtResult = { ...base, unwindSources: f('U') };
    if (f('X')) r.explain = new Map();
    const skipIdle = a.values.has('n');
    for (const tc of tasks) {
      if (f('e') && k.dump.machine === 'arm64') {
        const entries = arm64TaskEframes(k, tc);
        r.traces.push(entries ? { task: tc, entries } : { task: tc, entries: [], error: '(no stack)' });
        continue;
      }
      if (f('e')) {
        r.traces.push({ task: headerOf(tc), eframes: taskEframes(k, tc) ?? [] });
        continue;
      }
      if (skipIdle && tc.pid === 0) {
        r.traces.push({ task: tc, entries: [] });
        continue;
      }
      if (f('t') || f('T')) {
        r.traces.push({ ...textScan(k, tc, f('T')), text: true });
        continue;
      }
      const old = f('o') || !!ctx.settings.btOld;
      const trace = old ? oldBacktrace(k, tc) : backtrace(k, tc, { full: f('f') || f('F') });
      if (old && (f('f') || f('F'))) trace.entries = backtrace(k, tc, { full: true }).entries;
      if (a.values.has('R') && !references(trace, a.values.get('R')!)) continue;
      if (f('F')) symbolize(ctx, trace, (a.flags.get('F') ?? 0) > 1);
      r.explain?.set(tc.task, explainOops(k, tc));
      r.traces.push(trace);
    }
    return out.length ? [...out, r] : r;
  } catch (e) {
    if (e instanceof CrashError) return err(e.message);
    throw e;
  }
}

/**
 * bt -O (kernel.c cmd_bt): toggle the session's default to the old method; arm64 calls it the
 * "optional" one. Inside the -i input file a second -O leaves it set, as crash's INIT_IFILE does.
 */
function toggleOldBt(ctx: CommandContext): CommandResult {
  const s = ctx.settings;
  const arm64 = ctx.kernel.dump.machine === 'arm64';
  const on = arm64 ? 'optional' : 'old';
  if (!s.btOld) {
    s.btOld = true;
    return err(`use ${on} bt method by default`);
  }
  if (s.initFile) return err(`use ${on} bt method by default (already set)`);
  s.btOld = false;
  return err(`use ${arm64 ? 'original' : 'new'} bt method by default`);
}

/** bt -r: the task's whole kernel stack as `rd -s` shows it (memory.c raw_stack_dump). */
function rawStack(ctx: CommandContext, tc: TaskContext, subsequent: boolean): CommandResult[] {
  const k = ctx.kernel;
  const head: CommandResult = { kind: 'taskheader', header: headerOf(tc), newline: subsequent };
  const st = taskStack(k, tc);
  if (!st) return [head, lines(['(no stack)'])];
  const values: bigint[] = [];
  try {
    const b = k.readBytes(st.base, Number(st.top - st.base), 'stack contents');
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    for (let i = 0; i + 8 <= b.length; i += 8) values.push(dv.getBigUint64(i, true));
  } catch (e) {
    if (e instanceof ReadError) return [head, err(e.message)];
    throw e;
  }
  const rd: RdResult = { kind: 'rd', space: 'kvaddr', start: st.base, unit: 8, mode: 'hex', ascii: false, values, symbols: values.map((v) => stackWordSymbol(ctx, v, false, false)) };
  return [head, rd];
}

/** bt -F: the words between frames symbolically (memory.c format_stack_entry). */
function symbolize(ctx: CommandContext, t: Backtrace, withAddr: boolean): void {
  for (const e of t.entries) if (e.kind === 'words') e.symbols = e.words.map((w) => stackWordSymbol(ctx, w, true, withAddr));
}

/**
 * format_stack_entry() / rd -s: a value inside a kernel or module symbol (value_search looks in
 * both) is `name+offset`; with `slab`, a value in a slab page is its cache, `[name]` or (-FF)
 * `[address:name]`; anything else stays a number.
 */
function stackWordSymbol(ctx: CommandContext, v: bigint, slab: boolean, withAddr: boolean): string | undefined {
  const k = ctx.kernel;
  if (!k.arch.isKernelAddr(v)) return undefined;
  const hit = k.symbols.containing(v) ?? moduleSymbolAt(k, v);
  if (hit) return hit.offset ? `${hit.sym.name}+${ctx.settings.radix === 16 ? '0x' + hit.offset.toString(16) : hit.offset}` : hit.sym.name;
  if (!slab) return undefined;
  const s = addrToSlab(k, v);
  return 'cache' in s ? (withAddr ? `[${v.toString(16)}:${s.cache.name}]` : `[${s.cache.name}]`) : undefined;
}

function selectTasks(ctx: CommandContext, a: ParsedArgs): TaskContext[] {
  const k = ctx.kernel;
  const active = activeTasks(k);
  const ofCpus = (cpus: number[]) => cpus.flatMap((c) => (active.has(c) ? [taskByAddress(k, active.get(c)!)].filter((t): t is TaskContext => !!t) : []));
  if (a.flags.has('a')) return ofCpus([...active.keys()].sort((x, y) => x - y));
  if (a.values.has('c')) return ofCpus(parseCpuSpec(a.values.get('c')!.join(','), cpuState(k).present, ctx.currentCpu));
  if (a.flags.has('p')) {
    const p = panicTask(k);
    if (!p) throw new CrashError('no panic task found!');
    return [p];
  }
  const tasks = a.args.length ? tasksFromArgs(ctx, a.args) : [currentContext(ctx)];
  if (!a.flags.has('g')) return tasks;
  // -g: every thread of each task's group, the leader first
  return tasks.flatMap((tc) => {
    const group = taskTable(k).filter((t) => t.tgid === tc.tgid && tc.pid !== 0);
    return group.length ? [...group.filter((t) => t.pid === t.tgid), ...group.filter((t) => t.pid !== t.tgid)] : [tc];
  });
}

/** bt -R: does the trace mention a symbol name or a value (frame ip, sp, or register)? */
function references(t: Backtrace, refs: string[]): boolean {
  const wanted = refs.flatMap((r) => r.split(','));
  return t.entries.some((e) => {
    if (e.kind === 'frame') return wanted.some((w) => w === e.name || /^(0x)?[0-9a-f]+$/i.test(w) && (BigInt(w.startsWith('0x') ? w : '0x' + w) === e.ip || BigInt(w.startsWith('0x') ? w : '0x' + w) === e.sp));
    if (e.kind === 'regs') return wanted.some((w) => /^(0x)?[0-9a-f]+$/i.test(w) && Object.values(e.regs).includes(BigInt(w.startsWith('0x') ? w : '0x' + w)));
    return false;
  });
}
