/**
 * Data symbols and BTF for a kernel whose kallsyms has text symbols only (no
 * CONFIG_KALLSYMS_ALL, e.g. Debian's arm64 kernel), recovered from what the dump itself carries:
 *
 *  - BTF: the .BTF section found in the image's read-only data by its validated header
 *    (src/debuginfo/image-scan.ts), when __start_BTF is not a symbol;
 *  - exported symbols: the kernel's own export table (__ksymtab), anchored on kallsyms, which
 *    names init_task, __per_cpu_offset, jiffies, nr_cpu_ids, the cpu masks, _totalram_pages ...;
 *  - VMCOREINFO SYMBOL()s that lie in the image (init_uts_ns, swapper_pg_dir, prb ...);
 *  - per-cpu variables: BTF's ".data..percpu" DATASEC gives each one's offset in the per-cpu
 *    section; exported per-cpu variables (kstat, cpu_number ...) have their link address in the
 *    export table, so __per_cpu_start = address - offset, believed only when every exported
 *    per-cpu variable agrees. runqueues and the rest follow, with __per_cpu_start/__per_cpu_end.
 *
 * Each recovered symbol says where it came from (Sym.origin), for `sym` and `whatis`.
 * What this cannot give: non-exported, non-per-cpu data (init_mm, slab_caches, modules,
 * linux_banner, pid_max, tainted_mask ...) — kallsyms, the export table and BTF do not name them.
 */
import type { VmcoreInfo } from '../debuginfo/vmcoreinfo.js';
import type { Sym, SymbolTable } from '../debuginfo/symbol-table.js';
import { findBtf, findExports, readOnlyDataRegions, type ReadPage } from '../debuginfo/image-scan.js';
import { BtfWire, BtfKind } from '../debuginfo/btf/wire.js';

export const ORIGIN_KSYMTAB = 'the export table (__ksymtab)';
export const ORIGIN_VMCOREINFO = 'VMCOREINFO';
export const ORIGIN_PERCPU = 'BTF .data..percpu offset + __per_cpu_start (from exported per-cpu symbols)';

export interface Recovered {
  symbols: Sym[];
  /** The .BTF blob found by scanning, when __start_BTF was not a symbol. */
  btf?: Uint8Array;
  btfAddress?: bigint;
}

const IMAGE_SPAN = 1n << 30n;

export function recoverFromImage(vi: VmcoreInfo, table: SymbolTable, read: ReadPage, pageSize: number): Recovered {
  const stext = vi.symbol('_stext') ?? table.lookup('_stext')?.address;
  if (stext === undefined) return { symbols: [] };
  const text = table.all();
  const regions = readOnlyDataRegions(text, stext, read, pageSize);
  const out: Recovered = { symbols: [] };
  const known = new Set(text.map((s) => s.name));
  const add = (s: Sym): void => {
    if (known.has(s.name)) return;
    known.add(s.name);
    out.symbols.push(s);
  };

  let btfBytes: Uint8Array | undefined;
  const start = table.lookup('__start_BTF');
  const stop = table.lookup('__stop_BTF');
  if (start && stop && stop.address > start.address && stop.address - start.address <= 256n << 20n) {
    const n = Number(stop.address - start.address);
    const b = new Uint8Array(n);
    for (let off = 0; off < n; off += pageSize) {
      const part = read(start.address + BigInt(off), Math.min(pageSize, n - off));
      if (part) b.set(part, off);
    }
    btfBytes = b;
  } else {
    const found = findBtf(regions);
    if (found) {
      out.btf = btfBytes = found.bytes;
      out.btfAddress = found.address;
      add({ name: '__start_BTF', address: found.address, type: 'R', origin: 'the .BTF header found in the image' });
      add({ name: '__stop_BTF', address: found.address + BigInt(found.bytes.length), type: 'R', origin: 'the .BTF header found in the image' });
    }
  }

  // the export table: a name given two addresses is believed for neither
  const exports = new Map<string, bigint | null>();
  for (const e of findExports(regions, text)) {
    const prev = exports.get(e.name);
    exports.set(e.name, prev === undefined || prev === e.address ? e.address : null);
  }
  for (const [name, address] of exports) if (address !== null) add({ name, address, type: 'D', origin: ORIGIN_KSYMTAB });

  for (const key of vi.keys()) {
    const m = /^SYMBOL\((\w+)\)$/.exec(key);
    const a = m ? vi.symbol(m[1]!) : undefined;
    if (m && a !== undefined && a >= stext && a - stext < IMAGE_SPAN) add({ name: m[1]!, address: a, type: 'D', origin: ORIGIN_VMCOREINFO });
  }

  if (btfBytes && !known.has('__per_cpu_start')) {
    for (const s of perCpuSymbols(btfBytes, exports)) add(s);
  }
  return out;
}

/** Every .data..percpu VAR at __per_cpu_start + its offset, when the exports fix __per_cpu_start. */
function perCpuSymbols(btf: Uint8Array, exports: Map<string, bigint | null>): Sym[] {
  let w: BtfWire;
  try {
    w = new BtfWire(btf);
  } catch {
    return [];
  }
  for (let id = w.firstId; id <= w.lastId; id++) {
    if (w.kindOf(id) !== BtfKind.DATASEC) continue;
    const r = w.record(id);
    if (w.str(r.name_off) !== '.data..percpu') continue;
    const vars = (r.secinfos ?? []).map((s) => ({ name: w.str(w.nameOffOf(s.type)), offset: BigInt(s.offset) }));
    let base: bigint | undefined;
    let votes = 0;
    for (const v of vars) {
      const a = exports.get(v.name);
      if (a === undefined || a === null) continue;
      if (base !== undefined && a - v.offset !== base) return []; // the exports disagree: believe none
      base = a - v.offset;
      votes++;
    }
    if (base === undefined || votes < 2) return [];
    const origin = `${ORIGIN_PERCPU.split(' (')[0]} (${votes} exported per-cpu symbols agree)`;
    return [
      { name: '__per_cpu_start', address: base, type: 'D', origin },
      { name: '__per_cpu_end', address: base + BigInt(r.size_or_type), type: 'D', origin },
      ...vars.map((v) => ({ name: v.name, address: base! + v.offset, type: 'D', origin })),
    ];
  }
  return [];
}
