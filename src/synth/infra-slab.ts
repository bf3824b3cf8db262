import { findMember, resolveType, sizeofType } from '../debuginfo/btf/types.js';
import type { BuildContext } from './infra.js';
import { defineGlobal, writeObject } from './infra.js';
import { encodeObject } from './values.js';
import { vmemmapBase } from './infra-mm.js';
import type { ScenarioSlab, ScenarioSlabCache } from './scenario.js';
import { CrashError } from '../util/errors.js';

/**
 * SLUB as mm/slub.c leaves it (include/linux/slub_def.h): the caches on slab_caches, each with
 * its per-cpu kmem_cache_cpu (cpu slab frozen with inuse == objects, its free objects on the cpu
 * freelist), its kmem_cache_node per node (nr_slabs, total_objects, the partial list through
 * slab_list / page.lru) and the slabs themselves: struct slab (v5.17+) or the head struct page
 * with PG_slab|PG_head, slab_cache, inuse/objects/frozen, freelist; tails with PG_tail and
 * first_page (or compound_head), the order in page[1]. Declared slabs get their freelist chains
 * written into the objects (free pointer at kmem_cache.offset); generated partial slabs carry
 * the counters and links only — their object memory (and so their chains) is not laid out, which
 * keeps a cache of thousands of slabs to a few hundred pages of struct pages.
 */
export function buildSlabCaches(c: BuildContext): void {
  const caches = c.s.slabCaches ?? [];
  if (!caches.length) return;
  const head = defineGlobal(c, 'slab_caches', 'struct list_head');
  const listOff = BigInt(c.offsetOf('struct kmem_cache', 'list'));
  linkList(c, head, caches.map((x) => x.at + listOff));
  // dynamic per-cpu allocations (alloc_percpu) follow the static per-cpu area
  let dyn = (((c.syms.get('__per_cpu_end')?.address ?? 0n) - (c.syms.get('__per_cpu_start')?.address ?? 0n) + 63n) & ~63n) + 0x1000n;
  for (const cache of caches) {
    const cpuSlab = cache.cpuSlab ?? dyn;
    dyn += BigInt((sizeofType(c.type('struct kmem_cache_cpu')) + 63) & ~63);
    buildCache(c, cache, cpuSlab);
  }
}

/** Circular list_head links: head → nodes → head. */
function linkList(c: BuildContext, head: bigint, nodes: bigint[]): void {
  const all = [head, ...nodes];
  all.forEach((n, i) => {
    c.mem.writeU64(n, all[(i + 1) % all.length]);
    c.mem.writeU64(n + 8n, all[(i - 1 + all.length) % all.length]);
  });
}

function buildCache(c: BuildContext, cache: ScenarioSlabCache, cpuSlab: bigint): void {
  const K = 'struct kmem_cache';
  const has = (t: string, m: string) => c.hasType(t) && !!findMember(c.type(t), m);
  const name = cache.nameAt ?? c.mem.allocData(cache.name.length + 1, 8);
  c.mem.write(name, Buffer.from(cache.name + '\0', 'latin1'));
  const v: Record<string, unknown> = { size: cache.size, offset: cache.offset, name, cpu_slab: cpuSlab, ...(cache.values ?? {}) };
  v[has(K, 'object_size') ? 'object_size' : 'objsize'] = cache.objectSize;
  if (has(K, 'oo')) v['oo.x'] = (BigInt(cache.order) << 16n) | BigInt(cache.objects);
  else Object.assign(v, { objects: cache.objects, order: cache.order });
  if (cache.flags !== undefined) v.flags = cache.flags;
  const nodeArr = resolveType(findMember(c.type(K), 'node')!.type);
  const nodes: bigint[] = [];
  for (const n of cache.nodes) nodes[n.node] = n.at;
  if (nodeArr.kind === 'array') v.node = [...Array(nodes.length).keys()].map((i) => nodes[i] ?? 0n);
  writeObject(c, cache.at, K, v);

  const L = slabLayout(c);
  // every cpu's kmem_cache_cpu, written even when empty so the per-cpu area reads back
  const slabMember = has('struct kmem_cache_cpu', 'page') ? 'page' : 'slab';
  c.s.cpus.perCpuOffsets.forEach((off, cpu) => {
    const spec = cache.cpus.find((x) => x.cpu === cpu);
    const kcc = BigInt.asUintN(64, cpuSlab + off);
    const fl = spec ? writeSlab(c, L, cache, spec.slab, true) : 0n;
    writeObject(c, kcc, 'struct kmem_cache_cpu', { freelist: fl, [slabMember]: spec?.slab.page ?? 0n });
  });

  const kn = 'struct kmem_cache_node';
  for (const n of cache.nodes) {
    const slabs = [...n.partial];
    let at = n.generate?.memory ?? 0n;
    const slabBytes = 4096n << BigInt(cache.order);
    for (const run of n.generate?.runs ?? []) {
      for (let i = 0; i < run.count; i++, at += slabBytes) slabs.push({ page: L.vmemmap + (at / 4096n) * L.pageSize, inuse: run.inuse, generated: true } as ScenarioSlab);
    }
    for (const s of slabs) writeSlab(c, L, cache, s, false);
    writeObject(c, n.at, kn, { nr_partial: slabs.length, 'nr_slabs.counter': n.nrSlabs, 'total_objects.counter': n.totalObjects });
    linkList(c, n.at + BigInt(c.offsetOf(kn, 'partial')), slabs.map((s) => s.page + L.list));
    if (has(kn, 'full')) linkList(c, n.at + BigInt(c.offsetOf(kn, 'full')), []);
  }
}

interface SlabLayout {
  type: string;
  size: number;
  flags: string;
  refcount?: string;
  list: bigint;
  freelist: number;
  vmemmap: bigint;
  pageSize: bigint;
  bit: (name: string) => bigint;
  /** tails: compound_head (v4.6+), or PG_tail + first_page before */
  compoundHead?: bigint;
  firstPage?: bigint;
  /** page[1]: compound_order member, or lru.prev before it had one */
  compoundOrder?: boolean;
  lruPrev?: bigint;
}

function slabLayout(c: BuildContext): SlabLayout {
  const vmemmap = vmemmapBase(c);
  if (vmemmap === undefined) throw new CrashError(`scenario ${c.s.name}: slab_caches need layout.vmemmap_base`);
  const type = c.hasType('struct slab') && findMember(c.type('struct slab'), 'slab_cache') ? 'struct slab' : 'struct page';
  const m = (n: string) => !!findMember(c.type(type), n);
  const pf = resolveType(c.type('enum pageflags'));
  const bit = (name: string): bigint => {
    const e = pf.kind === 'enum' ? pf.values.find((x) => x.name === `PG_${name}`) : undefined;
    return e ? 1n << e.value : 0n;
  };
  const pageOff = (n: string) => {
    const o = c.offsetOfOptional('struct page', n);
    return o === undefined ? undefined : BigInt(o);
  };
  const lru = pageOff('lru');
  return {
    type,
    size: sizeofType(c.type(type)),
    flags: m('flags') ? 'flags' : '__page_flags',
    refcount: ['_refcount', '_count', '__page_refcount'].find(m),
    list: BigInt(c.offsetOf(type, m('slab_list') ? 'slab_list' : 'lru')),
    freelist: c.offsetOf(type, 'freelist'),
    vmemmap,
    pageSize: BigInt(sizeofType(c.type('struct page'))),
    bit,
    compoundHead: pageOff('compound_head'),
    firstPage: pageOff('first_page'),
    compoundOrder: pageOff('compound_order') !== undefined,
    lruPrev: lru === undefined ? undefined : lru + 8n,
  };
}

/**
 * One slab: counters and flags in its head (read-modify-write, so flags the scenario gave, such
 * as node and zone bits, stay), its tails, and its free objects chained from `free[0]`.
 * Returns the first free object (a cpu slab's freelist head lives in kmem_cache_cpu).
 */
function writeSlab(c: BuildContext, L: SlabLayout, cache: ScenarioSlabCache, s: ScenarioSlab & { generated?: boolean }, cpu: boolean): bigint {
  const pfn = (s.page - L.vmemmap) / L.pageSize;
  if (pfn < 0n || (s.page - L.vmemmap) % L.pageSize) throw new CrashError(`scenario ${c.s.name}: slab ${s.page.toString(16)} is not a struct page`);
  const memory = c.mem.directMap(pfn * 4096n);
  const free = s.free ?? [];
  const inuse = s.inuse ?? cache.objects - free.length;
  // a generated slab's free objects: the slots after the ones in use
  const first = free[0] ?? (inuse < cache.objects ? memory + BigInt(inuse * cache.size) : 0n);
  free.forEach((o, i) => c.mem.writeU64(o + BigInt(cache.offset), free[i + 1] ?? 0n));
  const flags = c.mem.readU64(s.page) | L.bit('slab') | (cache.order ? L.bit('head') : 0n);
  const v: Record<string, unknown> = { [L.flags]: flags, slab_cache: cache.at, objects: cache.objects, inuse: cpu ? cache.objects : inuse, frozen: cpu ? 1 : 0, freelist: cpu ? 0n : first };
  if (L.refcount) v[`${L.refcount}.counter`] = 1;
  // generated slabs are fresh struct pages: the head and its tails in one write
  if (s.generated) c.mem.write(s.page, compoundBytes(c, L, cache.order, v, s.page));
  else {
    writeObject(c, s.page, L.type, v);
    for (let i = 1n; i < 1n << BigInt(cache.order); i++) {
      const tail = s.page + i * L.pageSize;
      if (L.compoundHead !== undefined) c.mem.writeU64(tail + L.compoundHead, s.page | 1n);
      else if (L.firstPage !== undefined) {
        c.mem.writeU64(tail, c.mem.readU64(tail) | L.bit('tail'));
        c.mem.writeU64(tail + L.firstPage, s.page);
      }
    }
    if (cache.order && L.compoundOrder) writeObject(c, s.page + L.pageSize, 'struct page', { compound_order: cache.order });
    // before page[1] had a compound_order member, set_compound_order() used page[1].lru.prev
    else if (cache.order && L.firstPage !== undefined && L.lruPrev !== undefined) c.mem.writeU64(s.page + L.pageSize + L.lruPrev, BigInt(cache.order));
  }
  return cpu ? first : 0n;
}

const templates = new WeakMap<SlabLayout, Map<string, Uint8Array>>();

/** The struct pages of a fresh compound slab: head (encoded once per shape), tails, page[1]'s order. */
function compoundBytes(c: BuildContext, L: SlabLayout, order: number, v: Record<string, unknown>, head: bigint): Uint8Array {
  let byShape = templates.get(L);
  if (!byShape) templates.set(L, (byShape = new Map()));
  const key = JSON.stringify({ ...v, freelist: 0 }, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)) + order;
  let t = byShape.get(key);
  if (!t) {
    const ps = Number(L.pageSize);
    t = new Uint8Array(ps << order);
    t.set(encodeObject(c.type(L.type), { ...v, freelist: 0n }, new Uint8Array(L.size)));
    const dv = new DataView(t.buffer);
    for (let i = 1; i < 1 << order; i++) {
      if (L.firstPage !== undefined && L.compoundHead === undefined) dv.setBigUint64(i * ps, L.bit('tail'), true);
    }
    if (order && L.compoundOrder) t.set(encodeObject(c.type('struct page'), { compound_order: order }).subarray(0, ps), ps);
    else if (order && L.firstPage !== undefined && L.lruPrev !== undefined) dv.setBigUint64(ps + Number(L.lruPrev), BigInt(order), true);
    if (byShape.size < 64) byShape.set(key, t);
  }
  const b = t.slice();
  const dv = new DataView(b.buffer);
  dv.setBigUint64(L.freelist, v.freelist as bigint, true);
  for (let i = 1; i < 1 << order; i++) {
    const at = i * Number(L.pageSize);
    if (L.compoundHead !== undefined) dv.setBigUint64(at + Number(L.compoundHead), head | 1n, true);
    else if (L.firstPage !== undefined) dv.setBigUint64(at + Number(L.firstPage), head, true);
  }
  return b;
}
