import { defineCommand, flag, withArg, type CommandContext } from './types.js';
import { err, lines, type CommandResult } from './result.js';
import type { ParsedArgs } from './getopt.js';
import type { SearchHit, SearchResult } from './proc-results.js';
import { shortUsage } from './help.js';
import { currentContext, headerOf } from './task-context.js';
import { evalIntExpr } from './int-expr.js';
import { Scanner, scanRange, type RawHit, type SearchMode, type SearchSpec, type Xlate } from '../kernel/helpers/search.js';
import { kvaddrRanges, physExtent, physXlate, userXlate, walkXlate } from '../kernel/helpers/search-ranges.js';
import { mmVmas } from '../kernel/helpers/vma-walk.js';
import { isActive, isKernelThread, taskTable } from '../kernel/helpers/task.js';
import { taskStack } from '../kernel/helpers/stack.js';
import { CrashError } from '../util/errors.js';
import { rethrowInterrupt } from '../util/interrupt.js';

export const search = defineCommand({
  name: 'search',
  summary: 'search memory',
  synopsis: '[-s start] [ -[kKV] | -u | -p | -t | -T ] [-e end | -l length] [-m mask] [-x count] -[cwh] [value | (expression) | symbol | string] ...',
  description: [
    'This command searches for a given value within a range of user virtual, kernel virtual, or',
    'physical memory space.  If no end nor length value is entered, then the search stops at the',
    'end of user virtual, kernel virtual, or physical address space, whichever is appropriate.',
    'Kernel memory is the direct map, the kernel image, vmalloc, modules and vmemmap; unmapped',
    'stretches are skipped a whole page table (or memory hole) at a time.  A long search shows its',
    'progress and can be stopped with Ctrl-C in the terminal UI.',
  ],
  options: {
    s: withArg('start: a hexadecimal address or symbol where the search begins'),
    k: flag('search kernel virtual address space (the default)'),
    K: flag('like -k, skipping vmalloc, module and vmemmap memory'),
    V: flag('like -k, skipping the direct map and the kernel image'),
    u: flag('search the user virtual memory of the current context'),
    p: flag('search physical memory'),
    t: flag('search the kernel stack of every task'),
    T: flag('search the kernel stack of each active task'),
    e: withArg('end: a hexadecimal address or symbol where the search stops'),
    l: withArg('length in bytes of the address range to search'),
    m: withArg('mask: bits to ignore in the comparison (value | mask == memory | mask)'),
    c: flag('search for character strings'),
    w: flag('search for 32-bit values'),
    h: flag('search for 16-bit values'),
    x: withArg('show this many words of memory before and after each hit'),
  },
  examples: [{ command: 'search -u deadbeef' }, { command: 'search -s init_task -l 0x3000 ffff888100010000' }, { command: 'search -k -m ffff000000000000 ffff888100010000' }, { command: 'search -c "can\'t allocate memory"' }, { command: 'search -p -w 0xbad0bad0' }],
  run: (ctx, a) => runSearch(ctx, a),
});

const hexArg = (s: string): bigint => {
  const h = s.replace(/^0x/i, '');
  if (!/^[0-9a-f]{1,16}$/i.test(h)) throw new CrashError(`invalid hexadecimal number: ${s}`);
  return BigInt('0x' + h);
};

function runSearch(ctx: CommandContext, a: ParsedArgs): CommandResult[] {
  try {
    return doSearch(ctx, a);
  } catch (e) {
    if (e instanceof CrashError && !(e.name === 'Interrupted')) return [err(e.message)];
    throw e;
  }
}

function doSearch(ctx: CommandContext, a: ParsedArgs): CommandResult[] {
  const k = ctx.kernel;
  const f = (c: string) => a.flags.has(c);
  const v = (c: string) => a.values.get(c)?.[0];
  const usage = (msg?: string): CommandResult[] => [...(msg ? [err(msg)] : []), lines(shortUsage(search))];
  const out: CommandResult[] = [];
  const symOrHex = (s: string) => k.symbol(s)?.address ?? hexArg(s);
  let mode: SearchMode = 'ulong';
  for (const [c, m] of [['h', 'ushort'], ['w', 'uint'], ['c', 'chars']] as const) {
    if (!f(c)) continue;
    if (mode !== 'ulong') out.push(err(`WARNING: overriding previously set search ${c === 'c' ? 'type' : 'mode'} with "${c}"`));
    mode = m;
  }
  if (f('t') && f('T')) return [err('-t and -T options are mutually exclusive')];
  const stacks = f('t') || f('T');
  const memtype = f('u') ? 'u' : f('p') ? 'p' : 'k';
  if (stacks && (f('u') || f('p') || f('k') || f('K') || f('V') || v('s') || v('e') || v('l'))) return [err(`-${f('t') ? 't' : 'T'} option cannot be used with other memory-selection options`)];
  if (!a.args.length || (v('l') && v('e'))) return usage();
  let start: bigint | undefined = v('s') !== undefined ? symOrHex(v('s')!) : undefined;
  let end: bigint | undefined;
  if (v('e') !== undefined) {
    end = symOrHex(v('e')!);
    if (!end) return [err('invalid ending address: 0')];
  }
  const len = v('l') !== undefined ? evalIntExpr(v('l')!, () => undefined) : undefined;
  const mask = v('m') !== undefined ? hexArg(v('m')!) : 0n;
  const context = v('x') !== undefined ? Number(v('x')) : 0;
  const unit = { ulong: 8, uint: 4, ushort: 2, chars: 1 }[mode] as 1 | 2 | 4 | 8;
  if (mask && mode === 'chars') out.push(err('mask ignored on string search'));
  if (context) {
    if (mode === 'chars') return [...out, err('-x option is not allowed with -c')];
    const max = k.arch.pageSize / unit;
    if (!Number.isInteger(context) || context < 0) return [...out, err(`invalid number: ${v('x')}`)];
    if (context > max) return [...out, err(`context value ${context} is too large: maximum is ${max}`)];
  }

  // the values (or strings) and how each was given
  const spec: SearchSpec = { mode, values: [], mask, strings: [] };
  const labels: string[] = [];
  for (const arg of a.args) {
    if (mode === 'chars') {
      if (arg.length) spec.strings.push(Uint8Array.from(Buffer.from(arg, 'latin1')));
      continue;
    }
    let value: bigint;
    let label = '';
    if (/^\(.*\)$/.test(arg) || /[-+*/%&|^~<>]/.test(arg.replace(/^0x/i, ''))) {
      value = evalIntExpr(arg, (n) => k.symbol(n)?.address, true);
      label = mask ? '' : arg.startsWith('(') ? arg : `(${arg})`;
    } else if (k.symbol(arg)) {
      value = k.symbol(arg)!.address;
      label = mask ? '' : `(${arg})`;
    } else value = hexArg(arg);
    if (mode === 'uint' && value > 0xffffffffn) return [...out, err(`value too large for -w option: ${value.toString(16)} ${label}`)];
    if (mode === 'ushort' && value > 0xffffn) return [...out, err(`value too large for -h option: ${value.toString(16)} ${label}`)];
    spec.values.push(value);
    labels.push(label);
  }
  if (!spec.values.length && !spec.strings.length) return usage();

  let hits: SearchHit[] = [];
  const readUnits = (space: 'k' | 'u' | 'p', root: bigint | undefined) => (addr: bigint, n: number): bigint[] => {
    const words: bigint[] = [];
    for (let i = 0; i < n; i++) {
      try {
        const at = addr + BigInt(i * unit);
        const b = space === 'p' ? k.mem.readPhys(at, unit) : space === 'u' ? k.mem.readUv(at, unit, root!) : k.mem.readKv(at, unit);
        const dv = new DataView(b.buffer, b.byteOffset, unit);
        words.push(unit === 8 ? dv.getBigUint64(0, true) : BigInt(unit === 4 ? dv.getUint32(0, true) : dv.getUint16(0, true)));
      } catch (e) {
        rethrowInterrupt(e);
        break;
      }
    }
    return words;
  };
  let reader = readUnits('k', undefined);
  const onHit = (h: RawHit) => {
    const hit: SearchHit = { addr: h.addr, value: h.value, text: h.text, label: labels[h.index] ?? '' };
    if (context && h.text === undefined) {
      const before = h.addr - BigInt(context * unit);
      hit.before = { addr: before, words: reader(before, context) };
      hit.after = { addr: h.addr + BigInt(unit), words: reader(h.addr + BigInt(unit), context) };
    }
    hits.push(hit);
  };
  const result = (): SearchResult => ({ kind: 'search', unit, hits });
  const run = (s: bigint, e: bigint, xlate: Xlate) => {
    if (s & 7n) {
      s &= ~7n;
      out.push(err(`rounding down start address to: ${s.toString(16)}`));
    }
    scanRange(k, s, e, xlate, new Scanner(spec, onHit), ctx);
  };

  if (stacks) {
    let found = 0;
    for (const tc of taskTable(k)) {
      if (f('T') && !isActive(k, tc.task)) continue;
      const st = taskStack(k, tc);
      if (!st) continue;
      hits = [];
      scanRange(k, st.base, st.top, kernelXlate(ctx), new Scanner(spec, onHit), ctx);
      if (hits.length) out.push({ kind: 'taskheader', header: headerOf(tc), newline: found++ > 0 }, result());
    }
    return out;
  }
  if (memtype === 'p') {
    const ext = physExtent(k);
    start ??= ext.start;
    end = len !== undefined ? start + len : (end ?? ext.end);
    if (end < start) return usage(`ending address ${end.toString(16)} is below starting address ${start.toString(16)}`);
    reader = readUnits('p', undefined);
    run(start, end, physXlate(k, (p) => p, (p) => p));
    return [...out, result()];
  }
  if (memtype === 'u') {
    const tc = currentContext(ctx);
    if (isKernelThread(k, tc) || !tc.mm) return [...out, err('current context has no user address space')];
    const vmas = mmVmas(k, tc.mm);
    const pgd = k.readPtr(tc.mm + BigInt(k.offsetOf('struct mm_struct', 'pgd')), 'mm_struct pgd');
    const root = k.mem.kvtop(pgd);
    start ??= vmas[0]?.start ?? 0n;
    const uEnd = vmas.length ? vmas[vmas.length - 1].end : start;
    end = len !== undefined ? start + len : (end ?? uEnd);
    if (k.arch.isKernelAddr(start)) return usage(`invalid user virtual address: ${start.toString(16)}`);
    if (end < start) return usage(`ending address ${end.toString(16)} is below starting address ${start.toString(16)}`);
    reader = readUnits('u', root);
    run(start, end, userXlate(k, vmas, root));
    return [...out, result()];
  }
  const ranges = kvaddrRanges(k);
  start ??= ranges[0].start;
  end = len !== undefined ? start + len : (end ?? ranges.reduce((m, r) => (r.end > m ? r.end : m), 0n));
  if (!k.arch.isKernelAddr(start)) return usage(`invalid kernel virtual address: ${start.toString(16)}`);
  if (end < start) return usage(`ending address ${end.toString(16)} is below starting address ${start.toString(16)}`);
  for (const r of ranges) {
    if (start >= r.end || end <= r.start) continue;
    if (f('K') && r.type !== 'unity' && r.type !== 'start') continue;
    if (f('V') && (r.type === 'unity' || r.type === 'start')) continue;
    run(start > r.start ? start : r.start, end < r.end ? end : r.end, r.xlate);
  }
  return [...out, result()];
}

/** Kernel virtual addresses anywhere: the linear maps by arithmetic, the rest by the page tables. */
function kernelXlate(ctx: CommandContext): Xlate {
  const k = ctx.kernel;
  const walk = walkXlate(k);
  return (v) => {
    const p = k.arch.linearToPhys(v);
    if (p !== undefined) return { paddr: p, len: BigInt(k.arch.pageSize) - (v % BigInt(k.arch.pageSize)) };
    return walk(v);
  };
}
