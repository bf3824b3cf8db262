/**
 * Ctrl-C while the event loop is busy. Ink reads the terminal only when the event loop runs; a
 * synchronous command blocks it, and in raw mode Ctrl-C is a byte (0x03), not SIGINT. So while a
 * line runs we read the terminal ourselves: libuv reopened the tty in non-blocking mode, so a
 * read returns what was typed or EAGAIN at once. Bytes other than Ctrl-C are kept and given back
 * to the input stream afterwards (type-ahead survives); what follows a Ctrl-C is dropped.
 */
import { readSync } from 'node:fs';

export class TtyInterrupt {
  private held: Buffer[] = [];
  private seen = false;
  private readonly buf = Buffer.alloc(256);

  constructor(private readonly fd = 0) {}

  /** True once Ctrl-C was read. Never blocks. */
  poll(): boolean {
    if (this.seen) return true;
    for (let i = 0; i < 64; i++) {
      let n: number;
      try {
        n = readSync(this.fd, this.buf, 0, this.buf.length, null);
      } catch {
        return false; // EAGAIN: nothing typed (or not a readable tty)
      }
      if (n <= 0) return false;
      const chunk = Buffer.from(this.buf.subarray(0, n));
      const at = chunk.indexOf(3);
      if (at >= 0) {
        if (at > 0) this.held.push(chunk.subarray(0, at));
        return (this.seen = true);
      }
      this.held.push(chunk);
    }
    return false;
  }

  /** What was typed (before any Ctrl-C) while the line ran. */
  typeahead(): Buffer {
    const b = Buffer.concat(this.held);
    this.held = [];
    return b;
  }
}
