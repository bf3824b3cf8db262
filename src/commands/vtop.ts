import { defineCommand, flag, withArg, type CommandContext } from './types.js';
import { err, type CommandResult } from './result.js';
import { UsageError, type ParsedArgs } from './getopt.js';
import type { VtopEntry, VtopResult } from './memory-results.js';
import type { Kernel } from '../kernel/kernel.js';
import { resolveAddress } from './address-arg.js';
import { activeTask } from '../kernel/helpers/context.js';
import { allTasks } from '../kernel/helpers/sched.js';
import { findVma, filePath, taskMm } from '../kernel/helpers/vma.js';
import { arm64SwapEntry, swapDevice, x86SwapEntry } from '../kernel/helpers/swap.js';
import { describeWalk } from './vtop-walk.js';
import { pageRowForPhys, physColumnWidth } from './kmem/pages.js';
import { explainMapping } from './vtop-explain.js';
import { CrashError } from '../util/errors.js';

export const vtop = defineCommand({
  name: 'vtop',
  summary: 'virtual to physical',
  synopsis: '[-c [pid | taskp]] [-u|-k] address ...',
  description: [
    'This command translates a user or kernel virtual address to its physical address.',
    'Also displayed is the PTE translation, the vm_area_struct data for user virtual',
    'addresses, and the mem_map page data associated with the physical page.',
    '',
    '    -u  the address is a user virtual address in the current context.',
    '    -k  the address is a kernel virtual address.',
    '    -c  translate in the context of a task: a PID or a task_struct address.',
    '    -e  (crash-tui) add one line saying what the mapping and the page are.',
  ],
  options: {
    u: flag('user virtual address'),
    k: flag('kernel virtual address'),
    c: withArg('pid or task_struct address'),
    e: flag('explain the mapping and the page (crash-tui)'),
  },
  examples: [{ command: 'vtop ffffffff81000000' }, { command: 'vtop -c 1 7ffd5c3e1000' }, { command: 'vtop -e ffff8b3e81210000' }],
  run: (ctx, a) => runVtop(ctx, a),
});

function runVtop(ctx: CommandContext, a: ParsedArgs): CommandResult[] {
  const k = ctx.kernel;
  if (!a.args.length) throw new UsageError('address required');
  if (a.flags.has('u') && a.flags.has('k')) return [err('-u and -k options are mutually exclusive')];
  const spec = a.values.get('c')?.[0];
  const task = spec !== undefined ? findTask(k, spec) : activeTask(k, ctx.currentCpu);
  if (spec !== undefined && task === undefined) return [err(`invalid task or pid value: ${spec}`)];
  const r: VtopResult = { kind: 'vtop', entries: [] };
  const out: CommandResult[] = [r];
  const state = { headerShown: false };
  for (const w of a.args) {
    const vaddr = resolveAddress(ctx, w);
    if (vaddr === undefined) return [...out, err(`invalid address: ${w}`)];
    let user = a.flags.has('u');
    if (!user && !a.flags.has('k')) {
      const isUser = vaddr < userTop(k);
      if (isUser === k.arch.isKernelAddr(vaddr)) return [...out, err(`ambiguous address: ${vaddr.toString(16)}  (requires -u or -k)`)];
      user = isUser;
    }
    r.entries.push(user ? userEntry(k, vaddr, task, a.flags.has('e'), state) : kernelEntry(k, vaddr, a.flags.has('e'), state));
  }
  return out;
}

/** USERSPACE_TOP: x86_64 47 or 56 bits (LA57); arm64 user space lies below the kernel half. */
function userTop(k: Kernel): bigint {
  if (k.arch.name === 'x86_64') return k.vmcoreinfo.number('pgtable_l5_enabled') === 1n ? 1n << 56n : 1n << 47n;
  return 1n << 52n;
}

/** crash str_to_context(): a decimal PID first, then a task_struct address. */
function findTask(k: Kernel, spec: string): bigint | undefined {
  const tasks = allTasks(k);
  if (/^\d+$/.test(spec)) {
    const off = BigInt(k.offsetOf('struct task_struct', 'pid'));
    const pid = Number(spec);
    const hit = tasks.find((t) => k.readS32(t + off, 'task_struct pid') === pid);
    if (hit !== undefined) return hit;
  }
  if (/^(0x)?[0-9a-f]+$/i.test(spec)) {
    const addr = BigInt('0x' + spec.replace(/^0x/i, ''));
    if (tasks.includes(addr)) return addr;
  }
  return undefined;
}

function newEntry(k: Kernel, vaddr: bigint, vWidth: number): VtopEntry {
  return { vaddr, vWidth, steps: [], pageHeader: false, physWidth: physColumnWidth(k) };
}

function kernelEntry(k: Kernel, vaddr: bigint, explain: boolean, state: { headerShown: boolean }): VtopEntry {
  const e = newEntry(k, vaddr, 16);
  if (!k.arch.isKernelAddr(vaddr)) {
    e.status = 'not a kernel virtual address';
    return e;
  }
  const pgdName = k.arch.name === 'x86_64' ? (k.hasSymbol('init_top_pgt') ? 'init_top_pgt' : 'init_level4_pgt') : 'swapper_pg_dir';
  const pgdVirt = k.symbol(pgdName)?.address ?? k.arch.physToDirect(k.arch.kernelRoot);
  let view;
  try {
    view = describeWalk(k.arch, vaddr, { kernel: true, pgdVirt });
  } catch (x) {
    throw new CrashError(`page table walk failed: ${(x as Error).message}`);
  }
  // crash x86_64_kvtop/arm64_kvtop: linear addresses translate arithmetically, then walk anyway
  e.paddr = k.arch.linearToPhys(vaddr) ?? view.paddr;
  Object.assign(e, { pgdDirectory: view.pgdDirectory, pageDirectory: view.pageDirectory, steps: view.steps, page: view.page });
  if (view.pte) e.pte = { ...view.pte, ...(view.pte.present ? {} : { swap: swapOf(k, view.pte.value) }) };
  finish(k, e, view, explain, state);
  return e;
}

function userEntry(k: Kernel, vaddr: bigint, task: bigint | undefined, explain: boolean, state: { headerShown: boolean }): VtopEntry {
  const e = newEntry(k, vaddr, 10);
  if (task === undefined) throw new CrashError('no current user process');
  const mm = taskMm(k, task);
  const vma = mm ? findVma(k, mm, vaddr) : undefined;
  if (!vma) {
    e.status = 'not accessible';
    return e;
  }
  const pgdVirt = k.readPtr(mm + BigInt(k.offsetOf('struct mm_struct', 'pgd')), 'mm_struct pgd');
  const view = describeWalk(k.arch, vaddr, { kernel: false, pgdVirt, root: k.mem.kvtop(pgdVirt) });
  e.paddr = view.paddr;
  Object.assign(e, { pageDirectory: k.arch.name === 'arm64' ? view.pageDirectory : undefined, steps: view.steps, page: view.page });
  if (view.pte) e.pte = { ...view.pte, ...(view.pte.present ? {} : { swap: swapOf(k, view.pte.value) }) };
  e.vma = { addr: vma.addr, start: vma.start, end: vma.end, flags: vma.flags, file: vma.file ? filePath(k, vma.file) : '' };
  if (e.paddr === undefined) {
    if (e.pte?.swap) e.location = `SWAP: ${e.pte.swap.device}  OFFSET: ${e.pte.swap.offset}`;
    else if (vma.file) {
      const off = (((vaddr - vma.start) >> BigInt(k.arch.pageShift)) + pgoff(k, vma.addr)) << BigInt(k.arch.pageShift);
      e.location = `FILE: ${e.vma.file}  OFFSET: ${off.toString(16)}`;
    }
  }
  finish(k, e, view, explain, state);
  return e;
}

function pgoff(k: Kernel, vma: bigint): bigint {
  const off = k.memberByteOffset('struct vm_area_struct', 'vm_pgoff');
  return off === undefined ? 0n : k.readU64(vma + BigInt(off), 'vm_area_struct vm_pgoff');
}

function swapOf(k: Kernel, pte: bigint): { device: string; offset: bigint } {
  const s = k.arch.name === 'x86_64' ? x86SwapEntry(pte) : arm64SwapEntry(pte);
  return { device: swapDevice(k, s.type), offset: s.offset };
}

/** The kmem -p row of the page (header once per command, as crash's HEADER_PRINTED), and -e. */
function finish(k: Kernel, e: VtopEntry, view: ReturnType<typeof describeWalk>, explain: boolean, state: { headerShown: boolean }): void {
  if (e.paddr !== undefined) {
    e.pageRow = pageRowForPhys(k, e.paddr, explain);
    if (e.pageRow && !state.headerShown) e.pageHeader = state.headerShown = true;
  }
  if (explain) {
    const pageText = e.pageRow?.explanation;
    if (e.pageRow) e.pageRow = { ...e.pageRow, explanation: undefined };
    e.explanation = explainMapping(k.arch.name, e, view) + (pageText ? `; ${pageText}` : '');
  }
}
