import { defineCommand, flag, withArg, type CommandContext } from '../types.js';
import { err, lines, type CommandResult } from '../result.js';
import { shortUsage } from '../help.js';
import { UsageError, type ParsedArgs } from '../getopt.js';
import { isHexToken } from '../int-expr.js';
import { kmemInfo } from './meminfo.js';
import { kmemAllPages, kmemPagesFor } from './pages.js';

/**
 * `kmem` (memory.c cmd_kmem): one option selects one report; each report lives in its own
 * module (meminfo.ts: -i, pages.ts: -p; slab caches -s/-S and `kmem <address>` in slab.ts).
 */
export const kmem = defineCommand({
  name: 'kmem',
  summary: 'kernel memory',
  synopsis:
    '[-f|-F|-c|-C|-i|-v|-V|-n|-z|-o|-h] [-p | -m member[,member]]\n       [[-s|-S|-S=cpu[s]|-r] [slab] [-I slab[,slab]]] [-g [flags]] [[-P] address]]',
  description: [
    'This command displays information about the use of kernel memory.',
    '',
    '       -i  displays general memory usage information',
    '       -p  displays basic information about each page structure in the system',
    '           mem_map[] array, made up of the page struct address, its associated',
    '           physical address, the page.mapping, page.index, page._count and',
    '           page.flags fields.',
    '       -e  (crash-tui) with -p: add a line saying what each page is (compound',
    '           head or tail, slab, buddy, page cache, anonymous, reserved).',
    '       -P  declares that the following address argument is a physical address.',
    '  address  when used with -p, the address can be either a page pointer, a',
    '           physical address, or a kernel virtual address; its basic mem_map',
    '           page information is displayed.',
  ],
  options: {
    f: flag('free pages'),
    F: flag('free pages, verbose'),
    c: flag('page cache hash table'),
    C: flag('page cache hash table, verbose'),
    i: flag('general memory usage information'),
    v: flag('vmalloc areas'),
    V: flag('vm_stat counters'),
    n: flag('memory nodes and sections'),
    z: flag('per-zone statistics'),
    o: flag('per-cpu offsets'),
    h: flag('hugepage hstates'),
    p: flag('mem_map page structures'),
    m: withArg('page structure members to show'),
    s: flag('slab caches'),
    S: flag('slab caches, verbose'),
    r: flag('root slab caches'),
    I: withArg('slab caches to ignore'),
    g: flag('translate page flags'),
    P: flag('the address is physical'),
    e: flag('with -p: explain each page (crash-tui)'),
    l: withArg('page lists'),
    L: withArg('page lists, verbose'),
  },
  examples: [{ command: 'kmem -i' }, { command: 'kmem -p 1000' }, { command: 'kmem -p -e ffffec1980048400' }],
  run: (ctx, a) => runKmem(ctx, a),
});

const REPORTS = ['s', 'S', 'p', 'f', 'F', 'V', 'o', 'v', 'C', 'c', 'i', 'l', 'L', 'g', 'h', 'r'] as const;

function runKmem(ctx: CommandContext, a: ParsedArgs): CommandResult[] {
  const k = ctx.kernel;
  const has = (c: string) => a.flags.has(c) || a.values.has(c);
  const chosen = REPORTS.filter(has).length + (has('m') && !has('p') ? 1 : 0);
  if (chosen > 1) throw new UsageError('only one flag allowed!');
  const addrs: bigint[] = [];
  for (const w of a.args) {
    const v = isHexToken(w) ? BigInt('0x' + w.replace(/^0x/i, '')) : undefined;
    if (v === undefined) return [err(`invalid address: ${w}`)];
    addrs.push(v);
  }
  if (has('i')) {
    if (addrs.length) throw new UsageError('no address arguments allowed with this option');
    return [kmemInfo(k)];
  }
  if (has('p')) return [addrs.length ? kmemPagesFor(k, addrs, has('P'), has('e')) : kmemAllPages(k, has('e'))];
  const which = REPORTS.find(has) ?? (has('m') ? 'm' : undefined);
  // memory.c cmd_kmem(): no report and no address is a usage message, nothing else
  if (!which && !addrs.length) return [lines(shortUsage(kmem))];
  return [err(`${which ? '-' + which : '<address>'}: not supported yet`)];
}
