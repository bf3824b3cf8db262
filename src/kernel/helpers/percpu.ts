import type { Kernel } from '../kernel.js';
import type { Sym } from '../../debuginfo/symbol-table.js';

/**
 * Per-cpu data (include/linux/percpu-defs.h): a per-cpu symbol's value is an offset into the
 * per-cpu section; CPU n's copy lives at that value + __per_cpu_offset[n].
 */
export interface PerCpuInfo {
  /** __per_cpu_offset[cpu] for every possible cpu (nr_cpu_ids entries). */
  offsets: bigint[];
  start: bigint;
  end: bigint;
}

export function perCpuInfo(k: Kernel): PerCpuInfo | undefined {
  return k.memo('percpu', () => {
    const offSym = k.symbol('__per_cpu_offset');
    const start = k.symbol('__per_cpu_start');
    const end = k.symbol('__per_cpu_end');
    if (!offSym || !start || !end) return undefined;
    const n = possibleCpus(k);
    const offsets: bigint[] = [];
    for (let cpu = 0; cpu < n; cpu++) offsets.push(k.readU64(offSym.address + BigInt(cpu * 8), '__per_cpu_offset'));
    return { offsets, start: start.address, end: end.address };
  });
}

/** nr_cpu_ids, bounded by the possible mask and a sane maximum. */
export function possibleCpus(k: Kernel): number {
  return k.memo('nr_cpu_ids', () => {
    const s = k.symbol('nr_cpu_ids');
    let n = s ? k.readU32(s.address, 'nr_cpu_ids') : 1;
    if (n < 1 || n > 8192) n = 1;
    return n;
  });
}

export function isPerCpuSymbol(k: Kernel, sym: Sym): boolean {
  const p = perCpuInfo(k);
  return !!p && sym.address >= p.start && sym.address < p.end && sym.name !== '__per_cpu_start' && sym.name !== '__per_cpu_end';
}

/** per_cpu_ptr(): the address of cpu's copy of a per-cpu variable. */
export function perCpuPtr(k: Kernel, addr: bigint, cpu: number): bigint {
  const p = perCpuInfo(k);
  if (!p || cpu < 0 || cpu >= p.offsets.length) throw new Error(`invalid cpu ${cpu}`);
  return (addr + p.offsets[cpu]) & ((1n << 64n) - 1n);
}

/** Bits set in a struct cpumask global (cpu_online_mask and friends). */
export function cpumaskBits(k: Kernel, symbol: string): number[] {
  const s = k.symbol(symbol);
  if (!s) return [];
  const n = possibleCpus(k);
  const words = Math.ceil(n / 64);
  const cpus: number[] = [];
  for (let w = 0; w < words; w++) {
    const v = k.readU64(s.address + BigInt(w * 8), symbol);
    for (let b = 0; b < 64 && w * 64 + b < n; b++) if ((v >> BigInt(b)) & 1n) cpus.push(w * 64 + b);
  }
  return cpus;
}
