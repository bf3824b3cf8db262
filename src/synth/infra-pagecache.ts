import { createHash } from 'node:crypto';
import { findMember, resolveType } from '../debuginfo/btf/types.js';
import { CrashError } from '../util/errors.js';
import { writeObject, type BuildContext } from './infra.js';
import { vmemmapBase } from './infra-mm.js';
import { num } from './scenario.js';
import type { Vfs } from './infra-vfs.js';

/**
 * A file's page cache as the kernel keeps it: struct pages (at their vmemmap slot) whose
 * mapping/index name the address_space, the page contents in the direct map, and the
 * address_space's tree of them: an xarray (i_pages, 4.20+: xa_node with shift/offset/count,
 * node pointers tagged 2) or the radix tree of older kernels (page_tree: height in the root,
 * root->rnode tagged 1, inner slots plain node pointers).
 */

export interface PageRange {
  /** file page index of the first page */
  index: bigint;
  /** its page frame number; the range is physically contiguous */
  pfn: bigint;
  count: number;
  /** page flags: a number, or PG_ names (`[uptodate, lru]`, the default) from the enum pageflags declared */
  flags: bigint | string[];
  /** seed of the deterministic contents (sha256 stream), or undefined for zero pages */
  fill?: string;
}

export function parsePageRanges(v: unknown, what: string): PageRange[] {
  const list = Array.isArray(v) ? v : v ? [v] : [];
  return list.map((r: any) => ({
    index: num(r.index ?? 0, `${what} index`),
    pfn: num(r.pfn, `${what} pfn`),
    count: Number(r.count ?? 1),
    flags: Array.isArray(r.flags) ? r.flags.map(String) : r.flags === undefined ? ['uptodate', 'lru'] : num(r.flags, `${what} flags`),
    fill: r.fill === undefined ? undefined : String(r.fill),
  }));
}

/** The bytes of page `index` of a file filled from `seed` (zero beyond i_size, as the kernel leaves them). */
export function pageFill(seed: string, index: bigint, validBytes = 4096): Uint8Array {
  const out = new Uint8Array(4096);
  for (let j = 0; j < 128; j++) out.set(createHash('sha256').update(`${seed}:${index}:${j}`).digest(), j * 32);
  out.fill(0, Math.max(0, validBytes));
  return out;
}

export function buildPageCache(c: BuildContext, vfs: Vfs, inode: bigint, size: bigint, ranges: PageRange[]): void {
  const vmemmap = vmemmapBase(c);
  if (vmemmap === undefined) throw new CrashError(`scenario ${c.s.name}: a page cache needs a vmemmap (layout.vmemmap_base / vmemmap_start)`);
  const P = 'struct page';
  const pageSize = BigInt(vfs.size(P));
  const mapping = inode + vfs.off('struct inode', 'i_data');
  const refcount = findMember(c.type(P), '_refcount') ? '_refcount.counter' : '_count.counter';
  const entries = new Map<bigint, bigint>();
  const flagBits = (f: bigint | string[]): bigint => {
    if (typeof f === 'bigint') return f;
    const e = resolveType(c.type('enum pageflags'));
    return f.reduce((v, n) => {
      const bit = e.kind === 'enum' ? e.values.find((x) => x.name === `PG_${n}`)?.value : undefined;
      if (bit === undefined) throw new CrashError(`scenario ${c.s.name}: no PG_${n} in enum pageflags`);
      return v | (1n << bit);
    }, 0n);
  };
  for (const r of ranges) {
    for (let i = 0; i < r.count; i++) {
      const index = r.index + BigInt(i);
      const pfn = r.pfn + BigInt(i);
      const page = vmemmap + pfn * pageSize;
      writeObject(c, page, P, { flags: flagBits(r.flags), mapping, index, [refcount]: 1, '_mapcount.counter': -1 });
      if (r.fill !== undefined) c.mem.write(c.mem.directMap(pfn << 12n), pageFill(r.fill, index, Number(size - index * 4096n)));
      entries.set(index, page);
    }
  }
  const A = 'struct address_space';
  if (findMember(c.type(A), 'i_pages')) writeObject(c, mapping, A, { 'i_pages.xa_head': xarray(c, vfs, mapping + vfs.off(A, 'i_pages'), entries) });
  else radixTree(c, vfs, mapping + vfs.off(A, 'page_tree'), entries);
  writeObject(c, mapping, A, { nrpages: entries.size });
}

const CHUNK = 64n;

/** The xarray of `entries` rooted at `xa`: returns xa_head. */
function xarray(c: BuildContext, vfs: Vfs, xa: bigint, entries: Map<bigint, bigint>): bigint {
  if (!entries.size) return 0n;
  const max = [...entries.keys()].reduce((a, b) => (a > b ? a : b));
  if (entries.size === 1 && entries.has(0n)) return entries.get(0n)!;
  let shift = 0n;
  while (max >> (shift + 6n)) shift += 6n;
  const N = 'struct xa_node';
  const node = (sh: bigint, base: bigint, parent: bigint, offset: bigint): bigint => {
    const at = vfs.alloc(vfs.size(N));
    let count = 0;
    for (let i = 0n; i < CHUNK; i++) {
      const lo = base + (i << sh);
      let slot = 0n;
      if (sh === 0n) slot = entries.get(lo) ?? 0n;
      else if ([...entries.keys()].some((k) => k >= lo && k < lo + (1n << sh))) slot = node(sh - 6n, lo, at, i) | 2n;
      if (!slot) continue;
      c.mem.writeU64(at + vfs.off(N, 'slots') + i * 8n, slot);
      count++;
    }
    writeObject(c, at, N, { shift: sh, offset, count, parent, array: xa });
    return at;
  };
  return node(shift, 0n, 0n, 0n) | 2n;
}

/** The radix tree (height in the root) of `entries` rooted at `root`. */
function radixTree(c: BuildContext, vfs: Vfs, root: bigint, entries: Map<bigint, bigint>): void {
  const R = 'struct radix_tree_root';
  if (!entries.size) return;
  const max = [...entries.keys()].reduce((a, b) => (a > b ? a : b));
  if (entries.size === 1 && entries.has(0n)) {
    writeObject(c, root, R, { height: 0, rnode: entries.get(0n)! });
    return;
  }
  let height = 1;
  while (max >> BigInt(6 * height)) height++;
  const N = 'struct radix_tree_node';
  const node = (h: number, base: bigint, parent: bigint): bigint => {
    const at = vfs.alloc(vfs.size(N));
    const sh = BigInt(6 * (h - 1));
    let count = 0;
    for (let i = 0n; i < CHUNK; i++) {
      const lo = base + (i << sh);
      let slot = 0n;
      if (h === 1) slot = entries.get(lo) ?? 0n;
      else if ([...entries.keys()].some((k) => k >= lo && k < lo + (1n << sh))) slot = node(h - 1, lo, at);
      if (!slot) continue;
      c.mem.writeU64(at + vfs.off(N, 'slots') + i * 8n, slot);
      count++;
    }
    writeObject(c, at, N, { height: h, count, parent });
    return at;
  };
  writeObject(c, root, R, { height, rnode: node(height, 0n, 0n) | 1n });
}
