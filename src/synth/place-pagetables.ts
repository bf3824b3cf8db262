import { CrashError } from '../util/errors.js';
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
  for (const w of c.s.walks ?? []) installWalk(img, root, w.va, w.entries, c.s.layout.fiveLevel);
}

/**
 * Make the walk of `va` go through exactly the given entries (top level first), as a scenario's
 * oops or vtop shows them ("PGD 3fc0e067 ... PTE 800000003faf0061"). Tables the walk moves to
 * new pages keep their other entries (copied), and a large page that becomes a table is split
 * into entries mapping the same memory, so nothing else changes.
 */
export function installWalk(img: PhysImage, root: bigint, va: bigint, entries: bigint[], fiveLevel = false): void {
  const shifts = fiveLevel ? [48n, 39n, 30n, 21n, 12n] : [39n, 30n, 21n, 12n];
  if (entries.length !== shifts.length) throw new CrashError(`installWalk: ${shifts.length} entries needed for ${va.toString(16)}, got ${entries.length}`);
  const MASK = ((1n << 52n) - 1n) & ~0xfffn;
  let table = root;
  shifts.forEach((shift, i) => {
    const slot = table + ((va >> shift) & 0x1ffn) * 8n;
    const old = img.readU64(slot);
    const want = entries[i];
    const last = i === shifts.length - 1;
    if (!last) {
      const dest = want & MASK;
      const oldLarge = (old & 1n) !== 0n && (old & 0x80n) !== 0n && shift !== 39n && shift !== 48n;
      if (oldLarge) {
        // split: the new table maps the large page's memory with its flags, in pages of the next size
        const sub = shift - 9n;
        const base = old & MASK & ~((1n << shift) - 1n);
        const flags = (old & ~MASK & ~0x80n) | (sub > 12n ? 0x80n : 0n);
        for (let e = 0n; e < 512n; e++) img.writeU64(dest + e * 8n, base + (e << sub) | flags);
      } else if ((old & 1n) !== 0n && (old & MASK) !== dest) {
        img.write(dest, img.read(old & MASK, 4096));
      }
      table = dest;
    }
    img.writeU64(slot, want);
  });
}
