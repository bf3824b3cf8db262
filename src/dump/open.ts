import type { DumpFile } from './types.js';
import type { ByteSource } from './byte-source.js';
import { FileReader } from './file-reader.js';
import { ElfDump, isElf } from './elf.js';
import { KdumpDump } from './kdump.js';
import { kdumpSignature } from './kdump-header.js';
import { FlattenedReader, isFlattened } from './flattened.js';
import { DumpFormatError } from '../util/errors.js';

export type DumpKind = 'ELF' | 'KDUMP' | 'DISKDUMP' | 'FLATTENED';

/** What the first bytes of a file say it is (crash main.c: netdump, diskdump, flattened). */
export function dumpKind(head: Uint8Array): DumpKind | undefined {
  if (isElf(head)) return 'ELF';
  const sig = kdumpSignature(head);
  if (sig) return sig;
  if (isFlattened(head)) return 'FLATTENED';
  return undefined;
}

/** Classify a dump file by its content and open it read-only. */
export function openDumpFile(path: string): DumpFile {
  const file = new FileReader(path);
  try {
    const kind = dumpKind(file.readAt(0, 4096));
    if (kind === 'FLATTENED') {
      // The stream stands for an ordinary kdump (or ELF) file: classify what it rearranges to.
      const flat = new FlattenedReader(file);
      const inner = dumpKind(flat.readAt(0, 64));
      if (inner === 'ELF') {
        const d = new ElfDump(flat);
        d.warnings.unshift(...flat.warnings);
        return Object.assign(d, { flattened: true });
      }
      if (inner === 'KDUMP' || inner === 'DISKDUMP') return new KdumpDump(flat, { flattened: true, warnings: flat.warnings });
      throw new DumpFormatError(`${path}: flattened format: the data is neither a kdump-compressed nor an ELF dump`);
    }
    if (kind === 'ELF') return new ElfDump(file);
    if (kind === 'KDUMP' || kind === 'DISKDUMP') return new KdumpDump(file as ByteSource);
    throw new DumpFormatError(`${path}: not a supported file format`);
  } catch (e) {
    file.close();
    throw e;
  }
}
