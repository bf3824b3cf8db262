/**
 * The zero-run fast path of `search` (DumpFile.zeroRunEnd → Memory.zeroRunEnd → scanRange):
 *  - each dump kind answers only for memory that really reads as zeros (synthetic images: pages
 *    never written; kdump: the shared zero page makedumpfile and QEMU write; ELF: p_filesz <
 *    p_memsz tails), checked page by page against what readPhys returns;
 *  - search prints the same with the fast path on and off (values, masks, widths, strings,
 *    -x context, values a zero word matches), on scenario dumps and the reference kdump;
 *  - on the 130 GB usercopy scenario, `search -p`/`search -k` for a value scan about a thousand
 *    pages instead of 34 million (counted, not timed);
 *  - a cancel ends a scan and kmem -s/-p (Interrupted is not swallowed) and they report progress.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildScenarioDump } from '../../src/synth/build.js';
import { kernelFromDump } from '../../src/kernel/open.js';
import { Session } from '../../src/session/session.js';
import { scanRange, Scanner, scanWork } from '../../src/kernel/helpers/search.js';
import { physXlate } from '../../src/kernel/helpers/search-ranges.js';
import { kmemSlabs } from '../../src/commands/kmem/slab.js';
import { kmemAllPages } from '../../src/commands/kmem/pages.js';
import { openDumpFile } from '../../src/dump/open.js';
import { PhysImage } from '../../src/synth/phys-image.js';
import { SynthDump } from '../../src/synth/elf-writer.js';
import type { DumpFile } from '../../src/dump/types.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { Interrupted } from '../../src/util/interrupt.js';
import { buildCoreElf, pattern, tempDumpDir } from '../builders/core-elf.js';
import { refdump } from '../support/refdump.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const USERCOPY = join(ROOT, 'dumps/usercopy-kmalloc512');
const FIXTURES = join(ROOT, 'test/dump/fixtures/makedumpfile');
const tmp = tempDumpDir('crash-tui-zeroruns-');
afterAll(() => tmp.cleanup());

const isZero = (b: Uint8Array) => b.every((x) => x === 0);
const hex = (v: bigint) => v.toString(16);

/** Every page: a zero-run claim must read as zeros; returns [claimed pages, zero pages read]. */
function checkClaims(d: DumpFile, ps = 4096): [number, number] {
  let claimed = 0;
  let zeros = 0;
  const P = BigInt(ps);
  for (const r of d.ranges) {
    for (let a = r.start; a < r.end; a += P) {
      const end = d.zeroRunEnd!(a, r.end);
      let page: Uint8Array | undefined;
      try {
        page = d.readPhys(a, ps);
      } catch {
        page = undefined;
      }
      if (page && isZero(page)) zeros++;
      if (end > a) {
        claimed++;
        expect(end <= r.end && end % P === 0n, `run end ${hex(end)} from ${hex(a)}`).toBe(true);
        expect(page && isZero(page), `page ${hex(a)} claimed zero`).toBe(true);
        // a run's claim holds for its last page too, and a limit caps it
        expect(isZero(d.readPhys(end - P, ps))).toBe(true);
        expect(d.zeroRunEnd!(a, a + 8n)).toBe(a + 8n);
      }
    }
  }
  return [claimed, zeros];
}

describe('zeroRunEnd answers only for memory that reads as zeros', () => {
  it('synthetic image: pages never written, within declared RAM', () => {
    const img = new PhysImage();
    img.addRam(0x1000n, 0x100000n);
    img.addRam(0x200000n, 0x300000n);
    img.write(0x5008n, Uint8Array.of(1));
    img.fill(0x9000n, 4096, 0); // present, all zero: not claimed (its bytes are not known without reading)
    const d = new SynthDump({ machine: 'x86_64', image: img, notes: [] });
    expect(d.zeroRunEnd(0x1000n, 0x100000n)).toBe(0x5000n);
    expect(d.zeroRunEnd(0x5000n, 0x100000n)).toBe(0x5000n);
    expect(d.zeroRunEnd(0x6000n, 0x100000n)).toBe(0x9000n);
    expect(d.zeroRunEnd(0xa000n, 1n << 40n)).toBe(0x100000n); // ends with its RAM range
    expect(d.zeroRunEnd(0x100000n, 0x200000n)).toBe(0x100000n); // a hole
    expect(d.zeroRunEnd(0x6000n, 0x6010n)).toBe(0x6010n);
    img.write(0x7000n, Uint8Array.of(2)); // written later: the cached page list follows
    expect(d.zeroRunEnd(0x6000n, 0x100000n)).toBe(0x7000n);
    const [claimed, zeros] = checkClaims(d);
    expect(claimed).toBe(zeros - 1); // every zero page but the one made present by fill()
  });

  it('ELF: the p_filesz < p_memsz tail of a segment', () => {
    const { bytes } = buildCoreElf({
      loads: [
        { paddr: 0x0n, bytes: pattern(0x0n, 0x2000) },
        { paddr: 0x2000n, bytes: pattern(0x2000n, 0x1000), memsz: 0x3000 },
      ],
      notes: [],
    });
    const d = openDumpFile(tmp.write('tail.elf', bytes));
    expect(d.zeroRunEnd!(0x2000n, 0x10000n)).toBe(0x2000n);
    expect(d.zeroRunEnd!(0x3000n, 0x10000n)).toBe(0x5000n);
    expect(d.zeroRunEnd!(0x3000n, 0x4000n)).toBe(0x4000n);
    expect(d.zeroRunEnd!(0x5000n, 0x10000n)).toBe(0x5000n);
    expect(checkClaims(d)[0]).toBe(2);
    d.close();
  });

  it('ELF: never for segments that overlap (kexec aliases)', () => {
    const { bytes } = buildCoreElf({
      loads: [
        { paddr: 0x0n, bytes: pattern(0x0n, 0x1000), memsz: 0x4000 },
        { paddr: 0x2000n, bytes: pattern(0x2000n, 0x1000) },
      ],
      notes: [],
    });
    const d = openDumpFile(tmp.write('alias.elf', bytes));
    expect(d.zeroRunEnd!(0x1000n, 0x4000n)).toBe(0x1000n);
    d.close();
  });

  for (const f of ['zlib-d0.kdump', 'lzo-d0.kdump', 'zlib-d1.kdump', 'zlib-d1.flat']) {
    it(`kdump written by makedumpfile (${f}): the shared zero page`, () => {
      const path = join(FIXTURES, f);
      if (!existsSync(path)) return console.log(`skipped: ${path} absent`);
      const d = openDumpFile(path);
      const [claimed, zeros] = checkClaims(d);
      // -d 0 compresses each zero page on its own (no pd_zero written: nothing is claimed); with
      // -d 1 ("exclude zero pages") every zero page's descriptor points at pd_zero
      expect(zeros).toBeGreaterThan(0);
      expect(claimed).toBe(f.includes('d0') ? 0 : zeros);
      d.close();
    });
  }

  it('the reference kdump (QEMU/makedumpfile pd_zero): claims read as zeros', () => {
    const r = refdump();
    if (typeof r === 'string' || !existsSync(r.kdump)) return console.log(`skipped: ${typeof r === 'string' ? r : r.kdump + ' absent'}`);
    const d = openDumpFile(r.kdump);
    let pages = 0;
    for (const rg of d.ranges) {
      for (let a = rg.start; a < rg.end; ) {
        const end = d.zeroRunEnd!(a, rg.end);
        if (end === a) {
          a += 4096n;
          continue;
        }
        pages += Number((end - a) / 4096n);
        expect(isZero(d.readPhys(a, 4096)) && isZero(d.readPhys(end - 4096n, 4096)), hex(a)).toBe(true);
        a = end;
      }
    }
    expect(pages).toBeGreaterThan(100_000); // 113591 of its 135200 dumped pages are pd_zero
    d.close();
  });
});

/** Run each line with the fast path on and off: same text. Returns the texts. */
function same(k: Kernel, s: Session, cmds: string[]): string[] {
  return cmds.map((c) => {
    k.mem.zeroRuns = false;
    const slow = s.runLine(c).text;
    k.mem.zeroRuns = true;
    const fast = s.runLine(c).text;
    expect(fast, c).toBe(slow);
    expect(fast, c).not.toMatch(/internal error/);
    return fast;
  });
}

/** A nonzero 64-bit word and a printable string (4+ chars) from a written page. */
function sample(k: Kernel, page: bigint): { word?: bigint; str?: string } {
  const b = k.mem.readPhys(page, 4096);
  const dv = new DataView(b.buffer, b.byteOffset, 4096);
  let word: bigint | undefined;
  for (let o = 0; o < 4096 && word === undefined; o += 8) {
    const w = dv.getBigUint64(o, true);
    if ((w & 0xffffn) && (w >> 32n) && (w & 0xffffffffn)) word = w;
  }
  const str = /[A-Za-z_]{5,12}/.exec(Buffer.from(b).toString('latin1'))?.[0];
  return { word, str };
}

describe('search: the same answers with and without the fast path', () => {
  it('usercopy scenario: windows around written memory, every search mode', () => {
    const dump = buildScenarioDump(USERCOPY) as SynthDump;
    const k = kernelFromDump(dump);
    const s = new Session(k, { dumpPath: USERCOPY, silent: true });
    const pns = dump.image.pageNumbers().filter((pn) => dump.image.inRam(BigInt(pn) << 12n));
    const skipped0 = scanWork.zeroBytesSkipped;
    let hits = 0;
    for (const pn of [pns[0], pns[pns.length >> 1], pns[pns.length - 1]]) {
      const page = BigInt(pn) << 12n;
      const { word, str } = sample(k, page);
      const start = page > 0x200000n ? page - 0x200000n : 0n;
      const kstart = k.arch.physToDirect(start);
      const cmds: string[] = [];
      if (word !== undefined) {
        const w32 = word & 0xffffffffn;
        cmds.push(
          `search -p -s ${hex(start)} -l 0x400000 ${hex(word)}`,
          `search -p -s ${hex(start)} -l 0x400000 -x 2 ${hex(word)} deadbeef`,
          `search -p -s ${hex(start)} -l 0x400000 -m ffffffff00000000 ${hex(word)}`,
          `search -p -s ${hex(start)} -l 0x400000 -w ${hex(w32)}`,
          `search -p -s ${hex(start)} -l 0x400000 -h ${hex(word & 0xffffn)}`,
          `search -k -s ${hex(kstart)} -l 0x400000 ${hex(word)}`,
          `search -k -s ${hex(kstart + 8n)} -l 0x3ff000 ${hex(word)}`,
        );
      }
      if (str) cmds.push(`search -k -s ${hex(kstart)} -l 0x400000 -c ${str}`, `search -p -s ${hex(start)} -l 0x400000 -c ${str.slice(0, 4)} ${str.slice(1)}`);
      for (const out of same(k, s, cmds)) hits += out.split('\n').filter(Boolean).length;
    }
    expect(hits).toBeGreaterThan(0);
    expect(scanWork.zeroBytesSkipped).toBeGreaterThan(skipped0);
    // a zero word can match: nothing is skipped, and the zeros are hits
    const page = BigInt(pns[0]) << 12n;
    const before = scanWork.zeroBytesSkipped;
    const zeroish = same(k, s, [
      `search -p -s ${hex(page - 0x1000n)} -l 0x3000 0`,
      `search -p -s ${hex(page - 0x1000n)} -l 0x3000 -m ffffffffffffffff deadbeef`,
      `search -p -s ${hex(page - 0x1000n)} -l 0x3000 -w -m ffff 0xbeef`,
      `search -p -s ${hex(page - 0x1000n)} -l 0x3000 -h 0`,
    ]);
    expect(scanWork.zeroBytesSkipped).toBe(before);
    for (const out of zeroish) expect(out.split('\n').length).toBeGreaterThan(512);
  }, 120_000);

  it('the reference kdump: physical and kernel searches', () => {
    const r = refdump();
    if (typeof r === 'string' || !existsSync(r.kdump)) return console.log(`skipped: ${typeof r === 'string' ? r : r.kdump + ' absent'}`);
    const k = kernelFromDump(openDumpFile(r.kdump));
    const s = new Session(k, { dumpPath: r.kdump, silent: true });
    const skipped0 = scanWork.zeroBytesSkipped;
    const init = k.symbol('init_task')!.address;
    const out = same(k, s, [
      `search -p -l 0x2000000 ${hex(init)}`,
      `search -p -s 0x1000000 -l 0x2000000 -c Linux`,
      `search -k -l 0x2000000 ${hex(init)}`,
    ]);
    expect(out.join('').length).toBeGreaterThan(0);
    expect(scanWork.zeroBytesSkipped).toBeGreaterThan(skipped0);
    k.dump.close();
  }, 120_000);
});

describe('search on a 130 GB scenario scans only the written pages', () => {
  it('search -p deadbeef and search -k deadbeef on usercopy-kmalloc512', () => {
    const k = kernelFromDump(buildScenarioDump(USERCOPY));
    const s = new Session(k, { dumpPath: USERCOPY, silent: true });
    for (const c of ['search -p deadbeef', 'search -k deadbeef']) {
      const pages0 = scanWork.pagesScanned;
      const skipped0 = scanWork.zeroBytesSkipped;
      expect(s.runLine(c).text, c).not.toMatch(/error/);
      // 34 million pages of declared RAM; a few thousand were written
      expect(scanWork.pagesScanned - pages0, c).toBeLessThan(10_000);
      expect(scanWork.zeroBytesSkipped - skipped0, c).toBeGreaterThan(100n << 30n);
    }
  }, 60_000);
});

describe('cancel and progress', () => {
  const k = kernelFromDump(buildScenarioDump(USERCOPY));

  it('scanRange lets Interrupted through its read-error catches', () => {
    const sc = new Scanner({ mode: 'ulong', values: [0xdeadbeefn], mask: 0n, strings: [] }, () => {});
    let reads = 0;
    const read = () => {
      reads++;
      throw new Interrupted();
    };
    k.mem.zeroRuns = false;
    try {
      expect(() => scanRange(k, 0x100000n, 0x10000000n, physXlate(k, (p) => p, (p) => p), sc, undefined, read)).toThrow(Interrupted);
    } finally {
      k.mem.zeroRuns = true;
    }
    expect(reads).toBe(1);
  });

  it('kmem -s and kmem -p report progress and stop when cancelled', () => {
    for (const [what, run] of [
      ['caches', (h: object) => kmemSlabs(k, { verbose: false, ignore: [] }, h)],
      ['pages', (h: object) => kmemAllPages(k, false, h)],
    ] as const) {
      const seen: [number, number, string | undefined][] = [];
      run({ progress: (d: number, t: number, w?: string) => seen.push([d, t, w]) });
      expect(seen.length, what).toBeGreaterThan(0);
      expect(seen.every(([d, t, w]) => w === what && d < t), what).toBe(true);
      let calls = 0;
      expect(() => run({ cancelled: () => ++calls > 0 }), what).toThrow(Interrupted);
      expect(calls, what).toBe(1);
    }
  });
});
