import type { BuildContext } from './infra.js';
import type { PhysImage } from './phys-image.js';
import { X86PageTables, X86_PROT } from './pagetables-x86.js';

const SIZE_2M = 1n << 21n;
const START_KERNEL_MAP = 0xffffffff80000000n;

/**
 * The kernel page tables (init_top_pgt) as the kernel sets them up: the image at
 * __START_KERNEL_map + KASLR in 2M pages, the direct map of all RAM (1G/2M pages), and 4K
 * mappings for every other page the scenario wrote (vmalloc'd stacks, per-cpu chunks...).
 */
export function buildX86PageTables(c: BuildContext, img: PhysImage, root: bigint): void {
  const pt = new X86PageTables(img, { root, fiveLevel: c.s.layout.fiveLevel });
  const start = c.mem.textBase & ~(SIZE_2M - 1n);
  const end = (c.mem.imageEnd + SIZE_2M - 1n) & ~(SIZE_2M - 1n);
  const physStart = BigInt.asUintN(64, start - START_KERNEL_MAP + c.s.layout.physBase);
  pt.map(start, physStart, end - start, X86_PROT.KERNEL_EXEC, { maxPageSize: SIZE_2M });
  for (const [a, b] of c.s.memory.ram) {
    const s = a & ~0xfffn;
    pt.map(c.s.layout.pageOffset + s, s, ((b + 0xfffn) & ~0xfffn) - s, X86_PROT.KERNEL);
  }
  for (const [va, pa] of c.mem.extraPages) pt.map(va, pa, 4096n, X86_PROT.KERNEL, { force4K: true });
}
