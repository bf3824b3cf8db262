/**
 * Opening is lazy: a 2 GB (sparse) vmcore opens and serves a read after touching only its
 * headers, notes and the bytes asked for. Every byte the dump code reads goes through
 * fs.readSync, which is wrapped here to count them.
 */
import * as realFs from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { openDumpFile } from '../../src/dump/open.js';
import { buildCoreElf, pattern, PHDR_SIZE, tempDumpDir, vmcoreinfoNote } from '../builders/core-elf.js';

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

const tmp = tempDumpDir('crash-tui-elf-lazy-');
afterAll(() => tmp.cleanup());

const GB2 = 2 ** 31;

describe('lazy open of a large dump', () => {
  it('opens a sparse 2 GB core and reads its last bytes without reading the file', () => {
    const { bytes, layout } = buildCoreElf({
      loads: [{ paddr: 0x0n, bytes: pattern(0n, 0x1000) }],
      notes: [vmcoreinfoNote('PAGESIZE=4096\n')],
    });
    // Grow the one PT_LOAD to 2 GB of file data, then make the file that long without writing it.
    const ph = new DataView(bytes.buffer, layout.phoff + PHDR_SIZE, PHDR_SIZE);
    ph.setBigUint64(32, BigInt(GB2), true);
    ph.setBigUint64(40, BigInt(GB2), true);
    const path = tmp.write('sparse-2g', bytes);
    const fileEnd = layout.loadOffsets[0] + GB2;
    realFs.truncateSync(path, fileEnd);
    const marker = Uint8Array.from([0xde, 0xad, 0xbe, 0xef, 0x0b, 0xad, 0xf0, 0x0d]);
    const fd = realFs.openSync(path, 'r+');
    realFs.writeSync(fd, marker, 0, 8, fileEnd - 8);
    realFs.closeSync(fd);
    expect(realFs.statSync(path).size).toBe(fileEnd);

    counter.bytes = 0;
    counter.calls = 0;
    const t0 = performance.now();
    const dump = openDumpFile(path);
    const tail = dump.readPhys(BigInt(GB2 - 8), 8);
    const mid = dump.readPhys(BigInt(GB2 / 2), 16);
    const elapsed = performance.now() - t0;
    dump.close();

    expect(tail).toEqual(marker);
    expect(mid).toEqual(new Uint8Array(16));
    expect(dump.ranges).toEqual([{ start: 0n, end: BigInt(GB2) }]);
    expect(dump.warnings).toEqual([]);
    expect(counter.calls).toBeGreaterThan(0); // the wrapper is really in the path
    expect(counter.bytes).toBeLessThan(64 * 1024);
    expect(elapsed).toBeLessThan(1000);
  });
});
