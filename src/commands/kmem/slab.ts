import type { Kernel } from '../../kernel/kernel.js';
import type { KmemSlabResult, SlabLine } from './slab-results.js';
import { cacheNodes, cpuSlab, kmemCacheList, readKmemCache, readNode, slabNode, slubLayout, type KmemCache } from '../../kernel/helpers/slab.js';
import {
  addrToSlab, cacheCounts, cpuPartialSlabs, isKmemCache, nodeListSlabs, slabCpus, slabOfPage, slabView, SLAB_STORE_USER,
} from '../../kernel/helpers/slab-walk.js';
import { cpuState } from '../../kernel/helpers/sched.js';
import { CrashError } from '../../util/errors.js';
import { checkpoint, rethrowInterrupt, type ProgressHooks } from '../../util/interrupt.js';

/**
 * `kmem -s` / `kmem -S` (memory.c dump_kmem_cache_slub, do_kmem_cache_slub, do_slab_slub): every
 * cache, one cache by name or address, or the object holding an address; -S adds each cpu's
 * slab and partial list and each node's lists.
 */
export interface SlabQuery {
  verbose: boolean;
  /** a cache name */
  name?: string;
  /** `kmem -s list`: the caches' addresses and names only */
  listOnly?: boolean;
  /** a kmem_cache address, or any address whose object is wanted */
  addr?: bigint;
  ignore: string[];
  /** -S=cpus */
  cpus?: number[];
  /** -e (crash-tui) */
  explain?: boolean;
}

const hex = (v: bigint) => v.toString(16);

export function requireSlub(k: Kernel): void {
  const L = slubLayout(k);
  if (!L) throw new CrashError('kmem cache slab subsystem not available');
  if (L.node.nrSlabs === undefined) throw new CrashError('option requires kmem_cache_node.nr_slabs member!\n(the kernel must be built with CONFIG_SLUB_DEBUG)');
  if (!k.hasSymbol('slab_caches')) throw new CrashError('cannot resolve: "slab_caches"');
}

export function kmemSlabs(k: Kernel, q: SlabQuery, hooks?: ProgressHooks): KmemSlabResult {
  requireSlub(k);
  const out: SlabLine[] = [];
  const list = kmemCacheList(k);
  if (q.listOnly) return { kind: 'kmem-slab', lines: list.map((a) => ({ t: 'list', addr: a, name: readKmemCache(k, a).name })) };
  let want: ((c: KmemCache) => boolean) | undefined = q.name !== undefined ? (c) => c.name === q.name : undefined;
  let target: { slab: bigint; addr: bigint; all: boolean } | undefined;
  if (q.addr !== undefined) {
    const cache = isKmemCache(k, q.addr);
    if (cache) want = (c) => c.addr === cache.addr;
    else {
      // crash: a slab's struct page shows the whole slab; any other address, its object
      const byPage = slabOfPage(k, q.addr, false);
      const found = byPage ?? addrToSlab(k, q.addr);
      if (!('cache' in found)) {
        if ('warning' in found && found.warning) out.push({ t: 'warning', message: found.warning });
        out.push({ t: 'info', message: `address is not allocated in slab subsystem: ${hex(q.addr)}` });
        return { kind: 'kmem-slab', lines: out };
      }
      want = (c) => c.addr === found.cache.addr;
      target = { slab: found.slab, addr: q.addr, all: q.verbose || !!byPage };
    }
  }
  if (!want) out.push({ t: 'cache-header' });
  for (let i = 0; i < list.length; i++) {
    checkpoint(hooks, i, list.length, 'caches');
    let cache: KmemCache;
    try {
      cache = readKmemCache(k, list[i]);
    } catch (e) {
      rethrowInterrupt(e);
      continue;
    }
    if (want && !want(cache)) continue;
    if (want) out.push({ t: 'cache-header' });
    if (q.ignore.includes(cache.name)) {
      out.push({ t: 'ignored', addr: cache.addr, name: cache.name });
    } else {
      const msgs: string[] = [];
      const counts = cacheCounts(k, cache, msgs);
      for (const m of msgs) out.push({ t: 'info', message: m });
      if (!counts) out.push({ t: 'info', message: `${cache.name}: cannot gather relevant slab data` });
      out.push({ t: 'cache', addr: cache.addr, objsize: cache.objsize, counts, ssizeK: (k.arch.pageSize << cache.order) / 1024, name: cache.name });
      if (counts && target) slabBlock(k, cache, target.slab, out, { only: target.all ? undefined : target.addr, explain: q.explain });
      else if (counts && q.verbose) {
        cacheDetail(k, cache, out, q.cpus);
        if (!want && i + 1 < list.length) out.push({ t: 'cache-header' });
      }
    }
    if (want) break;
  }
  return { kind: 'kmem-slab', lines: out };
}

/**
 * do_slab_slub(si, VERBOSE): header, the slab line, then its objects (only the one holding
 * `only` when given). False when crash would stop.
 */
function slabBlock(k: Kernel, cache: KmemCache, slab: bigint, out: SlabLine[], o: { only?: bigint; explain?: boolean }): boolean {
  const r = slabView(k, cache, slab, true);
  if (!r.view && r.error) {
    out.push({ t: 'info', message: r.error });
    return false;
  }
  out.push({ t: 'slab-header' });
  const v = r.view;
  if (!v) return false;
  out.push({ t: 'slab', slab: v.slab, memory: v.memory, node: v.node, objects: v.objects, inuse: v.inuse });
  out.push({ t: 'objects-header' });
  if (r.error || !v.list) {
    if (r.error) out.push({ t: 'info', message: r.error });
    return false;
  }
  v.list.forEach((obj, i) => {
    if (o.only !== undefined && (o.only < obj.addr || o.only >= obj.addr + BigInt(cache.size))) return;
    out.push({ t: 'object', addr: obj.addr, free: obj.free, cpu: obj.free ? v.cpu : undefined });
    if (o.explain && o.only !== undefined) out.push({ t: 'explain', text: explainObject(cache, v, i, o.only - obj.addr, obj.free) });
  });
  return true;
}

function explainObject(cache: KmemCache, v: { objects: number; cpu?: number }, i: number, off: bigint, free: boolean): string {
  const state = free ? `free${v.cpu !== undefined ? ` (on cpu ${v.cpu}'s freelist or the slab's)` : ''}` : 'allocated';
  const where = off ? `, the address is ${off} bytes into it` : '';
  const pad = cache.size !== cache.objsize ? ` in a ${cache.size}-byte slot` : '';
  return `object ${i} of ${v.objects} in this ${cache.name} slab: ${cache.objsize} bytes${pad}, ${state}${where}`;
}

/** do_kmem_cache_slub(): each cpu's kmem_cache_cpu, slab and partial list, then each node. */
function cacheDetail(k: Kernel, cache: KmemCache, out: SlabLine[], cpus?: number[]): void {
  const L = slubLayout(k)!;
  const online = new Set(cpuState(k).online);
  const perCpu = new Map<number, bigint>();
  const text = (t: string) => out.push({ t: 'text', text: t });
  for (let cpu = 0; cpu < slabCpus(k); cpu++) {
    if (cpus && !cpus.includes(cpu)) continue;
    if (!online.has(cpu)) {
      text(`CPU ${cpu} [OFFLINE]`);
      continue;
    }
    const cs = cpuSlab(k, cache, cpu);
    text(`CPU ${cpu} KMEM_CACHE_CPU:`);
    text(`  ${hex(cs?.kmemCacheCpu ?? 0n)}`);
    text(`CPU ${cpu} SLAB:`);
    if (!cs?.slab) text('  (empty)');
    else {
      const nid = slabNode(k, cs.slab);
      if (nid !== undefined) perCpu.set(nid, (perCpu.get(nid) ?? 0n) + 1n);
      if (!slabBlock(k, cache, cs.slab, out, {})) continue;
    }
    if (L.cpu.partial === undefined) continue;
    text(`CPU ${cpu} PARTIAL:`);
    if (!cs?.partial) text('  (empty)');
    const msgs: string[] = [];
    for (const s of cs?.partial ? cpuPartialSlabs(k, cache, cs.partial, msgs) : []) if (!slabBlock(k, cache, s, out, {})) break;
    for (const m of msgs) out.push({ t: 'info', message: m });
  }
  for (const { id, node } of cacheNodes(k, cache)) {
    let n = { nrPartial: 0n, nrSlabs: 0n };
    try {
      if (node) n = readNode(k, node);
    } catch (e) {
      rethrowInterrupt(e);
      break;
    }
    out.push({ t: 'node-header' });
    out.push({ t: 'node', addr: node, node: id, slabs: n.nrSlabs, partial: n.nrPartial, perCpu: perCpu.get(id) ?? 0n });
    if (node) nodeLists(k, cache, node, id, out);
  }
  text('');
}

/** do_node_lists_slub(): a node's partial list, and its full list when SLAB_STORE_USER keeps one. */
function nodeLists(k: Kernel, cache: KmemCache, node: bigint, id: number, out: SlabLine[]): void {
  const L = slubLayout(k)!;
  const lists: ['partial' | 'full', number][] = [['partial', L.node.partial]];
  if (L.node.full !== undefined && cache.flags & SLAB_STORE_USER) lists.push(['full', L.node.full]);
  for (const [what, off] of lists) {
    const msgs: string[] = [];
    let slabs: bigint[];
    try {
      slabs = nodeListSlabs(k, cache, node + BigInt(off), msgs, what);
    } catch (e) {
      rethrowInterrupt(e);
      return;
    }
    out.push({ t: 'text', text: `NODE ${id} ${what.toUpperCase()}:` });
    if (!slabs.length && !msgs.length) out.push({ t: 'text', text: '  (empty)' });
    if (slabs.length || msgs.length) out.push({ t: 'slab-header' });
    for (const s of slabs) {
      const r = slabView(k, cache, s, false);
      if (!r.view) {
        if (r.error) out.push({ t: 'info', message: r.error });
        return;
      }
      out.push({ t: 'slab', slab: s, memory: r.view.memory, node: r.view.node, objects: r.view.objects, inuse: r.view.inuse });
    }
    for (const m of msgs) out.push({ t: 'info', message: m });
    if (msgs.length) return;
  }
  if (lists.length === 1) out.push({ t: 'text', text: `NODE ${id} FULL:` }, { t: 'text', text: '  (not tracked)' });
}
