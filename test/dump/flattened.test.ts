/**
 * The makedumpfile flattened format: records in any order and of any size, gaps that read as
 * zeros, overlapping records where the later one wins, truncated streams, and an ELF vmcore
 * inside a flattened stream.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { FileReader } from '../../src/dump/file-reader.js';
import { FlattenedReader, isFlattened } from '../../src/dump/flattened.js';
import { openDumpFile } from '../../src/dump/open.js';
import { classifyFile } from '../../src/dump/classify.js';
import { KdumpDump } from '../../src/dump/kdump.js';
import { ElfDump } from '../../src/dump/elf.js';
import { DumpFormatError } from '../../src/util/errors.js';
import { buildCoreElf, pattern, prstatusNote, tempDumpDir, vmcoreinfoNote } from '../builders/core-elf.js';
import { buildKdump, flatten } from '../builders/kdump-builder.js';

const tmp = tempDumpDir('crash-tui-flat-');
afterAll(() => tmp.cleanup());

function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return (n: number) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

let k = 0;
function flatReader(bytes: Uint8Array): FlattenedReader {
  return new FlattenedReader(new FileReader(tmp.write(`f${k++}`, bytes)));
}

const logical = pattern(0x5000n, 50_000);

describe('FlattenedReader', () => {
  it('serves the logical file whatever the record order and size', () => {
    for (const [recordSize, order] of [
      [4096, undefined],
      [777, (n: number) => [...Array(n).keys()].reverse()],
      [1, (n: number) => [...Array(n).keys()].sort((a, b) => (a * 7919) % n - (b * 7919) % n)],
    ] as const) {
      const r = flatReader(flatten(logical, { recordSize, order }));
      expect(r.size).toBe(logical.length);
      expect(r.records).toBe(Math.ceil(logical.length / recordSize));
      expect(r.readAt(0, logical.length)).toEqual(logical);
      expect(r.readAt(4000, 300)).toEqual(logical.subarray(4000, 4300));
      expect(r.readAt(49_990, 100)).toEqual(logical.subarray(49_990)); // short at the end
      expect(r.readAt(50_000, 10)).toEqual(new Uint8Array(0));
      expect(r.warnings).toEqual([]);
      r.close();
    }
  });

  it('bytes no record wrote read as zeros (a sparse rearranged file)', () => {
    const r = flatReader(flatten(logical, { recordSize: 1000, skip: [[2500, 7300], [10_000, 10_001]] }));
    const want = logical.slice();
    want.fill(0, 2500, 7300);
    want[10_000] = 0;
    expect(r.readAt(0, logical.length)).toEqual(want);
    expect(r.readAt(3000, 100)).toEqual(new Uint8Array(100));
    r.close();
  });

  it('overlapping records: the later one wins, against a painted reference, over random layouts', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const next = rng(seed);
      const size = 2000 + next(3000);
      const paint = new Uint8Array(size + 600);
      const recs: Array<[number, Uint8Array]> = [];
      for (let i = 0; i < 30; i++) {
        const off = next(size);
        const bytes = Uint8Array.from({ length: 1 + next(600) }, () => 1 + next(255));
        recs.push([off, bytes]);
      }
      let end = 0;
      for (const [off, bytes] of recs) {
        paint.set(bytes, off);
        end = Math.max(end, off + bytes.length);
      }
      const r = flatReader(flatten(new Uint8Array(0), { overwrite: recs }));
      expect(r.size).toBe(end);
      expect(r.readAt(0, end)).toEqual(paint.subarray(0, end));
      const a = next(end);
      expect(r.readAt(a, 77)).toEqual(paint.subarray(a, Math.min(end, a + 77)));
      r.close();
    }
  });

  it('a stream without its end marker, or with a record cut short, is indexed up to the cut, with a warning', () => {
    const whole = flatten(logical, { recordSize: 10_000, noEnd: true });
    const r = flatReader(whole);
    expect(r.readAt(0, logical.length)).toEqual(logical);
    expect(r.warnings).toEqual([`${r.path}: flattened format: no end marker (the stream ends at offset ${whole.length}, truncated?)`]);
    r.close();
    const cutAt = 4096 + 2 * (16 + 10_000) + 16 + 1234; // inside the third record's data
    const c = flatReader(flatten(logical, { recordSize: 10_000 }).subarray(0, cutAt));
    expect(c.size).toBe(20_000 + 1234);
    expect(c.readAt(19_000, 3000)).toEqual(logical.subarray(19_000, 21_234));
    expect(c.warnings).toEqual([`${c.path}: flattened format: the record at offset ${4096 + 2 * 10_016} wants 10000 bytes but the file has 1234 (truncated?)`]);
    c.close();
  });

  it('a record header with a negative size or offset is refused', () => {
    const bad = flatten(logical, { recordSize: 10_000 });
    new DataView(bad.buffer).setBigInt64(4096 + 10_016 + 8, -5n, false);
    const path = tmp.write('bad-record', bad);
    expect(() => openDumpFile(path)).toThrow(new DumpFormatError(`${path}: flattened format: bad record header at offset 14112 (offset 10000, size -5)`));
    const neg = flatten(logical, { recordSize: 10_000 });
    new DataView(neg.buffer).setBigInt64(4096, -2n, false);
    expect(() => flatReader(neg)).toThrow(/bad record header at offset 4096 \(offset -2, size 10000\)/);
  });

  it('recognises the header: signature and type 1', () => {
    const f = flatten(logical);
    expect(isFlattened(f)).toBe(true);
    const wrongType = f.slice(0, 4096);
    wrongType[23] = 2;
    expect(isFlattened(wrongType)).toBe(false);
    expect(isFlattened(f.subarray(0, 31))).toBe(false);
  });
});

describe('opening flattened dumps', () => {
  it('a kdump inside: same reads as the plain file; classified as a dump', () => {
    const { bytes } = buildKdump({
      maxMapnr: 32, compress: 'zlib', ram: [[0, 32]],
      pages: Array.from({ length: 20 }, (_, i) => ({ pfn: i, data: pattern(BigInt(i) * 4096n, 4096) })),
      notes: [prstatusNote(1)], vmcoreinfo: 'OSRELEASE=6.1.0\n',
    });
    const path = tmp.write('kdump.flat', flatten(bytes, { recordSize: 3000, order: (n) => [...Array(n).keys()].reverse() }));
    expect(classifyFile(path)).toBe('dump');
    const d = openDumpFile(path);
    expect(d).toBeInstanceOf(KdumpDump);
    expect([d.format, (d as KdumpDump).flattened, d.vmcoreinfo, d.notes.length]).toEqual(['KDUMP', true, 'OSRELEASE=6.1.0\n', 1]);
    expect(d.readPhys(0x1ffcn, 0x3000)).toEqual(pattern(0x1ffcn, 0x3000));
    expect(() => d.readPhys(20n * 4096n, 1)).toThrow('excluded error: physical address: 14000');
    d.close();
  });

  it('an ELF vmcore inside: read as ELF, marked flattened', () => {
    const { bytes } = buildCoreElf({
      loads: [{ paddr: 0x100000n, bytes: pattern(0x100000n, 0x3000) }],
      notes: [vmcoreinfoNote('PAGESIZE=4096\n')],
    });
    const d = openDumpFile(tmp.write('elf.flat', flatten(bytes, { recordSize: 1000 })));
    expect(d).toBeInstanceOf(ElfDump);
    expect([d.format, (d as ElfDump & { flattened?: boolean }).flattened, d.vmcoreinfo]).toEqual(['ELF', true, 'PAGESIZE=4096\n']);
    expect(d.readPhys(0x100ff0n, 0x20)).toEqual(pattern(0x100ff0n, 0x20));
    d.close();
  });

  it('a stream of something else is refused', () => {
    const path = tmp.write('junk.flat', flatten(new TextEncoder().encode('hello, not a dump at all')));
    expect(() => openDumpFile(path)).toThrow(`${path}: flattened format: the data is neither a kdump-compressed nor an ELF dump`);
  });

  it('kdump signatures are classified as dumps; other files are not', () => {
    const { bytes } = buildKdump({ maxMapnr: 8, pages: [{ pfn: 1 }] });
    expect(classifyFile(tmp.write('plain.kdump', bytes))).toBe('dump');
    const dd = bytes.slice();
    dd.set(new TextEncoder().encode('DISKDUMP'));
    expect(classifyFile(tmp.write('plain.diskdump', dd))).toBe('dump');
    expect(classifyFile(tmp.write('text', new TextEncoder().encode('KDUMP  x')))).toBe('unknown');
  });
});
