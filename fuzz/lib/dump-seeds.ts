/**
 * Seeds for the kdump, flattened and codec targets: makedumpfile's real output and real
 * compressors' page streams (test/dump/fixtures), the reference dump's kdump-compressed headers,
 * and small files from test/builders in the shapes makedumpfile and crash know (DISKDUMP, split,
 * one bitmap, incomplete, every codec, every header version).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildKdump, FLAG_INCOMPLETE, FLAG_LZO, FLAG_SNAPPY, FLAG_ZSTD, type KdumpSpec } from '../../test/builders/kdump-builder.js';
import { buildCoreElf, pattern, prstatusNote, vmcoreinfoNote } from '../../test/builders/core-elf.js';
import { readFilePart, refKernel, ROOT } from './seeds.js';

const FIXTURES = join(ROOT, 'test', 'dump', 'fixtures');

/** name → bytes of the compressed-page fixtures (noise.zst, text.lzo1x_1, ...). */
export function codecFixtures(): Map<string, Uint8Array> {
  const dir = join(FIXTURES, 'codec');
  const out = new Map<string, Uint8Array>();
  if (existsSync(dir)) for (const f of readdirSync(dir)) out.set(f, new Uint8Array(readFileSync(join(dir, f))));
  return out;
}

/** makedumpfile's own files: *.kdump and *.flat. */
export function makedumpfileFixtures(ext: '.kdump' | '.flat'): Uint8Array[] {
  const dir = join(FIXTURES, 'makedumpfile');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith(ext)).map((f) => new Uint8Array(readFileSync(join(dir, f))));
}

/** The reference vmcore.kdump-zlib's first blocks: header, sub-header, notes, VMCOREINFO and part of the bitmaps. */
export function refKdumpHead(): Uint8Array | undefined {
  const r = refKernel();
  if (typeof r === 'string' || !existsSync(r.dump.kdump)) return undefined;
  return readFilePart(r.dump.kdump, 0, 64 << 10);
}

const VMCI = 'OSRELEASE=6.1.0-fuzz\nPAGESIZE=4096\nSYMBOL(init_top_pgt)=ffffffff82a0a000\n';

/** Small kdump files in every shape the reader distinguishes. */
export function builtKdumps(): Uint8Array[] {
  const codec = codecFixtures();
  const stored = (name: string, flags: number) => {
    const b = codec.get(name);
    return b ? { flags, bytes: b } : undefined;
  };
  const pages = [
    { pfn: 1, data: pattern(0x1000n, 4096) },
    { pfn: 2, data: new Uint8Array(4096) },
    { pfn: 3, excluded: true },
    { pfn: 5, stored: stored('text.lzo1x_1', FLAG_LZO) },
    { pfn: 6, stored: stored('text.snappy', FLAG_SNAPPY) },
    { pfn: 7, stored: stored('text.zst', FLAG_ZSTD) },
    { pfn: 9, lost: true },
  ];
  const base: KdumpSpec = {
    maxMapnr: 40, pages, ram: [[0, 12]], compress: 'zlib', vmcoreinfo: VMCI, notes: [prstatusNote(1), vmcoreinfoNote(VMCI)], machine: 'x86_64',
  };
  const specs: KdumpSpec[] = [
    base,
    { ...base, compress: 'raw', headerVersion: 1 },
    { ...base, signature: 'DISKDUMP', headerVersion: 0, oneBitmap: true },
    { ...base, status: FLAG_INCOMPLETE, dumpLevel: 31 },
    { ...base, split: { start: 0, end: 8 }, headerVersion: 6 },
    { ...base, machine: '', headerVersion: 3, blockSize: 16384, maxMapnr: 10, ram: [], pages: [{ pfn: 1, data: pattern(0x4000n, 16384) }] },
  ];
  const out: Uint8Array[] = [];
  for (const s of specs) {
    try {
      out.push(buildKdump({ ...s, pages: s.pages.filter((p) => !('stored' in p) || p.stored) as KdumpSpec['pages'] }).bytes);
    } catch {
      /* a shape this builder version cannot write: no seed */
    }
  }
  return out;
}

export function builtElf(): Uint8Array {
  return buildCoreElf({ notes: [prstatusNote(1), vmcoreinfoNote(VMCI)], loads: [{ paddr: 0x1000n, bytes: pattern(0x1000n, 0x2000) }] }).bytes;
}
