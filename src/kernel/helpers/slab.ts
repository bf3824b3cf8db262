import type { Kernel } from '../kernel.js';
import type { MemberInfo } from '../../debuginfo/btf/types.js';
import { resolveType, sizeofType } from '../../debuginfo/btf/types.js';
import { listForEach } from './list.js';
import { perCpuInfo } from './percpu.js';
import { memoryNodes, pfnToNid } from './mm.js';
import { pageToPfn, pfnToPhys } from './mm-page.js';
import { rethrowInterrupt } from '../../util/interrupt.js';

/**
 * SLUB (mm/slub.c, include/linux/slub_def.h) read as crash's memory.c reads it: the caches on
 * slab_caches, each slab's counters in struct slab (v5.17+, "mm: Split slab into its own type")
 * or in struct page before, the per-cpu kmem_cache_cpu and the per-node kmem_cache_node.
 * Everything is found by probing members, never by version.
 */

/** A member that may be a bitfield: read `bits` bits at bit `bit` of the structure. */
export interface Field {
  bit: number;
  bits: number;
}

export interface SlubLayout {
  /** 'struct slab' (v5.17+) or 'struct page' */
  slabType: string;
  slabSize: number;
  inuse: Field;
  objects?: Field;
  freelist: number;
  slabCache: number;
  /** slab_list (or page.lru): the node partial/full list link */
  list: number;
  /** slab.next / page.next: the cpu partial list link */
  next?: number;
  cacheSize: number;
  cache: Record<'size' | 'objsize' | 'offset' | 'name' | 'list' | 'flags', number> & {
    oo?: Field;
    objects?: number;
    order?: number;
    cpuSlab?: number;
    cpuSlabArray: boolean;
    node?: number;
    /** v7.1+: per_node[] of struct kmem_cache_per_node_ptrs { node } */
    perNodeStride?: number;
    perNodeInner?: number;
    localNode?: number;
    random?: number;
    redLeftPad?: number;
  };
  cpu: { freelist?: number; slab?: number; partial?: number };
  node: { nrPartial: number; partial: number; nrSlabs?: number; totalObjects?: number; full?: number };
}

/** The SLUB layout, or undefined when the kernel's allocator is not SLUB (or has no BTF). */
export function slubLayout(k: Kernel): SlubLayout | undefined {
  return k.memo('slab:layout', () => {
    if (!k.btf || !k.hasType('struct kmem_cache') || !k.hasMember('struct kmem_cache_node', 'partial')) return undefined;
    const C = 'struct kmem_cache';
    const S = k.hasMember('struct slab', 'slab_cache') ? 'struct slab' : 'struct page';
    const m = (t: string, ...names: string[]) => {
      for (const n of names) {
        const o = k.memberByteOffset(t, n);
        if (o !== undefined) return o;
      }
      return undefined;
    };
    const field = (t: string, n: string): Field | undefined => {
      const mi = k.types.memberOf(t, n);
      return mi ? { bit: mi.bitOffset, bits: mi.bitSize || 8 * sizeofType(mi.type) } : undefined;
    };
    const inuse = field(S, 'inuse');
    const freelist = m(S, 'freelist');
    const slabCache = m(S, 'slab_cache', 'slab');
    const list = m(S, 'slab_list', 'lru');
    const [size, objsize, offset, name, clist, flags] = [m(C, 'size'), m(C, 'object_size', 'objsize'), m(C, 'offset'), m(C, 'name'), m(C, 'list'), m(C, 'flags')];
    if (!inuse || freelist === undefined || slabCache === undefined || list === undefined) return undefined;
    if (size === undefined || objsize === undefined || offset === undefined || name === undefined || clist === undefined) return undefined;
    const oo = k.types.memberOf(C, 'oo');
    const ooField = oo ? { bit: oo.bitOffset, bits: 8 * sizeofType(oo.type) } : undefined;
    const cpuSlab = k.types.memberOf(C, 'cpu_slab');
    const perNode = k.types.memberOf(C, 'per_node');
    return {
      slabType: S,
      slabSize: k.sizeOf(S),
      inuse,
      objects: field(S, 'objects'),
      freelist,
      slabCache,
      list,
      next: m(S, 'next'),
      cacheSize: k.sizeOf(C),
      cache: {
        size,
        objsize,
        offset,
        name,
        list: clist,
        flags: flags ?? -1,
        oo: ooField,
        objects: m(C, 'objects'),
        order: m(C, 'order'),
        cpuSlab: cpuSlab ? cpuSlab.bitOffset / 8 : undefined,
        cpuSlabArray: !!cpuSlab && resolveType(cpuSlab.type).kind === 'array',
        node: m(C, 'node'),
        perNodeStride: perNode ? perNodeStride(k, perNode) : undefined,
        perNodeInner: perNode ? m('struct kmem_cache_per_node_ptrs', 'node') : undefined,
        localNode: m(C, 'local_node'),
        random: m(C, 'random'),
        redLeftPad: m(C, 'red_left_pad'),
      },
      cpu: { freelist: m('struct kmem_cache_cpu', 'freelist'), slab: m('struct kmem_cache_cpu', 'page', 'slab'), partial: m('struct kmem_cache_cpu', 'partial') },
      node: {
        nrPartial: m('struct kmem_cache_node', 'nr_partial') ?? 0,
        partial: m('struct kmem_cache_node', 'partial') ?? 0,
        nrSlabs: m('struct kmem_cache_node', 'nr_slabs'),
        totalObjects: m('struct kmem_cache_node', 'total_objects'),
        full: m('struct kmem_cache_node', 'full'),
      },
    };
  });
}

function perNodeStride(k: Kernel, mi: MemberInfo): number {
  const t = resolveType(mi.type);
  return t.kind === 'array' ? sizeofType(t.elem) : 8;
}

/** Bits of a little-endian buffer: `bits` bits from bit `bit`. */
export function readField(b: Uint8Array, f: Field): bigint {
  let v = 0n;
  const first = f.bit >> 3;
  const last = Math.min(b.length - 1, (f.bit + f.bits - 1) >> 3);
  for (let i = last; i >= first; i--) v = (v << 8n) | BigInt(b[i]);
  return (v >> BigInt(f.bit & 7)) & ((1n << BigInt(f.bits)) - 1n);
}

const u64 = (b: Uint8Array, off: number): bigint => (off < 0 || off + 8 > b.length ? 0n : new DataView(b.buffer, b.byteOffset + off, 8).getBigUint64(0, true));
const u32 = (b: Uint8Array, off: number): number => (off < 0 || off + 4 > b.length ? 0 : new DataView(b.buffer, b.byteOffset + off, 4).getUint32(0, true));

export interface KmemCache {
  addr: bigint;
  name: string;
  objsize: number;
  /** stride of one object (kmem_cache.size) */
  size: number;
  /** free pointer offset */
  offset: number;
  objects: number;
  order: number;
  flags: bigint;
  /** CONFIG_SLAB_FREELIST_HARDENED: kmem_cache.random */
  random?: bigint;
  redLeftPad: number;
  /** the raw kmem_cache bytes */
  buf: Uint8Array;
}

/** The caches on slab_caches, in list order (crash get_kmem_cache_list). */
export function kmemCacheList(k: Kernel): bigint[] {
  const L = slubLayout(k);
  const head = k.symbol('slab_caches')?.address;
  if (!L || head === undefined) return [];
  return [...listForEach(k, head, 'slab_caches')].map((n) => n - BigInt(L.cache.list));
}

export function readKmemCache(k: Kernel, addr: bigint): KmemCache {
  const L = slubLayout(k)!;
  const buf = k.readBytes(addr, L.cacheSize, 'kmem_cache buffer');
  const c = L.cache;
  let objects = 0;
  let order = 0;
  if (c.objects !== undefined && c.order !== undefined) {
    objects = u32(buf, c.objects);
    order = u32(buf, c.order);
  } else if (c.oo) {
    // oo_objects()/oo_order(): kmem_cache_order_objects.x = order << 16 | objects
    const oo = readField(buf, c.oo);
    objects = Number(oo & 0xffffn);
    order = Number((oo >> 16n) & 0xffffn);
  }
  let name: string;
  try {
    name = k.readCString(u64(buf, c.name), 64, 'kmem_cache name') || '(unknown)';
  } catch (e) {
    rethrowInterrupt(e);
    name = '(unknown)';
  }
  return {
    addr,
    name,
    objsize: u32(buf, c.objsize),
    size: u32(buf, c.size),
    offset: u32(buf, c.offset),
    objects,
    order,
    flags: c.flags >= 0 ? u64(buf, c.flags) : 0n,
    random: c.random !== undefined ? u64(buf, c.random) : undefined,
    redLeftPad: c.redLeftPad !== undefined ? u32(buf, c.redLeftPad) : 0,
    buf,
  };
}

/** One slab's counters and links (struct slab, or struct page before v5.17). */
export interface SlabInfo {
  slab: bigint;
  inuse: number;
  /** 0 when unreadable or when the kernel keeps no per-slab count (use the cache's) */
  objects: number;
  freelist: bigint;
  cache: bigint;
  listNext: bigint;
  next: bigint;
}

export function readSlab(k: Kernel, slab: bigint, cache?: KmemCache): SlabInfo {
  const L = slubLayout(k)!;
  const b = k.readBytes(slab, L.slabSize, 'slab struct');
  return {
    slab,
    inuse: Number(readField(b, L.inuse)),
    objects: L.objects ? Number(readField(b, L.objects)) : (cache?.objects ?? 0),
    freelist: u64(b, L.freelist),
    cache: u64(b, L.slabCache),
    listNext: u64(b, L.list),
    next: L.next !== undefined ? u64(b, L.next) : 0n,
  };
}

export interface CpuSlab {
  /** this cpu's struct kmem_cache_cpu */
  kmemCacheCpu: bigint;
  slab: bigint;
  freelist: bigint;
  partial: bigint;
}

/** crash get_cpu_slab_ptr(): cpu's kmem_cache_cpu (per-cpu pointer or old NR_CPUS array). */
export function cpuSlab(k: Kernel, cache: KmemCache, cpu: number): CpuSlab | undefined {
  const L = slubLayout(k)!;
  if (L.cache.cpuSlab === undefined) return undefined;
  let kcc: bigint;
  if (L.cache.cpuSlabArray) kcc = u64(cache.buf, L.cache.cpuSlab + 8 * cpu);
  else {
    const p = perCpuInfo(k);
    if (!p || cpu >= p.offsets.length) return undefined;
    kcc = BigInt.asUintN(64, u64(cache.buf, L.cache.cpuSlab) + p.offsets[cpu]);
  }
  if (!kcc) return undefined;
  const rd = (o: number | undefined) => (o === undefined ? 0n : k.readPtr(kcc + BigInt(o), 'kmem_cache_cpu'));
  try {
    return { kmemCacheCpu: kcc, slab: rd(L.cpu.slab), freelist: rd(L.cpu.freelist), partial: rd(L.cpu.partial) };
  } catch (e) {
    rethrowInterrupt(e);
    return { kmemCacheCpu: kcc, slab: 0n, freelist: 0n, partial: 0n };
  }
}

/** The nodes crash walks: node ids with this cache's kmem_cache_node (0n when none). */
export function cacheNodes(k: Kernel, cache: KmemCache): { id: number; node: bigint }[] {
  const c = slubLayout(k)!.cache;
  if (c.node === undefined && c.perNodeStride === undefined) {
    // !CONFIG_NUMA before v2.6.35: the node is embedded as kmem_cache.local_node
    return [{ id: 0, node: c.localNode !== undefined ? cache.addr + BigInt(c.localNode) : 0n }];
  }
  const ids = memoryNodes(k).map((n) => n.id);
  return (ids.length ? ids : [0]).map((id) => ({
    id,
    node: c.node !== undefined ? u64(cache.buf, c.node + 8 * id) : u64(cache.buf, (k.memberByteOffset('struct kmem_cache', 'per_node') ?? 0) + c.perNodeStride! * id + (c.perNodeInner ?? 0)),
  }));
}

/** The kmem_cache_node counters: nr_partial, nr_slabs, total_objects (undefined when absent). */
export function readNode(k: Kernel, node: bigint): { nrPartial: bigint; nrSlabs: bigint; totalObjects?: bigint } {
  const n = slubLayout(k)!.node;
  return {
    nrPartial: k.readU64(node + BigInt(n.nrPartial), 'kmem_cache_node nr_partial'),
    nrSlabs: n.nrSlabs !== undefined ? k.readU64(node + BigInt(n.nrSlabs), 'kmem_cache_node nr_slabs') : 0n,
    totalObjects: n.totalObjects !== undefined ? k.readU64(node + BigInt(n.totalObjects), 'kmem_cache_node total_objects') : undefined,
  };
}

/**
 * freelist_ptr() under CONFIG_SLAB_FREELIST_HARDENED: ptr ^ s->random ^ swab(ptr_addr) (v5.7+;
 * earlier kernels did not byte-swap the address, so crash falls back to that when the swabbed
 * result is not an accessible address).
 */
export function freelistPtr(k: Kernel, cache: KmemCache, ptr: bigint, ptrAddr: bigint): bigint {
  if (cache.random === undefined) return ptr;
  const a = ptr ^ cache.random ^ swab64(ptrAddr);
  if (!a || accessible(k, a)) return a;
  return ptr ^ cache.random ^ ptrAddr;
}

export function swab64(v: bigint): bigint {
  let r = 0n;
  for (let i = 0; i < 8; i++) r = (r << 8n) | ((v >> BigInt(8 * i)) & 0xffn);
  return r;
}

function accessible(k: Kernel, addr: bigint): boolean {
  try {
    k.readBytes(addr, 1, 'accessible');
    return true;
  } catch (e) {
    rethrowInterrupt(e);
    return false;
  }
}

/** The result of following a freelist: its objects, and why the walk stopped early. */
export interface Freelist {
  objects: Set<bigint>;
  /** crash's INFO message, when the walk hit a bad pointer or a duplicate */
  error?: string;
}

/** Follow a freelist from `head` (crash count_free_objects / get_freepointer). */
export function walkFreelist(k: Kernel, cache: KmemCache, slab: bigint, head: bigint, limit = 1 << 16): Freelist {
  const objects = new Set<bigint>();
  const hex = (v: bigint) => v.toString(16);
  for (let q = head; q && !(q & 1n); ) {
    if (objects.has(q)) return { objects, error: `${cache.name}: slab: ${hex(slab)} duplicate freelist object: ${hex(q)}` };
    if (objects.size >= limit) return { objects, error: `${cache.name}: slab: ${hex(slab)} freelist longer than ${limit} objects` };
    objects.add(q);
    const at = q + BigInt(cache.offset);
    let raw: bigint;
    try {
      raw = k.readPtr(at, 'get_freepointer');
    } catch (e) {
      rethrowInterrupt(e);
      return { objects, error: `${cache.name}: slab: ${hex(slab)} invalid freepointer: ${hex(at)}` };
    }
    q = freelistPtr(k, cache, raw, at);
  }
  return { objects };
}

/** page_to_nid() of a slab's page (crash: by the node table), undefined when it is no page. */
export function slabNode(k: Kernel, slab: bigint): number | undefined {
  const pfn = pageToPfn(k, slab);
  return pfn === undefined ? undefined : pfnToNid(k, pfn);
}

/** The first object of a slab: the direct-map address of its page (PTOV(page_to_phys())). */
export function slabMemory(k: Kernel, slab: bigint): bigint | undefined {
  const pfn = pageToPfn(k, slab);
  if (pfn === undefined) return undefined;
  return k.arch.physToDirect(pfnToPhys(k, pfn));
}
