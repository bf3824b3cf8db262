import type { ElfNote } from './types.js';
import { latin1, trimNuls } from '../util/bytes.js';
import { DumpFormatError } from '../util/errors.js';

const align4 = (n: number) => (n + 3) & ~3;

/** Parse a PT_NOTE segment (or a kdump note area): namesz, descsz, type, name, desc; 4-aligned. */
export function parseNotes(buf: Uint8Array): ElfNote[] {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const notes: ElfNote[] = [];
  let off = 0;
  while (off + 12 <= buf.length) {
    const namesz = dv.getUint32(off, true);
    const descsz = dv.getUint32(off + 4, true);
    const type = dv.getUint32(off + 8, true);
    if (namesz === 0 && descsz === 0 && type === 0) break; // padding at the end
    const nameOff = off + 12;
    const descOff = nameOff + align4(namesz);
    const end = descOff + align4(descsz);
    if (descOff + descsz > buf.length || namesz > buf.length) {
      throw new DumpFormatError(`truncated ELF note at offset ${off} (namesz ${namesz}, descsz ${descsz})`);
    }
    let name = latin1(buf.subarray(nameOff, nameOff + namesz));
    name = trimNuls(name);
    notes.push({ name, type, desc: buf.slice(descOff, descOff + descsz) });
    off = end;
  }
  return notes;
}

export const NT_PRSTATUS = 1;

export function findVmcoreinfo(notes: readonly ElfNote[]): string | undefined {
  const n = notes.find((x) => x.name === 'VMCOREINFO');
  return n ? trimNuls(latin1(n.desc)) : undefined;
}
