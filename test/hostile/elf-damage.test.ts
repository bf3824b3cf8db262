/**
 * Damaged ELF cores: truncation at every interesting place, garbage notes, wild header values.
 * Whatever is wrong must come out as a DumpFormatError at open or a PhysReadError on the read
 * (with a warning recorded at open), never as a TypeError/RangeError from deep inside.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openDumpFile } from '../../src/dump/open.js';
import { parseNotes } from '../../src/dump/elf-notes.js';
import type { DumpFile } from '../../src/dump/types.js';
import { DumpFormatError, PhysReadError } from '../../src/util/errors.js';
import { buildCoreElf, concat, pattern, PHDR_SIZE, prstatusNote, tempDumpDir, vmcoreinfoNote } from '../builders/core-elf.js';
import { elfNote } from '../builders/elf-builder.js';

const tmp = tempDumpDir('crash-tui-elf-damage-');
afterAll(() => tmp.cleanup());

const built = buildCoreElf({
  loads: [
    { paddr: 0x0n, bytes: pattern(0x0n, 0x2000) },
    { paddr: 0x100000n, bytes: pattern(0x100000n, 0x3000) },
    { paddr: 0x200000n, bytes: pattern(0x200000n, 0x1000) },
  ],
  notes: [prstatusNote(1), prstatusNote(2), vmcoreinfoNote('OSRELEASE=6.1.0\nPAGESIZE=4096\n')],
});
const { bytes, layout } = built;

/** Open, expecting only our own error types; returns the dump or the DumpFormatError. */
function tryOpen(name: string, b: Uint8Array): DumpFile | DumpFormatError {
  const path = tmp.write(name, b);
  try {
    return openDumpFile(path);
  } catch (e) {
    if (e instanceof DumpFormatError) return e;
    throw e;
  }
}

function openOk(name: string, b: Uint8Array): DumpFile {
  const d = tryOpen(name, b);
  if (d instanceof DumpFormatError) throw new Error(`unexpected refusal: ${d.message}`);
  return d;
}

function readFault(d: DumpFile, addr: bigint, len: number): PhysReadError {
  try {
    d.readPhys(addr, len);
  } catch (e) {
    if (e instanceof PhysReadError) return e;
    throw e;
  }
  throw new Error('read succeeded');
}

describe('truncated files', () => {
  it('cut in the middle of a segment: opens with a warning; reads before the cut work, after it fail with "read"', () => {
    const cut = layout.loadOffsets[1] + 0x1800;
    const d = openOk('cut-mid-segment', bytes.subarray(0, cut));
    expect(d.warnings).toEqual([`${d.path}: may be truncated or incomplete (${cut} of ${layout.size} bytes); reads past the end will fail`]);
    expect(d.readPhys(0x1000n, 0x1000)).toEqual(pattern(0x1000n, 0x1000));
    expect(d.readPhys(0x101700n, 0x100)).toEqual(pattern(0x101700n, 0x100));
    const e = readFault(d, 0x101700n, 0x200);
    expect(e.fault).toBe('read');
    expect(e.paddr).toBe(0x101800n); // exactly where the file's data ends
    expect(e.message).toBe('read error: physical address: 101800');
    const gone = readFault(d, 0x200000n, 8); // a segment wholly past the end of the file
    expect([gone.fault, gone.paddr]).toEqual(['read', 0x200000n]);
    d.close();
  });

  it('cut inside the program headers: refused at open', () => {
    const e = tryOpen('cut-phdrs', bytes.subarray(0, layout.phoff + 2 * PHDR_SIZE + 10));
    expect(e).toBeInstanceOf(DumpFormatError);
    expect((e as Error).message).toMatch(/: truncated program headers at offset 64$/);
  });

  it('cut inside the ELF header: refused at open', () => {
    const e = tryOpen('cut-ehdr', bytes.subarray(0, 40));
    expect((e as Error).message).toMatch(/: truncated ELF header at offset 0$/);
  });

  it('cut inside the notes: refused at open, naming the PT_NOTE segment', () => {
    const e = tryOpen('cut-notes', bytes.subarray(0, layout.noteOffset + 100));
    expect(e).toBeInstanceOf(DumpFormatError);
    expect((e as Error).message).toMatch(new RegExp(`: truncated PT_NOTE segment at offset ${layout.noteOffset}$`));
  });

  it('every cut point gives a DumpFormatError or an openable dump whose reads fail cleanly', () => {
    for (let cut = 0; cut < layout.size; cut += 509) {
      const d = tryOpen('cut-any', bytes.subarray(0, cut));
      if (d instanceof DumpFormatError) continue;
      for (const r of d.ranges) {
        try {
          d.readPhys(r.start, Number(r.end - r.start));
        } catch (e) {
          expect(e).toBeInstanceOf(PhysReadError);
        }
      }
      expect(d.warnings.length).toBe(1);
      d.close();
    }
  });
});

describe('garbage notes', () => {
  const withNotes = (name: string, rawNotes: Uint8Array) =>
    tryOpen(name, buildCoreElf({ loads: [{ paddr: 0n, bytes: pattern(0n, 0x1000) }], rawNotes }).bytes);

  it('a note whose namesz or descsz runs past the segment is a DumpFormatError', () => {
    const note = elfNote('CORE', 1, new Uint8Array(16));
    const bigName = note.slice();
    new DataView(bigName.buffer).setUint32(0, 0xfffffff0, true);
    expect(withNotes('note-namesz', bigName)).toBeInstanceOf(DumpFormatError);
    const bigDesc = note.slice();
    new DataView(bigDesc.buffer).setUint32(4, 0xffffffff, true);
    const e = withNotes('note-descsz', bigDesc);
    expect((e as Error).message).toMatch(/truncated ELF note at offset 0 \(namesz 5, descsz 4294967295\)/);
  });

  it('stops at zero padding and ignores a trailing partial note header', () => {
    const good = elfNote('VMCOREINFO', 0, new TextEncoder().encode('PAGESIZE=4096\n'));
    const d = withNotes('note-pad', concat([good, new Uint8Array(12), elfNote('CORE', 1, new Uint8Array(8)), new Uint8Array(5).fill(0xee)]));
    expect(d).not.toBeInstanceOf(Error);
    expect((d as DumpFile).notes.map((n) => n.name)).toEqual(['VMCOREINFO']);
    expect((d as DumpFile).vmcoreinfo).toBe('PAGESIZE=4096\n');
    (d as DumpFile).close();
    expect(parseNotes(concat([good, new Uint8Array(7).fill(1)])).length).toBe(1);
  });

  it('random bytes as notes: only DumpFormatError or a parsed list, for many seeds', () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (let i = 0; i < 200; i++) {
      const junk = new Uint8Array(16 + (i % 64) * 4).map(() => rnd());
      // small sizes now and then, so some notes parse
      if (i % 3 === 0) junk.set([rnd() & 15, 0, 0, 0, rnd() & 31, 0, 0, 0], 0);
      const d = withNotes('note-junk', junk);
      if (!(d instanceof Error)) d.close();
    }
  });
});

describe('wild header values', () => {
  const patch = (name: string, edit: (v: DataView) => void) => {
    const b = bytes.slice();
    edit(new DataView(b.buffer));
    return tryOpen(name, b);
  };

  it('e_phoff or e_shoff beyond 2^53 is refused, not a RangeError', () => {
    expect(patch('phoff-huge', (v) => v.setBigUint64(32, 1n << 62n, true))).toBeInstanceOf(DumpFormatError);
    expect(patch('shoff-huge', (v) => { v.setUint16(56, 0xffff, true); v.setBigUint64(40, 0xffffffffffffff00n, true); })).toBeInstanceOf(DumpFormatError);
  });

  it('an absurd program header table (e_phentsize 0xffff, PN_XNUM count 2^20) is refused without allocating it', () => {
    expect(patch('phentsize', (v) => v.setUint16(54, 0xffff, true))).toBeInstanceOf(DumpFormatError);
    const e = patch('xnum-huge', (v) => {
      v.setUint16(54, 0xffff, true);
      v.setUint16(56, 0xffff, true);
      v.setBigUint64(40, BigInt(layout.loadOffsets[0]), true); // section header 0 inside RAM data
      v.setUint32(layout.loadOffsets[0] + 44, 1 << 20, true); // its sh_info: 2^20 program headers
    });
    expect(e).toBeInstanceOf(DumpFormatError);
  });

  it('a PT_LOAD whose p_offset is past 2^53 opens with a warning and reads fail with "read"', () => {
    const d = patch('load-offset-huge', (v) => v.setBigUint64(layout.phoff + 2 * PHDR_SIZE + 8, 1n << 60n, true));
    if (d instanceof Error) throw d;
    expect(d.warnings.length).toBe(1);
    expect(readFault(d, 0x100000n, 8).fault).toBe('read');
    expect(d.readPhys(0x200000n, 4)).toEqual(pattern(0x200000n, 4));
    d.close();
  });

  it('a PT_NOTE that claims gigabytes is refused', () => {
    const e = patch('note-huge', (v) => v.setBigUint64(layout.phoff + 32, 1n << 32n, true));
    expect((e as Error).message).toMatch(/PT_NOTE of 4294967296 bytes is implausible$/);
  });
});
