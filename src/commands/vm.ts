import { defineCommand, flag, withArg, type CommandContext } from './types.js';
import { err, lines, type CommandResult, type StructResult } from './result.js';
import { shortUsage } from './help.js';
import type { ParsedArgs } from './getopt.js';
import type { VmDataResult, VmaRow } from './proc-results.js';
import { currentContext, headerOf } from './task-context.js';
import { valueView } from './value-view.js';
import { resolveTaskArg, taskMemUsage, type TaskContext } from '../kernel/helpers/task.js';
import { mmVmas } from '../kernel/helpers/vma-walk.js';
import { filePath } from '../kernel/helpers/vma.js';
import { CrashError } from '../util/errors.js';
import { initMm, vmaPages } from './vm-pages.js';
import { vmRefResults } from './vm-ref.js';

export const vm = defineCommand({
  name: 'vm',
  summary: 'virtual memory',
  synopsis: '[-p | -P vma | -v | -m] [-R reference] [-x | -d] [pid | task] ...',
  description: [
    'This command displays basic virtual memory information of a context, consisting of a pointer',
    'to its mm_struct and page directory, its RSS and total virtual memory size; and a list of',
    'pointers to each vm_area_struct, its starting and ending address, vm_flags value, and file',
    'pathname.  The VMAs are found in the mm\'s maple tree (v6.1+) or its mmap list.  If no',
    'arguments are entered, the current context is used.',
    'With -R only what leads to the reference is shown: a number as the mm_struct or pgd address,',
    'a vm_area_struct address, a vm_flags value, a virtual or physical page address or a file',
    'offset (hex), or a swap offset (decimal); any string as part of a file or swap device name.',
  ],
  options: {
    p: flag('translate each virtual page of each VMA to its physical address, or its swap or file location'),
    P: withArg('like -p, for the one VMA at this address'),
    v: flag('dump each vm_area_struct'),
    m: flag('dump the mm_struct'),
    R: withArg('search for references to this number, address or file name'),
    x: flag('override default output format with hexadecimal format'),
    d: flag('override default output format with decimal format'),
  },
  examples: [{ command: 'vm' }, { command: 'vm 1' }, { command: 'vm -p 1' }, { command: 'vm -m 1' }, { command: 'vm -R libc 1' }],
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
  const R = a.values.get('R') ?? [];
  // memory.c cmd_vm: one -R, with or without -p only
  if (R.length > 1) return [err('only one -R option allowed'), lines(shortUsage(vm))];
  if (R.length && (f('m') || f('v') || f('P'))) return [lines(shortUsage(vm))];
  const P = a.values.get('P')?.[0];
  const opts: VmOptions = { p: f('p'), m: f('m'), v: f('v'), radix: f('x') ? 16 : f('d') ? 10 : ctx.settings.radix, ref: R[0] };
  if (P !== undefined) {
    if (!/^(0x)?[0-9a-f]+$/i.test(P)) return [err(`invalid address: ${P}`)];
    opts.single = BigInt(P.startsWith('0x') ? P : '0x' + P);
  }
  const out: CommandResult[] = [];
  let n = 0;
  const one = (tc: TaskContext) => {
    // with -R vm_area_dump prints the header itself, when something matched
    if (opts.ref === undefined) out.push({ kind: 'taskheader', header: headerOf(tc), newline: n++ > 0 });
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
  const data: VmDataResult = { kind: 'vm-data', mm, pgd, rssK: kb(use.rss), totalVmK: kb(use.totalVm) };
  if (o.ref !== undefined) return vmRefResults(ctx, tc, data, o.ref);
  if (!o.m && !o.v && o.single === undefined) out.push(data);
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
