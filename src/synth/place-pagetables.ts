import { CrashError } from '../util/errors.js';
import { sizeofType } from '../debuginfo/btf/types.js';
import { writeObject, type BuildContext } from './infra.js';
import type { PhysImage } from './phys-image.js';
import { X86PageTables, X86_PROT } from './pagetables-x86.js';
import { Arm64PageTables, arm64Prot } from './pagetables-arm64.js';
import { arm64Geometry } from '../arch/arm64.js';

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

/**
 * arm64 kernel tables (swapper_pg_dir, TTBR1): the image, the linear map of all RAM, and 4K
 * pages for every other address the scenario wrote, with PAGE_KERNEL attributes.
 */
export function buildArm64PageTables(c: BuildContext, img: PhysImage, root: bigint): void {
  const vaBits = c.s.layout.vaBits as 39 | 48;
  const pt = arm64Tables(c, img, 1, root);
  const g = c.mem.pageSize;
  const prot = arm64Prot().KERNEL;
  const start = c.mem.textBase & ~(SIZE_2M - 1n);
  const end = (c.mem.imageEnd + SIZE_2M - 1n) & ~(SIZE_2M - 1n);
  pt.map(start, BigInt.asUintN(64, start - c.mem.kimageVoffset), end - start, prot, { maxPageSize: SIZE_2M });
  for (const [a, b] of c.s.memory.ram) {
    const s = a & ~(g - 1n);
    pt.map(c.mem.directMap(s), s, ((b + g - 1n) & ~(g - 1n)) - s, prot);
  }
  for (const [va, pa] of c.mem.extraPages) pt.map(va, pa, g, prot, { force4K: true });
  for (const w of c.s.walks ?? []) installWalkArm64(img, root, w.va, w.entries, vaBits);
}

/**
 * The tables a kernel of this layout builds: indexed with the configured VA bits on 64K pages
 * (a 48-bit CPU offsets TTBR1 into the 52-bit pgd), with vabits_actual on 4K/16K (LPA2 kernels
 * fold the top level at run time); output addresses in LPA (64K, 52-bit PA) or LPA2 form.
 */
function arm64Tables(c: BuildContext, img: PhysImage, ttbr: 0 | 1, root: bigint): Arm64PageTables {
  const l = c.s.layout;
  const g = arm64Geometry(Math.log2(Number(c.mem.pageSize)), l.vaBits!, l.vaBitsActual ?? l.vaBits!, l.physBits ?? 48);
  return new Arm64PageTables(img, { vaBits: g.walkVaBits, pageShift: g.pageShift as 12 | 14 | 16, encoding: g.encoding, ttbr, root });
}

/** installWalk for arm64 descriptors (bits [1:0]: 11 table/page, 01 block; output address 47:12). */
export function installWalkArm64(img: PhysImage, root: bigint, va: bigint, entries: bigint[], vaBits: 39 | 48): void {
  const shifts = vaBits === 48 ? [39n, 30n, 21n, 12n] : [30n, 21n, 12n];
  if (entries.length !== shifts.length) throw new CrashError(`installWalk: ${shifts.length} entries needed for ${va.toString(16)}, got ${entries.length}`);
  const OA = ((1n << 48n) - 1n) & ~0xfffn;
  let table = root;
  shifts.forEach((shift, i) => {
    const span = i === 0 ? BigInt(vaBits) - shift : 9n;
    const slot = table + ((va >> shift) & ((1n << span) - 1n)) * 8n;
    const old = img.readU64(slot);
    const want = entries[i];
    if (i < shifts.length - 1) {
      const dest = want & OA;
      const oldBlock = (old & 3n) === 1n;
      if (oldBlock) {
        const sub = shift - 9n;
        const base = old & OA & ~((1n << shift) - 1n);
        const attrs = old & ~OA & ~3n;
        for (let e = 0n; e < 512n; e++) img.writeU64(dest + e * 8n, (base + (e << sub)) | attrs | (sub === 12n ? 3n : 1n));
      } else if ((old & 3n) === 3n && (old & OA) !== dest) {
        img.write(dest, img.read(old & OA, 4096));
      }
      table = dest;
    }
    img.writeU64(slot, want);
  });
}

/**
 * Each task's user address space (mm->pgd): a user page table with the scenario's mappings
 * (TTBR0 on arm64; on x86_64 a PGD that also shares the kernel half, as pgd_alloc copies it),
 * and the mm_struct pointing at it.
 */
export function buildUserTables(c: BuildContext, img: PhysImage, kernelRoot: bigint): void {
  for (const t of c.s.tasks) {
    const mm = t.mm;
    if (!mm) continue;
    const g = c.mem.pageSize;
    const root = img.alloc(Number(g), Number(g));
    if (c.s.arch === 'arm64') {
      const pt = arm64Tables(c, img, 0, root);
      const prot = arm64Prot();
      for (const m of mm.maps) pt.map(m.va & ~(g - 1n), m.pa & ~(g - 1n), g, m.readonly ? prot.USER_RO : prot.USER_RW, { force4K: true });
    } else {
      const pt = new X86PageTables(img, { root, fiveLevel: c.s.layout.fiveLevel });
      pt.copyRootEntries(new X86PageTables(img, { root: kernelRoot, fiveLevel: c.s.layout.fiveLevel }));
      for (const m of mm.maps) pt.map(m.va & ~0xfffn, m.pa & ~0xfffn, 4096n, m.readonly ? X86_PROT.USER_RO : X86_PROT.USER_RW, { force4K: true });
    }
    writeObject(c, mm.at, 'struct mm_struct', { pgd: c.mem.directMap(root), mmap_base: mm.mmapBase, task_size: mm.taskSize, 'mm_users.counter': 1, 'mm_count.counter': 1 });
    buildVmas(c, mm.at, mm.vmas);
    writeObject(c, t.task, 'struct task_struct', { mm: mm.at, active_mm: mm.at });
  }
}

/**
 * The VMAs of an mm: the vm_next list before 6.1, a maple-tree leaf (maple_leaf_64, one node of
 * up to 16 ranges) on 6.1+ (lib/maple_tree.c: tagged node pointer, type in bits 3-6).
 */
function buildVmas(c: BuildContext, mm: bigint, vmas: { start: bigint; end: bigint; flags: bigint }[]): void {
  if (!vmas.length) return;
  const size = sizeofType(c.type('struct vm_area_struct'));
  const addrs = vmas.map((v) => {
    const at = c.mem.allocData(size, 64);
    writeObject(c, at, 'struct vm_area_struct', { vm_start: v.start, vm_end: v.end, vm_flags: v.flags, vm_mm: mm });
    return at;
  });
  if (c.offsetOfOptional('struct mm_struct', 'mm_mt') === undefined) {
    addrs.forEach((a, i) => writeObject(c, a, 'struct vm_area_struct', { vm_next: addrs[i + 1] ?? 0n, vm_prev: addrs[i - 1] ?? 0n }));
    writeObject(c, mm, 'struct mm_struct', { mmap: addrs[0] });
    return;
  }
  if (vmas.length > 7) throw new CrashError('a maple-tree leaf holds at most 7 VMAs with their gaps here');
  const node = c.mem.allocData(256, 256);
  const pivots: bigint[] = [];
  const slots: bigint[] = [];
  let at = 0n;
  vmas.forEach((v, i) => {
    if (v.start > at) {
      pivots.push(v.start - 1n);
      slots.push(0n);
    }
    pivots.push(v.end - 1n);
    slots.push(addrs[i]);
    at = v.end;
  });
  pivots.push((1n << 64n) - 1n);
  slots.push(0n);
  writeObject(c, node, 'struct maple_range_64', { pivot: pivots.slice(0, 15), slot: slots });
  writeObject(c, mm, 'struct mm_struct', { 'mm_mt.ma_root': node | (1n << 3n) | 2n });
}
