/**
 * makedumpfile's flattened stream (dump/flattened.ts): the header, the big-endian record index
 * (overlaps, gaps, truncation, no end marker) and reads of the logical file; then what it
 * stands for, opened as dump/open.ts does (a kdump-compressed or an ELF dump).
 * Seeds: makedumpfile's real -F output and test/builders files flattened in odd record orders.
 */
import { ElfDump } from '../../src/dump/elf.js';
import type { FileReader } from '../../src/dump/file-reader.js';
import { FlattenedReader } from '../../src/dump/flattened.js';
import { KdumpDump } from '../../src/dump/kdump.js';
import { dumpKind } from '../../src/dump/open.js';
import { flatten } from '../../test/builders/kdump-builder.js';
import { attempt, type FuzzTarget } from '../lib/engine.js';
import { builtElf, builtKdumps, makedumpfileFixtures } from '../lib/dump-seeds.js';
import { MemSource } from '../lib/sources.js';
import { exerciseKdump } from './kdump.js';

function flatSeeds(): Uint8Array[] {
  const [k] = builtKdumps();
  const out = [...makedumpfileFixtures('.flat'), flatten(builtElf())];
  if (k) {
    out.push(
      flatten(k),
      flatten(k, { recordSize: 1000, order: (n) => Array.from({ length: n }, (_, i) => n - 1 - i) }),
      flatten(k, { overwrite: [[100, new Uint8Array(50).fill(0xaa)]], skip: [[8192, 9000]], noEnd: true }),
    );
  }
  return out;
}

export const flattenedTarget: FuzzTarget = {
  name: 'flattened',
  description: 'makedumpfile flattened streams and the dumps they stand for',
  kind: 'bytes',
  setup() {
    return {
      seeds: flatSeeds(),
      dict: { ints: [0xffffffffffffffffn, 4096n, 0x1000000000000000n], tokens: ['makedumpfile\0\0\0\0', '\0\0\0\0\0\0\0\x01'] },
      run(input) {
        const flat = new FlattenedReader(new MemSource(input) as unknown as FileReader);
        for (const [o, n] of [[0, 64], [flat.size - 10, 20], [flat.size >> 1, 8192], [-1, 4], [2 ** 53, 8]] as const) {
          flat.readAt(o, n);
          attempt(() => flat.readExact(o, n, 'fuzz'));
        }
        const kind = dumpKind(flat.readAt(0, 64));
        if (kind === 'ELF') {
          const d = new ElfDump(flat);
          for (const r of d.ranges.slice(0, 8)) attempt(() => d.readPhys(r.start, 64));
        } else if (kind === 'KDUMP' || kind === 'DISKDUMP') {
          exerciseKdump(new KdumpDump(flat, { flattened: true, warnings: flat.warnings }));
        }
      },
    };
  },
};
