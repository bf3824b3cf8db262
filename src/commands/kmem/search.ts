import type { CommandContext } from '../types.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { KmemFreePageResult } from './slab-results.js';
import { err, lines, type CommandResult } from '../result.js';
import { kmemSlabs } from './slab.js';
import { kmemPagesFor } from './pages.js';
import { contextResult } from '../task-context.js';
import { slubLayout } from '../../kernel/helpers/slab.js';
import { addrToSlab, slabOfPage } from '../../kernel/helpers/slab-walk.js';
import { freeBlockContaining, zoneSummary } from '../../kernel/helpers/buddy.js';
import { isVmallocAddr, vmapAreaContaining } from '../../kernel/helpers/vmalloc.js';
import { memoryNodes } from '../../kernel/helpers/mm.js';
import { pageToPfn, pfnToPage, physToPfn, physToPage } from '../../kernel/helpers/mm-page.js';
import { taskTable, type TaskContext } from '../../kernel/helpers/task.js';
import { taskStack } from '../../kernel/helpers/stack.js';
import { moduleSymbolAt } from '../../kernel/helpers/module.js';

/**
 * `kmem <address>` (memory.c kmem_search): everything crash knows about an address, in its
 * order — the symbol, the vmalloc area (then its physical page), the slab object, the free block,
 * the task whose task_struct or stack holds it, and the page's mem_map line.
 */
export function kmemSearch(ctx: CommandContext, addr: bigint, physical: boolean, explain: boolean): CommandResult[] {
  const k = ctx.kernel;
  const out: CommandResult[] = [];
  const blank = () => out.push(lines(['']));
  // PHYSADDR: its direct-map address when it has a page (crash: below high_memory)
  const vaddr = physical ? (physToPage(k, addr) !== undefined ? k.arch.physToDirect(addr) : undefined) : addr;

  if (vaddr !== undefined) {
    const s = symbolAt(k, vaddr);
    if (s) {
      out.push({ kind: 'sym', radix: ctx.settings.radix, lines: [s] });
      blank();
    }
  }
  if (!physical && isVmallocAddr(k, addr)) {
    const tc = stackOwner(k, addr);
    if (tc) {
      out.push(contextResult(k, tc));
      blank();
    }
    let paddr: bigint | undefined;
    try {
      paddr = k.mem.kvtop(addr);
    } catch {
      paddr = undefined;
    }
    const area = paddr !== undefined ? safe(() => vmapAreaContaining(k, addr)) : undefined;
    if (area && paddr !== undefined) {
      out.push({ kind: 'kmem-vmap', ...area });
      blank();
      return [...out, ...memMap(k, paddr, true, explain)];
    }
  }
  if (vaddr !== undefined && slubLayout(k)) {
    const hit = addrToSlab(k, vaddr);
    if ('warning' in hit && hit.warning) out.push({ kind: 'warning', message: hit.warning });
    if ('cache' in hit) {
      out.push(kmemSlabs(k, { verbose: false, ignore: [], addr: vaddr, explain }));
      blank();
    }
    if (slabOfPage(k, vaddr, false)) {
      out.push(kmemSlabs(k, { verbose: false, ignore: [], addr: vaddr, explain }));
      blank();
    }
  }
  const free = freePage(k, addr, physical);
  if (free) {
    out.push(free);
    blank();
  }
  if (vaddr !== undefined) {
    const tc = taskStructOwner(k, vaddr) ?? stackOwner(k, vaddr);
    if (tc) {
      out.push(contextResult(k, tc));
      blank();
    }
  }
  if (vaddr === undefined) return [...out, err(`${addr.toString(16)}: physical address not found in mem map`, true)];
  return [...out, ...memMap(k, addr, physical, explain)];
}

function memMap(k: Kernel, addr: bigint, physical: boolean, explain: boolean): CommandResult[] {
  const r = kmemPagesFor(k, [addr], physical, explain);
  if (r.rows.length) return [r];
  return [err(`${addr.toString(16)}: ${physical ? 'physical' : 'kernel virtual'} address not found in mem map`, true)];
}

/** Kernel text/data (_stext.._end) or a module: the `sym` line. */
function symbolAt(k: Kernel, vaddr: bigint) {
  const lo = k.symbol('_stext')?.address ?? k.symbol('_text')?.address;
  const hi = k.symbol('_end')?.address;
  if (lo !== undefined && hi !== undefined && vaddr >= lo && vaddr <= hi) {
    const hit = k.symbols.containing(vaddr);
    if (hit) return { address: vaddr, type: hit.sym.type, name: hit.sym.name, offset: hit.offset || undefined };
  }
  const l = k.arch.layout;
  if (vaddr >= l.modulesStart && vaddr < l.modulesEnd) {
    const m = safe(() => moduleSymbolAt(k, vaddr));
    if (m) return { address: vaddr, type: m.sym.type, name: m.sym.name, offset: m.offset || undefined, module: m.module };
  }
  return undefined;
}

/** crash vaddr_in_task_struct(): the task whose task_struct holds the address. */
function taskStructOwner(k: Kernel, vaddr: bigint): TaskContext | undefined {
  const size = BigInt(k.sizeOf('struct task_struct'));
  return taskTable(k).find((t) => vaddr >= t.task && vaddr < t.task + size);
}

/** crash stkptr_to_task(): the task whose kernel stack holds the address. */
function stackOwner(k: Kernel, vaddr: bigint): TaskContext | undefined {
  return taskTable(k).find((t) => {
    const s = taskStack(k, t);
    return !!s && vaddr >= s.base && vaddr < s.top;
  });
}

/** The free buddy block holding the address's page (dump_free_pages_zones_v2 with an address). */
function freePage(k: Kernel, addr: bigint, physical: boolean): KmemFreePageResult | undefined {
  let pfn: bigint | undefined = physical ? physToPfn(k, addr) : pageToPfn(k, addr);
  if (pfn === undefined) {
    try {
      pfn = physToPfn(k, k.mem.kvtop(addr));
    } catch {
      return undefined;
    }
  }
  const b = safe(() => freeBlockContaining(k, pfn!));
  if (!b) return undefined;
  const z = zoneSummary(k, b);
  const memMap = z.size ? (pfnToPage(k, z.startPfn) ?? 0n) : 0n;
  const nodeMap = pfnToPage(k, b.nodeStartPfn) ?? 0n;
  const pageSize = BigInt(k.arch.pageSize);
  const pages = 1n << BigInt(b.order);
  return {
    kind: 'kmem-free-page',
    node: memoryNodes(k).length > 1 ? b.nodeId : undefined,
    zone: { index: b.zoneIndex, name: z.name, size: z.size, free: z.free, memMap, startPaddr: z.startPfn * pageSize, startMapnr: memMap ? (memMap - nodeMap) / BigInt(k.sizeOf('struct page')) : 0n },
    area: { order: b.order, sizeK: (pages * pageSize) / 1024n, freeList: b.freeList },
    page: b.head,
    position: b.order ? { addr, nth: pfn - b.headPfn + 1n, pages, physical } : undefined,
  };
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}
