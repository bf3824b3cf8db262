import type { Kernel } from '../kernel.js';
import { CrashError } from '../../util/errors.js';
import { perCpuInfo } from './percpu.js';
import { xaForEach } from './xarray.js';
import { radixTreeForEach } from './radix-tree.js';
import { mtForEach } from './maple-tree.js';
import { moduleSymbolAt } from './module.js';
import { resolveType } from '../../debuginfo/btf/types.js';

/**
 * Interrupt descriptors (include/linux/irqdesc.h struct irq_desc), found where the kernel keeps
 * them: the flat irq_desc[NR_IRQS] array (!CONFIG_SPARSE_IRQ), irq_desc_ptrs[] (2.6.3x), the
 * sparse-irq radix tree irq_desc_tree (v2.6.39-v6.4; an xarray underneath since v4.20), or the
 * maple tree sparse_irqs (v6.5+, 721255b9826b).
 */

export interface IrqAction {
  addr: bigint;
  name?: string;
}

export interface IrqDescInfo {
  irq: number;
  /** 0n: no descriptor (crash's "(unused)") */
  desc: bigint;
  actions: IrqAction[];
  /** irq_data.chip->name and desc->name (the flow handler's name: "edge", "fasteoi") */
  chip?: string;
  handlerName?: string;
  /** kstat_irqs per cpu (-s), indexed by cpu */
  counts?: Map<number, number>;
  /** cpus in the affinity mask (-a) */
  affinity?: number[];
}

export interface SoftirqVec {
  index: number;
  action: bigint;
  sym?: string;
  module?: string;
}

/** crash's machdep->nr_irqs: the irq_desc[] length, else nr_irqs, else x86's NR_IRQS floor (224). */
export function nrIrqs(k: Kernel): number {
  const arr = k.symbol('irq_desc');
  if (arr && !k.symbol('nr_irqs')) {
    const t = k.typeOfSymbol('irq_desc');
    const r = t && resolveType(t.type);
    if (r && r.kind === 'array' && r.length) return r.length;
  }
  const s = k.symbol('nr_irqs');
  if (s) {
    const n = k.readU32(s.address, 'nr_irqs');
    if (n > 0 && n <= 1 << 20) return n;
  }
  if (k.arch.name === 'x86_64') return 224;
  throw new CrashError('cannot determine number of IRQs');
}

/** Every descriptor address by irq number (get_irq_desc_addr() for all irqs at once). */
export function irqDescs(k: Kernel): Map<number, bigint> {
  return k.memo('irq descs', () => {
    const m = new Map<number, bigint>();
    const put = (i: bigint, d: bigint) => {
      if (i <= 1n << 24n && d) m.set(Number(i), d);
    };
    const arr = k.symbol('irq_desc') ?? k.symbol('_irq_desc');
    if (arr) {
      const size = BigInt(k.sizeOf('struct irq_desc'));
      for (let i = 0; i < nrIrqs(k); i++) m.set(i, arr.address + size * BigInt(i));
      return m;
    }
    const ptrs = k.symbol('irq_desc_ptrs');
    if (ptrs) {
      for (let i = 0; i < nrIrqs(k); i++) put(BigInt(i), k.readPtr(ptrs.address + BigInt(i * 8), 'irq_desc_ptrs entry'));
      return m;
    }
    const maple = k.symbol('sparse_irqs');
    if (maple) {
      for (const e of mtForEach(k, maple.address)) put(e.index, e.entry);
      return m;
    }
    const tree = k.symbol('irq_desc_tree');
    if (tree) {
      // radix_tree_root became a #define for struct xarray in v4.20 (f8d5d0cc145c)
      const radix = k.hasType('struct radix_tree_root') && k.hasMember('struct radix_tree_root', 'rnode');
      for (const e of radix ? radixTreeForEach(k, tree.address) : xaForEach(k, tree.address)) put(e.index, e.entry);
      return m;
    }
    throw new CrashError('neither irq_desc, _irq_desc, irq_desc_ptrs, irq_desc_tree or sparse_irqs symbols exist');
  });
}

const str = (k: Kernel, p: bigint, what: string): string | undefined => {
  if (!p) return undefined;
  try {
    return k.readCString(p, 256, what);
  } catch {
    return undefined;
  }
};

/** The irqaction chain of a descriptor (action, action->next ...), bounded and cycle-checked. */
export function irqActions(k: Kernel, desc: bigint): IrqAction[] {
  const nameOff = BigInt(k.offsetOf('struct irqaction', 'name'));
  const nextOff = BigInt(k.offsetOf('struct irqaction', 'next'));
  const out: IrqAction[] = [];
  let a = k.readPtr(desc + BigInt(k.offsetOf('struct irq_desc', 'action')), 'irq_desc action');
  const seen = new Set<bigint>();
  while (a && !seen.has(a) && out.length < 256) {
    seen.add(a);
    out.push({ addr: a, name: str(k, k.readPtr(a + nameOff, 'irqaction name'), 'irqaction name') });
    a = k.readPtr(a + nextOff, 'irqaction next');
  }
  return out;
}

export interface IrqWant {
  stats?: number[];
  affinity?: number;
}

/** One irq's row: descriptor, actions, and what -s / -a need. */
export function irqInfo(k: Kernel, irq: number, want: IrqWant = {}): IrqDescInfo {
  const desc = irqDescs(k).get(irq) ?? 0n;
  const info: IrqDescInfo = { irq, desc, actions: desc ? irqActions(k, desc) : [] };
  if (!desc) return info;
  const D = 'struct irq_desc';
  if (want.stats) {
    const dataOff = k.memberByteOffset(D, 'irq_data') ?? 0;
    const chipOff = k.memberByteOffset('struct irq_data', 'chip');
    if (chipOff !== undefined) {
      const chip = k.readPtr(desc + BigInt(dataOff + chipOff), 'irq_data chip');
      if (chip) info.chip = str(k, k.readPtr(chip + BigInt(k.offsetOf('struct irq_chip', 'name')), 'irq_chip name'), 'irq_chip name');
    }
    const nameOff = k.memberByteOffset(D, 'name');
    if (nameOff !== undefined) info.handlerName = str(k, k.readPtr(desc + BigInt(nameOff), 'irq_desc name'), 'irq_desc name');
    const kstat = k.readPtr(desc + BigInt(k.offsetOf(D, 'kstat_irqs')), 'irq_desc kstat_irqs');
    const pc = perCpuInfo(k);
    info.counts = new Map();
    for (const cpu of want.stats) info.counts.set(cpu, kstat && pc ? k.readU32(kstat + pc.offsets[cpu], 'kernel_stat irqs') : 0);
  }
  if (want.affinity !== undefined) info.affinity = irqAffinity(k, desc, want.affinity);
  return info;
}

/**
 * The affinity mask's cpus below ncpus: irq_common_data.affinity (v4.3+), irq_data.affinity, or
 * irq_desc.affinity; a cpumask_var_t is a pointer under CONFIG_CPUMASK_OFFSTACK, an array otherwise.
 */
function irqAffinity(k: Kernel, desc: bigint, ncpus: number): number[] {
  const D = 'struct irq_desc';
  const path = ['irq_common_data.affinity', 'irq_data.affinity', 'affinity'].find((p) => k.types.memberOf(D, p));
  const m = path ? k.types.memberOf(D, path) : undefined;
  const at = m ? desc + BigInt(Math.floor(m.bitOffset / 8)) : undefined;
  const memberType = m ? resolveType(m.type) : undefined;
  if (at === undefined || !memberType) throw new CrashError('-a option not supported or applicable on this architecture or kernel');
  const maskAddr = memberType.kind === 'ptr' ? k.readPtr(at, 'irq_desc affinity') : at;
  const words = Math.ceil(ncpus / 64);
  const out: number[] = [];
  for (let w = 0; w < words; w++) {
    const v = k.readU64(maskAddr + BigInt(w * 8), 'irq_desc affinity');
    for (let b = 0; b < 64 && w * 64 + b < ncpus; b++) if ((v >> BigInt(b)) & 1n) out.push(w * 64 + b);
  }
  return out;
}

/** softirq_vec[NR_SOFTIRQS] (kernel/softirq.c): each vector's action and its symbol. */
export function softirqVecs(k: Kernel): SoftirqVec[] {
  const s = k.symbol('softirq_vec');
  if (!s) throw new CrashError('bottom-half option not supported');
  let n = Number(k.types.enumValue('NR_SOFTIRQS') ?? 0n);
  if (!n) {
    const t = k.typeOfSymbol('softirq_vec');
    const r = t && resolveType(t.type);
    n = r && r.kind === 'array' ? r.length : 0;
  }
  if (!n || n > 64) throw new CrashError('cannot determine softirq_vec array length');
  const size = k.hasType('struct softirq_action') ? k.sizeOf('struct softirq_action') : 8;
  const out: SoftirqVec[] = [];
  for (let i = 0; i < n; i++) {
    const action = k.readPtr(s.address + BigInt(i * size), 'softirq_vec');
    if (!action) continue;
    const hit = k.symbols.containing(action);
    const mod = moduleSymbolAt(k, action);
    out.push({ index: i, action, sym: mod?.sym.name ?? hit?.sym.name, module: mod?.module });
  }
  return out;
}
