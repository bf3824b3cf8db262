/**
 * A scenario dump written as a file (ELF, kdump-compressed, flattened) and cut short at every
 * structure boundary, opened the way the command line opens it. A cut in the headers, notes or
 * bitmaps refuses the file with the structure named (crash-tui prints "crash-tui: <message>");
 * a cut in the descriptors or the page data opens with crash's "may be truncated or incomplete"
 * warning, reads of what was lost fail with readmem's words, and the prompt returns. An incomplete
 * kdump (the status flag, descriptors with offset 0) reads its lost pages as "page incomplete".
 * The decoders' own damage tests (small hand-built files) are in elf-damage and kdump-damage.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { writeElfCore } from '../../src/synth/elf-writer.js';
import { writeKdumpFile } from '../../src/synth/kdump-writer.js';
import { loadScenario } from '../../src/synth/scenario.js';
import { tempDumpDir } from '../builders/core-elf.js';
import { DUMPS, openDump, promptReturns, run, scenario } from './support.js';
import { join } from 'node:path';

const tmp = tempDumpDir('crash-tui-hostile-');
afterAll(() => tmp.cleanup());

const { dump, k } = scenario('lsm-ro-write');
const s = loadScenario(join(DUMPS, 'lsm-ro-write'));
const kdumpPath = join(tmp.dir, 'full.kdump');
// 64 more (zero) pages dumped over RAM, as a -d 31 dump keeps some: the highest pfns are not the kernel's
const w = writeKdumpFile(kdumpPath, { machine: dump.machine, image: dump.image, notes: dump.notes, uts: s.uts, dumped: 'image', nrCpus: 2, extraPages: 64 });
const kdump = readFileSync(kdumpPath);
const elfPath = join(tmp.dir, 'full.elf');
writeElfCore(elfPath, { machine: dump.machine, image: dump.image, notes: dump.notes });
const elf = readFileSync(elfPath);
/** jiffies' page: the last pages of the image data hold the kernel's variables */
const jiffies = k.symbolAddress('jiffies');

/** The highest pfn with a descriptor: the last set bit of the 2nd bitmap. */
function lastDumpedPfn(): bigint {
  const map = kdump.subarray(w.layout.bitmapOffset + w.layout.mapBytes, w.layout.bitmapOffset + 2 * w.layout.mapBytes);
  for (let i = map.length - 1; i >= 0; i--) if (map[i]) return BigInt(i * 8 + 31 - Math.clz32(map[i]));
  throw new Error('no dumped page');
}

let n = 0;
const cut = (file: Uint8Array, at: number) => tmp.write(`cut${n++}`, file.subarray(0, at));

describe('kdump-compressed, cut in its headers, notes and bitmaps: refused, naming the structure', () => {
  const L = w.layout;
  const cases: Array<[string, number, (at: number) => string]> = [
    ['inside the header', 200, () => 'truncated kdump header at offset 0'],
    ['inside the sub-header', 4096 + 50, () => 'truncated kdump sub-header at offset 4096'],
    ['inside the ELF notes', 4096 + 104 + 100, () => 'truncated ELF notes at offset 4200'],
    ['inside the 1st bitmap', L.bitmapOffset + 10, () => `truncated kdump bitmaps at offset ${L.bitmapOffset}`],
    ['inside the 2nd bitmap', L.bitmapOffset + L.mapBytes + 10, () => `truncated kdump bitmaps at offset ${L.bitmapOffset}`],
  ];
  for (const [what, at, msg] of cases) {
    it(`${what} (${at})`, () => {
      const path = cut(kdump, at);
      expect(openDump(path).refused).toBe(`${path}: ${msg(at)}`);
    });
  }
});

describe('kdump-compressed, cut in its descriptors or page data: opens, says so, lost pages fail', () => {
  const L = w.layout;
  const dumped = w.dumpedPages;
  it('in the middle of the last descriptor: all page data is past the cut, so the kernel\'s tables are: refused, saying which read failed', () => {
    const path = cut(kdump, L.descOffset + (dumped - 1) * 24 + 7);
    expect(openDump(path).refused).toMatch(/^kallsyms: cannot read kallsyms_num_syms at ([0-9a-f]+): read error: kernel virtual address: \1 {2}type: "kallsyms"$/);
  });
  for (const [what, at] of [['in the middle of the last page', kdump.length - 20]] as const) {
    it(what, () => {
      const path = cut(kdump, at);
      const o = openDump(path);
      expect(o.refused).toBeUndefined();
      expect(o.warnings![0]).toMatch(new RegExp(`^${path}: may be truncated or incomplete \\(${at} of \\d+ bytes\\); reads past the end will fail$`));
      // the last dumped page (an extra page near the end of RAM) is lost: readmem's read error
      const pa = lastDumpedPfn() * 4096n;
      expect(run(o.session!, `rd -p ${pa.toString(16)}`)).toBe(`rd: read error: physical address: ${pa.toString(16)}  type: "64-bit PHYSADDR"\n`);
      expect(run(o.session!, 'sys')).toMatch(/^ {5}RELEASE: 4\.19\.82-wwh$/m);
      promptReturns(o.session!);
    });
  }
});

describe('flattened stream cut short', () => {
  it('at the end of its records: opens with both warnings; the session goes on', () => {
    const flatPath = join(tmp.dir, 'full.flat');
    writeKdumpFile(flatPath, { machine: dump.machine, image: dump.image, notes: dump.notes, uts: s.uts, dumped: 'image', flattened: true });
    const flat = readFileSync(flatPath);
    const path = cut(flat, flat.length - 16 - 10); // no end marker, the last record 10 bytes short
    const o = openDump(path);
    expect(o.warnings).toEqual([
      expect.stringMatching(new RegExp(`^${path}: flattened format: the record at offset \\d+ wants \\d+ bytes but the file has \\d+ \\(truncated\\?\\)$`)),
      expect.stringMatching(/may be truncated or incomplete/),
    ]);
    expect(run(o.session!, 'sys')).toMatch(/^ {5}RELEASE: 4\.19\.82-wwh$/m);
    promptReturns(o.session!);
  });
  it('inside the bitmaps: refused', () => {
    const flatPath = join(tmp.dir, 'full2.flat');
    writeKdumpFile(flatPath, { machine: dump.machine, image: dump.image, notes: dump.notes, uts: s.uts, dumped: 'image', flattened: true });
    const flat = readFileSync(flatPath);
    const path = cut(flat, 4096 + 16 + 8192 + 16 + 100); // header record, then 100 bytes of the 1st bitmap's record
    // the stream cannot even hold the bitmaps its header promises
    expect(openDump(path).refused).toBe(`${path}: compressed kdump: bitmaps of ${2 * w.layout.mapBytes} bytes, but the stream holds only 8292`); // the two header blocks and 100 bytes of the bitmap
  });
});

describe('ELF vmcore cut short', () => {
  it('inside the ELF header, the program headers, the notes: refused', () => {
    for (const [at, msg] of [
      [40, 'truncated ELF header at offset 0'],
      [64 + 56 + 10, 'truncated program headers at offset 64'],
    ] as const) {
      const path = cut(elf, at);
      expect(openDump(path).refused).toBe(`${path}: ${msg}`);
    }
    const dv = new DataView(elf.buffer, elf.byteOffset);
    const noteOff = Number(dv.getBigUint64(64 + 8, true));
    const path = cut(elf, noteOff + 50);
    expect(openDump(path).refused).toBe(`${path}: truncated PT_NOTE segment at offset ${noteOff}`);
  });
  it('in the middle of its last page: opens with the warning; what lies past the cut is a read error', () => {
    // the highest page the image holds (a page table the builder allocated last) is cut in two
    const pa = BigInt(Math.max(...dump.image.pageNumbers())) * 4096n;
    const dv = new DataView(elf.buffer, elf.byteOffset);
    let at = -1;
    for (let i = 1; i < dv.getUint16(56, true); i++) {
      const o = 64 + 56 * i;
      const p = dv.getBigUint64(o + 24, true);
      if (pa >= p && pa < p + dv.getBigUint64(o + 32, true)) at = Number(dv.getBigUint64(o + 8, true) + (pa - p)) + 0x800;
    }
    const path = cut(elf, at);
    const o = openDump(path);
    expect(o.refused).toBeUndefined();
    expect(o.warnings).toEqual([`${path}: may be truncated or incomplete (${at} of ${elf.length} bytes); reads past the end will fail`]);
    expect(run(o.session!, `rd -p ${(pa + 0x7f8n).toString(16)}`)).toMatch(/^ *[0-9a-f]+: {2}[0-9a-f]{16} /);
    expect(run(o.session!, `rd -p ${(pa + 0x800n).toString(16)}`)).toBe(`rd: read error: physical address: ${(pa + 0x800n).toString(16)}  type: "64-bit PHYSADDR"\n`);
    expect(run(o.session!, 'sys')).toMatch(/^ {5}RELEASE: 4\.19\.82-wwh$/m);
    promptReturns(o.session!);
  });
});

describe('an incomplete kdump (makedumpfile ran out of space)', () => {
  it('the status flag is reported at open; pages with descriptor offset 0 read as "page incomplete"', () => {
    const pa = k.mem.kvtop(jiffies);
    const path = join(tmp.dir, 'incomplete.kdump');
    writeKdumpFile(path, {
      machine: dump.machine, image: dump.image, notes: dump.notes, uts: s.uts, dumped: 'image', incomplete: true, lost: new Set([Number(pa >> 12n)]),
    });
    const o = openDump(path);
    expect(o.warnings).toEqual([`${path}: the dump is marked incomplete (kdump header status); pages it lost read as "page incomplete"`]);
    expect(run(o.session!, 'rd jiffies')).toBe(`rd: page incomplete: kernel virtual address: ${jiffies.toString(16)}  type: "64-bit KVADDR"\n`);
    // init_uts_ns shares the lost page: sys cannot print its block
    expect(run(o.session!, 'sys')).toMatch(/^sys: page incomplete: kernel virtual address: [0-9a-f]+ {2}type: "init_uts_ns"\n$/);
    promptReturns(o.session!);
  });
});
