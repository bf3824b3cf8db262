import * as fs from 'node:fs';
import { DumpFormatError } from '../util/errors.js';

/**
 * Random-access, read-only reads of a dump file. The file is opened O_RDONLY and never
 * written; nothing is read until asked for.
 */
export class FileReader {
  private readonly fd: number;
  readonly size: number;

  constructor(readonly path: string) {
    try {
      this.fd = fs.openSync(path, fs.constants.O_RDONLY);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new DumpFormatError(code === 'ENOENT' ? `${path}: No such file or directory` : `${path}: ${(e as Error).message}`);
    }
    this.size = fs.fstatSync(this.fd).size;
  }

  /** Read exactly `len` bytes at `off`, or return the shorter prefix that exists. */
  readAt(off: number, len: number): Uint8Array {
    // Nothing exists past the end: a wild offset or length from a damaged header becomes a
    // short read here, never a huge allocation or an out-of-range fs position (RangeError).
    if (!(off >= 0 && off < this.size)) return new Uint8Array(0);
    const want = Math.min(len, this.size - off);
    const buf = new Uint8Array(want);
    let got = 0;
    while (got < want) {
      const n = fs.readSync(this.fd, buf, got, want - got, off + got);
      if (n <= 0) break;
      got += n;
    }
    return got === want ? buf : buf.subarray(0, got);
  }

  /** Read exactly `len` bytes or throw a DumpFormatError naming `what`. */
  readExact(off: number, len: number, what: string): Uint8Array {
    const b = this.readAt(off, len);
    if (b.length !== len) throw new DumpFormatError(`${this.path}: truncated ${what} at offset ${off}`);
    return b;
  }

  close(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      /* already closed */
    }
  }
}
