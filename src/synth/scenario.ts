import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CrashError } from '../util/errors.js';
import { parseModules, type ScenarioModule } from './infra-modules.js';
import { parseFiles, type ScenarioFiles } from './infra-files.js';
import { parseStacks, type ScenarioStack } from './stacks.js';

/**
 * A scenario: the declarative description of a kernel at the moment it died, one folder under
 * dumps/ (scenario.yaml + C type declarations + README). Numbers: 0x-prefixed hex, bare hex that
 * contains a letter (addresses: ffff9cb0e3b388f8), or decimal. A bare all-digit word is decimal,
 * so hex words made of digits only must carry 0x.
 */
export interface Scenario {
  name: string;
  dir: string;
  arch: 'x86_64' | 'arm64';
  uts: { release: string; version: string; machine: string; nodename: string; domainname?: string };
  /** C declarations, concatenated in order (paths relative to the scenario folder). */
  typeSources: { file: string; text: string }[];
  memory: {
    /** RAM ranges [start, end) in physical addresses. */
    ram: [bigint, bigint][];
    /** Physical range the builder may take pages from (page tables, backing for vmalloc data). */
    scratch: [bigint, bigint];
    /** NUMA nodes: node i spans [start, end) (default: one node over all RAM). */
    nodes?: [bigint, bigint][];
  };
  layout: {
    /** x86_64: KASLR offset (_text = 0xffffffff81000000 + offset); arm64: kimage offset. */
    kernelOffset: bigint;
    physBase: bigint;
    /** x86_64: page_offset_base (arm64 derives it from va_bits). */
    pageOffset: bigint;
    vmallocBase?: bigint;
    vmemmapBase?: bigint;
    /** Where the builder places its own kernel data (tables, infrastructure variables). */
    dataStart: bigint;
    /** arm64 */
    vaBits?: number;
    /** arm64: vabits_actual (TCR_EL1.T1SZ = 64 - it): 48 (47 with 16K) for a 52-bit kernel on a CPU without LVA/LPA2. */
    vaBitsActual?: number;
    /** arm64: PAGE_SIZE, 4096 (default), 16384 or 65536. */
    pageSize?: number;
    /** arm64: MAX_PHYSMEM_BITS, 48 (default) or 52 (64K LPA, or 4K/16K LPA2 when vabits_actual is 52). */
    physBits?: number;
    physOffset?: bigint;
    /** arm64: _text's virtual and physical addresses (kimage_voffset is their difference). */
    kernelText?: bigint;
    kernelPhys?: bigint;
    /** arm64: per-cpu symbols live in the image's .data..percpu section starting here. */
    percpuStart?: bigint;
    /** arm64: VMEMMAP_START (the struct page of memstart_addr's pfn). */
    vmemmapStart?: bigint;
    /** SECTION_SIZE_BITS (x86_64 27; arm64 30 before 5.12, 27 after). */
    sectionSizeBits?: number;
    fiveLevel?: boolean;
  };
  time: { date: string; uptime: number; hz: number };
  cpus: { count: number; panicCpu: number; khz?: number; perCpuOffsets: bigint[] };
  symbols: { name: string; addr: bigint; type: string; size?: number }[];
  percpu: { name: string; offset: bigint; type: string; values?: Record<string, unknown>[] }[];
  objects: ScenarioObject[];
  tasks: ScenarioTask[];
  log: { lines: string[] };
  prstatus: { cpu: number; pid: number; regs: Record<string, bigint> }[];
  /** Loaded modules (struct module, core layout, own symbol table). */
  modules?: ScenarioModule[];
  /** Open files, sockets and page caches (infra-files.ts). */
  files?: ScenarioFiles;
  /** Kernel stacks as the kernel left them, per task (stacks.ts). */
  stacks?: ScenarioStack[];
  /** Page-table walks that must go through exactly these entries (top level first). */
  walks?: { va: bigint; entries: bigint[] }[];
  /** Extra VMCOREINFO lines the kernel of the scenario would publish. */
  vmcoreinfoExtra?: string[];
  /** SLUB caches on slab_caches, with the slabs crash's counting reads (synth/infra-slab.ts). */
  slabCaches?: ScenarioSlabCache[];
  /** VM counters in pages (synth/infra-vmstat.ts): zone_stat_item and node_stat_item values, totalram. */
  vmstat?: { totalram: bigint; totalramSymbol?: string; zone: Record<string, bigint>; node: Record<string, bigint> };
}

/** One slab: its struct page (or struct slab) address, objects in use, the free objects in order. */
export interface ScenarioSlab {
  page: bigint;
  inuse?: number;
  free?: bigint[];
}

export interface ScenarioSlabCache {
  at: bigint;
  name: string;
  nameAt?: bigint;
  objectSize: number;
  size: number;
  offset: number;
  order: number;
  objects: number;
  flags?: bigint;
  /** the per-cpu offset of the kmem_cache_cpu area (default: after the static per-cpu data) */
  cpuSlab?: bigint;
  /** other kmem_cache members */
  values?: Record<string, unknown>;
  /** cpu slabs: frozen, their free objects on the cpu freelist */
  cpus: { cpu: number; slab: ScenarioSlab }[];
  nodes: {
    node: number;
    at: bigint;
    nrSlabs: bigint;
    totalObjects: bigint;
    /** slabs on the partial list, declared one by one */
    partial: ScenarioSlab[];
    /** then runs of generated partial slabs laid out from `memory` (physical) on */
    generate?: { memory: bigint; runs: { count: number; inuse: number }[] };
  }[];
}

function slabOf(v: any): ScenarioSlab {
  return { page: num(v.page, 'slab page'), inuse: v.inuse === undefined ? undefined : Number(v.inuse), free: (v.free ?? []).map((f: unknown) => num(f, 'free object')) };
}

function slabCacheOf(c: any): ScenarioSlabCache {
  return {
    at: num(c.at, 'slab cache'),
    name: String(c.name),
    nameAt: c.name_at === undefined ? undefined : num(c.name_at, 'name_at'),
    objectSize: Number(c.object_size),
    size: Number(c.size ?? c.object_size),
    offset: Number(c.offset ?? 0),
    order: Number(c.order ?? 0),
    objects: Number(c.objects),
    flags: c.flags === undefined ? undefined : num(c.flags, 'cache flags'),
    cpuSlab: c.cpu_slab === undefined ? undefined : num(c.cpu_slab, 'cpu_slab'),
    values: c.values,
    cpus: (c.cpus ?? []).map((x: any) => ({ cpu: Number(x.cpu), slab: slabOf(x.slab) })),
    nodes: (c.nodes ?? []).map((n: any) => ({
      node: Number(n.node ?? 0),
      at: num(n.at, 'kmem_cache_node'),
      nrSlabs: num(n.nr_slabs ?? 0, 'nr_slabs'),
      totalObjects: num(n.total_objects ?? 0, 'total_objects'),
      partial: (n.partial ?? []).map(slabOf),
      generate: n.generate
        ? { memory: num(n.generate.memory, 'generate.memory'), runs: (n.generate.runs ?? []).map((r: any) => ({ count: Number(r.count), inuse: Number(r.inuse ?? 0) })) }
        : undefined,
    })),
  };
}

export interface ScenarioObject {
  at: bigint;
  /** C type name ('struct sk_buff'); values are member paths → values. */
  type?: string;
  values?: Record<string, unknown>;
  /** Raw contents: 64-bit words, little-endian, or a hex byte string. */
  u64?: bigint[];
  hex?: string;
  string?: string;
  /** Define a kernel symbol at this address too. */
  symbol?: { name: string; type: string };
}

export interface ScenarioTask {
  pid: number;
  comm: string;
  task: bigint;
  cpu: number;
  state: number;
  ppid?: number;
  /** The task running on its cpu (rq->curr). */
  active?: boolean;
  idle?: boolean;
  stack?: bigint;
  values?: Record<string, unknown>;
  /** A user address space: mm_struct address, mmap_base, and pages mapped (va → physical). */
  mm?: { at: bigint; mmapBase: bigint; taskSize: bigint; maps: { va: bigint; pa: bigint; readonly: boolean }[]; vmas: { start: bigint; end: bigint; flags: bigint }[] };
}

/** Parse a number written in a scenario: "0x..." or bare hex for strings, JS numbers as decimal. */
export function num(v: unknown, what: string): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'string') {
    const s = v.trim().replace(/_/g, '');
    if (/^-?0x[0-9a-f]+$/i.test(s)) return s.startsWith('-') ? -BigInt(s.slice(1)) : BigInt(s);
    if (/^-?\d+$/.test(s)) return BigInt(s);
    if (/^[0-9a-f]+$/i.test(s)) return BigInt('0x' + s);
  }
  throw new CrashError(`scenario: cannot read ${what} = ${JSON.stringify(v)} as a number`);
}

export function loadScenario(dir: string): Scenario {
  const file = join(dir, 'scenario.yaml');
  if (!existsSync(file)) throw new CrashError(`${dir}: not a scenario folder (no scenario.yaml)`);
  let y: Record<string, any>;
  try {
    y = parseYaml(readFileSync(file, 'utf8'), { intAsBigInt: true } /* 0x800000003faf0061 does not fit a double */) as Record<string, any>;
  } catch (e) {
    throw new CrashError(`${file}: ${(e as Error).message}`);
  }
  const req = (v: unknown, what: string) => {
    if (v === undefined || v === null) throw new CrashError(`${file}: missing ${what}`);
    return v as any;
  };
  const typeFiles: string[] = req(y.types, 'types');
  const cpus = req(y.cpus, 'cpus');
  return {
    name: req(y.name, 'name'),
    dir: resolve(dir),
    arch: req(y.arch, 'arch'),
    uts: req(y.uts, 'uts'),
    typeSources: typeFiles.map((f) => ({ file: f, text: readFileSync(join(dir, f), 'utf8') })),
    memory: {
      ram: req(y.memory?.ram, 'memory.ram').map((r: unknown[]) => [num(r[0], 'ram start'), num(r[1], 'ram end')]),
      scratch: [num(req(y.memory?.scratch, 'memory.scratch')[0], 'scratch'), num(y.memory.scratch[1], 'scratch')],
      nodes: y.memory?.nodes?.map((r: unknown[]) => [num(r[0], 'node start'), num(r[1], 'node end')]),
    },
    layout: {
      kernelOffset: num(y.layout?.kernel_offset ?? 0, 'kernel_offset'),
      physBase: num(y.layout?.phys_base ?? 0, 'phys_base'),
      pageOffset: num(y.layout?.page_offset ?? (y.arch === 'arm64' ? 0 : req(y.layout?.page_offset, 'layout.page_offset')), 'page_offset'),
      vmallocBase: y.layout?.vmalloc_base !== undefined ? num(y.layout.vmalloc_base, 'vmalloc_base') : undefined,
      vmemmapBase: y.layout?.vmemmap_base !== undefined ? num(y.layout.vmemmap_base, 'vmemmap_base') : undefined,
      dataStart: num(req(y.layout?.data_start, 'layout.data_start'), 'data_start'),
      vaBits: y.layout?.va_bits === undefined ? undefined : Number(y.layout.va_bits),
      vaBitsActual: y.layout?.va_bits_actual === undefined ? undefined : Number(y.layout.va_bits_actual),
      pageSize: y.layout?.page_size === undefined ? undefined : Number(y.layout.page_size),
      physBits: y.layout?.max_physmem_bits === undefined ? undefined : Number(y.layout.max_physmem_bits),
      physOffset: y.layout?.phys_offset !== undefined ? num(y.layout.phys_offset, 'phys_offset') : undefined,
      kernelText: y.layout?.kernel_text !== undefined ? num(y.layout.kernel_text, 'kernel_text') : undefined,
      kernelPhys: y.layout?.kernel_phys !== undefined ? num(y.layout.kernel_phys, 'kernel_phys') : undefined,
      percpuStart: y.layout?.percpu_start !== undefined ? num(y.layout.percpu_start, 'percpu_start') : undefined,
      vmemmapStart: y.layout?.vmemmap_start !== undefined ? num(y.layout.vmemmap_start, 'vmemmap_start') : undefined,
      sectionSizeBits: y.layout?.section_size_bits !== undefined ? Number(y.layout.section_size_bits) : undefined,
      fiveLevel: !!y.layout?.five_level,
    },
    time: { date: req(y.time?.date, 'time.date'), uptime: Number(req(y.time?.uptime, 'time.uptime')), hz: Number(y.time?.hz ?? 1000) },
    cpus: {
      count: Number(req(cpus.count, 'cpus.count')),
      panicCpu: Number(cpus.panic ?? 0),
      khz: cpus.khz === undefined ? undefined : Number(cpus.khz),
      perCpuOffsets: req(cpus.per_cpu_offsets, 'cpus.per_cpu_offsets').map((v: unknown) => num(v, 'per_cpu_offset')),
    },
    symbols: (y.symbols ?? []).map((s: string) => {
      const m = /^\s*([0-9a-fx]+)\s+(\w)\s+(\S+)(?:\s+(\d+))?\s*$/i.exec(s);
      if (!m) throw new CrashError(`${file}: bad symbol line "${s}" (want: ADDRESS TYPE NAME [SIZE])`);
      return { addr: num(m[1], 'symbol'), type: m[2], name: m[3], size: m[4] ? Number(m[4]) : undefined };
    }),
    percpu: (y.percpu ?? []).map((p: any) => ({ name: p.name, offset: num(p.offset, 'percpu offset'), type: p.type, values: p.values })),
    objects: (y.objects ?? []).map((o: any) => ({
      at: num(o.at, 'object address'),
      type: o.type,
      values: o.values,
      u64: o.u64?.map((w: unknown) => num(w, 'u64 word')),
      hex: o.hex,
      string: o.string,
      symbol: o.symbol ? { name: o.symbol.split(' ')[1] ?? o.symbol, type: o.symbol.split(' ')[0].length === 1 ? o.symbol.split(' ')[0] : 'D' } : undefined,
    })),
    tasks: (y.tasks ?? []).map((t: any) => ({
      ...t,
      pid: Number(t.pid),
      cpu: Number(t.cpu),
      state: Number(t.state),
      ppid: t.ppid === undefined ? undefined : Number(t.ppid),
      task: num(t.task, 'task'),
      stack: t.stack !== undefined ? num(t.stack, 'stack') : undefined,
      mm: t.mm
        ? {
            at: num(t.mm.at, 'mm'),
            mmapBase: num(t.mm.mmap_base ?? 0, 'mmap_base'),
            taskSize: num(t.mm.task_size ?? 0, 'task_size'),
            maps: (t.mm.maps ?? []).map((m: any) => ({ va: num(m.va, 'map va'), pa: num(m.pa, 'map pa'), readonly: !!m.readonly })),
            vmas: (t.mm.vmas ?? []).map((v: any) => ({ start: num(v.start, 'vma start'), end: num(v.end, 'vma end'), flags: num(v.flags ?? 0x100073, 'vma flags') })),
          }
        : undefined,
    })),
    log: { lines: String(y.log ?? '').split('\n').filter((l) => l.length) },
    prstatus: (y.prstatus ?? []).map((p: any) => ({
      cpu: Number(p.cpu),
      pid: Number(p.pid),
      regs: Object.fromEntries(Object.entries(p.regs ?? {}).map(([k, v]) => [k, num(v, `register ${k}`)])),
    })),
    vmcoreinfoExtra: y.vmcoreinfo_extra,
    slabCaches: (y.slab_caches ?? []).map(slabCacheOf),
    modules: parseModules(y.modules),
    files: parseFiles(y.files),
    stacks: parseStacks(y.stacks, file),
    walks: (y.walks ?? []).map((w: any) => ({ va: num(w.va, 'walk va'), entries: (w.entries ?? []).map((e: unknown) => num(e, 'walk entry')) })),
  };
}

export function scenarioDirOf(path: string): string | undefined {
  return existsSync(join(path, 'scenario.yaml')) ? path : existsSync(join(dirname(path), 'scenario.yaml')) ? dirname(path) : undefined;
}
