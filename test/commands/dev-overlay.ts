import type { Kernel } from '../../src/kernel/kernel.js';

/**
 * Fake kernel objects planted over a real dump: a Kernel whose reads are answered from these
 * bytes first (and with zeros inside the reserved [base, base+size) range), then from the dump.
 */
export class Overlay {
  readonly bytes = new Map<bigint, number>();
  u64(a: bigint, v: bigint) {
    for (let i = 0n; i < 8n; i++) this.bytes.set(a + i, Number((v >> (8n * i)) & 0xffn));
  }
  u32(a: bigint, v: number) {
    for (let i = 0; i < 4; i++) this.bytes.set(a + BigInt(i), (v >>> (8 * i)) & 0xff);
  }
  str(a: bigint, s: string) {
    [...s, '\0'].forEach((c, i) => this.bytes.set(a + BigInt(i), c.charCodeAt(0)));
  }
  /** The kernel with reads answered from the overlay first (any overlaid byte makes the read ours). */
  kernel(k: Kernel, base: bigint, size: bigint): Kernel {
    const o = Object.create(k) as Kernel;
    o.readBytes = (addr: bigint, len: number, what?: string) => {
      const out = new Uint8Array(len);
      const mine = (a: bigint) => this.bytes.has(a) || (a >= base && a < base + size);
      const real = [...Array(len).keys()].every((i) => mine(addr + BigInt(i))) ? undefined : k.readBytes(addr, len, what);
      for (let i = 0; i < len; i++) out[i] = this.bytes.get(addr + BigInt(i)) ?? real?.[i] ?? 0;
      return out;
    };
    return o;
  }
}
