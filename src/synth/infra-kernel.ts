import { sizeofType } from '../debuginfo/btf/types.js';
import type { BuildContext } from './infra.js';
import { defineGlobal, defineString, writeObject } from './infra.js';
import { CrashError } from '../util/errors.js';
import { encodeScalar } from './values.js';

/** init_uts_ns and linux_banner, as include/linux/uts.h and init/version.c lay them out. */
export function buildUts(c: BuildContext): void {
  const u = c.s.uts;
  defineGlobal(c, 'init_uts_ns', 'struct uts_namespace', {
    name: { sysname: 'Linux', nodename: u.nodename, release: u.release, version: u.version, machine: u.machine, domainname: u.domainname ?? '(none)' },
  });
  c.vmcoreinfo.push(`SYMBOL(init_uts_ns)=${c.syms.get('init_uts_ns')!.address.toString(16)}`);
  c.vmcoreinfo.push(`OFFSET(uts_namespace.name)=${c.offsetOf('struct uts_namespace', 'name')}`);
  defineString(c, 'linux_banner', `Linux version ${u.release} (builder@scenario) (gcc) ${u.version}\n`, 'D');
}

/**
 * Time at the crash: jiffies_64 from the uptime (starting at INITIAL_JIFFIES = (u32)(-300*HZ),
 * include/linux/jiffies.h) and the timekeeper's wall clock (tk_core.timekeeper.xtime_sec).
 */
export function buildTime(c: BuildContext): void {
  const { date, uptime, hz } = c.s.time;
  const epoch = BigInt(Math.floor(Date.parse(date) / 1000));
  if (Number.isNaN(Date.parse(date))) throw new CrashError(`scenario ${c.s.name}: bad time.date ${date}`);
  const initial = BigInt((-300 * hz) >>> 0);
  const j = initial + BigInt(Math.round(uptime * hz));
  const jva = c.mem.allocData(8, 64);
  c.mem.writeU64(jva, j);
  c.syms.add('jiffies_64', jva, 'D');
  c.syms.add('jiffies', jva, 'D');
  const up = BigInt(Math.floor(uptime));
  const tk = c.mem.allocData(8 + sizeofType(c.type('struct timekeeper')), 64);
  c.syms.add('tk_core', tk, 'b');
  writeObject(c, tk + 8n, 'struct timekeeper', { xtime_sec: epoch, 'wall_to_monotonic.tv_sec': up - epoch });
  const avenrun = c.mem.allocData(24, 8);
  c.syms.add('avenrun', avenrun, 'B');
}

/** CPUs: __per_cpu_offset, nr_cpu_ids, the cpu masks, panic_cpu, cpu_khz, per-cpu variables. */
export function buildCpus(c: BuildContext): void {
  const { count, panicCpu, khz, perCpuOffsets } = c.s.cpus;
  if (perCpuOffsets.length !== count) throw new CrashError(`scenario ${c.s.name}: ${count} cpus but ${perCpuOffsets.length} per-cpu offsets`);
  const off = c.mem.allocData(8 * count, 64);
  perCpuOffsets.forEach((o, i) => c.mem.writeU64(off + BigInt(8 * i), o));
  c.syms.add('__per_cpu_offset', off, 'D');
  const n = c.mem.allocData(4, 4);
  c.mem.writeU32(n, count);
  c.syms.add('nr_cpu_ids', n, 'D');
  const mask = (BigInt(1) << BigInt(count)) - 1n;
  for (const m of ['__cpu_possible_mask', '__cpu_online_mask', '__cpu_present_mask', '__cpu_active_mask']) {
    const va = c.mem.allocData(8 * Math.ceil(count / 64), 8);
    c.mem.writeU64(va, mask);
    c.syms.add(m, va, 'D');
  }
  const pc = c.mem.allocData(4, 4);
  c.mem.writeU32(pc, panicCpu);
  c.syms.add('panic_cpu', pc, 'D');
  if (khz) {
    const k = c.mem.allocData(4, 4);
    c.mem.writeU32(k, khz);
    c.syms.add('cpu_khz', k, 'D');
  }
}

/**
 * Per-cpu variables: BTF VARs at their section offsets, the symbols, and each cpu's copy. x86_64
 * links .data..percpu at 0, so the symbols are small absolute values; arm64 keeps the section in
 * the image (layout.percpu_start), and __per_cpu_offset[cpu] is relative to that.
 */
export function buildPerCpu(c: BuildContext, extra: { name: string; type: string; values: Record<string, unknown>[] }[]): void {
  const { perCpuOffsets } = c.s.cpus;
  const base = c.s.arch === 'arm64' ? (c.s.layout.percpuStart ?? 0n) : 0n;
  const symType = c.s.arch === 'arm64' ? 'D' : 'A';
  let end = 0n;
  const all = [...c.s.percpu.map((p) => ({ ...p, values: p.values ?? [] })), ...extra.map((e) => ({ ...e, offset: -1n }))];
  for (const p of all) if (p.offset >= 0n) end = maxBig(end, p.offset + BigInt(sizeofType(c.type(p.type))));
  for (const p of all) {
    const t = c.type(p.type);
    if (p.offset < 0n) {
      p.offset = (end + 63n) & ~63n;
      end = p.offset + BigInt(sizeofType(t));
    }
    c.percpuVars.push({ name: p.name, type: t, offset: Number(p.offset) });
    c.syms.add(p.name, base + p.offset, symType);
    p.values.forEach((v, cpu) => {
      if (v === undefined || v === null || cpu >= perCpuOffsets.length) return;
      const at = BigInt.asUintN(64, base + p.offset + perCpuOffsets[cpu]);
      if (typeof v === 'object') writeObject(c, at, p.type, v as Record<string, unknown>);
      else c.mem.write(at, encodeScalar(t, v));
    });
  }
  c.syms.add('__per_cpu_start', base, symType);
  c.syms.add('__per_cpu_end', base + ((end + 4095n) & ~4095n), symType);
}

/** CONFIG_RANDOMIZE_MEMORY: the region bases are variables (arch/x86/mm/kaslr.c). */
export function buildLayoutVars(c: BuildContext): void {
  if (c.s.arch !== 'x86_64') return;
  const l = c.s.layout;
  const vars: [string, bigint | undefined][] = [
    ['page_offset_base', l.pageOffset],
    ['vmalloc_base', l.vmallocBase],
    ['vmemmap_base', l.vmemmapBase],
  ];
  for (const [name, v] of vars) {
    if (v === undefined) continue;
    const va = c.mem.allocData(8, 8);
    c.mem.writeU64(va, v);
    c.syms.add(name, va, 'D');
  }
}

/**
 * Memory nodes: node_data[] → one pglist_data per node (memory.nodes, else one node over all RAM)
 * with its start pfn, spanned pages and the RAM present in it; node_online_map has their bits.
 */
export function buildNodes(c: BuildContext): void {
  const ram = c.s.memory.ram;
  const ranges = c.s.memory.nodes ?? [[ram[0][0], ram[ram.length - 1][1]]];
  const nd = c.mem.allocData(8 * 64, 64);
  const hasId = c.offsetOfOptional('struct pglist_data', 'node_id') !== undefined;
  ranges.forEach(([start, end], id) => {
    const present = ram.reduce((a, [s, e]) => a + maxBig(0n, minBig(e, end) - maxBig(s, start)) / 4096n, 0n);
    const pgdat = c.mem.allocData(sizeofType(c.type('struct pglist_data')), 64);
    const values: Record<string, unknown> = { node_present_pages: present, node_spanned_pages: (end - start) / 4096n, node_start_pfn: start / 4096n };
    if (hasId) values.node_id = id;
    writeObject(c, pgdat, 'struct pglist_data', values);
    c.mem.writeU64(nd + BigInt(8 * id), pgdat);
  });
  c.syms.add('node_data', nd, 'D');
  const online = c.mem.allocData(8, 8);
  c.mem.writeU64(online, (1n << BigInt(ranges.length)) - 1n);
  c.syms.add('node_online_map', online, 'D');
  c.vmcoreinfo.push(`SYMBOL(node_online_map)=${online.toString(16)}`, `SYMBOL(node_data)=${nd.toString(16)}`, 'LENGTH(node_data)=64');
  c.vmcoreinfo.push(`OFFSET(pglist_data.node_spanned_pages)=${c.offsetOf('struct pglist_data', 'node_spanned_pages')}`);
}

const minBig = (a: bigint, b: bigint) => (a < b ? a : b);
const maxBig = (a: bigint, b: bigint) => (a > b ? a : b);
