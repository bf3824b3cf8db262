import type { CommandContext } from '../types.js';
import type { Kernel } from '../../kernel/kernel.js';
import { err, lines, type CommandResult } from '../result.js';
import { kmemSlabs } from './slab.js';
import { kmemPagesFor } from './pages.js';
import { contextResult } from '../task-context.js';
import { slubLayout } from '../../kernel/helpers/slab.js';
import { addrToSlab, slabOfPage } from '../../kernel/helpers/slab-walk.js';
import { kmemFreeAddr } from './free.js';
import { isVmallocAddr, vmapAreaContaining, vmapAreasMapping } from '../../kernel/helpers/vmalloc.js';
import { kmemVmalloc } from './vmalloc.js';
import { physToPage } from '../../kernel/helpers/mm-page.js';
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
  // a physical address mapped in vmalloc space: the task whose stack it is, its symbol, the areas
  if (physical) {
    const maps = safe(() => vmapAreasMapping(k, addr)) ?? [];
    if (maps.length) {
      const v = maps[0].vaddr;
      const tc = stackOwner(k, v);
      if (tc) {
        out.push(contextResult(k, tc));
        blank();
      }
      const s = symbolAt(k, v);
      if (s) {
        out.push({ kind: 'sym', radix: ctx.settings.radix, lines: [s] });
        blank();
      }
      out.push(...kmemVmalloc(k, [addr], () => true));
      blank();
      return [...out, ...memMap(k, addr, true, explain)];
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
  const free = kmemFreeAddr(k, addr, physical);
  out.push(...free);
  if (free.some((r) => r.kind === 'kmem-free-page')) blank();
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

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}
