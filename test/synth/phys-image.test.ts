import { describe, expect, it } from 'vitest';
import { PhysImage } from '../../src/synth/phys-image.js';

describe('PhysImage', () => {
  it('reads back what was written, zeros elsewhere, across page boundaries', () => {
    const img = new PhysImage();
    const data = Uint8Array.from({ length: 10000 }, (_, i) => (i * 7 + 1) & 0xff);
    img.write(0x1ff0n, data);
    expect(img.read(0x1ff0n, data.length)).toEqual(data);
    expect(img.read(0x1000n, 0x10)).toEqual(new Uint8Array(0x10));
    const around = img.read(0x1fe0n, 0x20);
    expect([...around.subarray(0, 0x10)]).toEqual(new Array(0x10).fill(0));
    expect([...around.subarray(0x10)]).toEqual([...data.subarray(0, 0x10)]);
    expect(img.pages()).toEqual([1n, 2n, 3n, 4n]);
  });

  it('reading never makes pages present', () => {
    const img = new PhysImage();
    img.read(0x100000000n, 0x3000);
    expect(img.pageCount).toBe(0);
    expect(img.hasPage(0x100000000n)).toBe(false);
  });

  it('writes little-endian scalars', () => {
    const img = new PhysImage();
    img.writeU64(0x5000n, 0xffffffff81000000n);
    img.writeU32(0x5008n, 0xdeadbeef);
    img.writeU16(0x500cn, 0x1234);
    img.writeU8(0x500en, 0x99);
    img.writeU64(0x5ffcn, -1n); // straddles two pages; negative wraps to u64
    expect(img.readU64(0x5000n)).toBe(0xffffffff81000000n);
    expect(img.readU32(0x5008n)).toBe(0xdeadbeef);
    expect([...img.read(0x500cn, 3)]).toEqual([0x34, 0x12, 0x99]);
    expect(img.readU64(0x5ffcn)).toBe(0xffffffffffffffffn);
    expect(img.pages()).toEqual([5n, 6n]);
  });

  it('keeps memory proportional to pages written, even for huge addresses', () => {
    const img = new PhysImage();
    for (let i = 0n; i < 100n; i++) img.writeU64(i << 30n, i);
    expect(img.pageCount).toBe(100);
    expect(img.readU64(99n << 30n)).toBe(99n);
  });

  it('allocates zeroed, present, aligned pages from the free range until it runs out', () => {
    const img = new PhysImage({ alloc: { start: 0x10800n, end: 0x14000n } });
    img.write(0x11000n, new Uint8Array([1, 2, 3]));
    const a = img.allocPage();
    expect(a).toBe(0x11000n); // rounded up to a page
    expect(img.read(a, 3)).toEqual(new Uint8Array(3)); // zeroed even if written before
    expect(img.hasPage(a)).toBe(true);
    expect(img.alloc(4096, 0x2000)).toBe(0x12000n);
    expect(img.allocPage()).toBe(0x13000n);
    expect(() => img.allocPage()).toThrow(/exhausted/);
    expect(() => new PhysImage().allocPage()).toThrow(/no allocation range/);
  });

  it('declares RAM ranges sorted and rejects overlaps', () => {
    const img = new PhysImage();
    img.addRam(0x100000n, 0x80000000n);
    img.addRam(0x1000n, 0x9fc00n);
    img.addRam(0x100000000n, 0x180000000n);
    expect(img.ranges()).toEqual([
      { start: 0x1000n, end: 0x9fc00n },
      { start: 0x100000n, end: 0x80000000n },
      { start: 0x100000000n, end: 0x180000000n },
    ]);
    expect(img.inRam(0x9fbffn)).toBe(true);
    expect(img.inRam(0x9fc00n)).toBe(false);
    expect(() => img.addRam(0x7ffff000n, 0x80001000n)).toThrow(/overlaps/);
    expect(() => img.addRam(0x5000n, 0x5000n)).toThrow(/empty/);
  });
});
