/**
 * Memory.kvAbsentRunEnd: the run of kernel virtual memory whose reads all fail, found through the
 * page tables and the dump's absentRunEnd: unmapped stretches (a missing table passes all it would
 * map), mappings onto memory the dump does not hold (4K and 2M pages, the direct map), followed
 * mapping after mapping. Every claim is checked against readKv page by page.
 */
import { describe, expect, it } from 'vitest';
import { Memory } from '../../src/memory/memory.js';
import { ReadError } from '../../src/memory/read-error.js';
import { X86_64, defaultX86Layout } from '../../src/arch/x86-64.js';
import { FakePhysMem, X86PageTables } from '../builders/phys-mem.js';
import { pattern } from '../builders/core-elf.js';

const PAGE = 0x1000n;
const M2 = 1n << 21n;
const VMEMMAP = 0xffffea0000000000n;

/** FakePhysMem that can say where a run of missing pages ends (a page at a time: small tests). */
class AbsentAwareMem extends FakePhysMem {
  absentRunEnd(paddr: bigint, limit: bigint): bigint {
    let p = paddr & ~(PAGE - 1n);
    while (p < limit && !this.pages.has(p)) p += PAGE;
    if (p === (paddr & ~(PAGE - 1n))) return paddr;
    return p < limit ? p : limit;
  }
}

function setup() {
  const mem = new AbsentAwareMem();
  mem.write(0x0n, pattern(0x0n, 0x10000));
  mem.write(0x400000n, pattern(0x400000n, 0x200000)); // backs the first 2M vmemmap mapping
  mem.write(0x900000n, pattern(0x900000n, 0x3000));
  const kpt = new X86PageTables(mem, { allocBase: 0x100000n })
    .map(VMEMMAP, 0x400000n, M2) // present
    .map(VMEMMAP + M2, 0x10000000n, M2) // mapped, not in the dump
    .map(VMEMMAP + 2n * M2, 0x10200000n, M2) // mapped, not in the dump
    // VMEMMAP + 3*M2 .. 4*M2: no PMD entry
    .map(VMEMMAP + 4n * M2, 0x20000000n, M2) // not in the dump
    .map(VMEMMAP + 5n * M2, 0x900000n) // 4K pages: present, absent, present
    .map(VMEMMAP + 5n * M2 + PAGE, 0x30000000n)
    .map(VMEMMAP + 5n * M2 + 2n * PAGE, 0x902000n);
  const arch = new X86_64({ physBase: 0x1600000n, kernelRoot: kpt.root, fiveLevel: false, smeMask: 0n, ...defaultX86Layout(false) }, (p, n) => mem.readPhys(p, n));
  return { mem, m: new Memory(mem, arch) };
}

const readable = (m: Memory, v: bigint) => {
  try {
    m.readKv(v, 8);
    return true;
  } catch (e) {
    if (e instanceof ReadError) return false;
    throw e;
  }
};

describe('kvAbsentRunEnd', () => {
  const { m } = setup();

  it('follows absent 2M mappings and unmapped tables to the next readable page', () => {
    expect(m.kvAbsentRunEnd(VMEMMAP, VMEMMAP + (1n << 30n))).toBe(VMEMMAP);
    expect(m.kvAbsentRunEnd(VMEMMAP + M2, VMEMMAP + (1n << 30n))).toBe(VMEMMAP + 5n * M2);
    expect(m.kvAbsentRunEnd(VMEMMAP + M2 + 0x123n, VMEMMAP + 3n * M2)).toBe(VMEMMAP + 3n * M2); // capped
    expect(m.kvAbsentRunEnd(VMEMMAP + 5n * M2 + PAGE, VMEMMAP + (1n << 30n))).toBe(VMEMMAP + 5n * M2 + 2n * PAGE);
    // past the last mapping: the rest of the PUD's range has no PMD entries
    expect(m.kvAbsentRunEnd(VMEMMAP + 6n * M2, VMEMMAP + (1n << 30n))).toBe(VMEMMAP + (1n << 30n));
  });

  it('the direct map: by arithmetic, onto the dump', () => {
    const dm = 0xffff888000000000n;
    expect(m.kvAbsentRunEnd(dm + 0x10000n, dm + 0x1000000n)).toBe(dm + 0x100000n); // the page tables start there
    expect(m.kvAbsentRunEnd(dm, dm + 0x1000000n)).toBe(dm);
  });

  it('claims only what fails to read, and nothing with the fast path off', () => {
    const top = VMEMMAP + 7n * M2;
    let claimed = 0;
    for (let v = VMEMMAP; v < top; v += PAGE) {
      const end = m.kvAbsentRunEnd(v, top);
      if (end === v) {
        expect(readable(m, v), v.toString(16)).toBe(true);
        continue;
      }
      claimed++;
      expect(readable(m, v), v.toString(16)).toBe(false);
      expect(readable(m, end - PAGE)).toBe(false);
      if (end < top) expect(readable(m, end)).toBe(true);
    }
    expect(claimed).toBe(4 * 512 + 1 + 512 + 509);
    m.absentRuns = false;
    expect(m.kvAbsentRunEnd(VMEMMAP + M2, top)).toBe(VMEMMAP + M2);
    m.absentRuns = true;
  });
});
