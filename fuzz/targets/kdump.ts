/**
 * kdump-compressed dumps (dump/kdump.ts, kdump-header.ts, kdump-bitmap.ts): disk_dump_header,
 * kdump_sub_header of every version, notes and VMCOREINFO, the two bitmaps, page descriptors,
 * and page data through every codec, read back as physical memory.
 * Seeds: makedumpfile's real files (test/dump/fixtures/makedumpfile), the first blocks of the
 * reference vmcore.kdump-zlib, and test/builders kdump files in every shape.
 */
import { KdumpDump } from '../../src/dump/kdump.js';
import { prstatusNotes } from '../../src/dump/prstatus.js';
import { attempt, type FuzzTarget } from '../lib/engine.js';
import { builtKdumps, makedumpfileFixtures, refKdumpHead } from '../lib/dump-seeds.js';
import { MemSource } from '../lib/sources.js';
import { refNote } from '../lib/seeds.js';

/** What a session does with a dump: notes, ranges, descriptors and page reads. */
export function exerciseKdump(d: KdumpDump): void {
  void [d.vmcoreinfo?.length, d.warnings.length, d.dumpedPages];
  prstatusNotes(d.machine, d.notes);
  const ranges = d.ranges.slice(0, 16);
  for (const r of ranges) {
    for (const a of [r.start, r.end - 8n, r.start + BigInt(d.pageSize) + 100n]) attempt(() => d.readPhys(a, 64));
    attempt(() => d.readPhys(r.start, d.pageSize * 2));
  }
  for (const pfn of [0, 1, 2, 3, 5, 6, 7, 9, d.maxMapnr - 1, d.maxMapnr, 2 ** 31]) {
    d.pageState(pfn);
    attempt(() => d.descriptor(pfn));
  }
  attempt(() => d.readPhys(0xfffffffffffff000n, 16));
}

export const kdumpTarget: FuzzTarget = {
  name: 'kdump',
  description: 'kdump-compressed dumps: headers, sub-header, bitmaps, descriptors, page data',
  kind: 'bytes',
  setup() {
    const head = refKdumpHead();
    return {
      seeds: [...makedumpfileFixtures('.kdump'), ...(head ? [head] : []), ...builtKdumps()],
      note: refNote(),
      dict: { ints: [4096n, 16384n, 65536n, 1n, 2n, 6n, 0x7fffffffn, 1n << 33n], tokens: ['KDUMP   ', 'DISKDUMP', 'x86_64\0', 'aarch64\0'] },
      run(input) {
        const d = new KdumpDump(new MemSource(input));
        exerciseKdump(d);
        d.close();
      },
    };
  },
};
