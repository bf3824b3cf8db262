/**
 * The absent-run fast path (DumpFile.absentRunEnd → Memory.absentRunEnd / kvAbsentRunEnd) gives
 * the same answers as reading page by page, with far fewer failed reads:
 *  - scanRange over a kdump from test/builders with holes and excluded pages, every search mode;
 *  - `search -p`, `search -k` and `kmem -i` on a synthetic 2 GB machine written as a kdump whose
 *    RAM is mostly excluded (src/synth/kdump-writer.ts, as bench/scale.mjs does at 256 GB);
 *  - `search -p` and `kmem -i` on the reference vmcore.kdump-zlib (skipped when absent; it holds
 *    no excluded pages, so this only shows that nothing changes on a real kernel's memory).
 * Each line runs with the fast path off, then on: the text must be identical.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openDumpFile } from '../../src/dump/open.js';
import type { DumpFile } from '../../src/dump/types.js';
import { Memory } from '../../src/memory/memory.js';
import type { Arch } from '../../src/arch/types.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { kernelFromDump } from '../../src/kernel/open.js';
import { Session } from '../../src/session/session.js';
import { scanRange, Scanner, scanWork, type RawHit, type SearchSpec, type Xlate } from '../../src/kernel/helpers/search.js';
import { buildScenarioDump } from '../../src/synth/build.js';
import { scaleScenario } from '../../src/synth/scale.js';
import { writeKdumpFile } from '../../src/synth/kdump-writer.js';
import { PhysReadError } from '../../src/util/errors.js';
import { Interrupted } from '../../src/util/interrupt.js';
import { kmemInfo } from '../../src/commands/kmem/meminfo.js';
import { pattern, tempDumpDir } from '../builders/core-elf.js';
import { buildKdump, type KdumpPage } from '../builders/kdump-builder.js';
import { CACHE_DIR, refdump } from '../support/refdump.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const tmp = tempDumpDir('crash-tui-search-absent-');
afterAll(() => tmp.cleanup());

const PS = 4096;
const P = BigInt(PS);
const hex = (v: bigint) => v.toString(16);
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

/** Count the dump's failed reads. */
function countFaults(d: DumpFile): { faults: number } {
  const c = { faults: 0 };
  const inner = d.readPhys.bind(d);
  d.readPhys = (a, n) => {
    try {
      return inner(a, n);
    } catch (e) {
      if (e instanceof PhysReadError) c.faults++;
      throw e;
    }
  };
  return c;
}

describe('scanRange over a kdump with holes and excluded pages', () => {
  // dumped: 0..99, 130..131, 300..302 (a string split across 301/302), 1000..1023; excluded RAM
  // elsewhere in 0..2047; a hole 2048..4095; dumped 4096..4099
  const dumped = [...range(0, 100), 130, 131, 300, 301, 302, ...range(1000, 1024), ...range(4096, 4100)];
  const data = (pfn: number) => {
    const b = pattern(BigInt(pfn) * P, PS);
    if (pfn === 301) b.set(new TextEncoder().encode('split'), PS - 5);
    if (pfn === 302) b.set(new TextEncoder().encode('-str'), 0);
    if (pfn === 130) b.set(new TextEncoder().encode('ing tail'), 0); // follows an excluded page: no cross hit
    if (pfn === 99) b.set(new TextEncoder().encode('str'), PS - 3);
    return b;
  };
  const pages: KdumpPage[] = dumped.map((pfn) => ({ pfn, data: data(pfn) }));
  const d = openDumpFile(tmp.write('holes.kdump', buildKdump({ maxMapnr: 4100, pages, ram: [[0, 2048]], compress: 'zlib', dumpLevel: 31 }).bytes));
  const faults = countFaults(d);
  const mem = new Memory(d, { pageSize: PS, pageShift: 12 } as Arch);
  const k = { arch: mem.arch, mem } as unknown as Kernel;
  const identity: Xlate = (v) => {
    for (const r of d.ranges) {
      if (v < r.start) return { next: r.start };
      if (v < r.end) return { paddr: v, len: r.end - v };
    }
    return { next: undefined };
  };
  const word = (pfn: number, off: number) => new DataView(data(pfn).buffer).getBigUint64(off, true);
  const specs: SearchSpec[] = [
    { mode: 'ulong', values: [word(5, 64), word(1010, 8), word(4097, 4000)], mask: 0n, strings: [] },
    { mode: 'ulong', values: [word(131, 16)], mask: 0xffffn, strings: [] },
    { mode: 'uint', values: [word(300, 24) & 0xffffffffn], mask: 0n, strings: [] },
    { mode: 'ushort', values: [word(50, 0) & 0xffffn], mask: 0n, strings: [] },
    { mode: 'chars', values: [], mask: 0n, strings: [new TextEncoder().encode('split-str'), new TextEncoder().encode('string tail')] },
  ];
  const run = (spec: SearchSpec, s: bigint, e: bigint, fast: boolean) => {
    mem.absentRuns = fast;
    const hits: RawHit[] = [];
    const f0 = faults.faults;
    scanRange(k, s, e, identity, new Scanner(spec, (h) => hits.push(h)));
    return { hits, faults: faults.faults - f0 };
  };

  it('finds the same hits with and without the fast path, with no failed reads', () => {
    const skipped0 = scanWork.absentBytesSkipped;
    for (const spec of specs) {
      for (const [s, e] of [[0n, 4100n * P], [99n * P + 0x10n, 303n * P - 0x100n], [2000n * P, 4098n * P]] as const) {
        const slow = run(spec, s, e, false);
        const fast = run(spec, s, e, true);
        expect(fast.hits, `${spec.mode} ${hex(s)}..${hex(e)}`).toEqual(slow.hits);
        expect(slow.faults).toBeGreaterThan(0);
        expect(fast.faults).toBe(0);
      }
    }
    const all = run(specs[0], 0n, 4100n * P, true).hits;
    for (const a of [5n * P + 64n, 1010n * P + 8n, 4097n * P + 4000n]) expect(all.map((h) => h.addr)).toContain(a);
    expect(all.every((h) => dumped.includes(Number(h.addr / P)))).toBe(true);
    // the split string is found across 301/302; "str" + "ing tail" across 99/130 is not (not contiguous)
    const strs = run(specs[4], 0n, 4100n * P, true).hits;
    expect(strs.map((h) => h.addr)).toEqual([301n * P + BigInt(PS - 5)]);
    expect(scanWork.absentBytesSkipped - skipped0).toBeGreaterThan(3000n * P);
  });
});

/** Run each line with the fast path off, then on: the same text. */
function same(k: Kernel, s: Session, cmds: string[]): string[] {
  return cmds.map((c) => {
    k.mem.absentRuns = false;
    const slow = s.runLine(c).text;
    k.mem.absentRuns = true;
    const fast = s.runLine(c).text;
    expect(fast, c).toBe(slow);
    expect(fast, c).not.toMatch(/internal error|invalid/);
    return fast;
  });
}

describe('a 2 GB machine written as a kdump, most of its RAM excluded', () => {
  it('search -p, search -k and kmem -i: the same text, far fewer failed reads', () => {
    const s0 = scaleScenario({ base: join(ROOT, 'dumps/lsm-ro-write'), ramBytes: 2n << 30n });
    const synth = buildScenarioDump(s0);
    const file = join(tmp.dir, '2g.kdump');
    writeKdumpFile(file, { machine: synth.machine, image: synth.image, notes: synth.notes, uts: s0.uts, dumped: 'image', nrCpus: s0.cpus.count, extraPages: 512 });
    const dump = openDumpFile(file);
    const faults = countFaults(dump);
    const k = kernelFromDump(dump);
    const s = new Session(k, { dumpPath: file, silent: true });
    const init = k.symbol('init_task')!.address;
    const texts: string[] = [];
    const counts: number[] = [];
    for (const fast of [false, true]) {
      k.mem.absentRuns = fast;
      const f0 = faults.faults;
      texts.push(s.runLine(`search -p ${hex(init)}`).text);
      counts.push(faults.faults - f0);
    }
    expect(texts[1]).toBe(texts[0]);
    expect(texts[1].split('\n').filter(Boolean).length).toBeGreaterThan(0);
    expect(counts[0]).toBeGreaterThan(400_000); // two per excluded page (a 64 KiB piece, then the page)
    expect(counts[1]).toBeLessThan(100);
    // the slow path over 2 GB costs about a million failed reads per search: the other modes
    // are compared on the builder kdump above and on a window here
    const [, info] = same(k, s, [`search -k -l 0x4000000 -c swapper/0`, 'kmem -i']);
    expect(info).toMatch(/SHARED/);
    // kmem -i's mem_map pass: the struct pages of excluded memory are excluded too; they are
    // passed by runs, not a failed read per 4096 struct pages
    let chunks = 0;
    const readBytes = k.readBytes.bind(k);
    k.readBytes = (a, n, what) => {
      if (what === 'page structs') chunks++;
      return readBytes(a, n, what);
    };
    k.mem.absentRuns = false;
    const slowInfo = kmemInfo(k);
    const slowChunks = chunks;
    k.mem.absentRuns = true;
    chunks = 0;
    const seen: [number, number, string | undefined][] = [];
    expect(kmemInfo(k, { progress: (a, b, w) => seen.push([a, b, w]) })).toEqual(slowInfo);
    expect(slowChunks).toBeGreaterThan(100);
    expect(chunks).toBeLessThan(slowChunks / 10);
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.every(([a, b, w]) => w === 'sections' && a < b)).toBe(true);
    expect(() => kmemInfo(k, { cancelled: () => true })).toThrow(Interrupted);
    dump.close();
  }, 300_000);
});

describe('the reference kdump', () => {
  it('search -p and kmem -i, with and without the fast path', () => {
    const r = refdump();
    if (typeof r === 'string' || !existsSync(r.kdump)) return console.log(`skipped: ${typeof r === 'string' ? r : r.kdump + ' absent'}`);
    const dump = openDumpFile(r.kdump);
    const k = kernelFromDump(dump);
    const s = new Session(k, { dumpPath: r.kdump, silent: true });
    const init = k.symbol('init_task')!.address;
    // makedumpfile -d 1 wrote it: nothing is excluded, only holes, which -p never visits (it walks
    // the memory nodes): a check that the fast path changes nothing on a real kernel's memory
    const out = same(k, s, [`search -p ${hex(init)}`, 'search -p -c "Linux version"', 'kmem -i']);
    expect(out[0].split('\n').filter(Boolean).length).toBeGreaterThan(0);
    dump.close();
  }, 600_000);
});

describe('the reference dump as makedumpfile -d 31 wrote it (110771 excluded pages)', () => {
  it('search -p and kmem -i: the same text with and without the fast path; kmem -i as on the full dump', () => {
    const r = refdump();
    const d31 = join(CACHE_DIR, 'x86_64-debian12-sysrq.d31.lzo.kdump');
    if (typeof r === 'string' || !existsSync(d31)) return console.log(`skipped: ${typeof r === 'string' ? r : d31 + ' absent (test/dump/kdump-makedumpfile.test.ts makes it)'}`);
    const dump = openDumpFile(d31);
    const faults = countFaults(dump);
    const k = kernelFromDump(dump);
    const s = new Session(k, { dumpPath: d31, silent: true });
    const init = k.symbol('init_task')!.address;
    const f0 = faults.faults;
    k.mem.absentRuns = false;
    const slow = s.runLine(`search -p ${hex(init)}`).text;
    const slowFaults = faults.faults - f0;
    k.mem.absentRuns = true;
    const f1 = faults.faults;
    expect(s.runLine(`search -p ${hex(init)}`).text).toBe(slow);
    expect(slow.split('\n').filter(Boolean).length).toBeGreaterThan(0);
    expect(slowFaults).toBeGreaterThan(100_000);
    expect(faults.faults - f1).toBeLessThan(100);
    const [info] = same(k, s, ['kmem -i', 'search -p -c "Linux version"']);
    dump.close();
    // struct pages and the counters are kernel data, which -d 31 keeps: the same as the whole dump
    const full = kernelFromDump(openDumpFile(r.elf));
    expect(info).toBe(new Session(full, { dumpPath: r.elf, silent: true }).runLine('kmem -i').text);
    full.dump.close();
  }, 600_000);
});
