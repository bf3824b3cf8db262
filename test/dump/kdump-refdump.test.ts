/**
 * The real reference dump twice: QEMU's `dump-guest-memory -z` (makedumpfile flattened stream of
 * a zlib kdump-compressed file) and the ELF core of the same machine. Physical reads must give
 * identical bytes, or identical faults at identical addresses; and every command of the crash
 * 8.0.2 golden manifest must print the same text on both through the CLI (only the DUMPFILE
 * line of `sys` names a different file). Skips, with the reason, when ../shared is absent.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDumpFile } from '../../src/dump/open.js';
import { KdumpDump } from '../../src/dump/kdump.js';
import type { DumpFile } from '../../src/dump/types.js';
import { PhysReadError } from '../../src/util/errors.js';
import { refdump } from '../support/refdump.js';
import { runLikeGoldens } from '../support/run-cli.js';

const ref = refdump();
const skip = typeof ref === 'string' ? ref : undefined;
if (skip) console.log(`kdump reference tests skipped: ${skip}`);

type Result = Uint8Array | { fault: string; paddr: bigint };
function read(d: DumpFile, a: bigint, len: number): Result {
  try {
    return d.readPhys(a, len);
  } catch (e) {
    if (e instanceof PhysReadError) return { fault: e.fault, paddr: e.paddr };
    throw e;
  }
}

describe.skipIf(!!skip)('the flattened zlib kdump of the reference machine vs its ELF', () => {
  const r = ref as Exclude<typeof ref, string>;
  const elf = skip ? undefined : openDumpFile(r.elf);
  const kd = skip ? undefined : (openDumpFile(r.kdump) as KdumpDump);
  afterAll(() => {
    elf?.close();
    kd?.close();
  });

  it('is a flattened KDUMP (QEMU: header version 6, dump level 1, zlib) carrying the same notes and VMCOREINFO', () => {
    expect([kd!.format, kd!.flattened, kd!.machine, kd!.pageSize]).toEqual(['KDUMP', true, 'x86_64', 4096]);
    expect([kd!.header.headerVersion, kd!.header.status, kd!.header.nrCpus, kd!.subHeader!.dumpLevel]).toEqual([6, 1, 2, 1]);
    expect(kd!.header.utsname.machine).toBe('x86_64');
    expect(kd!.warnings).toEqual([]);
    expect(kd!.vmcoreinfo).toBe(elf!.vmcoreinfo);
    expect(kd!.notes.map((n) => [n.name, n.type, Buffer.from(n.desc).toString('hex')])).toEqual(
      elf!.notes.map((n) => [n.name, n.type, Buffer.from(n.desc).toString('hex')]),
    );
    expect(kd!.ranges).toEqual(elf!.ranges);
    expect(kd!.dumpedPages).toBe(135200); // QEMU dumps all of RAM: nothing excluded
  });

  it('every page of every range reads the same', () => {
    let pages = 0;
    for (const g of elf!.ranges) {
      for (let a = g.start; a < g.end; a += 0x10000n) {
        const len = Number(g.end - a < 0x10000n ? g.end - a : 0x10000n);
        const k = kd!.readPhys(a, len);
        if (!Buffer.from(k).equals(Buffer.from(elf!.readPhys(a, len)))) throw new Error(`differs at ${a.toString(16)}`);
        pages += len / 4096;
      }
    }
    expect(pages).toBe(135200);
  });

  it('random reads, unaligned and across range ends and holes, agree in bytes and in faults', () => {
    let x = 12345;
    const next = (n: number) => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return x % n;
    };
    const edges = elf!.ranges.flatMap((g) => [g.start, g.end]);
    let faults = 0;
    for (let i = 0; i < 3000; i++) {
      const near = edges[next(edges.length)];
      const a = i % 2 ? BigInt(next(0x20000000)) : near + BigInt(next(0x8000)) - 0x4000n;
      if (a < 0n) continue;
      const len = 1 + next(i % 10 === 0 ? 70_000 : 300);
      const e = read(elf!, a, len);
      const k = read(kd!, a, len);
      if (!(e instanceof Uint8Array)) faults++;
      expect(k).toEqual(e);
    }
    expect(faults).toBeGreaterThan(100);
    // past the last RAM page, and far away
    expect(read(kd!, 0x100000000n, 8)).toEqual({ fault: 'seek', paddr: 0x100000000n });
    expect(read(kd!, 0x9fff8n, 16)).toEqual({ fault: 'seek', paddr: 0xa0000n });
  });

  it('the key facts of the README read the same through the kdump file', () => {
    // __preempt_count on CPU 1 = 0x80000001 at per-cpu 1 + offset (README: rd -32 ffff8b3e9f51fb40)
    const pa = 0xffff8b3e9f51fb40n - 0xffff8b3e80000000n;
    expect(Buffer.from(kd!.readPhys(pa, 4)).readUInt32LE(0)).toBe(0x80000001);
  });
});

describe.skipIf(!!skip)('every golden command prints the same on the kdump file as on the ELF', () => {
  const r = ref as Exclude<typeof ref, string>;
  const commands = skip
    ? []
    : readFileSync(join(r.goldenDir, 'manifest.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t')[1]);
  const onElf = skip ? new Map<string, string>() : runLikeGoldens(r.elf, commands);
  const onKdump = skip ? new Map<string, string>() : runLikeGoldens(r.kdump, commands);
  const dropDumpfile = (t: string | undefined) => t?.replace(/^ +DUMPFILE: .*\n/m, '');

  for (const c of commands) {
    it(c, () => {
      expect(onKdump.get(c), `no output section for ${c}`).toBeDefined();
      expect(dropDumpfile(onKdump.get(c))).toBe(dropDumpfile(onElf.get(c)));
    });
  }
  it('sys names the kdump file', () => {
    expect(onKdump.get('sys')).toMatch(/^ +DUMPFILE: .*vmcore\.kdump-zlib/m);
  });
});
