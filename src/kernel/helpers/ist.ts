import type { Kernel } from '../kernel.js';
import { isPerCpuSymbol, perCpuPtr } from './percpu.js';

/** One x86_64 IST exception stack kind, per cpu, as crash's `mach` lists them. */
export interface IstStacks {
  name: string;
  size: number;
  cpus: { cpu: number; base: bigint; unavailable?: boolean }[];
}

const IST_ENTRIES = 7; // struct x86_hw_tss: u64 ist[7]
const IDT_ENTRIES = 256;
const GATE_SIZE = 16; // struct gate_struct (x86_64)

/** crash's names, from the IDT handler a gate with an IST index points at (later matches win). */
const HANDLER_NAMES: [RegExp, string][] = [
  [/nmi/, 'NMI'],
  [/debug/, 'DEBUG'],
  [/stack/, 'STACKFAULT'],
  [/double/, 'DOUBLEFAULT'],
  [/machine/, 'MCE'],
  [/vmm/, 'VC'],
];

/** The cea_exception_stacks member whose size is each stack's. */
const SIZE_MEMBER: Record<string, string> = { DEBUG: 'DB_stack', NMI: 'NMI_stack', DOUBLEFAULT: 'DF_stack', MCE: 'MCE_stack', VC: 'VC_stack' };

/**
 * The IST stacks as crash's x86_64_ist_init() finds them: each cpu's TSS (per-cpu cpu_tss_rw,
 * formerly cpu_tss / init_tss) holds the top of each stack in x86_tss.ist[]; idt_table's gates
 * name them (x86_64_exception_stacks_init); struct cea_exception_stacks gives their sizes (v5.2).
 * The base is top − size; `unavailable` when that page is not in the dump (the VC stacks are
 * unmapped without SEV-ES). A kind is listed while cpu 0 has it (crash stops at the first gap).
 */
export function istStacks(k: Kernel, ncpu: number): IstStacks[] {
  const tss = ['cpu_tss_rw', 'cpu_tss', 'init_tss'].map((n) => k.symbol(n)).find((s) => s && isPerCpuSymbol(k, s));
  const tssType = k.hasType('struct tss_struct') ? 'struct tss_struct' : undefined;
  const istOff = tssType ? k.memberByteOffset(tssType, 'x86_tss.ist') : undefined;
  if (!tss || istOff === undefined) return [];
  const names = exceptionStackNames(k);
  const orig = k.symbol('orig_ist');
  const tops: bigint[][] = [];
  for (let c = 0; c < ncpu; c++) {
    const row: bigint[] = [];
    try {
      const src = orig && isPerCpuSymbol(k, orig) ? perCpuPtr(k, orig.address, c) : perCpuPtr(k, tss.address, c) + BigInt(istOff);
      const b = k.readBytes(src, 8 * IST_ENTRIES, 'tss_struct ist array');
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      for (let i = 0; i < IST_ENTRIES; i++) row.push(dv.getBigUint64(i * 8, true));
    } catch {
      /* this cpu's TSS is not in the dump */
    }
    tops.push(row);
  }
  const struct = k.hasMember('struct cea_exception_stacks', 'NMI_stack') ? 'struct cea_exception_stacks' : k.hasMember('struct exception_stacks', 'NMI_stack') ? 'struct exception_stacks' : undefined;
  const out: IstStacks[] = [];
  for (let i = 0; i < IST_ENTRIES; i++) {
    if (!tops[0]?.[i]) break;
    const name = names[i] ?? '(unknown)';
    const member = struct && SIZE_MEMBER[name] ? k.types.memberOf(struct, SIZE_MEMBER[name]) : undefined;
    const fallback = tops[0][1] && tops[0][0] ? Number(tops[0][1] - tops[0][0]) : 4096;
    const size = member ? k.types.sizeof(member.type) : struct ? 0 : fallback;
    const cpus: IstStacks['cpus'] = [];
    for (let c = 0; c < ncpu; c++) {
      const top = tops[c]?.[i];
      if (!top) break;
      const base = top - BigInt(size);
      cpus.push({ cpu: c, base, unavailable: !readable(k, base) || undefined });
    }
    out.push({ name, size, cpus });
  }
  return out;
}

function readable(k: Kernel, addr: bigint): boolean {
  try {
    k.readBytes(addr, 1, 'exception stack');
    return true;
  } catch {
    return false;
  }
}

/** IST index → crash's stack name, from the handlers of the IDT gates that use an IST. */
function exceptionStackNames(k: Kernel): (string | undefined)[] {
  const names: (string | undefined)[] = [];
  const idt = k.symbol('idt_table');
  if (!idt) return names;
  let b: Uint8Array;
  try {
    b = k.readBytes(idt.address, IDT_ENTRIES * GATE_SIZE, 'idt_table');
  } catch {
    return names;
  }
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let v = 0; v < IDT_ENTRIES; v++) {
    const o = v * GATE_SIZE;
    const ist = dv.getUint16(o + 4, true) & 7;
    if (!ist) continue;
    const handler = BigInt(dv.getUint16(o, true)) | (BigInt(dv.getUint16(o + 6, true)) << 16n) | (BigInt(dv.getUint32(o + 8, true)) << 32n);
    const hit = k.symbols.containing(handler);
    if (!hit) continue;
    for (const [re, name] of HANDLER_NAMES) if (re.test(hit.sym.name)) names[ist - 1] = name;
  }
  return names;
}
