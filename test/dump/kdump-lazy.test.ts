/**
 * Opening a kdump file reads its headers, notes and bitmaps and nothing else; a read touches one
 * chunk of descriptors and the page's own data; a page read again comes from the LRU. A
 * flattened stream is indexed by reading record headers only. Every byte the dump code reads
 * goes through fs.readSync, which is wrapped here to count them.
 */
import { deflateSync } from 'node:zlib';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { openDumpFile } from '../../src/dump/open.js';
import { KdumpDump } from '../../src/dump/kdump.js';
import { tempDumpDir } from '../builders/core-elf.js';
import { buildKdump, flatten, FLAG_ZLIB, type KdumpPage } from '../builders/kdump-builder.js';

const counter = vi.hoisted(() => ({ bytes: 0, calls: 0 }));
vi.mock('node:fs', async (importOriginal) => {
  const orig = await importOriginal<typeof import('node:fs')>();
  const readSync = ((...args: Parameters<typeof orig.readSync>) => {
    const n = orig.readSync(...args);
    counter.bytes += n;
    counter.calls++;
    return n;
  }) as typeof orig.readSync;
  return { ...orig, readSync, default: { ...orig, readSync } };
});

const tmp = tempDumpDir('crash-tui-kdump-lazy-');
afterAll(() => tmp.cleanup());

const reset = () => {
  counter.bytes = 0;
  counter.calls = 0;
};

// 4 GiB of RAM (2^20 pfns), every other pfn dumped: 2^19 descriptors (12 MiB). Page contents
// cycle through 256 compressed variants (word 0 = pfn & 255) so that building stays quick.
const MAX = 1 << 20;
const variants = Array.from({ length: 256 }, (_, v) => {
  const p = new Uint8Array(4096);
  new DataView(p.buffer).setUint32(0, v, true);
  return deflateSync(p);
});
const pages: KdumpPage[] = [];
for (let pfn = 0; pfn < MAX; pfn += 2) pages.push({ pfn, stored: { flags: FLAG_ZLIB, bytes: variants[pfn & 255] } });
const { bytes, layout } = buildKdump({ maxMapnr: MAX, pages, ram: [[0, MAX]], status: FLAG_ZLIB });
const word0 = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getUint32(0, true);

describe('lazy kdump reads', () => {
  it('open reads the headers and bitmaps only; a read one descriptor chunk and one page', () => {
    const path = tmp.write('big.kdump', bytes);
    reset();
    const d = openDumpFile(path) as KdumpDump;
    expect(d.dumpedPages).toBe(MAX / 2);
    const atOpen = counter.bytes;
    expect(atOpen).toBeLessThan(layout.descOffset + 64); // header, sub-header, notes, bitmaps (+ the last descriptor)
    expect(bytes.length).toBeGreaterThan(20 * atOpen);

    reset();
    const pfn = 700_002;
    expect(word0(d.readPhys(BigInt(pfn) * 4096n, 8))).toBe(pfn & 255);
    // one chunk of descriptors, then the page's data
    expect(counter.calls).toBe(2);
    expect(counter.bytes).toBeLessThan(256 * 24 + 200);

    reset();
    d.readPhys(BigInt(pfn) * 4096n + 100n, 8); // cached page
    expect(counter.calls).toBe(0);
    for (let p = pfn + 2; p < pfn + 40; p += 2) expect(word0(d.readPhys(BigInt(p) * 4096n, 4096))).toBe(p & 255);
    // the same descriptor chunk; reading on from where the last page ended starts one 64 KiB
    // read-ahead that serves the rest
    expect(counter.calls).toBe(1);
    expect(counter.bytes).toBe(64 * 1024);
    expect(() => d.readPhys(BigInt(pfn + 1) * 4096n, 8)).toThrow('excluded error');
    d.close();
  });

  it('the page LRU is bounded: reading 4 MiB + of distinct pages evicts the oldest', () => {
    const d = openDumpFile(tmp.write('lru.kdump', bytes)) as KdumpDump;
    d.readPhys(0n, 8);
    for (let p = 2; p < 2 + 2 * 1100; p += 2) d.readPhys(BigInt(p) * 4096n, 8);
    reset();
    d.readPhys(0n, 8); // evicted: read again
    expect(counter.calls).toBeGreaterThan(0);
    d.close();
  });

  it('a flattened stream with large records is indexed from its record headers', () => {
    const flat = flatten(bytes, { recordSize: 256 * 1024, order: (n) => [...Array(n).keys()].reverse() });
    const path = tmp.write('big.flat', flat);
    reset();
    const d = openDumpFile(path) as KdumpDump;
    expect(d.flattened).toBe(true);
    const records = Math.ceil(bytes.length / (256 * 1024));
    // the 4096-byte header (classified, then parsed), 16 bytes per record header, then what the
    // kdump layer reads
    expect(counter.bytes).toBeLessThan(2 * 4096 + 16 * records + layout.descOffset + 64 + 8192);
    expect(word0(d.readPhys(123_456n * 4096n, 8))).toBe(123_456 & 255);
    d.close();
  });
});
