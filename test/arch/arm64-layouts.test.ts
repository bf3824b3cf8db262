/**
 * arm64 translation for every granule and VA size, on small synthetic dumps built for each layout
 * (src/synth: scenario layout.page_size / va_bits / va_bits_actual / max_physmem_bits). Each dump
 * maps RAM in the linear map, the kernel image, a vmalloc page and a user page; vtop of each must
 * give the physical address the builder used, through the levels crash's arm64_vtop_* functions
 * print for that layout (arm64.c: 3level_4k PGD/PMD/PTE, 4level_4k PGD/PUD/PMD/PTE, 2level_16k and
 * 2level_64k PGD/PTE, 3level_16k and 3level_64k PGD/PMD/PTE, 4level_16k PGD/PUD/PMD/PTE), with the
 * entry values the builder's own table code finds at those places; ptov and rd go through them too.
 *
 * Beyond crash: 4K pages with 52-bit VAs (LPA2, v6.9) walk five levels (PGD, P4D, PUD, PMD, PTE;
 * crash walks four and is wrong there), 16K with 52-bit VAs (crash refuses: "Do not support 52 bits,
 * 4-level for 16K page now"), and LPA2 output addresses (PA[51:50] in bits [9:8]).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { buildScenarioDump } from '../../src/synth/build.js';
import { kernelFromDump } from '../../src/kernel/open.js';
import { Session } from '../../src/session/session.js';
import { Arm64PageTables } from '../../src/synth/pagetables-arm64.js';
import type { SynthDump } from '../../src/synth/elf-writer.js';
import { arm64Geometry } from '../../src/arch/arm64.js';

const U64 = 1n << 64n;
const hex = (v: bigint) => v.toString(16);
const pageOffsetFor = (va: number) => U64 - (1n << BigInt(va));
const pageEndFor = (va: number) => U64 - (1n << BigInt(va - 1));

interface Layout {
  name: string;
  pageSize: number;
  vaBits: number;
  actual?: number;
  physBits?: number;
  /** level names crash (or, beyond crash, the kernel) prints */
  names: string[];
  /** the linear map's block at the RAM start: [level, size label] */
  linearBlock: [string, string];
  /** a page above 2^48 (52-bit PA) for the user mapping */
  highPa?: boolean;
}

const LAYOUTS: Layout[] = [
  { name: '4k-39', pageSize: 4096, vaBits: 39, names: ['PGD', 'PMD', 'PTE'], linearBlock: ['PGD', '1GB'] },
  { name: '4k-48', pageSize: 4096, vaBits: 48, names: ['PGD', 'PUD', 'PMD', 'PTE'], linearBlock: ['PUD', '1GB'] },
  { name: '4k-52-lpa2', pageSize: 4096, vaBits: 52, physBits: 52, names: ['PGD', 'P4D', 'PUD', 'PMD', 'PTE'], linearBlock: ['PUD', '1GB'], highPa: true },
  { name: '4k-52-on-48', pageSize: 4096, vaBits: 52, actual: 48, physBits: 52, names: ['PGD', 'PUD', 'PMD', 'PTE'], linearBlock: ['PUD', '1GB'] },
  { name: '16k-36', pageSize: 16384, vaBits: 36, names: ['PGD', 'PTE'], linearBlock: ['PGD', '32MB'] },
  { name: '16k-47', pageSize: 16384, vaBits: 47, names: ['PGD', 'PMD', 'PTE'], linearBlock: ['PMD', '32MB'] },
  { name: '16k-48', pageSize: 16384, vaBits: 48, names: ['PGD', 'PUD', 'PMD', 'PTE'], linearBlock: ['PMD', '32MB'] },
  { name: '16k-52-lpa2', pageSize: 16384, vaBits: 52, physBits: 52, names: ['PGD', 'PUD', 'PMD', 'PTE'], linearBlock: ['PMD', '32MB'], highPa: true },
  { name: '16k-52-on-47', pageSize: 16384, vaBits: 52, actual: 47, physBits: 52, names: ['PGD', 'PMD', 'PTE'], linearBlock: ['PMD', '32MB'] },
  { name: '64k-42', pageSize: 65536, vaBits: 42, names: ['PGD', 'PTE'], linearBlock: ['PGD', '512MB'] },
  { name: '64k-48', pageSize: 65536, vaBits: 48, names: ['PGD', 'PMD', 'PTE'], linearBlock: ['PMD', '512MB'] },
  { name: '64k-52-lpa', pageSize: 65536, vaBits: 52, physBits: 52, names: ['PGD', 'PMD', 'PTE'], linearBlock: ['PMD', '512MB'], highPa: true },
  { name: '64k-52-on-48', pageSize: 65536, vaBits: 52, actual: 48, physBits: 52, names: ['PGD', 'PMD', 'PTE'], linearBlock: ['PMD', '512MB'] },
];

const RAM = 0x40000000n;
const HIGH = 1n << 50n; // a RAM bank above 50-bit physical addresses: LPA keeps PA[51:48] in bits 15:12, LPA2 PA[51:50] in bits 9:8
const USER_VA = 0x400000n;
const USER_PA = (l: Layout) => (l.highPa ? HIGH + 0x20000n : 0x60000000n);
const MARK = 0x1122334455667788n;
const USER_MARK = 0x0badc0ffee15600dn;

const tmp = mkdtempSync(join(tmpdir(), 'crash-tui-arm64-layouts-'));
symlinkSync(resolve('dumps/_kernels'), join(tmp, '_kernels'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Addresses of one layout's dump, computed the way the kernel lays the VA space out (asm/memory.h). */
function addresses(l: Layout) {
  const actual = l.actual ?? l.vaBits;
  const vaMin = l.vaBits > 48 ? (l.pageSize === 16384 ? 47 : 48) : l.vaBits;
  const linear = (pa: bigint) => pa - RAM + pageOffsetFor(actual);
  const half = pageEndFor(vaMin); // modules, then vmalloc and the kernel image
  const text = half + 0x8000000n + 0x10000n;
  const textPhys = RAM + 0x10000n;
  return { actual, linear, half, text, textPhys, vmalloc: half + 0x100000000n, data: text + 0x1000000n, percpu: text + 0x1800000n };
}

function scenarioYaml(l: Layout): string {
  const a = addresses(l);
  const percpuArea = a.linear(0x70000000n);
  const ram = l.highPa ? `[[0x40000000, 0x80000000], [0x${hex(HIGH)}, 0x${hex(HIGH + 0x1000000n)}]]` : '[[0x40000000, 0x80000000]]';
  return `name: arm64-${l.name}
arch: arm64
types: [../_kernels/arm64.h, ../_kernels/mm-maple.h, ../_kernels/common.h, ../_kernels/task-5.14.h, ../_kernels/task.h, ../_kernels/printk-ringbuffer.h, ../_kernels/page.h, ../_kernels/pageflags-6.1.h, ../_kernels/arm64-ptregs-6.1.h]
uts: { release: 6.10.0, version: "#1 SMP", machine: aarch64, nodename: layouts }
memory:
  ram: ${ram}
  scratch: [0x7e000000, 0x7ff00000]
layout:
  page_size: ${l.pageSize}
  va_bits: ${l.vaBits}
${l.actual ? `  va_bits_actual: ${l.actual}\n` : ''}${l.physBits ? `  max_physmem_bits: ${l.physBits}\n` : ''}  phys_offset: 0x40000000
  kernel_offset: 0
  kernel_text: ${hex(a.text)}
  kernel_phys: 0x${hex(a.textPhys)}
  percpu_start: ${hex(a.percpu)}
  data_start: ${hex(a.data)}
time: { date: "2024-06-01T00:00:00Z", uptime: 10, hz: 250 }
cpus:
  count: 1
  panic: 0
  per_cpu_offsets: [${hex(BigInt.asUintN(64, percpuArea - a.percpu))}]
tasks:
  - { pid: 0, comm: swapper/0, task: ${hex(a.text + 0x1c00000n)}, cpu: 0, state: 0, idle: true }
  - pid: 1
    comm: init
    task: ${hex(a.linear(0x50000000n))}
    cpu: 0
    state: 0
    active: true
    mm:
      at: ${hex(a.linear(0x50010000n))}
      mmap_base: 0x7f00000000
      task_size: 0x1000000000000
      maps: [{ va: 0x${hex(USER_VA)}, pa: 0x${hex(USER_PA(l))} }]
      vmas: [{ start: 0x${hex(USER_VA)}, end: 0x${hex(USER_VA + 0x100000n)}, flags: 0x100073 }]
objects:
  - { at: ${hex(a.vmalloc + 0x18n)}, u64: [0x${hex(MARK)}] }
  - { at: ${hex(a.linear(0x48000000n) + 0x18n)}, u64: [0x${hex(MARK + 1n)}] }
  - { at: ${hex(a.linear(USER_PA(l)) + 0x40n)}, u64: [0x${hex(USER_MARK)}] }
`;
}

function build(l: Layout) {
  const dir = join(tmp, l.name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'scenario.yaml'), scenarioYaml(l));
  const dump = buildScenarioDump(dir) as SynthDump;
  const session = new Session(kernelFromDump(dump), { dumpPath: dir, silent: true });
  return { dump, session, a: addresses(l) };
}

/** The `   NAME: entry => value` lines and the PHYSICAL of a vtop output. */
function parseVtop(text: string) {
  const lines = text.split('\n');
  const phys = /^\S+\s+([0-9a-f]+)\s*$/.exec(lines[1])?.[1];
  const steps = lines.filter((s) => /^ {3}[A-Z0-9]+: /.test(s)).map((s) => {
    const m = /^ {3}([A-Z0-9]+): ([0-9a-f]+) => ([0-9a-f]+)$/.exec(s)!;
    return { name: m[1], entry: BigInt('0x' + m[2]), value: BigInt('0x' + m[3]) };
  });
  const page = /^ {2}PAGE: ([0-9a-f]+)(.*)$/m.exec(text);
  return { phys: phys === undefined ? undefined : BigInt('0x' + phys), steps, pageLine: page?.[0], pageBase: page ? BigInt('0x' + page[1]) : undefined, pageSuffix: page?.[2] };
}

describe.each(LAYOUTS)('arm64 $name', (l) => {
  const { dump, session, a } = build(l);
  const k = session.kernel;
  const g = arm64Geometry(Math.log2(l.pageSize), l.vaBits, a.actual, l.physBits ?? 48);
  const tables = (root: bigint, ttbr: 0 | 1) =>
    new Arm64PageTables(dump.image, { vaBits: g.walkVaBits, pageShift: g.pageShift as 12 | 14 | 16, encoding: g.encoding, ttbr, root });
  const kernelTables = tables(k.arch.kernelRoot, 1);
  const run = (cmd: string) => session.runLine(cmd).text;

  /** Every printed step is the entry the builder's table code finds for that level, read through PTOV(). */
  function checkSteps(va: bigint, t: Arm64PageTables, pgdVirt: bigint, steps: ReturnType<typeof parseVtop>['steps']) {
    steps.forEach((s, i) => {
      const e = t.entryAddr(va, s.name)!;
      expect(e, `${s.name} entry`).toBeDefined();
      expect(s.entry).toBe(i === 0 ? pgdVirt + (e - t.root) : e - RAM + a.linear(RAM));
      expect(s.value).toBe(dump.image.readU64(e));
    });
  }

  it('reads the layout from VMCOREINFO', () => {
    expect(k.arch.pageSize).toBe(l.pageSize);
    expect(k.vmcoreinfo.num('NUMBER(TCR_EL1_T1SZ)')).toBe(BigInt(64 - a.actual));
    expect(k.arch.layout.pageOffset).toBe(pageOffsetFor(a.actual));
  });

  it('vtop of a linear-map address: the RAM block, at the level crash names', () => {
    const va = a.linear(0x48000000n) + 0x18n;
    const out = parseVtop(run(`vtop ${hex(va)}`));
    expect(out.phys).toBe(0x48000018n);
    expect(out.steps.map((s) => s.name)).toEqual(l.names.slice(0, l.names.indexOf(l.linearBlock[0]) + 1));
    expect(out.pageLine).toBe(`  PAGE: ${hex(0x48000018n & ~(BigInt(parseInt(l.linearBlock[1])) * (l.linearBlock[1].endsWith('GB') ? 1n << 30n : 1n << 20n) - 1n))}  (${l.linearBlock[1]})`);
    checkSteps(va, kernelTables, k.symbol('swapper_pg_dir')!.address, out.steps);
    expect(run(`rd ${hex(va)}`)).toContain(`${hex(va)}:  ${hex(MARK + 1n).padStart(16, '0')}`);
    expect(run(`ptov 48000018`)).toContain(hex(va));
  });

  it('vtop of a kernel-image address', () => {
    const va = a.text + 0x2340n;
    const out = parseVtop(run(`vtop ${hex(va)}`));
    expect(out.phys).toBe(a.textPhys + 0x2340n);
    const names = out.steps.map((s) => s.name);
    // the image is mapped in 2MB blocks with 4K pages, in pages otherwise (the builder's choice)
    expect(names).toEqual(l.pageSize === 4096 ? l.names.slice(0, -1) : l.names);
    checkSteps(va, kernelTables, k.symbol('swapper_pg_dir')!.address, out.steps);
  });

  it('vtop of a vmalloc address walks to a page; rd reads through it', () => {
    const va = a.vmalloc + 0x18n;
    const text = run(`vtop ${hex(va)}`);
    const out = parseVtop(text);
    expect(out.steps.map((s) => s.name)).toEqual(l.names);
    const pte = out.steps.at(-1)!.value;
    expect(out.phys).toBe(g.oa(pte) + 0x18n);
    expect(out.pageLine).toBe(`  PAGE: ${hex(g.oa(pte))}  `); // "  PAGE: %lx  %s" with an empty %s
    checkSteps(va, kernelTables, k.symbol('swapper_pg_dir')!.address, out.steps);
    expect(run(`rd ${hex(va)}`)).toContain(`${hex(va)}:  ${hex(MARK).padStart(16, '0')}`);
    expect(run(`rd -p ${hex(out.phys!)}`)).toContain(hex(MARK).padStart(16, '0'));
  });

  it('vtop of a user address, through mm->pgd (TTBR0 tables)', () => {
    const va = USER_VA + 0x40n;
    const text = run(`vtop -u ${hex(va)}`);
    const out = parseVtop(text);
    expect(out.phys).toBe(USER_PA(l) + 0x40n);
    expect(out.steps.map((s) => s.name)).toEqual(l.names);
    const pgdVirt = BigInt('0x' + /PAGE DIRECTORY: ([0-9a-f]+)/.exec(text)![1]);
    const root = pgdVirt - a.linear(RAM) + RAM;
    checkSteps(va, tables(root, 0), pgdVirt, out.steps);
    const pte = out.steps.at(-1)!.value;
    if (l.highPa) {
      // the high PA bits sit in the descriptor where LPA (64K: bits 15:12) or LPA2 (bits 9:8) put them
      expect(g.encoding).toBe(l.pageSize === 65536 ? 'lpa' : 'lpa2');
      expect(l.pageSize === 65536 ? (pte >> 12n) & 0xfn : (pte >> 8n) & 3n).not.toBe(0n);
    }
    // bits 9:8 are SH, or PA[51:50] under LPA2 (no SHARED flag then)
    const flags = g.encoding === 'lpa2' ? 'VALID|USER|AF|NG|PXN|UXN|DIRTY' : 'VALID|USER|SHARED|AF|NG|PXN|UXN|DIRTY';
    expect(text).toContain(`\n${hex(pte)}  ${hex(USER_PA(l))}  (${flags})\n`);
    expect(run(`rd -u ${hex(va)}`)).toContain(hex(USER_MARK).padStart(16, '0'));
  });
});
