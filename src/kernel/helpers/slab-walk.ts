import type { Kernel } from '../kernel.js';
import { cpuState } from './sched.js';
import { pageToPfn, physToPage } from './mm-page.js';
import { compoundHead, pageFlagBit, readPage, type PageInfo } from './page.js';
import {
  cacheNodes, cpuSlab, kmemCacheList, readKmemCache, readNode, readSlab, slabMemory, slabNode, slubLayout, walkFreelist,
  type KmemCache, type SlabInfo,
} from './slab.js';
import { rethrowInterrupt } from '../../util/interrupt.js';

/**
 * What crash's memory.c computes from SLUB's structures: a cache's ALLOCATED/TOTAL/SLABS
 * (get_kmem_cache_slub_data, which emulates slub.c's sysfs slab_objects()), one slab's objects
 * (do_slab_slub) and which cache an address belongs to (vaddr_to_kmem_cache). Problems are
 * collected as crash's INFO messages, in the order crash prints them.
 */

const hex = (v: bigint) => v.toString(16);
/** crash reads page.inuse as a C short */
const short = (v: number) => (v << 16) >> 16;

/** The cpus crash's loops visit (kt->cpus: highest present cpu + 1). */
export const slabCpus = (k: Kernel): number => cpuState(k).present;

export interface CacheCounts {
  allocated: bigint;
  total: bigint;
  slabs: bigint;
}

/** get_kmem_cache_slub_data(GET_SLUB_SLABS and GET_SLUB_OBJECTS); undefined: gather failure. */
export function cacheCounts(k: Kernel, cache: KmemCache, msgs: string[]): CacheCounts | undefined {
  const L = slubLayout(k)!;
  const avail = L.node.totalObjects !== undefined;
  const perCpu = new Map<number, bigint>();
  let slabs = 0n;
  let free = 0n;
  let objectsTotal = 0n;
  for (let cpu = 0; cpu < slabCpus(k); cpu++) {
    const cs = cpuSlab(k, cache, cpu);
    if (!cs?.slab) continue;
    const nid = slabNode(k, cs.slab);
    if (nid === undefined) {
      msgs.push(`page_to_nid: ${pageToPfn(k, cs.slab) === undefined ? 'invalid page' : 'cannot determine node for pages'}: ${hex(cs.slab)}`);
      return undefined;
    }
    let s: SlabInfo;
    try {
      s = readSlab(k, cs.slab, cache);
    } catch (e) {
      rethrowInterrupt(e);
      return undefined;
    }
    if (!s.objects) return undefined;
    free += BigInt(s.objects - short(s.inuse));
    const fl = walkFreelist(k, cache, cs.slab, cs.freelist);
    if (fl.error) msgs.push(fl.error);
    free += BigInt(fl.objects.size);
    free += BigInt(countCpuPartial(k, cache, cs.partial, msgs));
    if (!avail) objectsTotal += BigInt(short(s.inuse));
    slabs++;
    perCpu.set(nid, (perCpu.get(nid) ?? 0n) + 1n);
  }
  for (const { id, node } of cacheNodes(k, cache)) {
    if (!node) continue;
    let n;
    try {
      n = readNode(k, node);
    } catch (e) {
      rethrowInterrupt(e);
      return undefined;
    }
    const p = countPartial(k, cache, node, msgs);
    if (!p) return undefined;
    free += p.free;
    if (!avail) objectsTotal += p.inuse;
    const full = BigInt.asIntN(64, n.nrSlabs) - (perCpu.get(id) ?? 0n) - BigInt.asIntN(64, n.nrPartial);
    objectsTotal += avail ? BigInt.asIntN(64, n.totalObjects!) : full * BigInt(cache.objects);
    slabs += BigInt.asIntN(64, n.nrPartial) + full;
  }
  const inuse = avail ? objectsTotal - free : objectsTotal;
  const freeOut = L.objects && avail ? free : slabs * BigInt(cache.objects) - inuse;
  return { allocated: inuse, total: inuse + freeOut, slabs };
}

/** count_cpu_partial(): free objects on a cpu's partial slabs (0 on any inconsistency, as crash). */
function countCpuPartial(k: Kernel, cache: KmemCache, first: bigint, msgs: string[]): number {
  const L = slubLayout(k)!;
  if (L.cpu.partial === undefined || !L.objects) return 0;
  let free = 0;
  const seen = new Set<bigint>();
  for (let p = first; p && !seen.has(p); ) {
    seen.add(p);
    if (pageToPfn(k, p) === undefined) {
      msgs.push(`${cache.name}: invalid partial list slab pointer: ${hex(p)}`);
      return 0;
    }
    let s: SlabInfo;
    try {
      s = readSlab(k, p, cache);
    } catch (e) {
      rethrowInterrupt(e);
      return 0;
    }
    if (short(s.inuse) === -1 || !s.objects) return 0;
    free += s.objects - short(s.inuse);
    p = s.next;
  }
  return free;
}

/** count_partial(): the inuse total and free objects of a node's partial list. */
function countPartial(k: Kernel, cache: KmemCache, node: bigint, msgs: string[]): { inuse: bigint; free: bigint } | undefined {
  const L = slubLayout(k)!;
  const head = node + BigInt(L.node.partial);
  let inuse = 0n;
  let free = 0n;
  const seen = new Set<bigint>();
  let next: bigint;
  try {
    next = k.readPtr(head, 'kmem_cache_node.partial');
  } catch (e) {
    rethrowInterrupt(e);
    return undefined;
  }
  while (next !== head) {
    const slab = next - BigInt(L.list);
    let s: SlabInfo;
    try {
      s = readSlab(k, slab, cache);
    } catch (e) {
      rethrowInterrupt(e);
      return undefined;
    }
    if (short(s.inuse) === -1) {
      msgs.push(`${cache.name}: partial list slab: ${hex(slab)} invalid page.inuse: -1`);
      break;
    }
    inuse += BigInt(short(s.inuse));
    if (L.objects) {
      if (!s.objects) return undefined;
      free += BigInt(s.objects - short(s.inuse));
    }
    next = s.listNext;
    if (!k.arch.isKernelAddr(next) || (next !== head && pageToPfn(k, next - BigInt(L.list)) === undefined)) {
      msgs.push(`${cache.name}: partial list slab: ${hex(slab)} invalid page.lru.next: ${hex(next)}`);
      break;
    }
    if (seen.has(next)) {
      msgs.push(`${cache.name}: partial list slab: ${hex(slab)} duplicate slab entry: ${hex(next)}`);
      return undefined;
    }
    seen.add(next);
  }
  return { inuse, free };
}

/** The slabs on a node list (partial or full) of a kmem_cache_node, with crash's stop messages. */
export function nodeListSlabs(k: Kernel, cache: KmemCache, head: bigint, msgs: string[], what: 'partial' | 'full'): bigint[] {
  const L = slubLayout(k)!;
  const out: bigint[] = [];
  let next = k.readPtr(head, `kmem_cache_node ${what}`);
  const seen = new Set<bigint>();
  while (next !== head) {
    const slab = next - BigInt(L.list);
    if (pageToPfn(k, slab) === undefined) {
      msgs.push(`${cache.name}: invalid ${what} list slab pointer: ${hex(slab)}`);
      break;
    }
    out.push(slab);
    if (seen.has(next) || out.length > 1 << 22) break;
    seen.add(next);
    try {
      next = k.readPtr(next, 'page.lru.next');
    } catch (e) {
      rethrowInterrupt(e);
      break;
    }
    if (!k.arch.isKernelAddr(next) || (what === 'partial' && next !== head && pageToPfn(k, next - BigInt(L.list)) === undefined)) {
      msgs.push(`${cache.name}: ${what} list slab: ${hex(slab)} invalid page.lru.next: ${hex(next)}`);
      break;
    }
  }
  return out;
}

/** The slabs of a cpu's partial list (kmem_cache_cpu.partial, linked by slab.next). */
export function cpuPartialSlabs(k: Kernel, cache: KmemCache, first: bigint, msgs: string[]): bigint[] {
  const out: bigint[] = [];
  for (let p = first; p && !out.includes(p); ) {
    if (pageToPfn(k, p) === undefined) {
      msgs.push(`${cache.name}: invalid partial list slab pointer: ${hex(p)}`);
      break;
    }
    out.push(p);
    try {
      p = readSlab(k, p, cache).next;
    } catch (e) {
      rethrowInterrupt(e);
      break;
    }
  }
  return out;
}

/** One slab as do_slab_slub() shows it. */
export interface SlabView {
  slab: bigint;
  memory: bigint;
  /** -1 when page_to_nid fails */
  node: number;
  objects: number;
  inuse: number;
  /** the cpu whose cpu slab this is */
  cpu?: number;
  /** every object slot (when asked), free or allocated */
  list?: { addr: bigint; free: boolean }[];
}

/**
 * do_slab_slub(): the slab line, and with `objects` every object, free when it is on the slab's
 * freelist or on the freelist of the cpu that has it as its cpu slab (then inuse is recounted).
 * Returns the view as far as it got, and crash's message when it stopped.
 */
export function slabView(k: Kernel, cache: KmemCache, slab: bigint, objects: boolean): { view?: SlabView; error?: string; headerOnly?: boolean } {
  const memory = slabMemory(k, slab);
  if (memory === undefined) return { error: `${cache.name}: invalid slab address: ${hex(slab)}` };
  const node = slabNode(k, slab) ?? -1;
  let s: SlabInfo;
  try {
    s = readSlab(k, slab, cache);
  } catch (e) {
    rethrowInterrupt(e);
    return { headerOnly: true };
  }
  if (!s.objects) return { headerOnly: true };
  const view: SlabView = { slab, memory, node, objects: s.objects, inuse: s.inuse };
  if (!objects) return { view };
  let cpuFreelist = 0n;
  for (let cpu = 0; cpu < slabCpus(k); cpu++) {
    const cs = cpuSlab(k, cache, cpu);
    if (!cs?.slab || cs.slab !== slab) continue;
    view.cpu = cpu;
    cpuFreelist = cs.freelist;
    // the cpu's freelist holds what is free; objects freed from another cpu went to slab->freelist
    const fl = walkFreelist(k, cache, slab, cs.freelist);
    if (fl.error) return { view, error: fl.error };
    view.inuse = s.objects - (fl.objects.size + (s.freelist ? s.objects - s.inuse : 0));
    break;
  }
  const free = new Set<bigint>();
  for (const head of [s.freelist, cpuFreelist]) {
    const fl = walkFreelist(k, cache, slab, head);
    if (fl.error) return { view, error: fl.error };
    for (const o of fl.objects) free.add(o);
  }
  // SLAB_RED_ZONE caches: the freelist holds object + red_left_pad; crash shows the slot
  const pad = BigInt(slubLayout(k)!.cache.redLeftPad !== undefined && cache.flags & SLAB_RED_ZONE ? cache.redLeftPad : 0);
  view.list = [];
  for (let i = 0; i < s.objects; i++) {
    const p = memory + BigInt(i * cache.size);
    view.list.push({ addr: p, free: free.has(p + pad) });
  }
  return { view };
}

const SLAB_RED_ZONE = 0x400n;
/** SLAB_STORE_USER: only then does SLUB keep a node's full list */
export const SLAB_STORE_USER = 0x10000n;

/** PageSlab(): PG_slab, or the slab page type of v6.10+ (PGTY_slab in the top byte of page_type). */
export function pageSlab(k: Kernel, p: PageInfo): boolean {
  const bit = pageFlagBit(k, 'slab');
  if (bit !== undefined) return ((p.flags >> BigInt(bit)) & 1n) === 1n;
  const pgty = k.types.enumValue('PGTY_slab');
  return pgty !== undefined && BigInt(p.mapcount >>> 24) === pgty;
}

/** The cache at `addr` when it is on slab_caches (crash is_kmem_cache_addr). */
export function isKmemCache(k: Kernel, addr: bigint): KmemCache | undefined {
  const all = k.memo('slab:caches', () => new Set(kmemCacheList(k)));
  return all.has(addr) ? readKmemCache(k, addr) : undefined;
}

/**
 * vaddr_to_kmem_cache() + vaddr_to_slab(): the cache and slab holding a kernel virtual address,
 * through its page, that page's compound head, and the head's slab_cache.
 */
export interface SlabHit {
  cache: KmemCache;
  /** the slab's struct slab / head struct page */
  slab: bigint;
}

export function addrToSlab(k: Kernel, vaddr: bigint): SlabHit | { warning?: string } {
  if (!slubLayout(k)) return {};
  let paddr: bigint;
  try {
    paddr = k.mem.kvtop(vaddr);
  } catch (e) {
    rethrowInterrupt(e);
    return { warning: `cannot make virtual-to-physical translation: ${hex(vaddr)}` };
  }
  const page = physToPage(k, paddr);
  if (page === undefined) return { warning: `cannot find mem_map page for address: ${hex(vaddr)}` };
  return slabOfPage(k, page, true) ?? {};
}

/** The slab a struct page belongs to; `viaHead`: a tail page answers for its compound head. */
export function slabOfPage(k: Kernel, page: bigint, viaHead: boolean): SlabHit | undefined {
  const L = slubLayout(k);
  if (!L || pageToPfn(k, page) === undefined) return undefined;
  try {
    const p = readPage(k, page);
    const head = viaHead ? compoundHead(p) : page;
    if (!pageSlab(k, p) && !(viaHead && head !== page && pageSlab(k, readPage(k, head)))) return undefined;
    const cache = isKmemCache(k, k.readPtr(head + BigInt(L.slabCache), 'page.slab'));
    return cache ? { cache, slab: head } : undefined;
  } catch (e) {
    rethrowInterrupt(e);
    return undefined;
  }
}
