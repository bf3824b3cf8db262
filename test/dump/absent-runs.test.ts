/**
 * DumpFile.absentRunEnd: the run of memory a dump does not hold, for the fast paths of search and
 * the mem_map pass. Every claim is checked page by page against readPhys (each page in a claimed
 * run must fail to read; the page a run ends at, and every unclaimed page's first byte, must read),
 * on kdump files from test/builders (holes, excluded pages, one bitmap, old DISKDUMP whose excluded
 * pages read as zeros, split parts, the flattened stream of the same file), ELF files with gaps
 * between PT_LOADs, and a kdump with a million-pfn run answered in one call.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openDumpFile } from '../../src/dump/open.js';
import type { DumpFile } from '../../src/dump/types.js';
import { firstSetInBoth, sectionCounts } from '../../src/dump/kdump-bitmap.js';
import { PhysReadError } from '../../src/util/errors.js';
import { buildCoreElf, pattern, tempDumpDir } from '../builders/core-elf.js';
import { buildKdump, flatten, type KdumpPage, type KdumpSpec } from '../builders/kdump-builder.js';

const tmp = tempDumpDir('crash-tui-absent-');
afterAll(() => tmp.cleanup());

const PS = 4096;
const P = BigInt(PS);
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
const hex = (v: bigint) => v.toString(16);

function reads(d: DumpFile, addr: bigint, len: number): boolean {
  try {
    d.readPhys(addr, len);
    return true;
  } catch (e) {
    if (e instanceof PhysReadError) return false;
    throw e;
  }
}

/** Check every claim from every page (and a few unaligned starts) up to `top`; returns pages claimed. */
function checkClaims(d: DumpFile, top: bigint): number {
  let claimed = 0;
  for (let a = 0n; a < top; a += P) {
    for (const at of [a, a + 0x10n]) {
      const end = d.absentRunEnd!(at, top);
      expect(end >= at && end <= top, `${hex(at)} → ${hex(end)}`).toBe(true);
      if (end === at) {
        expect(reads(d, at, 1), `${hex(at)} unclaimed but unreadable`).toBe(true);
        continue;
      }
      if (at === a) claimed++;
      for (let q = at; q < end; q = (q / P + 1n) * P) expect(reads(d, q, 1), `${hex(q)} claimed absent`).toBe(false);
      if (end < top) expect(reads(d, end, 1), `run from ${hex(at)} ends at unreadable ${hex(end)}`).toBe(true);
      // a limit caps the run
      expect(d.absentRunEnd!(at, at + 8n)).toBe(at + 8n);
    }
  }
  return claimed;
}

/** pfn 0..15 dumped, 16..19 excluded, 20..23 dumped, 24..31 RAM excluded, 32..39 a hole, 40..47 dumped, 48.. hole. */
function spec(over: Partial<KdumpSpec> = {}): KdumpSpec {
  const pages: KdumpPage[] = [
    ...range(0, 16).map((pfn) => ({ pfn, data: pattern(BigInt(pfn) * P, PS) })),
    ...range(16, 20).map((pfn) => ({ pfn, excluded: true })),
    ...range(20, 24).map((pfn) => ({ pfn, data: new Uint8Array(PS) })),
    ...range(40, 48).map((pfn) => ({ pfn, data: pattern(BigInt(pfn) * P, PS) })),
  ];
  return { maxMapnr: 64, pages, ram: [[24, 32]], shareZeroPage: true, dumpLevel: 31, ...over };
}

let n = 0;
const open = (bytes: Uint8Array) => openDumpFile(tmp.write(`a${n++}`, bytes));

describe('kdump: absentRunEnd claims only pages that fail to read', () => {
  it('holes and excluded pages, both bitmaps', () => {
    const d = open(buildKdump(spec()).bytes);
    expect(d.absentRunEnd!(16n * P, 1n << 40n)).toBe(20n * P);
    expect(d.absentRunEnd!(24n * P, 1n << 40n)).toBe(40n * P); // excluded RAM then a hole: one run
    expect(d.absentRunEnd!(48n * P, 1n << 40n)).toBe(1n << 40n); // past the last dumped page: all of it
    expect(d.absentRunEnd!(15n * P, 1n << 40n)).toBe(15n * P);
    expect(checkClaims(d, 80n * P)).toBe(4 + 8 + 8 + 32);
    d.close();
  });

  it('the same file as a flattened stream', () => {
    const d = open(flatten(buildKdump(spec()).bytes, { recordSize: 1000 }));
    expect(checkClaims(d, 80n * P)).toBe(52);
    d.close();
  });

  it('one bitmap (RAM and dumped the same bits)', () => {
    // the file has one map: a listed "excluded" pfn would be a dumped one without a descriptor
    const s = spec({ oneBitmap: true, ram: [] });
    const d = open(buildKdump({ ...s, pages: s.pages.filter((p) => !p.excluded) }).bytes);
    expect(d.absentRunEnd!(16n * P, 1n << 40n)).toBe(20n * P);
    expect(checkClaims(d, 80n * P)).toBe(52);
    d.close();
  });

  it('DISKDUMP: excluded pages read as zeros, so only holes are absent', () => {
    const d = open(buildKdump(spec({ signature: 'DISKDUMP' })).bytes);
    expect(d.absentRunEnd!(16n * P, 1n << 40n)).toBe(16n * P);
    expect(d.absentRunEnd!(32n * P, 1n << 40n)).toBe(40n * P);
    expect(checkClaims(d, 80n * P)).toBe(8 + 32);
    d.close();
  });

  it('a split part holds only its pfns', () => {
    const d = open(buildKdump(spec({ split: { start: 8, end: 44 } })).bytes);
    expect(d.absentRunEnd!(0n, 1n << 40n)).toBe(8n * P);
    expect(d.absentRunEnd!(44n * P, 1n << 40n)).toBe(1n << 40n);
    checkClaims(d, 80n * P);
    d.close();
  });

  it('a million-pfn run of excluded RAM is one call, ending at the next dumped page', () => {
    const max = 4 << 20; // 16 GB of RAM
    const dumped = [0, 1, 1_500_000, 1_500_007, 3_000_000, max - 1];
    const pages: KdumpPage[] = dumped.map((pfn) => ({ pfn, data: pattern(BigInt(pfn) * P, PS) }));
    const d = open(buildKdump({ maxMapnr: max, pages, ram: [[0, max]], dumpLevel: 31 }).bytes);
    const runs: bigint[] = [];
    for (let a = 0n; a < BigInt(max) * P; ) {
      const end = d.absentRunEnd!(a, BigInt(max) * P);
      if (end === a) {
        expect(reads(d, a, PS)).toBe(true);
        a += P;
        continue;
      }
      runs.push(a / P, end / P);
      a = end;
    }
    expect(runs).toEqual([2n, 1_500_000n, 1_500_001n, 1_500_007n, 1_500_008n, 3_000_000n, 3_000_001n, BigInt(max - 1)]);
    d.close();
  });
});

describe('firstSetInBoth with and without the section counts', () => {
  it('agrees with a bit-by-bit scan', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed);
    const bits = 50_000;
    const a = new Uint8Array(bits / 8);
    const b = new Uint8Array(bits / 8);
    for (let i = 0; i < 300; i++) {
      const p = rnd() % bits;
      b[p >> 3] |= 1 << (p & 7);
      if (rnd() % 4) a[p >> 3] |= 1 << (p & 7);
      const q = rnd() % bits;
      a[q >> 3] |= 1 << (q & 7);
    }
    const lo = 100;
    const idx = { cum: sectionCounts(b, lo, bits, 1024), lo, sect: 1024 };
    const slow = (from: number, to: number) => {
      for (let p = from; p < to; p++) if ((a[p >> 3] & b[p >> 3]) & (1 << (p & 7))) return p;
      return to;
    };
    for (let i = 0; i < 2000; i++) {
      const from = lo + (rnd() % (bits - lo));
      const to = Math.min(bits, from + (rnd() % 20_000));
      expect(firstSetInBoth(a, b, from, to, idx), `${from}..${to}`).toBe(slow(from, to));
      expect(firstSetInBoth(a, b, from, to), `${from}..${to}`).toBe(slow(from, to));
    }
  });
});

describe('ELF: outside every PT_LOAD', () => {
  it('gaps between segments, unaligned segment starts, overlapping segments', () => {
    const { bytes } = buildCoreElf({
      loads: [
        { paddr: 0x1000n, bytes: pattern(0x1000n, 0x2000) },
        { paddr: 0x5800n, bytes: pattern(0x5800n, 0x800), memsz: 0x1800 },
        { paddr: 0x9000n, bytes: pattern(0x9000n, 0x3000) },
        { paddr: 0xa000n, bytes: pattern(0xa000n, 0x1000) },
      ],
      notes: [],
    });
    const d = open(bytes);
    expect(d.absentRunEnd!(0n, 0x100000n)).toBe(0x1000n);
    expect(d.absentRunEnd!(0x3000n, 0x100000n)).toBe(0x5800n);
    expect(d.absentRunEnd!(0x7000n, 0x100000n)).toBe(0x9000n);
    expect(d.absentRunEnd!(0xc000n, 0x100000n)).toBe(0x100000n);
    expect(d.absentRunEnd!(0x5800n, 0x100000n)).toBe(0x5800n);
    // unaligned: from the page start the claim is exact (0x5000..0x5800 fails), checkClaims
    // reads only the first byte of each claimed page
    checkClaims(d, 0x10000n);
    d.close();
  });
});
