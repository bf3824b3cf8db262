/**
 * Damaged kdump-compressed files, plain and flattened: a cut at every structure boundary, wild
 * header values, random corruption. What is wrong must come out as a DumpFormatError naming the
 * structure at open, or as a warning at open and PhysReadErrors on reads, never as a
 * TypeError/RangeError or a huge allocation.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openDumpFile } from '../../src/dump/open.js';
import type { DumpFile } from '../../src/dump/types.js';
import { DumpFormatError, PhysReadError } from '../../src/util/errors.js';
import { pattern, prstatusNote, tempDumpDir, vmcoreinfoNote } from '../builders/core-elf.js';
import { buildKdump, flatten, type KdumpSpec } from '../builders/kdump-builder.js';

const tmp = tempDumpDir('crash-tui-kdump-damage-');
afterAll(() => tmp.cleanup());

const VMCI = 'OSRELEASE=6.1.0\nPAGESIZE=4096\n';
const spec: KdumpSpec = {
  maxMapnr: 40, compress: 'zlib', ram: [[0, 32]], shareZeroPage: true,
  pages: Array.from({ length: 24 }, (_, pfn) => ({ pfn, data: pfn % 5 === 4 ? new Uint8Array(4096) : pattern(BigInt(pfn) * 4096n, 4096) })),
  notes: [prstatusNote(1), prstatusNote(2), vmcoreinfoNote(VMCI)], vmcoreinfo: VMCI,
};
const { bytes, layout } = buildKdump(spec);

let n = 0;
function tryOpen(b: Uint8Array): { dump?: DumpFile; error?: DumpFormatError; path: string } {
  const path = tmp.write(`d${n++}`, b);
  try {
    return { dump: openDumpFile(path), path };
  } catch (e) {
    if (e instanceof DumpFormatError) return { error: e, path };
    throw e;
  }
}

/** Read every page of the first 40 pfns: the data or a PhysReadError, nothing else. */
function readAll(d: DumpFile): Map<string, number> {
  const t = new Map<string, number>();
  for (let pfn = 0; pfn < 40; pfn++) {
    let o: string;
    try {
      const got = d.readPhys(BigInt(pfn) * 4096n, 4096);
      o = pfn < 24 && got.every((x, i) => x === (pfn % 5 === 4 ? 0 : pattern(BigInt(pfn) * 4096n + BigInt(i), 1)[0])) ? 'ok' : 'data';
    } catch (e) {
      if (!(e instanceof PhysReadError)) throw e;
      o = e.fault;
    }
    t.set(o, (t.get(o) ?? 0) + 1);
  }
  return t;
}

describe('a cut at every structure boundary', () => {
  const L = layout;
  const refusals: Array<[string, number, string]> = [
    ['empty file', 0, 'not a supported file format'],
    ['inside the signature', 5, 'not a supported file format'],
    ['inside the header', 200, 'truncated kdump header at offset 0'],
    ['at the end of the header', 464, 'truncated kdump sub-header at offset 4096'],
    ['inside the sub-header', L.subHeaderOffset + 50, 'truncated kdump sub-header at offset 4096'],
    ['inside the notes', L.noteOffset + 100, `truncated ELF notes at offset ${L.noteOffset}`],
    ['inside VMCOREINFO', L.vmcoreinfoOffset + 5, `truncated VMCOREINFO at offset ${L.vmcoreinfoOffset}`],
    ['at the bitmaps', L.bitmapOffset, `truncated kdump bitmaps at offset ${L.bitmapOffset}`],
    ['inside the 2nd bitmap', L.bitmapOffset + L.bitmapLen - 1, `truncated kdump bitmaps at offset ${L.bitmapOffset}`],
  ];
  for (const flat of [false, true]) {
    for (const [what, cut, msg] of refusals) {
      it(`${flat ? 'flattened: ' : ''}${what} (${cut}): refused`, () => {
        // a flattened stream cut at the same logical place: records up to there, no end marker
        const file = flat ? flatten(bytes.subarray(0, cut), { noEnd: true }) : bytes.subarray(0, cut);
        const r = tryOpen(file);
        // a flattened stream with nothing (or 5 bytes) in it holds neither kind of dump
        const want = flat && cut < 8 ? 'flattened format: the data is neither a kdump-compressed nor an ELF dump' : msg;
        expect(r.error?.message).toBe(`${r.path}: ${want}`);
      });
    }

    const opens: Array<[string, number, Record<string, number>]> = [
      ['at the descriptors', L.descOffset, { read: 24, seek: 8 }],
      ['inside the descriptors', L.descOf.get(10)! + 7, { read: 24, seek: 8 }],
      ['at the page data', L.dataOffset, { read: 24, seek: 8 }],
      // pages 14 and 19 are zero pages: they share the raw zero page stored first
      ['inside page 13', L.dataOf.get(13)! + 100, { ok: 15, read: 9, seek: 8 }],
      ['one byte short', L.size - 1, { ok: 23, read: 1, seek: 8 }],
    ];
    for (const [what, cut, tally] of opens) {
      it(`${flat ? 'flattened: ' : ''}${what} (${cut}): opens with a warning; missing pages are read errors`, () => {
        const file = flat ? flatten(bytes.subarray(0, cut), { noEnd: true }) : bytes.subarray(0, cut);
        const { dump: d, path } = tryOpen(file);
        expect(d).toBeDefined();
        // with the descriptor table cut, its end is all that is known of the expected size
        const expected = cut < L.dataOffset ? L.dataOffset : L.size;
        const truncated = `${path}: may be truncated or incomplete (${cut} of ${expected} bytes); reads past the end will fail`;
        const noEnd = `${path}: flattened format: no end marker (the stream ends at offset ${file.length}, truncated?)`;
        expect(d!.warnings).toEqual(flat ? [noEnd, truncated] : [truncated]);
        const t = readAll(d!);
        t.set('excluded', 0);
        expect(Object.fromEntries([...t].filter(([, v]) => v))).toEqual(tally);
        d!.close();
      });
    }
  }
  it('the whole file opens without warnings', () => {
    const { dump } = tryOpen(bytes);
    expect(dump!.warnings).toEqual([]);
    expect(readAll(dump!)).toEqual(new Map([['ok', 24], ['excluded', 8], ['seek', 8]]));
  });
});

describe('wild header values', () => {
  const patch = (f: (v: DataView) => void) => {
    const b = bytes.slice();
    f(new DataView(b.buffer));
    return tryOpen(b);
  };
  const cases: Array<[string, (v: DataView) => void, RegExp]> = [
    ['block_size 0', (v) => v.setInt32(428, 0, true), /bad block_size 0 in the header$/],
    ['block_size 3000', (v) => v.setInt32(428, 3000, true), /bad block_size 3000 in the header$/],
    ['block_size 2^30', (v) => v.setInt32(428, 1 << 30, true), /bad block_size 1073741824 in the header$/],
    ['negative header_version', (v) => v.setInt32(8, -1, true), /bad header_version -1 in the header$/],
    ['sub_hdr_size -1', (v) => v.setInt32(432, -1, true), /bad sub_hdr_size -1 in the header$/],
    ['bitmap_blocks 0', (v) => v.setUint32(436, 0, true), /bad bitmap_blocks 0 in the header$/],
    ['bitmap_blocks 2^32-1', (v) => v.setUint32(436, 0xffffffff, true), /bitmap of \d+ bytes is implausible$/],
    ['bitmap_blocks past the file', (v) => v.setUint32(436, 5000, true), /truncated kdump bitmaps at offset 8192$/],
    ['max_mapnr_64 beyond the bitmap', (v) => v.setBigUint64(4096 + 96, 1n << 40n, true), /a bitmap of 65536 bits cannot describe max_mapnr 1099511627776$/],
    ['max_mapnr_64 2^64-1', (v) => v.setBigUint64(4096 + 96, (1n << 64n) - 1n, true), /cannot describe max_mapnr 18446744073709551615$/],
    ['size_note 2^40', (v) => v.setBigUint64(4096 + 56, 1n << 40n, true), /ELF notes of 1099511627776 bytes are implausible$/],
    ['size_note 2^62', (v) => v.setBigUint64(4096 + 56, 1n << 62n, true), /bad size_note 4611686018427387904 in the sub-header$/],
    ['offset_note negative', (v) => v.setBigInt64(4096 + 48, -8n, true), /bad offset_note -8 in the sub-header$/],
    ['size_vmcoreinfo 2^40', (v) => v.setBigUint64(4096 + 40, 1n << 40n, true), /VMCOREINFO of \d+ bytes is implausible$/],
    ['offset_vmcoreinfo past the file', (v) => v.setBigInt64(4096 + 32, 1n << 40n, true), /truncated VMCOREINFO at offset 1099511627776$/],
    ['a note with a wild descsz', (v) => v.setUint32(layout.noteOffset + 4, 0xfffffff0, true), /truncated ELF note at offset 0/],
    ['split range past max_mapnr', (v) => { v.setInt32(4096 + 12, 1, true); v.setBigUint64(4096 + 88, 1000n, true); }, /bad split range 0\.\.1000$/],
    ['an unknown machine', (v) => new Uint8Array(v.buffer).set(new TextEncoder().encode('vax\0\0\0'), 12 + 65 * 4), /unsupported machine type: "vax"$/],
  ];
  for (const [what, f, re] of cases) {
    it(what, () => {
      const r = patch(f);
      expect(r.error, `opened: ${what}`).toBeInstanceOf(DumpFormatError);
      expect(r.error!.message).toMatch(re);
    });
  }
});

describe('random corruption', () => {
  function rng(seed: number) {
    let x = seed >>> 0 || 1;
    return (m: number) => {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      return x % m;
    };
  }
  for (const [what, from, to] of [
    ['headers', 0, layout.bitmapOffset],
    ['bitmaps and descriptors', layout.bitmapOffset, layout.dataOffset],
    ['page data', layout.dataOffset, layout.size],
  ] as const) {
    it(`${what}: refused at open, or reads that succeed or fault`, () => {
      const next = rng(from + 1);
      for (let i = 0; i < 150; i++) {
        const b = bytes.slice();
        for (let k = 1 + next(6); k > 0; k--) {
          const at = from + next(to - from);
          // mostly byte noise; sometimes a whole 8-byte field of 0xff or a large value
          if (next(4) === 0) new DataView(b.buffer).setBigUint64(Math.min(at, b.length - 8), next(2) ? 0xffffffffffffffffn : 1n << BigInt(20 + next(40)), true);
          else b[at] = next(256);
        }
        const r = tryOpen(i % 3 === 0 ? flatten(b, { recordSize: 1 + next(5000) }) : b);
        if (r.dump) {
          readAll(r.dump);
          void r.dump.ranges;
          r.dump.close();
        }
      }
    });
  }
});
