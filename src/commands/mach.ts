import { defineCommand, flag, type CommandContext } from './types.js';
import { err, lines, type CommandResult, type StructResult } from './result.js';
import type { ParsedArgs } from './getopt.js';
import type { E820Result, MachResult } from './mach-dis-results.js';
import { valueView } from './value-view.js';
import { initUtsname } from '../kernel/helpers/utsname.js';
import { memorySizeText } from '../kernel/helpers/mm.js';
import { cpuState } from '../kernel/helpers/sched.js';
import { kernelHz } from '../kernel/helpers/time.js';
import { irqStack, threadSize } from '../kernel/helpers/stack.js';
import { isPerCpuSymbol, perCpuInfo, perCpuPtr } from '../kernel/helpers/percpu.js';
import { istStacks } from '../kernel/helpers/ist.js';
import type { Kernel } from '../kernel/kernel.js';

export const mach = defineCommand({
  name: 'mach',
  summary: 'machine specific data',
  synopsis: '[-m | -c -[xd]]',
  description: [
    'This command displays data specific to a machine type: the machine, memory size, cpus,',
    'processor speed, HZ, page size, the kernel\'s virtual memory bases and its per-cpu IRQ and',
    'exception (arm64: overflow) stacks.  CPUS counts every present cpu and marks the offline ones',
    'by their hotplug state, which stays "online" when the panic path stops the other cpus.',
  ],
  options: {
    m: flag('display the physical memory map (x86_64: the e820 map)'),
    c: flag('display each cpu\'s cpuinfo_x86 structure (x86_64)'),
    x: flag('with -c, hexadecimal output'),
    d: flag('with -c, decimal output'),
  },
  examples: [{ command: 'mach' }, { command: 'mach -m' }, { command: 'mach -c' }],
  run: (ctx, a) => runMach(ctx, a),
});

function runMach(ctx: CommandContext, a: ParsedArgs): CommandResult | CommandResult[] {
  const k = ctx.kernel;
  const f = (c: string) => a.flags.has(c);
  if (f('x') && f('d')) return err('-d and -x are mutually exclusive');
  if (k.arch.name === 'arm64') {
    for (const c of ['c', 'm']) if (f(c)) return err(`-${c} option not supported or applicable on this architecture or kernel`);
    return machineStats(ctx);
  }
  const out: CommandResult[] = [];
  if (f('m')) out.push(e820Map(k));
  if (f('c')) out.push(...cpuData(ctx, f('x') ? 16 : f('d') ? 10 : ctx.settings.radix));
  return f('m') || f('c') ? out : machineStats(ctx);
}

/** x86_64_display_machine_stats() / arm64_display_machine_stats(). */
function machineStats(ctx: CommandContext): MachResult {
  const k = ctx.kernel;
  const x86 = k.arch.name === 'x86_64';
  const L = k.arch.layout;
  const hex = (v: bigint) => v.toString(16);
  const fields: [string, string][] = [];
  const field = (label: string, f: () => string | undefined) => {
    try {
      const v = f();
      if (v !== undefined) fields.push([label, v]);
    } catch (e) {
      fields.push([label, `(unknown: ${(e as Error).message})`]);
    }
  };
  field('MACHINE TYPE', () => initUtsname(k).machine);
  field('MEMORY SIZE', () => memorySizeText(k));
  field('CPUS', () => {
    // crash 8.0.2 counts cpu_online_mask, which the panic path clears; the hotplug state is the truth (as sys)
    const c = cpuState(k);
    const off = c.present - c.online.length;
    return `${c.present}${x86 && off > 0 ? ` [OFFLINE: ${off}]` : ''}`;
  });
  if (x86) {
    field('HYPERVISOR', () => hypervisor(k));
    field('PROCESSOR SPEED', () => {
      // x86_64_processor_speed(): the int cpu_khz, in MHz
      const s = k.symbol('cpu_khz');
      const khz = s ? k.readU32(s.address, 'cpu_khz') : 0;
      return khz ? `${Math.floor(khz / 1000)} Mhz` : '(unknown)';
    });
  }
  field('HZ', () => String(kernelHz(k) ?? '(unknown)'));
  field('PAGE SIZE', () => String(k.arch.pageSize));
  field('KERNEL VIRTUAL BASE', () => hex(L.pageOffset));
  if (x86) {
    field('KERNEL VMALLOC BASE', () => hex(L.vmallocStart));
    field('KERNEL VMEMMAP BASE', () => hex(L.vmemmapStart));
    field('KERNEL START MAP', () => hex(L.kernelStart));
    field('KERNEL MODULES BASE', () => hex(L.modulesStart));
  } else {
    field('KERNEL MODULES BASE', () => hex(L.modulesStart));
    field('KERNEL VMALLOC BASE', () => hex(L.vmallocStart));
    field('KERNEL VMEMMAP BASE', () => hex(L.vmemmapStart));
  }
  field('KERNEL STACK SIZE', () => String(threadSize(k)));
  const r: MachResult = { kind: 'mach', arch: x86 ? 'x86_64' : 'arm64', fields, stacks: [] };
  const ncpu = cpuState(k).present;
  if (x86) {
    const irq = [...Array(ncpu).keys()].map((c) => ({ cpu: c, s: irqStack(k, c) }));
    const first = irq.find((x) => x.s)?.s;
    if (first) r.stacks.push({ name: 'IRQ', size: Number(first.top - first.base), cpus: irq.map((x) => ({ cpu: x.cpu, base: x.s?.base ?? 0n })) });
    for (const st of istStacks(k, ncpu)) r.stacks.push(st);
  } else {
    r.stacks.push(...arm64Stacks(k, ncpu));
  }
  return r;
}

/** hypervisor_init(): pv_info.name ("bare hardware" and undetermined are not shown). */
function hypervisor(k: Kernel): string | undefined {
  const s = k.symbol('pv_info');
  const off = k.memberByteOffset('struct pv_info', 'name');
  if (!s || off === undefined) return undefined;
  const name = k.readCString(k.readPtr(s.address + BigInt(off), 'pv_info.name'), 64, 'pv_info.name');
  return name && name !== 'bare hardware' ? name : undefined;
}

/**
 * arm64_irq_stack_init / arm64_overflow_stack_init: per-cpu irq_stack_ptr (or the per-cpu
 * irq_stack array before v4.14) and the per-cpu overflow_stack array, OVERFLOW_STACK_SIZE (4K).
 */
function arm64Stacks(k: Kernel, ncpu: number): MachResult['stacks'] {
  const out: MachResult['stacks'] = [];
  if (!perCpuInfo(k)) return out;
  const cpus = [...Array(ncpu).keys()];
  const ptr = k.symbol('irq_stack_ptr');
  const arr = k.symbol('irq_stack');
  // MEMBER_SIZE(thread_union, stack) when the union has it, else THREAD_SIZE
  const m = k.hasType('union thread_union') ? k.types.memberOf('union thread_union', 'stack') : undefined;
  const stackSize = m ? k.types.sizeof(m.type) : Number(threadSize(k));
  if (ptr && isPerCpuSymbol(k, ptr)) {
    out.push({ name: 'IRQ', size: stackSize, cpus: cpus.map((c) => ({ cpu: c, base: safe(() => k.readPtr(perCpuPtr(k, ptr.address, c), 'IRQ stack pointer')) })) });
  } else if (arr && isPerCpuSymbol(k, arr)) {
    out.push({ name: 'IRQ', size: stackSize, cpus: cpus.map((c) => ({ cpu: c, base: perCpuPtr(k, arr.address, c) })) });
  }
  const ovf = k.symbol('overflow_stack');
  if (ovf && isPerCpuSymbol(k, ovf)) out.push({ name: 'OVERFLOW', size: 4096, cpus: cpus.map((c) => ({ cpu: c, base: perCpuPtr(k, ovf.address, c) })) });
  return out;
}

const safe = (f: () => bigint): bigint => {
  try {
    return f();
  } catch {
    return 0n;
  }
};

/** x86_64_display_memmap(): the e820_table (v4.12+; the e820 struct before) the kernel kept. */
function e820Map(k: Kernel): E820Result | CommandResult {
  let table: bigint;
  const t = k.symbol('e820_table');
  const old = k.symbol('e820');
  const struct = k.hasType('struct e820_table') ? 'struct e820_table' : 'struct e820map';
  if (t) table = k.readPtr(t.address, 'e820_table');
  else if (old) table = old.address;
  else return err('neither e820 or e820_table symbols exist');
  const nrMember = k.hasMember(struct, 'nr_entries') ? 'nr_entries' : 'nr_map';
  const entMember = k.hasMember(struct, 'entries') ? 'entries' : 'map';
  const entType = k.hasType('struct e820_entry') ? 'struct e820_entry' : 'struct e820entry';
  const esize = k.sizeOf(entType);
  const nr = Math.min(k.readU32(table + BigInt(k.offsetOf(struct, nrMember)), 'e820map'), 4096);
  const base = table + BigInt(k.offsetOf(struct, entMember));
  const r: E820Result = { kind: 'e820', entries: [] };
  for (let i = 0; i < nr; i++) {
    const e = base + BigInt(i * esize);
    r.entries.push({
      addr: k.readU64(e + BigInt(k.offsetOf(entType, 'addr')), 'e820entry'),
      size: k.readU64(e + BigInt(k.offsetOf(entType, 'size')), 'e820entry'),
      type: k.readU32(e + BigInt(k.offsetOf(entType, 'type')), 'e820entry'),
    });
  }
  return r;
}

/** x86_64_display_cpu_data(): each cpu's struct cpuinfo_x86 (per-cpu cpu_info, else boot_cpu_data). */
function cpuData(ctx: CommandContext, radix: 10 | 16): CommandResult[] {
  const k = ctx.kernel;
  const type = k.types.tryParse('struct cpuinfo_x86');
  if (!type) return [err('invalid data structure reference: cpuinfo_x86')];
  const size = k.sizeOf('struct cpuinfo_x86');
  const perCpu = k.symbol('cpu_info');
  const boot = k.symbol('boot_cpu_data');
  const cpus: { label: string; addr: bigint }[] = [];
  if (perCpu && isPerCpuSymbol(k, perCpu)) {
    for (let c = 0; c < cpuState(k).present; c++) cpus.push({ label: `CPU ${c}:`, addr: perCpuPtr(k, perCpu.address, c) });
  } else if (boot) cpus.push({ label: 'BOOT CPU:', addr: boot.address });
  const out: CommandResult[] = [];
  cpus.forEach((c, i) => {
    out.push(lines([...(i ? [''] : []), c.label]));
    const s: StructResult = { kind: 'struct', keyword: 'struct', type, objects: [{ addr: c.addr, bytes: k.readBytes(c.addr, size, 'gdb request') }], view: valueView(ctx, radix) };
    out.push(s);
  });
  return out;
}
