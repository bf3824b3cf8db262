/**
 * Test-only stand-ins for the production byte sources: a ByteSource over bytes in memory (the
 * same short-read semantics as FileReader), a sparse physical memory presented as a DumpFile, and
 * a virtual-memory reader over a few mapped windows (kallsyms, ORC tables).
 */
import type { ByteSource } from '../../src/dump/byte-source.js';
import { DumpFormatError } from '../../src/util/errors.js';
import { ReadError } from '../../src/memory/read-error.js';

export class MemSource implements ByteSource {
  constructor(private readonly bytes: Uint8Array, readonly path = '<fuzz input>') {}

  get size(): number {
    return this.bytes.length;
  }

  /** As FileReader.readAt: nothing past the end, a shorter prefix at the end. */
  readAt(off: number, len: number): Uint8Array {
    if (!(off >= 0 && off < this.bytes.length)) return new Uint8Array(0);
    const want = Math.min(len, this.bytes.length - off);
    return this.bytes.slice(off, off + Math.max(0, want));
  }

  readExact(off: number, len: number, what: string): Uint8Array {
    const b = this.readAt(off, len);
    if (b.length !== len) throw new DumpFormatError(`${this.path}: truncated ${what} at offset ${off}`);
    return b;
  }

  close(): void {}
}

/** Physical memory made of 4 KB pages at given addresses (`pages`); anything else is a 'seek' fault. */
export { FakePhysMem as PagesDump } from '../../test/builders/phys-mem.js';

/** Kernel virtual memory made of a few windows; reads outside them fail as Memory.readKv does. */
export class Windows {
  readonly list: { va: bigint; bytes: Uint8Array }[] = [];

  map(va: bigint, bytes: Uint8Array): this {
    this.list.push({ va, bytes });
    return this;
  }

  /** Like Memory.readKv: `len` bytes or a ReadError (allocating first, as readKv does). */
  read = (va: bigint, len: number): Uint8Array => {
    const out = new Uint8Array(len);
    for (const w of this.list) {
      if (va >= w.va && va + BigInt(len) <= w.va + BigInt(w.bytes.length)) {
        const o = Number(va - w.va);
        out.set(w.bytes.subarray(o, o + len));
        return out;
      }
    }
    throw new ReadError('invalid', 'kvaddr', va, 'fuzz window');
  };
}
