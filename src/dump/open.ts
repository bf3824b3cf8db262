import type { DumpFile } from './types.js';
import { FileReader } from './file-reader.js';
import { ElfDump, isElf } from './elf.js';
import { DumpFormatError } from '../util/errors.js';

/** Classify a dump file by its content and open it read-only. */
export function openDumpFile(path: string): DumpFile {
  const file = new FileReader(path);
  try {
    const head = file.readAt(0, 4096);
    if (isElf(head)) return new ElfDump(file);
    throw new DumpFormatError(`${path}: not a supported file format`);
  } catch (e) {
    file.close();
    throw e;
  }
}
