import type { Kernel } from '../../kernel/kernel.js';
import type { KmemInfoResult, KmemInfoRow } from '../memory-results.js';
import { pagesToSize } from '../../kernel/helpers/mm.js';
import { allZones, globalPageState, zonePageState } from '../../kernel/helpers/vmstat.js';
import { swapCachePages, swapTotals } from '../../kernel/helpers/swap.js';
import { pageFlagBit } from '../../kernel/helpers/page.js';
import { listForEach } from '../../kernel/helpers/list.js';
import { memMapCounts } from '../../kernel/helpers/mem-map-counts.js';
import type { ProgressHooks } from '../../util/interrupt.js';

/**
 * `kmem -i` (memory.c dump_kmeminfo, crash 8.0.2 layout): the kernel's own counters
 * (_totalram_pages, zone NR_FREE_PAGES, node NR_FILE_PAGES and slab counters, hstates,
 * swap_info, vm_committed_as) plus one bounded pass over mem_map for SHARED (non-reserved
 * pages with a refcount above one), which no counter holds (kernel/helpers/mem-map-counts.ts).
 *
 * SLAB: crash 8.0.2 looks up NR_SLAB_RECLAIMABLE/NR_SLAB_UNRECLAIMABLE by exact name, misses
 * the v5.9+ NR_SLAB_*_B names and falls back to counting PG_slab pages (slab heads only);
 * crash 8.0.3 ("Fix for kmem -i to display correct SLAB statistics on Linux 5.9 and later")
 * reads the _B counters, as /proc/meminfo does. We read the counters.
 */
export function kmemInfo(k: Kernel, hooks?: ProgressHooks): KmemInfoResult {
  const ps = k.arch.pageSize;
  const size = (p: bigint) => pagesToSize(p < 0n ? 0n : p, ps);
  const pct = (v: bigint, of: bigint) => (of > 0n ? (v * 100n) / of : 0n);
  const rows: (KmemInfoRow | null)[] = [];
  const total = (label: string, pages: bigint) => rows.push({ label, pages, size: size(pages) });
  const part = (label: string, pages: bigint, whole: bigint, of: string) =>
    rows.push({ label, pages, size: size(pages), percent: { value: pct(pages, whole), of } });

  const walk = memMapCounts(k, pageFlagBit(k, 'slab'), pageFlagBit(k, 'reserved'), hooks);
  const totalram = totalRamPages(k);
  const free = allZones(k).reduce((s, z) => s + (zonePageState(k, z, 'NR_FREE_PAGES') ?? 0n), 0n);
  total('TOTAL MEM', totalram);
  part('FREE', free, totalram, 'TOTAL MEM');
  part('USED', totalram - free, totalram, 'TOTAL MEM');
  part('SHARED', walk.shared, totalram, 'TOTAL MEM');
  const buffers = blockdevPages(k);
  part('BUFFERS', buffers, totalram, 'TOTAL MEM');
  const file = globalPageState(k, 'NR_FILE_PAGES');
  const cached = file === undefined ? 0n : file - swapCachePages(k) - buffers;
  part('CACHED', cached, totalram, 'TOTAL MEM');
  part('SLAB', slabPages(k) ?? walk.slab, totalram, 'TOTAL MEM');

  const high = symbolU64(k, '_totalhigh_pages') ?? symbolU64(k, 'totalhigh_pages');
  if (high !== undefined) {
    const freeHigh = highmemFree(k);
    rows.push(null);
    part('TOTAL HIGH', high, totalram, 'TOTAL MEM');
    part('FREE HIGH', freeHigh, high, 'TOTAL HIGH');
    part('TOTAL LOW', totalram - high, totalram, 'TOTAL MEM');
    part('FREE LOW', free - freeHigh, totalram - high, 'TOTAL LOW');
  }

  const huge = hugetlbTotals(k);
  if (huge) {
    rows.push(null);
    total('TOTAL HUGE', huge.total);
    part('HUGE FREE', huge.free, huge.total, 'TOTAL HUGE');
  }

  rows.push(null);
  let swapTotal = 0n;
  if (k.hasSymbol('swapper_space') || k.hasSymbol('swapper_spaces')) {
    const sw = swapTotals(k);
    swapTotal = sw.total;
    total('TOTAL SWAP', sw.total);
    part('SWAP USED', sw.used, sw.total, 'TOTAL SWAP');
    part('SWAP FREE', sw.total - sw.used, sw.total, 'TOTAL SWAP');
  }

  if (k.hasSymbol('sysctl_overcommit_memory')) {
    rows.push(null);
    const kbytes = symbolU64(k, 'sysctl_overcommit_kbytes') ?? 0n;
    let allowed: bigint | undefined;
    if (kbytes) allowed = kbytes >> BigInt(k.arch.pageShift - 10);
    else if (huge) allowed = ((totalram - huge.total) * BigInt(k.readS32(k.symbolAddress('sysctl_overcommit_ratio')))) / 100n;
    const committed = committedPages(k);
    if (allowed !== undefined && committed !== undefined) {
      allowed += swapTotal;
      total('COMMIT LIMIT', allowed);
      if (allowed) part('COMMITTED', committed, allowed, 'TOTAL LIMIT');
      else total('COMMITTED', committed);
    }
  }
  return { kind: 'kmem-info', rows };
}

function symbolU64(k: Kernel, name: string): bigint | undefined {
  const s = k.symbol(name);
  return s ? k.readU64(s.address, name) : undefined;
}

/** totalram_pages(): _totalram_pages (atomic_long_t, v5.0+) or the older unsigned long. */
function totalRamPages(k: Kernel): bigint {
  return symbolU64(k, '_totalram_pages') ?? symbolU64(k, 'totalram_pages') ?? 0n;
}

/** NR_SLAB_RECLAIMABLE_B + NR_SLAB_UNRECLAIMABLE_B (v5.9+), the older pair, or NR_SLAB. */
function slabPages(k: Kernel): bigint | undefined {
  for (const [a, b] of [['NR_SLAB_RECLAIMABLE_B', 'NR_SLAB_UNRECLAIMABLE_B'], ['NR_SLAB_RECLAIMABLE', 'NR_SLAB_UNRECLAIMABLE']]) {
    const r = globalPageState(k, a);
    if (r !== undefined) return r + (globalPageState(k, b) ?? 0n);
  }
  return globalPageState(k, 'NR_SLAB');
}

/** nr_blockdev_pages(): the page-cache pages of every block device inode (blockdev_superblock). */
function blockdevPages(k: Kernel): bigint {
  const sb = k.symbol('blockdev_superblock');
  if (!sb) return 0n;
  const sup = k.readPtr(sb.address, 'blockdev_superblock');
  const head = sup + BigInt(k.offsetOf('struct super_block', 's_inodes'));
  const listOff = BigInt(k.offsetOf('struct inode', 'i_sb_list'));
  const mapOff = BigInt(k.offsetOf('struct inode', 'i_mapping'));
  const nrOff = BigInt(k.offsetOf('struct address_space', 'nrpages'));
  let total = 0n;
  for (const node of listForEach(k, head)) {
    const mapping = k.readPtr(node - listOff + mapOff, 'inode i_mapping');
    if (mapping) total += k.readU64(mapping + nrOff, 'address_space nrpages');
  }
  return total;
}

function highmemFree(k: Kernel): bigint {
  const nameOff = k.memberByteOffset('struct zone', 'name');
  let sum = 0n;
  for (const z of allZones(k)) {
    if (nameOff === undefined) break;
    if (k.readCString(k.readPtr(z + BigInt(nameOff), 'zone name'), 16) === 'HighMem') sum += zonePageState(k, z, 'NR_FREE_PAGES') ?? 0n;
  }
  return sum;
}

/** get_hugetlb_total_pages(): hstates[] (nr_huge_pages, free_huge_pages << order). */
function hugetlbTotals(k: Kernel): { total: bigint; free: bigint } | undefined {
  const hs = k.symbol('hstates');
  if (hs) {
    if (!k.btf || !k.hasType('struct hstate')) return undefined;
    const size = k.sizeOf('struct hstate');
    const order = k.offsetOf('struct hstate', 'order');
    const nr = k.offsetOf('struct hstate', 'nr_huge_pages');
    const fr = k.offsetOf('struct hstate', 'free_huge_pages');
    const max = k.symbol('hugetlb_max_hstate');
    const n = max ? Math.min(k.readU32(max.address, 'hugetlb_max_hstate'), 16) : 2;
    let total = 0n;
    let free = 0n;
    for (let i = 0; i < n; i++) {
      const h = hs.address + BigInt(i * size);
      const o = k.readU32(h + BigInt(order), 'hstate order');
      if (!o) continue;
      total += k.readU64(h + BigInt(nr), 'hstate nr_huge_pages') << BigInt(o);
      free += k.readU64(h + BigInt(fr), 'hstate free_huge_pages') << BigInt(o);
    }
    return { total, free };
  }
  const nr = symbolU64(k, 'nr_huge_pages');
  if (nr === undefined) return undefined;
  const per = (1n << 21n) / BigInt(k.arch.pageSize);
  return { total: nr * per, free: (symbolU64(k, 'free_huge_pages') ?? 0n) * per };
}

/** vm_committed_as (percpu_counter.count), never negative. */
function committedPages(k: Kernel): bigint | undefined {
  const s = k.symbol('vm_committed_as');
  if (!s) return undefined;
  const off = k.memberByteOffset('struct percpu_counter', 'count');
  if (off === undefined) return undefined;
  const v = BigInt.asIntN(64, k.readU64(s.address + BigInt(off), 'percpu_counter count'));
  return v < 0n ? 0n : v;
}
