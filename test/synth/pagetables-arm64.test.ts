import { describe, expect, it } from 'vitest';
import { PhysImage } from '../../src/synth/phys-image.js';
import {
  ARM64_ADDR_MASK,
  ARM64_MT,
  ARM64_MT_PRE_5_10,
  ARM64_PTE as P,
  Arm64PageTables,
  SIZE_1G,
  SIZE_2M,
  SIZE_4K,
  arm64Prot,
  attrIndx,
} from '../../src/synth/pagetables-arm64.js';

interface Step {
  level: number;
  entryPaddr: bigint;
  value: bigint;
}

/** A minimal reference walk (ARM ARM D8 translation table walk, 4K granule, no TnSZ checks). */
function walk(read: (pa: bigint) => bigint, root: bigint, va: bigint, vaBits: number) {
  const startLevel = vaBits > 39 ? 0 : 1;
  const steps: Step[] = [];
  let table = root;
  for (let level = startLevel; level <= 3; level++) {
    const shift = BigInt(12 + 9 * (3 - level));
    const entryPaddr = table + ((va >> shift) & 0x1ffn) * 8n;
    const value = read(entryPaddr);
    steps.push({ level, entryPaddr, value });
    if (!(value & 1n)) return { steps };
    const isTable = (value & 2n) !== 0n;
    if (level === 3 || !isTable) {
      if (level === 0 || (level === 3 && !isTable)) throw new Error(`reserved descriptor at level ${level}`);
      const size = 1n << shift;
      return { steps, paddr: (value & ARM64_ADDR_MASK & ~(size - 1n)) + (va & (size - 1n)), size };
    }
    table = value & ARM64_ADDR_MASK;
  }
  throw new Error('unreachable');
}

const PAGE_OFFSET_48 = 0xffff000000000000n; // 5.4 linear map start with 48-bit VA
const PAGE_OFFSET_39 = 0xffffff8000000000n;
const PHYS = 0x40000000n; // QEMU virt RAM base

function setup(vaBits: 39 | 48) {
  const img = new PhysImage({ alloc: { start: PHYS + 0x7f00000n, end: PHYS + 0x8000000n } });
  img.addRam(PHYS, PHYS + 2n * SIZE_1G);
  const k = new Arm64PageTables(img, { vaBits, ttbr: 1 });
  const read = (pa: bigint) => img.readU64(pa);
  return { img, k, read };
}

describe.each([48, 39] as const)('Arm64PageTables, %i-bit VA', (vaBits) => {
  const po = vaBits === 48 ? PAGE_OFFSET_48 : PAGE_OFFSET_39;
  const firstLevel = vaBits === 48 ? 0 : 1;
  const prot = arm64Prot({ mtNormal: ARM64_MT_PRE_5_10.NORMAL, dirtyInProtNormal: true });

  it('linear map with 1G blocks at level 1 carries the 5.4 PAGE_KERNEL bits as a block', () => {
    const { k, read } = setup(vaBits);
    expect(k.map(po, PHYS, 2n * SIZE_1G, prot.KERNEL)).toBe(k.root);
    const w = walk(read, k.root, po + 0x12345678n, vaBits);
    expect(w.steps.map((s) => s.level)).toEqual(vaBits === 48 ? [0, 1] : [1]);
    expect(w.size).toBe(SIZE_1G);
    expect(w.paddr).toBe(PHYS + 0x12345678n);
    const leaf = w.steps.at(-1)!.value;
    // PROT_NORMAL of 5.4 (MT_NORMAL = 4) with the table bit cleared: ...711 = AF | SH | attrindx 4 | block
    expect(leaf & ~ARM64_ADDR_MASK).toBe(0x00e8000000000711n);
    if (vaBits === 48) expect(w.steps[0]!.value & 3n).toBe(3n); // table descriptor
  });

  it('2M blocks at level 2 and 4K pages at level 3, with every step where expected', () => {
    const { k, read } = setup(vaBits);
    const va = po + 0x10000000n;
    k.map(va, PHYS + 0x10000000n, SIZE_2M + 2n * SIZE_4K, prot.KERNEL_ROX);
    const b = walk(read, k.root, va + 0x1234n, vaBits);
    expect(b.steps.map((s) => s.level)).toEqual([...(vaBits === 48 ? [0] : []), 1, 2]);
    expect(b.size).toBe(SIZE_2M);
    expect(b.steps.at(-1)!.value & 3n).toBe(1n);
    const p = walk(read, k.root, va + SIZE_2M + 0x1008n, vaBits);
    expect(p.steps.map((s) => s.level)).toEqual([...(vaBits === 48 ? [0] : []), 1, 2, 3]);
    expect(p.size).toBe(SIZE_4K);
    expect(p.paddr).toBe(PHYS + 0x10201008n);
    const v = p.steps.at(-1)!.value;
    expect(v & 3n).toBe(3n);
    expect(v & P.RDONLY).toBe(P.RDONLY);
    expect(v & P.PXN).toBe(0n); // executable kernel text
    expect(v & P.UXN).toBe(P.UXN);
    expect(walk(read, k.root, va + SIZE_2M + 2n * SIZE_4K, vaBits).paddr).toBeUndefined();
    let table = k.root;
    p.steps.forEach((s) => {
      const shift = BigInt(12 + 9 * (3 - s.level));
      expect(s.entryPaddr).toBe(table + (((va + SIZE_2M + 0x1008n) >> shift) & 0x1ffn) * 8n);
      table = s.value & ARM64_ADDR_MASK;
    });
    expect(k.levelNames).toEqual(vaBits === 48 ? ['PGD', 'PUD', 'PMD', 'PTE'] : ['PGD', 'PMD', 'PTE']);
    expect(k.entryAddr(va + SIZE_2M + 0x1008n, 'PTE')).toBe(p.steps.at(-1)!.entryPaddr);
  });

  it('write-protecting one page of a block splits it (the pagecache scenario)', () => {
    const { k, read } = setup(vaBits);
    k.map(po, PHYS, SIZE_1G, prot.KERNEL);
    const target = po + 0x3456000n;
    k.map(target, PHYS + 0x3456000n, SIZE_4K, prot.KERNEL_RO);
    const w = walk(read, k.root, target + 8n, vaBits);
    expect(w.size).toBe(SIZE_4K);
    expect(w.paddr).toBe(PHYS + 0x3456008n);
    const v = w.steps.at(-1)!.value;
    expect(v & P.RDONLY).toBe(P.RDONLY);
    expect(v & P.WRITE).toBe(0n);
    const nb = walk(read, k.root, target + SIZE_4K, vaBits);
    expect(nb.paddr).toBe(PHYS + 0x3457000n);
    expect(nb.steps.at(-1)!.value & ~ARM64_ADDR_MASK).toBe(0x00e8000000000713n);
    expect(walk(read, k.root, po + 0x10000000n, vaBits).size).toBe(SIZE_2M); // other 2M blocks stay blocks
  });

  it('TTBR0 user tables with MT_NORMAL 0 (v5.10+) user pages', () => {
    const { img, read } = setup(vaBits);
    const u = new Arm64PageTables(img, { vaBits, ttbr: 0 });
    const up = arm64Prot({ mtNormal: ARM64_MT.NORMAL, dirtyInProtNormal: false });
    u.map(0x5555550000n, PHYS + 0x20000000n, SIZE_4K, up.USER_RX);
    u.map(0x7ffff000n, PHYS + 0x20001000n, SIZE_4K, up.USER_RW);
    const t = walk(read, u.root, 0x5555550123n, vaBits);
    expect(t.paddr).toBe(PHYS + 0x20000123n);
    const tv = t.steps.at(-1)!.value;
    expect(tv & (P.USER | P.RDONLY | P.NG | P.AF | P.SHARED)).toBe(P.USER | P.RDONLY | P.NG | P.AF | P.SHARED);
    expect(tv & P.UXN).toBe(0n);
    expect(tv & P.ATTRINDX_MASK).toBe(attrIndx(ARM64_MT.NORMAL));
    const d = walk(read, u.root, 0x7ffff010n, vaBits).steps.at(-1)!.value;
    expect(d & (P.DBM | P.DIRTY)).toBe(P.DBM | P.DIRTY);
    expect(d & P.RDONLY).toBe(0n);
    expect(() => u.map(po, PHYS, SIZE_4K, up.USER_RW)).toThrow(/TTBR0/);
  });
});

it('descriptor constants match pgtable-hwdef.h / pgtable-prot.h', () => {
  expect([P.USER, P.RDONLY, P.SHARED, P.AF, P.NG]).toEqual([0x40n, 0x80n, 0x300n, 0x400n, 0x800n]);
  expect([P.DBM, P.CONT, P.PXN, P.UXN, P.DIRTY, P.SPECIAL]).toEqual([1n << 51n, 1n << 52n, 1n << 53n, 1n << 54n, 1n << 55n, 1n << 56n]);
  expect(arm64Prot({ mtNormal: 0, dirtyInProtNormal: false }).KERNEL).toBe(0x0068000000000703n);
});

describe('Arm64PageTables, 16K and 64K granules, 52-bit output addresses', () => {
  const prot = arm64Prot();
  it('64K/42-bit: two levels, 512MB blocks at the PGD; write-protecting one page splits it into 64K pages', () => {
    const img = new PhysImage({ alloc: { start: PHYS + 0x7000000n, end: PHYS + 0x8000000n } });
    img.addRam(PHYS, PHYS + SIZE_1G);
    const k = new Arm64PageTables(img, { vaBits: 42, pageShift: 16 });
    expect(k.levelNames).toEqual(['PGD', 'PTE']);
    expect(k.root & 0xffffn).toBe(0n); // tables are 64K pages
    const po = 0xfffffc0000000000n;
    k.map(po, PHYS, 1n << 29n, prot.KERNEL);
    const pgd = img.readU64(k.entryAddr(po, 'PGD')!);
    expect(pgd & 3n).toBe(1n); // block
    k.map(po + 0x30000n, PHYS + 0x30000n, 0x10000n, prot.KERNEL_RO);
    const t = img.readU64(k.entryAddr(po, 'PGD')!);
    expect(t & 3n).toBe(3n);
    const pte = img.readU64(k.entryAddr(po + 0x30000n, 'PTE')!);
    expect(k.decode(pte)).toBe(PHYS + 0x30000n);
    expect(pte & P.RDONLY).toBe(P.RDONLY);
    expect(k.decode(img.readU64(k.entryAddr(po + 0x40000n, 'PTE')!))).toBe(PHYS + 0x40000n);
  });
  it('16K/47-bit: PGD, PMD, PTE with 32MB blocks', () => {
    const img = new PhysImage({ alloc: { start: PHYS + 0x7000000n, end: PHYS + 0x8000000n } });
    img.addRam(PHYS, PHYS + SIZE_1G);
    const k = new Arm64PageTables(img, { vaBits: 47, pageShift: 14 });
    expect(k.levelNames).toEqual(['PGD', 'PMD', 'PTE']);
    const po = 0xffff800000000000n;
    k.map(po, PHYS, 1n << 25n, prot.KERNEL);
    expect(img.readU64(k.entryAddr(po, 'PMD')!) & 3n).toBe(1n);
    expect(k.entryAddr(po, 'PTE')).toBeUndefined();
  });
  it('LPA (64K) keeps PA[51:48] in bits 15:12; LPA2 (4K/16K) PA[51:50] in bits 9:8 and drops SH', () => {
    const img = new PhysImage({ alloc: { start: PHYS, end: PHYS + 0x1000000n } });
    const lpa = new Arm64PageTables(img, { vaBits: 52, pageShift: 16, encoding: 'lpa' });
    const pa = (0xan << 48n) | 0x12340000n;
    expect(lpa.encode(pa)).toBe(0x12340000n | (0xan << 12n));
    expect(lpa.decode(lpa.encode(pa))).toBe(pa);
    const lpa2 = new Arm64PageTables(img, { vaBits: 52, pageShift: 12, encoding: 'lpa2' });
    expect(lpa2.levelNames).toEqual(['PGD', 'P4D', 'PUD', 'PMD', 'PTE']);
    const pa2 = (3n << 50n) | (1n << 49n) | 0x5000n;
    expect(lpa2.encode(pa2)).toBe((1n << 49n) | 0x5000n | 0x300n);
    const va = 0x7f0000000000n;
    const user = new Arm64PageTables(img, { vaBits: 52, pageShift: 12, encoding: 'lpa2', ttbr: 0 });
    user.map(va, pa2, SIZE_4K, prot.USER_RW);
    expect(user.decode(img.readU64(user.entryAddr(va, 'PTE')!))).toBe(pa2);
    expect(() => new Arm64PageTables(img, { vaBits: 48 }).encode(1n << 48n)).toThrow(/52-bit/);
  });
});
