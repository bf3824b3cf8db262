import type { Kernel } from '../kernel.js';
import { compoundHead, compoundOrder, isHeadPage, isTailPage, pageFlagBit, readPage, type PageInfo } from './page.js';

/**
 * One line saying what a struct page is, for `kmem -p -e` and `vtop -e` (beyond crash): the
 * compound/folio role, then what owns it (slab cache, buddy allocator, page cache, anon memory).
 */
export function explainPage(k: Kernel, p: PageInfo): string {
  try {
    if (isTailPage(p)) {
      const head = compoundHead(p);
      const order = compoundOrder(k, head);
      const what = order !== undefined ? `a ${sizeText(k, order)} compound page` : 'a compound page';
      let owner = '';
      try {
        owner = ownerText(k, readPage(k, head));
      } catch {
        /* the head is unreadable: say only where it is */
      }
      return `tail page of ${what}: refcount and flags live in head ${head.toString(16)}${owner ? ` (${owner})` : ''}`;
    }
    const owner = ownerText(k, p);
    if (isHeadPage(k, p)) {
      const order = compoundOrder(k, p.page);
      const what = order !== undefined ? `head of a ${sizeText(k, order)} compound page (order ${order})` : 'head of a compound page';
      return `${what}: ${owner}`;
    }
    return owner;
  } catch {
    return 'page contents unreadable';
  }
}

function flag(k: Kernel, p: PageInfo, name: string): boolean {
  const b = pageFlagBit(k, name);
  return b !== undefined && ((p.flags >> BigInt(b)) & 1n) === 1n;
}

function sizeText(k: Kernel, order: number): string {
  const bytes = BigInt(k.arch.pageSize) << BigInt(order);
  if (bytes >= 1n << 30n) return `${bytes >> 30n}G`;
  if (bytes >= 1n << 20n) return `${bytes >> 20n}M`;
  return `${bytes >> 10n}k`;
}

/** PageBuddy(): page_type in _mapcount (PAGE_TYPE_BASE 0xf0000000 with PG_buddy 0x80 clear). */
export function isBuddy(k: Kernel, p: PageInfo): boolean {
  const v = k.vmcoreinfo.number('PAGE_BUDDY_MAPCOUNT_VALUE');
  if (v !== undefined && BigInt(p.mapcount) === v) return true;
  const u = p.mapcount >>> 0;
  return v !== undefined && (u & 0xf0000080) === 0xf0000000;
}

function ownerText(k: Kernel, p: PageInfo): string {
  if (flag(k, p, 'reserved')) return 'reserved page: never handed to the page allocator (firmware, kernel image, early allocations)';
  if (flag(k, p, 'slab')) {
    const cache = slabCacheName(k, p);
    return `slab page${cache ? ` of kmem_cache "${cache}"` : ''}`;
  }
  if (isBuddy(k, p)) return `free page in the buddy allocator (order ${p.private}, a ${sizeText(k, Number(p.private & 0x3fn))} block)`;
  const maps = p.mapcount + 1;
  const mapped = maps > 0 ? `, mapped ${maps} time${maps === 1 ? '' : 's'}` : ', not mapped';
  if ((p.mapping & 3n) === 3n) return `KSM page${mapped}`;
  if (p.mapping & 1n) return `anonymous page (anon_vma ${(p.mapping & ~3n).toString(16)})${mapped}${flag(k, p, 'swapcache') ? ', in swap cache' : ''}`;
  if (p.mapping & 2n) return `movable non-LRU page${mapped}`;
  if (p.mapping) {
    const host = inodeOf(k, p.mapping);
    return `page cache page${host ? ` of inode ${host}` : ''} at file offset 0x${(p.index << BigInt(k.arch.pageShift)).toString(16)}${mapped}${flag(k, p, 'dirty') ? ', dirty' : ''}`;
  }
  if (p.refcount <= 0) return 'not in use (refcount 0): inside a free buddy block, or never allocated';
  return `kernel allocation without a mapping (refcount ${p.refcount}: page tables, vmalloc, stacks, per-cpu...)`;
}

/** struct slab.slab_cache (v5.17+) or page.slab_cache, then kmem_cache.name. */
function slabCacheName(k: Kernel, p: PageInfo): string | undefined {
  if (!k.btf) return undefined;
  const off = k.memberByteOffset('struct slab', 'slab_cache') ?? k.memberByteOffset('struct page', 'slab_cache');
  const nameOff = k.memberByteOffset('struct kmem_cache', 'name');
  if (off === undefined || nameOff === undefined) return undefined;
  try {
    const cache = k.readPtr(p.page + BigInt(off), 'slab_cache');
    return k.readCString(k.readPtr(cache + BigInt(nameOff), 'kmem_cache name'), 64);
  } catch {
    return undefined;
  }
}

function inodeOf(k: Kernel, mapping: bigint): string | undefined {
  if (!k.btf) return undefined;
  const hostOff = k.memberByteOffset('struct address_space', 'host');
  const inoOff = k.memberByteOffset('struct inode', 'i_ino');
  if (hostOff === undefined) return undefined;
  try {
    const host = k.readPtr(mapping + BigInt(hostOff), 'address_space host');
    if (!host) return undefined;
    const ino = inoOff !== undefined ? k.readU64(host + BigInt(inoOff), 'inode i_ino') : undefined;
    return `${host.toString(16)}${ino !== undefined ? ` (ino ${ino})` : ''}`;
  } catch {
    return undefined;
  }
}
