/**
 * Page helpers on the Debian 6.1 reference dump: SPARSEMEM_VMEMMAP agrees with mem_section,
 * pageflag_names[] and enum pageflags name the same bits, compound pages (a task_struct slab of
 * order 3) resolve head, order and count. Skips when ../shared is absent.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { refdump } from '../support/refdump.js';
import { openKernel } from '../../src/kernel/open.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { pageLayout, pageToPfn, pfnToPage, presentSections, sparseMem, vmemmap } from '../../src/kernel/helpers/mm-page.js';
import { compoundHead, compoundOrder, decodePageFlags, isHeadPage, isTailPage, pageCount, pageFlagBit, pageFlagNames, readPage } from '../../src/kernel/helpers/page.js';
import { explainPage } from '../../src/kernel/helpers/page-explain.js';

const ref = refdump();
const skip = typeof ref === 'string' ? ref : undefined;

describe.skipIf(!!skip)('page helpers on x86_64-debian12-sysrq', () => {
  let k: Kernel;
  const kernel = () => (k ??= openKernel((ref as { elf: string }).elf));
  afterAll(() => k?.dump.close());

  it('finds four 128 MB sections whose mem_maps are the vmemmap array', () => {
    const kk = kernel();
    expect(sparseMem(kk)!.extreme).toBe(true);
    expect(pageLayout(kk).size).toBe(64);
    expect(presentSections(kk).map((s) => s.nr)).toEqual([0n, 1n, 2n, 3n]);
    expect(vmemmap(kk)).toBe(kk.readU64(kk.symbolAddress('vmemmap_base')));
    expect(vmemmap(kk)).toBe(0xffffec1980000000n);
  });

  it('converts pfn and page both ways', () => {
    const kk = kernel();
    expect(pfnToPage(kk, 0x1210n)).toBe(0xffffec1980048400n);
    expect(pageToPfn(kk, 0xffffec1980048400n)).toBe(0x1210n);
    expect(pageToPfn(kk, 0xffffec1980048401n)).toBeUndefined();
    expect(pfnToPage(kk, 0x20000n)).toBeUndefined(); // 512 MB: past the last section
  });

  it('names page flags from pageflag_names, in agreement with enum pageflags', () => {
    const kk = kernel();
    const names = pageFlagNames(kk);
    expect(names.slice(0, 3).map((n) => n.name)).toEqual(['locked', 'waiters', 'error']);
    for (const f of ['slab', 'head', 'reserved', 'lru', 'uptodate']) expect(names.find((n) => n.name === f)?.mask).toBe(1n << BigInt(pageFlagBit(kk, f)!));
    expect(decodePageFlags(0xfffffc0010200n, names)).toEqual(['slab', 'head']);
    expect(pageFlagBit(kk, 'slab')).toBe(Number(kk.vmcoreinfo.number('PG_slab')));
  });

  it('resolves a compound page: head, tail, order, count, explanation', () => {
    const kk = kernel();
    const head = readPage(kk, 0xffffec1980048400n);
    expect(isHeadPage(kk, head)).toBe(true);
    expect(compoundOrder(kk, head.page)).toBe(3);
    const tail = readPage(kk, 0xffffec1980048440n);
    expect(isTailPage(tail)).toBe(true);
    expect(compoundHead(tail)).toBe(head.page);
    expect(tail.refcount).toBe(0);
    expect(pageCount(kk, tail)).toBe(head.refcount);
    expect(explainPage(kk, tail)).toBe('tail page of a 32k compound page: refcount and flags live in head ffffec1980048400 (slab page of kmem_cache "task_struct")');
    expect(explainPage(kk, readPage(kk, pfnToPage(kk, 1n)!))).toMatch(/^reserved page/);
  });
});
