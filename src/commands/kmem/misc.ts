import type { Kernel } from '../../kernel/kernel.js';
import type { KmemHstatesReport, KmemPageFlagsReport, KmemPerCpuReport } from './report-results.js';
import { err, type CommandResult } from '../result.js';
import { UsageError } from '../getopt.js';
import type { EnumType } from '../../debuginfo/btf/types.js';
import { perCpuInfo } from '../../kernel/helpers/percpu.js';
import { pagesToSize } from '../../kernel/helpers/mm.js';

/**
 * The small kmem reports (memory.c dump_per_cpu_offsets, dump_hstates, dump_page_flags,
 * dump_page_lists, dump_page_hash_table) and the options modern kernels no longer support.
 */

const notSupported = (c: string) => err(`-${c} option not supported or applicable on this architecture or kernel`);

/** kmem -o: __per_cpu_offset[] of every cpu. */
export function kmemPerCpuOffsets(k: Kernel): CommandResult[] {
  const p = perCpuInfo(k);
  if (!p) return [notSupported('o')];
  const r: KmemPerCpuReport = { kind: 'kmem-report', report: 'percpu', offsets: p.offsets };
  return [r];
}

/** kmem -h: hstates[] (mm/hugetlb.c), the entries with an order. */
export function kmemHstates(k: Kernel): CommandResult[] {
  const sym = k.symbol('hstates');
  if (!sym) return [err('hstates[] array does not exist'), notSupported('h')];
  const H = 'struct hstate';
  const off = (m: string) => k.memberByteOffset(H, m);
  const [order, name, nr, free] = [off('order'), off('name'), off('nr_huge_pages'), off('free_huge_pages')];
  if (!k.btf || !k.hasType(H) || order === undefined || name === undefined || nr === undefined || free === undefined) {
    return [err('hstate structure or members have changed'), notSupported('h')];
  }
  const size = BigInt(k.sizeOf(H));
  // the array's length: its entries up to the next symbol (kallsyms has no sizes), at most 64
  const r: KmemHstatesReport = { kind: 'kmem-report', report: 'hstates', rows: [] };
  for (let i = 0; i < 64; i++) {
    const addr = sym.address + BigInt(i) * size;
    if (k.symbols.containing(addr)?.sym.address !== sym.address) break;
    let o: number;
    try {
      o = k.readU32(addr + BigInt(order), 'hstate');
    } catch {
      break;
    }
    if (!o || o > 40) continue;
    r.rows.push({
      addr,
      size: pagesToSize(1n << BigInt(o), k.arch.pageSize).replace(' ', ''),
      free: BigInt.asIntN(64, k.readU64(addr + BigInt(free), 'hstate')),
      total: BigInt.asIntN(64, k.readU64(addr + BigInt(nr), 'hstate')),
      name: k.readCString(addr + BigInt(name), 32, 'hstate'),
    });
  }
  return [r];
}

/** kmem -g [flags]: enum pageflags, every PG_ bit or those set in `flags`. */
export function kmemPageFlags(k: Kernel, flags?: bigint): CommandResult[] {
  const t = k.btf?.findType('enum pageflags');
  if (!t || t.kind !== 'enum') return [err('enum pageflags does not exist in this kernel')];
  const values = (t as EnumType).values;
  const names = values.filter((v) => v.name.includes('PG_')).map((v) => ({ name: v.name, bit: Number(v.value) }));
  const largest = names.reduce((m, n) => Math.max(m, n.bit), 0);
  const r: KmemPageFlagsReport = {
    kind: 'kmem-report',
    report: 'pageflags',
    flags,
    names: names.filter((n) => n.bit >= 0 && n.bit < 64),
    nameWidth: values.reduce((m, v) => Math.max(m, v.name.length), 0),
    valueDigits: Math.floor((largest + 1) / 4) + 1,
  };
  return [r];
}

/**
 * kmem -l/-L a|i|ic|id: the global LRU lists of 2.4 kernels (active_list, inactive_list,
 * inactive_dirty_list, zone inactive_clean_list); later kernels keep them per lruvec.
 */
export function kmemPageLists(k: Kernel, which: string): CommandResult[] {
  switch (which) {
    case 'a':
      return [err(k.symbol('active_list') ? 'nr_active_pages does not exist in this kernel' : 'active_list does not exist in this kernel')];
    case 'i':
      return [err(k.symbol('inactive_list') ? 'nr_active_pages does not exist in this kernel' : 'inactive_list does not exist in this kernel')];
    case 'ic':
      return [err('inactive_clean_list(s) do not exist in this kernel')];
    case 'id':
      return [err('inactive_dirty_list does not exist in this kernel')];
    default:
      throw new UsageError('');
  }
}

/** kmem -c/-C: the page cache hash table (page_hash_table, gone since v2.6). */
export function kmemPageHash(k: Kernel, verbose: boolean): CommandResult[] {
  return [notSupported(verbose ? 'C' : 'c')];
}
