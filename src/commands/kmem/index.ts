import { defineCommand, flag, withArg, type CommandContext } from '../types.js';
import { err, lines, type CommandResult } from '../result.js';
import { shortUsage } from '../help.js';
import { UsageError, type ParsedArgs } from '../getopt.js';
import { isHexToken } from '../int-expr.js';
import { kmemInfo } from './meminfo.js';
import { kmemAllPages, kmemMemberPages, kmemPagesFor } from './pages.js';
import { collectPageMembers } from './page-members.js';
import { kmemSlabs } from './slab.js';
import { kmemSearch } from './search.js';
import { kmemFree, kmemFreeAddr } from './free.js';
import { kmemVmalloc } from './vmalloc.js';
import { kmemVmStat, kmemZones } from './vmstat.js';
import { kmemNodes } from './nodes.js';
import { kmemHstates, kmemPageFlags, kmemPageHash, kmemPageLists, kmemPerCpuOffsets } from './misc.js';
import { parseCpuSpec } from '../cpuspec.js';
import { slabCpus } from '../../kernel/helpers/slab-walk.js';

/**
 * `kmem` (memory.c cmd_kmem): one option selects one report; each report lives in its own
 * module (meminfo.ts: -i, pages.ts: -p, slab.ts: the slab caches of -s/-S, search.ts: `kmem <address>`).
 */
export const kmem = defineCommand({
  name: 'kmem',
  summary: 'kernel memory',
  synopsis:
    '[-f|-F|-c|-C|-i|-v|-V|-n|-z|-o|-h] [-p | -m member[,member]]\n       [[-s|-S|-S=cpu[s]|-r] [slab] [-I slab[,slab]]] [-g [flags]] [[-P] address]]',
  description: [
    'This command displays information about the use of kernel memory.',
    '',
    '       -f  displays the contents of the system free memory headers.',
    '           also verifies that the page count equals nr_free_pages.',
    '       -F  same as -f, but also dumps all pages linked to that header.',
    '       -c  walks through the page_hash_table and verifies page_cache_size.',
    '       -C  same as -c, but also dumps all pages in the page_hash_table.',
    '       -v  displays the mapped virtual memory regions allocated by vmalloc().',
    '       -V  displays the kernel vm_stat table if it exists, or in more recent',
    '           kernels, the vm_zone_stat, vm_node_stat and vm_numa_stat tables,',
    '           and the cumulative vm_event_states counter values.',
    '       -n  display memory node, memory section, memory block data and state;',
    '           the state of each memory section is shown as the following flags:',
    '             "P": SECTION_MARKED_PRESENT',
    '             "M": SECTION_HAS_MEM_MAP',
    '             "O": SECTION_IS_ONLINE',
    '             "E": SECTION_IS_EARLY',
    '             "D": SECTION_TAINT_ZONE_DEVICE',
    '       -z  displays per-zone memory statistics.',
    '       -o  displays each cpu\'s offset value that is added to per-cpu symbol',
    '           values to translate them into kernel virtual addresses.',
    '       -h  display the address of hugepage hstate array entries, along with',
    '           their hugepage size, total and free counts, and name.',
    '       -g  displays the enumerator value of all bits in the page structure\'s',
    '           "flags" field.',
    '    flags  when used with -g, translates all bits in this hexadecimal page',
    '           structure flags value into its enumerator values.',
    '       -i  displays general memory usage information',
    '       -p  displays basic information about each page structure in the system',
    '           mem_map[] array, made up of the page struct address, its associated',
    '           physical address, the page.mapping, page.index, page._count and',
    '           page.flags fields.',
    ' -m member  similar to -p, but displays page structure contents specified by',
    '           a comma-separated list of one or more struct page members.  The',
    '           "flags" member is always shown in hexadecimal, "_count" and',
    '           "_mapcount" in decimal; other integers in the output radix, and',
    '           pointers and data structures in hexadecimal.  A member of a data',
    '           structure may be named too: "-m lru" shows list_head.next and',
    '           list_head.prev, "-m lru.next" only the next pointer.',
    '       -s  displays basic kmalloc() slab data.',
    '       -S  displays all kmalloc() slab data, including all slab objects,',
    '           and whether each object is in use or is free.  If CONFIG_SLUB,',
    '           slab data for each per-cpu slab is displayed, along with the',
    '           address of each kmem_cache_node, its count of full and partial',
    '           slabs, and a list of all tracked slabs.',
    '  -S=cpu[s] with CONFIG_SLUB: only the per-cpu slab data of these cpus.',
    '     slab  when used with -s or -S, limits the command to only the slab cache',
    '           of name "slab".  If the slab argument is "list", then all slab',
    '           cache names and addresses are listed.',
    '   -I slab when used with -s or -S, one or more slab cache names in a',
    '           comma-separated list may be specified as slab caches to ignore.',
    '       -e  (crash-tui) with -p: add a line saying what each page is (compound',
    '           head or tail, slab, buddy, page cache, anonymous, reserved); with',
    '           an address: also say which object of its slab it is.',
    '       -P  declares that the following address argument is a physical address.',
    '  address  when used without any flag, the address can be a kernel virtual,',
    '           or physical address; a search is made through the symbol table,',
    '           the kmalloc() slab subsystem, the free list, the page_hash_table,',
    '           the vmalloc() region subsystem, the current set of task_structs',
    '           and kernel stacks, and the mem_map array. If found in any of',
    '           those areas, the information will be dumped in the same manner as',
    '           if the location-specific flags were used; if contained within a',
    '           current task_struct or kernel stack, that task\'s context will be',
    '           displayed.',
    '           When used with -s or -S, the address is a kmem_cache or an object',
    '           address: the slab data of that cache, or of the slab holding it.',
    '           When used with -p, the address can be either a page pointer, a',
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
    S: { optionalArg: true, help: 'slab caches, verbose (-S=cpus: only those cpus)' },
    r: flag('root slab caches'),
    I: withArg('slab caches to ignore'),
    g: flag('translate page flags'),
    P: flag('the address is physical'),
    e: flag('with -p: explain each page (crash-tui)'),
    l: withArg('page lists'),
    L: withArg('page lists, verbose'),
  },
  examples: [
    { command: 'kmem -i' },
    { command: 'kmem -p 1000' },
    { command: 'kmem -m flags,_refcount,lru 1210000' },
    { command: 'kmem -p -e ffffec1980048400' },
    { command: 'kmem -s' },
    { command: 'kmem -S dentry' },
    { command: 'kmem ffff8b3e81210000' },
    { command: 'kmem -f' },
    { command: 'kmem -v' },
    { command: 'kmem -g 10200' },
  ],
  run: (ctx, a) => runKmem(ctx, a),
});

/** -l/-L: the active, inactive, inactive-clean and inactive-dirty lists */
const LISTS = ['a', 'i', 'ic', 'id'];

const REPORTS = ['s', 'S', 'p', 'f', 'F', 'V', 'o', 'v', 'C', 'c', 'i', 'l', 'L', 'g', 'h', 'r'] as const;

function runKmem(ctx: CommandContext, a: ParsedArgs): CommandResult[] {
  const k = ctx.kernel;
  const has = (c: string) => a.flags.has(c) || a.values.has(c);
  // memory.c cmd_kmem checks each -m list as getopt meets it, before anything else
  for (const list of a.values.get('m') ?? []) collectPageMembers(k, list);
  const chosen = REPORTS.filter(has).length + (has('m') && !has('p') ? 1 : 0);
  if (chosen > 1) throw new UsageError('only one flag allowed!');
  const addrs: bigint[] = [];
  let name: string | undefined;
  let listOnly = false;
  for (const w of a.args) {
    const v = isHexToken(w) ? BigInt('0x' + w.replace(/^0x/i, '')) : undefined;
    if (v !== undefined) addrs.push(v);
    // memory.c cmd_kmem: a word that is not hexadecimal names a cache for -s/-S, else the usage
    else if (!has('s') && !has('S')) return [lines(shortUsage(kmem))];
    else if (name !== undefined) return [err('only one kmem_cache reference is allowed')];
    // memory.c cmd_kmem: `list` lists the caches; a leading backslash escapes a cache so named
    else if (w === 'list') listOnly = true;
    else name = w.startsWith('\\') ? w.slice(1) : w;
  }
  // memory.c cmd_kmem: these reports take no address
  if (addrs.length && ['z', 'n', 'i', 'F', 'C', 'L', 'V', 'o', 'h', 'r'].some(has)) throw new UsageError('no address arguments allowed with this option');
  const listArg = (c: string) => a.values.get(c)?.[0];
  if ((has('l') && !LISTS.includes(listArg('l')!)) || (has('L') && !LISTS.includes(listArg('L')!))) return [lines(shortUsage(kmem))];
  if (has('i')) return [kmemInfo(k, ctx)];
  // memory.c cmd_kmem: -m implies -p, the last -m list wins
  const memberList = a.values.get('m')?.at(-1);
  if (memberList !== undefined) return kmemMemberPages(k, memberList, addrs, has('P'), ctx.settings.radix, ctx);
  if (has('p')) return [addrs.length ? kmemPagesFor(k, addrs, has('P'), has('e')) : kmemAllPages(k, has('e'), ctx)];
  if (has('s') || has('S')) {
    const spec = a.values.get('S')?.[0];
    if (spec !== undefined && !spec.startsWith('=')) throw new UsageError('CPU-specific slab data to be displayed must be written as expected only e.g. -S=1,45.');
    const cpus = spec !== undefined ? parseCpuSpec(spec.slice(1), slabCpus(k), 0) : undefined;
    const ignore = (a.values.get('I') ?? []).flatMap((v) => v.split(/[,\s]+/)).filter(Boolean);
    const q = { verbose: has('S'), name, listOnly, ignore, cpus, explain: has('e') };
    if (!addrs.length) return [kmemSlabs(k, q, ctx)];
    // a physical address (-P, or not a kernel address) is looked at through the direct map
    const direct = (addr: bigint) => (has('P') || !k.arch.isKernelAddr(addr) ? k.arch.physToDirect(addr) : addr);
    return addrs.flatMap((addr, i) => [...(i ? [lines([''])] : []), kmemSlabs(k, { ...q, addr: direct(addr) }, ctx)]);
  }
  // memory.c cmd_kmem: without -P, an address that is not a kernel virtual address is physical
  const physical = (addr: bigint) => has('P') || !k.arch.isKernelAddr(addr);
  const perAddr = (f: (addr: bigint) => CommandResult[]) => addrs.flatMap((addr, i) => [...(i ? [lines([''])] : []), ...f(addr)]);
  if (!REPORTS.some(has) && !has('n') && !has('z') && addrs.length) return perAddr((addr) => kmemSearch(ctx, addr, physical(addr), has('e')));
  if (!REPORTS.some(has) && !has('n') && !has('z')) return [lines(shortUsage(kmem))];
  if (addrs.length) {
    if (has('f')) return perAddr((addr) => kmemFreeAddr(k, addr, physical(addr)));
    if (has('v')) return kmemVmalloc(k, addrs, physical);
    if (has('c')) return kmemPageHash(k, false);
    if (has('l')) return kmemPageLists(k, listArg('l')!);
    if (has('g')) return perAddr((addr) => kmemPageFlags(k, addr));
  }
  // memory.c cmd_kmem: the reports without an address, in crash's order
  const out: CommandResult[] = [];
  const steps: [string, () => CommandResult[]][] = [
    ['f', () => kmemFree(k, false)],
    ['F', () => kmemFree(k, true)],
    ['h', () => kmemHstates(k)],
    ['v', () => kmemVmalloc(k)],
    ['C', () => kmemPageHash(k, true)],
    ['c', () => kmemPageHash(k, false)],
    ['n', () => kmemNodes(k, ctx.settings.radix)],
    ['z', () => kmemZones(k)],
    ['l', () => kmemPageLists(k, listArg('l')!)],
    ['L', () => kmemPageLists(k, listArg('L')!)],
    ['V', () => kmemVmStat(k)],
    ['o', () => kmemPerCpuOffsets(k)],
    ['g', () => kmemPageFlags(k)],
  ];
  for (const [c, run] of steps) {
    if (!has(c)) continue;
    const r = run();
    out.push(...r);
    // crash's FATAL errors end the command
    if (r.some((x) => x.kind === 'error')) break;
  }
  if (has('r')) out.push(err('-r option not supported or applicable on this architecture or kernel'));
  return out;
}
