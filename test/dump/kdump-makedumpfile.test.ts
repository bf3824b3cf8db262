/**
 * Files written by the real makedumpfile (Debian 12, 1.7.2), read back page by page against the
 * ELF vmcore they were made from:
 *  - test/dump/fixtures/makedumpfile: committed, made by test/builders/make-kdump-fixtures.py
 *    (-l and -c, dump levels 0 and 1, and -F flattened);
 *  - when makedumpfile is installed: fresh files from an ELF made here by the core-ELF builder;
 *  - when makedumpfile is installed and the reference dump is present: makedumpfile -d 31 of
 *    the reference ELF, where cache, user and free pages are excluded: every page the ELF has is
 *    either identical in the kdump file or reported "excluded".
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, openSync, readSync, renameSync, rmSync, statSync, writeSync, chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openDumpFile } from '../../src/dump/open.js';
import { KdumpDump } from '../../src/dump/kdump.js';
import type { DumpFile } from '../../src/dump/types.js';
import { PhysReadError } from '../../src/util/errors.js';
import { buildCoreElf, pattern, prstatusNote, tempDumpDir } from '../builders/core-elf.js';
import { CACHE_DIR, refdump } from '../support/refdump.js';

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/makedumpfile');
const tmp = tempDumpDir('crash-tui-mdf-');
afterAll(() => tmp.cleanup());

const haveMakedumpfile = spawnSync('makedumpfile', ['-v'], { encoding: 'utf8' }).status === 0;
const noMdf = haveMakedumpfile ? undefined : 'makedumpfile not installed (apt-get install makedumpfile)';
if (noMdf) console.log(`live makedumpfile tests skipped: ${noMdf}`);

type Outcome = 'same' | 'differs' | PhysReadError['fault'];

/** Compare every page the ELF describes with the kdump file's view of it. */
function comparePages(elf: DumpFile, kd: DumpFile, ps = 4096): Map<Outcome, number> {
  const tally = new Map<Outcome, number>();
  for (const r of elf.ranges) {
    for (let a = r.start; a < r.end; a += BigInt(ps)) {
      let o: Outcome;
      try {
        const k = kd.readPhys(a, ps);
        o = Buffer.from(k).equals(Buffer.from(elf.readPhys(a, ps))) ? 'same' : 'differs';
      } catch (e) {
        if (!(e instanceof PhysReadError)) throw e;
        o = e.fault;
      }
      tally.set(o, (tally.get(o) ?? 0) + 1);
    }
  }
  return tally;
}

describe('committed makedumpfile 1.7.2 files', () => {
  const elf = openDumpFile(join(DIR, 'src.elf'));
  afterAll(() => elf.close());

  for (const [file, level, codecFlag] of [
    ['lzo-d0.kdump', 0, 2],
    ['lzo-d1.kdump', 1, 2],
    ['zlib-d0.kdump', 0, 1],
    ['zlib-d1.kdump', 1, 1],
    ['zlib-d1.flat', 1, 1],
  ] as const) {
    it(`${file}: every page as in the ELF`, () => {
      const d = openDumpFile(join(DIR, file)) as KdumpDump;
      expect(d.format).toBe('KDUMP');
      expect(d.flattened).toBe(file.endsWith('.flat'));
      expect(d.header.headerVersion).toBe(6);
      expect(d.header.status).toBe(codecFlag);
      expect(d.subHeader!.dumpLevel).toBe(level);
      // makedumpfile without VMCOREINFO leaves utsname empty; the prstatus size says x86_64
      expect(d.machine).toBe('x86_64');
      expect(d.warnings).toEqual([`${d.path}: the kdump header names no machine; assuming x86_64`]);
      expect(d.notes.map((n) => [n.name, n.type, new DataView(n.desc.buffer, n.desc.byteOffset).getUint32(32, true)])).toEqual([
        ['CORE', 1, 1],
        ['CORE', 1, 2],
      ]);
      expect(d.ranges).toEqual(elf.ranges.map((r) => ({ start: r.start, end: r.end })));
      expect(comparePages(elf, d)).toEqual(new Map([['same', 16]]));
      expect(() => d.readPhys(0x8000n, 1)).toThrow('seek error: physical address: 8000'); // the hole
      // pfn%4 == 2 is noise: stored raw; pfn%4 == 1 and 3 compress
      expect([d.descriptor(2)!.flags, d.descriptor(1)!.flags, d.descriptor(3)!.flags]).toEqual([0, codecFlag, codecFlag]);
      // dump level 1: every zero page shares one raw zero page (makedumpfile's pd_zero)
      if (level === 1) expect(new Set([0, 4, 16, 20].map((p) => d.descriptor(p)!.offset)).size).toBe(1);
      d.close();
    });
  }
});

describe.skipIf(!!noMdf)('makedumpfile, live', () => {
  it('-l, -c and -F -c of a builder ELF read back page for page', () => {
    const pages = 24;
    const { bytes } = buildCoreElf({
      loads: [
        { paddr: 0n, bytes: pattern(0n, 8 * 4096) },
        { paddr: 0x40000n, bytes: new Uint8Array(8 * 4096) }, // zero pages
        { paddr: 0x100000n, bytes: new TextEncoder().encode('makedumpfile '.repeat((8 * 4096) / 13 + 1)).subarray(0, 8 * 4096) },
      ],
      notes: [prstatusNote(7)],
    });
    const src = tmp.write('live.elf', bytes);
    const elf = openDumpFile(src);
    for (const [name, opts] of [
      ['live.lzo', ['-l', '-d', '1']],
      ['live.zlib', ['-c', '-d', '0']],
    ] as const) {
      const out = join(tmp.dir, name);
      execFileSync('makedumpfile', [...opts, src, out], { stdio: 'pipe' });
      const d = openDumpFile(out);
      expect(comparePages(elf, d)).toEqual(new Map([['same', pages]]));
      d.close();
    }
    const flat = execFileSync('makedumpfile', ['-F', '-c', '-d', '1', src], { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
    const d = openDumpFile(tmp.write('live.flat', flat));
    expect((d as KdumpDump).flattened).toBe(true);
    expect(comparePages(elf, d)).toEqual(new Map([['same', pages]]));
    d.close();
    elf.close();
  });
});

const ref = refdump();
const noRef = typeof ref === 'string' ? ref : noMdf;
if (noRef) console.log(`makedumpfile -d 31 reference test skipped: ${noRef}`);

/**
 * makedumpfile 1.7.2 reads the program headers right after the ELF header, where QEMU's ELF has
 * its section headers (e_phoff 0xc0), so it gets a copy with the program headers moved to 64.
 */
function makedumpfileOfReference(elf: string, opts: string[], name: string): string {
  const out = join(CACHE_DIR, `x86_64-debian12-sysrq.${name}`);
  if (existsSync(out)) return out;
  const copy = join(CACHE_DIR, `mdf-input-${process.pid}.elf`);
  copyFileSync(elf, copy);
  chmodSync(copy, 0o644);
  try {
    const fd = openSync(copy, 'r+');
    const h = Buffer.alloc(0x1000);
    readSync(fd, h, 0, h.length, 0);
    const phoff = Number(h.readBigUInt64LE(0x20));
    const phnum = h.readUInt16LE(0x38);
    h.copy(h, 64, phoff, phoff + 56 * phnum);
    h.writeBigUInt64LE(64n, 0x20); // e_phoff
    h.writeBigUInt64LE(0n, 0x28); // e_shoff
    h.writeUInt16LE(64, 0x34); // e_ehsize
    h.writeUInt16LE(0, 0x3a); // e_shentsize
    h.writeUInt16LE(0, 0x3c); // e_shnum
    h.writeUInt16LE(0, 0x3e); // e_shstrndx
    writeSync(fd, h, 0, h.length, 0);
    closeSync(fd);
    execFileSync('makedumpfile', [...opts, copy, `${out}.tmp`], { stdio: 'pipe' });
    renameSync(`${out}.tmp`, out);
  } finally {
    rmSync(copy, { force: true });
  }
  return out;
}

describe.skipIf(!!noRef)('makedumpfile -d 31 of the reference dump', () => {
  it('every RAM page is identical or excluded, and excluded pages are really filtered ones', () => {
    const r = ref as Exclude<typeof ref, string>;
    const path = makedumpfileOfReference(r.elf, ['-l', '-d', '31'], 'd31.lzo.kdump');
    expect(statSync(path).size).toBeGreaterThan(1 << 20);
    const elf = openDumpFile(r.elf);
    const d = openDumpFile(path) as KdumpDump;
    expect(d.partial).toBe(true);
    expect(d.vmcoreinfo).toBe(elf.vmcoreinfo);
    const tally = comparePages(elf, d);
    // makedumpfile's max_mapnr ends at the end of RAM: the ELF's framebuffer and BIOS segments
    // above 4 GiB - 32 MiB are past it, so they are seek errors there
    expect(tally.get('differs')).toBeUndefined();
    expect(tally.get('same')! + tally.get('excluded')! + (tally.get('seek') ?? 0)).toBe(135200);
    expect(tally.get('excluded')).toBeGreaterThan(50000);
    expect(tally.get('same')).toBe(d.dumpedPages);
    // an excluded page: the ELF has it, the kdump says "excluded" at the exact address
    let pfn = 0;
    while (d.pageState(pfn) !== 'excluded') pfn++;
    const a = BigInt(pfn) * 4096n + 0x123n;
    expect(elf.readPhys(a, 8).length).toBe(8);
    expect(() => d.readPhys(a, 8)).toThrow(`excluded error: physical address: ${a.toString(16)}`);
    d.close();
    elf.close();
  });
});
