/**
 * The kdump-compressed reader on files from test/builders/kdump-builder.ts: headers of every
 * version, both bitmaps, holes vs excluded pages, incomplete dumps, split parts, 64 KiB pages,
 * old diskdump, and what the faults say.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openDumpFile } from '../../src/dump/open.js';
import { KdumpDump, KdumpPageError } from '../../src/dump/kdump.js';
import type { DumpFile } from '../../src/dump/types.js';
import { DumpFormatError, PhysReadError } from '../../src/util/errors.js';
import { pattern, prstatusNote, tempDumpDir, vmcoreinfoNote } from '../builders/core-elf.js';
import { buildKdump, FLAG_EXCLUDED_VMEMMAP, FLAG_INCOMPLETE, FLAG_ZLIB, type KdumpPage, type KdumpSpec } from '../builders/kdump-builder.js';

const tmp = tempDumpDir('crash-tui-kdump-');
afterAll(() => tmp.cleanup());

const PS = 4096;
const pageOf = (pfn: number, ps = PS) => pattern(BigInt(pfn) * BigInt(ps), ps);
const VMCI = 'OSRELEASE=6.1.0-test\nPAGESIZE=4096\nNUMBER(phys_base)=0\n';
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

/**
 * pfn 0..15 dumped (zlib), 16..19 excluded, 20..23 dumped zero pages (shared), 24..31 RAM
 * but excluded (listed only as RAM), 32..39 a hole, 40..47 dumped raw, 48..63 a hole.
 */
function standardSpec(over: Partial<KdumpSpec> = {}): KdumpSpec {
  const pages: KdumpPage[] = [
    ...range(0, 16).map((pfn) => ({ pfn, data: pageOf(pfn) })),
    ...range(16, 20).map((pfn) => ({ pfn, excluded: true })),
    ...range(20, 24).map((pfn) => ({ pfn, data: new Uint8Array(PS) })),
    ...range(40, 48).map((pfn) => ({ pfn, stored: { flags: 0, bytes: pageOf(pfn) } })),
  ];
  return {
    maxMapnr: 64,
    pages,
    ram: [[24, 32]],
    compress: 'zlib',
    shareZeroPage: true,
    dumpLevel: 31,
    notes: [prstatusNote(1), prstatusNote(2), vmcoreinfoNote(VMCI)],
    vmcoreinfo: VMCI,
    physBase: 0x1600000n,
    ...over,
  };
}

let n = 0;
function open(spec: KdumpSpec): KdumpDump {
  const d = openDumpFile(tmp.write(`k${n++}`, buildKdump(spec).bytes));
  expect(d).toBeInstanceOf(KdumpDump);
  return d as KdumpDump;
}

function fault(d: DumpFile, addr: bigint, len: number): PhysReadError {
  try {
    d.readPhys(addr, len);
  } catch (e) {
    if (e instanceof PhysReadError) return e;
    throw e;
  }
  throw new Error(`read of ${addr.toString(16)} succeeded`);
}

describe('a kdump-compressed file (header version 6)', () => {
  const d = open(standardSpec());
  afterAll(() => d.close());

  it('describes itself from its headers and notes', () => {
    expect(d.format).toBe('KDUMP');
    expect(d.flattened).toBe(false);
    expect(d.machine).toBe('x86_64');
    expect(d.pageSize).toBe(PS);
    expect(d.maxMapnr).toBe(64);
    expect(d.header.utsname.release).toBe('6.1.0-test');
    expect(d.subHeader!.physBase).toBe(0x1600000n);
    expect(d.partial).toBe(true);
    expect(d.incomplete).toBe(false);
    expect(d.notes.map((x) => [x.name, x.type, x.desc.length])).toEqual([['CORE', 1, 336], ['CORE', 1, 336], ['VMCOREINFO', 0, VMCI.length]]);
    expect(new DataView(d.notes[1].desc.buffer).getUint32(32, true)).toBe(2); // pr_pid
    expect(d.vmcoreinfo).toBe(VMCI);
    expect(d.warnings).toEqual([]);
    expect(d.dumpedPages).toBe(16 + 4 + 8);
  });

  it('ranges are the RAM of the 1st bitmap', () => {
    expect(d.ranges).toEqual([{ start: 0n, end: 32n * 4096n }, { start: 40n * 4096n, end: 48n * 4096n }]);
  });

  it('reads compressed, raw and shared zero pages, across page boundaries', () => {
    expect(d.readPhys(0n, 16 * PS)).toEqual(pattern(0n, 16 * PS));
    expect(d.readPhys(0x3ff8n, 16)).toEqual(pattern(0x3ff8n, 16));
    expect(d.readPhys(20n * 4096n, 4 * PS)).toEqual(new Uint8Array(4 * PS));
    expect(d.readPhys(40n * 4096n + 5n, 8 * PS - 10)).toEqual(pattern(40n * 4096n + 5n, 8 * PS - 10));
    expect(d.descriptor(20)!.offset).toBe(d.descriptor(23)!.offset); // one zero page for all
    expect(d.descriptor(3)!.flags).toBe(FLAG_ZLIB);
    expect(d.descriptor(41)!).toMatchObject({ size: PS, flags: 0 });
  });

  it('a filtered-out page is "excluded", at the first byte asked for in it', () => {
    const e = fault(d, 15n * 4096n + 100n, 2 * PS);
    expect([e.fault, e.paddr]).toEqual(['excluded', 16n * 4096n]);
    expect(e.message).toBe('excluded error: physical address: 10000');
    expect(fault(d, 25n * 4096n + 8n, 8).fault).toBe('excluded'); // RAM in the 1st bitmap only
    expect(d.pageState(17)).toBe('excluded');
    expect(d.descriptor(17)).toBeUndefined();
  });

  it('holes and pfns past max_mapnr are seek errors', () => {
    expect([fault(d, 32n * 4096n, 8).fault, fault(d, 32n * 4096n, 8).paddr]).toEqual(['seek', 0x20000n]);
    expect(fault(d, 64n * 4096n, 1).fault).toBe('seek');
    expect(fault(d, 1n << 60n, 1).fault).toBe('seek');
    expect(d.pageState(35)).toBe('hole');
    expect(d.pageState(1 << 30)).toBe('hole');
  });

  it('a zero-length read reads nothing', () => {
    expect(d.readPhys(32n * 4096n, 0)).toEqual(new Uint8Array(0));
  });
});

describe('header versions 0..6', () => {
  for (let v = 0; v <= 6; v++) {
    it(`version ${v}: fields newer than the header are ignored`, () => {
      const d = open(standardSpec({ headerVersion: v, split: { start: 0, end: 64 } }));
      expect(d.header.headerVersion).toBe(v);
      expect(d.subHeader!.dumpLevel).toBe(v >= 1 ? 31 : 0);
      expect(d.notes.length).toBe(v >= 4 ? 3 : 0);
      expect(d.vmcoreinfo).toBe(v >= 3 ? VMCI : undefined);
      expect(d.subHeader!.split).toBe(v >= 2);
      expect(d.readPhys(0x2000n, 64)).toEqual(pattern(0x2000n, 64));
      // crash sets ERROR_EXCLUDED only for KDUMP header_version >= 1; before that, zeros
      if (v >= 1) expect(fault(d, 16n * 4096n, 8).fault).toBe('excluded');
      else expect(d.readPhys(16n * 4096n, 8)).toEqual(new Uint8Array(8));
      d.close();
    });
  }
});

describe('old diskdump ("DISKDUMP")', () => {
  it('two bitmaps: filtered pages read as zeros, holes still fail', () => {
    const d = open(standardSpec({ signature: 'DISKDUMP', headerVersion: 1 }));
    expect(d.format).toBe('DISKDUMP');
    expect(d.subHeader).toBeUndefined();
    expect(d.notes).toEqual([]);
    expect(d.vmcoreinfo).toBeUndefined();
    expect(d.readPhys(15n * 4096n, 2 * PS)).toEqual(new Uint8Array([...pageOf(15), ...new Uint8Array(PS)]));
    expect(fault(d, 33n * 4096n, 1).fault).toBe('seek');
    d.close();
  });

  it('one bitmap: RAM and dumped are the same bits', () => {
    const d = open({ signature: 'DISKDUMP', maxMapnr: 16, pages: range(2, 6).map((pfn) => ({ pfn, data: pageOf(pfn) })), oneBitmap: true });
    expect(d.header.bitmapBlocks).toBe(1);
    expect(d.readPhys(0x2000n, 4 * PS)).toEqual(pattern(0x2000n, 4 * PS));
    expect(fault(d, 0x6000n, 1).fault).toBe('seek');
    d.close();
  });
});

describe('incomplete dumps (makedumpfile ran out of space)', () => {
  it('descriptors with offset 0 read as "incomplete"; the header flag gives a warning', () => {
    const spec = standardSpec({ status: FLAG_ZLIB | FLAG_INCOMPLETE });
    for (const p of spec.pages) if (p.pfn >= 8 && p.pfn < 16) p.lost = true;
    const d = open(spec);
    expect(d.incomplete).toBe(true);
    expect(d.warnings).toEqual([`${d.path}: the dump is marked incomplete (kdump header status); pages it lost read as "page incomplete"`]);
    expect(d.readPhys(0x7000n, PS)).toEqual(pageOf(7));
    const e = fault(d, 0x7ff0n, 32);
    expect([e.fault, e.paddr]).toEqual(['incomplete', 0x8000n]);
    expect((e as KdumpPageError).detail).toBe('pfn 8: page descriptor with offset 0 (lost)');
    d.close();
  });

  it('descriptors missing from a cut file read as zeros, so "incomplete"', () => {
    const { bytes, layout } = buildKdump(standardSpec({ status: FLAG_ZLIB | FLAG_INCOMPLETE, shareZeroPage: false }));
    const cut = layout.descOf.get(10)!; // descriptors 10.. are gone, and so is all page data
    const d = openDumpFile(tmp.write('incomplete-cut', bytes.subarray(0, cut))) as KdumpDump;
    expect(fault(d, 10n * 4096n, 8).fault).toBe('incomplete');
    expect(fault(d, 9n * 4096n, 8).fault).toBe('read'); // its descriptor is there, its data is not
    d.close();
  });
});

describe('other layouts', () => {
  it('a split part serves only start_pfn..end_pfn, counting descriptors from start_pfn', () => {
    const pages = range(0, 48).map((pfn) => ({ pfn, data: pageOf(pfn) }));
    const spec: KdumpSpec = { maxMapnr: 64, pages: pages.filter((p) => p.pfn >= 16), ram: [[0, 48]], split: { start: 16, end: 48 } };
    const d = open(spec);
    expect(d.ranges).toEqual([{ start: 16n * 4096n, end: 48n * 4096n }]);
    expect(d.readPhys(16n * 4096n, 32 * PS)).toEqual(pattern(16n * 4096n, 32 * PS));
    expect(fault(d, 15n * 4096n, 1).fault).toBe('seek');
    expect(fault(d, 48n * 4096n, 1).fault).toBe('seek');
    d.close();
  });

  it('64 KiB pages (arm64)', () => {
    const ps = 65536;
    const d = open({
      blockSize: ps, machine: 'aarch64', maxMapnr: 8, compress: 'zlib',
      pages: [0, 1, 2, 5].map((pfn) => ({ pfn, data: pageOf(pfn, ps) })), ram: [[0, 8]],
    });
    expect([d.machine, d.pageSize]).toEqual(['arm64', ps]);
    expect(d.readPhys(0x1fff0n, 0x20)).toEqual(pattern(0x1fff0n, 0x20));
    expect(d.readPhys(5n * 65536n, ps)).toEqual(pageOf(5, ps));
    expect(fault(d, 3n * 65536n, 1).fault).toBe('excluded');
    d.close();
  });

  it('many sections: descriptor positions stay right far from section starts', () => {
    // every third pfn dumped over 5000 pfns (several 1024-pfn sections, unaligned runs)
    const pages = range(0, 5000).filter((p) => p % 3 !== 1).map((pfn) => ({ pfn, stored: { flags: 0, bytes: pageOf(pfn) } }));
    const d = open({ maxMapnr: 5000, pages, ram: [[0, 5000]] });
    for (const pfn of [0, 2, 1023, 1024, 1025, 2047, 2048, 3071, 4095, 4096, 4998, 4999]) {
      if (pfn % 3 === 1) expect(fault(d, BigInt(pfn) * 4096n, 1).fault).toBe('excluded');
      else expect(d.readPhys(BigInt(pfn) * 4096n, PS)).toEqual(pageOf(pfn));
    }
    d.close();
  });

  it('excluded vmemmap is reported', () => {
    const d = open(standardSpec({ status: FLAG_ZLIB | FLAG_EXCLUDED_VMEMMAP }));
    expect(d.excludedVmemmap).toBe(true);
    expect(d.warnings).toEqual([`${d.path}: the page structures of excluded pages are excluded too (makedumpfile -e)`]);
    d.close();
  });

  it('machine: aarch64 is arm64, an unknown one is refused, an empty one is guessed', () => {
    expect(open(standardSpec({ machine: 'aarch64' })).machine).toBe('arm64');
    const path = tmp.write('sparc', buildKdump(standardSpec({ machine: 'sparc64' })).bytes);
    expect(() => openDumpFile(path)).toThrow(new DumpFormatError(`${path}: compressed kdump: unsupported machine type: "sparc64"`));
    const arm = open(standardSpec({ machine: '', notes: [{ name: 'CORE', type: 1, desc: new Uint8Array(392) }] }));
    expect(arm.machine).toBe('arm64');
    expect(arm.warnings).toEqual([`${arm.path}: the kdump header names no machine; assuming arm64`]);
    expect(open(standardSpec({ machine: '' })).machine).toBe('x86_64');
  });
});

describe('bad page data', () => {
  it('undecodable data, wild sizes and negative offsets are read/seek faults with a reason', () => {
    const spec = standardSpec({ shareZeroPage: false });
    const { bytes, layout } = buildKdump(spec);
    const b = bytes.slice();
    const dv = new DataView(b.buffer);
    b.fill(0x55, layout.dataOf.get(3)! + 2, layout.dataOf.get(3)! + 40); // garbage inside a zlib stream
    dv.setUint32(layout.descOf.get(4)! + 8, PS + 1, true); // size > page size
    dv.setBigInt64(layout.descOf.get(5)!, -4096n, true); // negative offset
    dv.setUint32(layout.descOf.get(6)! + 8, PS - 1, true); // a raw page one byte short
    dv.setUint32(layout.descOf.get(6)! + 12, 0, true);
    const d = openDumpFile(tmp.write('bad-data', b)) as KdumpDump;
    const detail = (pfn: number) => {
      const e = fault(d, BigInt(pfn) * 4096n, 8) as KdumpPageError;
      return [e.fault, e.detail];
    };
    expect(detail(3)).toEqual(['read', expect.stringMatching(/^pfn 3: zlib: uncompress failed: /)]);
    expect(detail(4)).toEqual(['read', 'pfn 4: page descriptor size 4097 (page size 4096)']);
    expect(detail(5)).toEqual(['seek', 'page descriptor 5: offset -4096']);
    expect(detail(6)).toEqual(['read', 'pfn 6: raw: uncompress failed: raw page of 4095 bytes']);
    expect(d.readPhys(0x7000n, 16)).toEqual(pattern(0x7000n, 16)); // the neighbours are fine
    d.close();
  });
});
