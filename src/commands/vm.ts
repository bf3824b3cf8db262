import { defineCommand, flag, withArg, type CommandContext } from './types.js';
import { err, type CommandResult, type StructResult } from './result.js';
import type { ParsedArgs } from './getopt.js';
import type { VmaRow, VmPage } from './proc-results.js';
import { currentContext, headerOf } from './task-context.js';
import { valueView } from './value-view.js';
import { resolveTaskArg, taskMemUsage, type TaskContext } from '../kernel/helpers/task.js';
import { mmVmas } from '../kernel/helpers/vma-walk.js';
import { filePath, type Vma } from '../kernel/helpers/vma.js';
import { arm64SwapEntry, swapDevice, x86SwapEntry } from '../kernel/helpers/swap.js';
import { CrashError } from '../util/errors.js';
import { checkpoint } from '../util/interrupt.js';

export const vm = defineCommand({
  name: 'vm',
  summary: 'virtual memory',
  synopsis: '[-p | -P vma | -v | -m] [-x | -d] [pid | task] ...',
  description: [
    'This command displays basic virtual memory information of a context, consisting of a pointer',
    'to its mm_struct and page directory, its RSS and total virtual memory size; and a list of',
    'pointers to each vm_area_struct, its starting and ending address, vm_flags value, and file',
    'pathname.  The VMAs are found in the mm\'s maple tree (v6.1+) or its mmap list.  If no',
    'arguments are entered, the current context is used.',
  ],
  options: {
    p: flag('translate each virtual page of each VMA to its physical address, or its swap or file location'),
    P: withArg('like -p, for the one VMA at this address'),
    v: flag('dump each vm_area_struct'),
    m: flag('dump the mm_struct'),
    x: flag('override default output format with hexadecimal format'),
    d: flag('override default output format with decimal format'),
  },
  examples: [{ command: 'vm' }, { command: 'vm 1' }, { command: 'vm -p 1' }, { command: 'vm -m 1' }],
  run: (ctx, a) => runVm(ctx, a),
});

export interface VmOptions {
  p: boolean;
  m: boolean;
  v: boolean;
  single?: bigint;
  radix: 10 | 16;
  ref?: string;
}

function runVm(ctx: CommandContext, a: ParsedArgs): CommandResult[] {
  const f = (c: string) => a.flags.has(c);
  if (f('x') && f('d')) return [err('-d and -x are mutually exclusive')];
  if (['p', 'm', 'v', 'P'].filter(f).length > 1) return [err('only one of -p, -P, -m or -v may be given')];
  const P = a.values.get('P')?.[0];
  const opts: VmOptions = { p: f('p'), m: f('m'), v: f('v'), radix: f('x') ? 16 : f('d') ? 10 : ctx.settings.radix };
  if (P !== undefined) {
    if (!/^(0x)?[0-9a-f]+$/i.test(P)) return [err(`invalid address: ${P}`)];
    opts.single = BigInt(P.startsWith('0x') ? P : '0x' + P);
  }
  const out: CommandResult[] = [];
  let n = 0;
  const one = (tc: TaskContext) => {
    out.push({ kind: 'taskheader', header: headerOf(tc), newline: n++ > 0 });
    out.push(...vmResults(ctx, tc, opts));
  };
  try {
    if (!a.args.length) one(currentContext(ctx));
    for (const arg of a.args) {
      try {
        resolveTaskArg(ctx.kernel, arg).tasks.forEach(one);
      } catch (e) {
        if (!(e instanceof CrashError)) throw e;
        out.push(err(`${n++ ? '\n' : ''}invalid task or pid value: ${arg}`));
      }
    }
  } catch (e) {
    if (e instanceof CrashError) return [...out, err(e.message)];
    throw e;
  }
  return out;
}

/** vm_area_dump() of one task, without its task header (vm and foreach vm). */
export function vmResults(ctx: CommandContext, tc: TaskContext, o: VmOptions): CommandResult[] {
  const k = ctx.kernel;
  const out: CommandResult[] = [];
  const mm = tc.mm;
  const pgd = mm ? k.readPtr(mm + BigInt(k.offsetOf('struct mm_struct', 'pgd')), 'mm_struct pgd') : 0n;
  const use = taskMemUsage(k, tc);
  const kb = (pages: bigint) => (pages * BigInt(k.arch.pageSize)) / 1024n;
  if (!o.m && !o.v && o.single === undefined) out.push({ kind: 'vm-data', mm, pgd, rssK: kb(use.rss), totalVmK: kb(use.totalVm) });
  if (!mm) return out;
  const view = valueView(ctx, o.radix);
  const struct = (type: string, addr: bigint): StructResult => {
    const t = k.type(type);
    return { kind: 'struct', keyword: 'struct', type: t, objects: [{ addr, bytes: k.readBytes(addr, k.types.sizeof(t), 'gdb request') }], view };
  };
  if (o.m) return [...out, struct('struct mm_struct', mm)];
  const vmas = mmVmas(k, mm);
  if (o.v) return [...out, ...vmas.map((v) => struct('struct vm_area_struct', v.addr))];
  const rows: VmaRow[] = [];
  const root = pgd ? k.mem.kvtop(pgd) : undefined;
  const phys = o.p || o.single !== undefined;
  for (const v of vmas) {
    if (o.single !== undefined && v.addr !== o.single) continue;
    const row: VmaRow = { vma: v.addr, start: v.start, end: v.end, flags: v.flags, file: v.file ? filePath(k, v.file) : '' };
    if (phys && root !== undefined && mm !== initMm(ctx)) row.pages = vmaPages(ctx, v, root, row.file);
    else if (phys) row.pages = [];
    rows.push(row);
  }
  out.push({ kind: 'vma-table', rows, phys });
  if (o.single !== undefined && !rows.length) out.push({ kind: 'lines', lines: ['(not found)'] });
  return out;
}

const initMm = (ctx: CommandContext) => ctx.kernel.symbol('init_mm')?.address;

/** vm_area_page_dump(): each page's physical address, else its swap entry or file offset. */
function vmaPages(ctx: CommandContext, v: Vma, root: bigint, file: string): VmPage[] {
  const k = ctx.kernel;
  const ps = BigInt(k.arch.pageSize);
  const pages: VmPage[] = [];
  const total = Number((v.end - v.start) / ps);
  const pgoffOff = k.memberByteOffset('struct vm_area_struct', 'vm_pgoff');
  const pgoff = pgoffOff === undefined ? 0n : k.readU64(v.addr + BigInt(pgoffOff), 'vm_area_struct vm_pgoff');
  let i = 0;
  for (let va = v.start; va < v.end && i < 1 << 24; va += ps, i++) {
    if ((i & 1023) === 0) checkpoint(ctx, i, total, 'pages');
    const page: VmPage = { vaddr: va };
    let walk;
    try {
      walk = k.arch.walk(va, root);
    } catch {
      walk = undefined;
    }
    if (walk?.paddr !== undefined) page.paddr = walk.paddr;
    else {
      const last = walk?.steps[walk.steps.length - 1];
      if (last && last.level === 'PTE' && last.value && k.hasSymbol('nr_swapfiles') && k.hasSymbol('swap_info')) {
        const s = k.arch.name === 'x86_64' ? x86SwapEntry(last.value) : arm64SwapEntry(last.value);
        page.swap = `${swapDevice(k, s.type)}  OFFSET: ${s.offset}`;
      } else if (file) {
        const off = (((va - v.start) >> BigInt(k.arch.pageShift)) + pgoff) << BigInt(k.arch.pageShift);
        page.file = `${file}  OFFSET: ${off.toString(16)}`;
      }
    }
    pages.push(page);
  }
  return pages;
}
