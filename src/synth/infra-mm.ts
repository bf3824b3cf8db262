import type { BuildContext } from './infra.js';

const U64 = (1n << 64n) - 1n;
const SECTION_MARKED_PRESENT = 1n;
const SECTION_HAS_MEM_MAP = 2n;
const SECTION_IS_ONLINE = 4n;
const MEM_SECTION_SIZE = 16n; // struct mem_section { unsigned long section_mem_map; void *usage; }

/**
 * SPARSEMEM_EXTREME + VMEMMAP (mm/sparse.c): mem_section points at a root table of pointers,
 * each to a page of struct mem_section; every section holding RAM is present, with
 * section_mem_map = the vmemmap base (the struct page of pfn 0) | flags, so pfn_to_page works
 * as the kernel does it. Struct pages themselves exist only where the scenario wrote them.
 * VMCOREINFO gets the keys the kernel publishes (crash_save_vmcoreinfo_init).
 */
export function buildMemSection(c: BuildContext): void {
  const vmemmap = vmemmapBase(c);
  if (vmemmap === undefined) return;
  const sectionBits = BigInt(c.s.layout.sectionSizeBits ?? 27);
  const maxPhys = BigInt(c.s.arch === 'arm64' ? (c.s.layout.physBits ?? 48) : c.s.layout.fiveLevel ? 52 : 46);
  const perRoot = 4096n / MEM_SECTION_SIZE;
  const roots = Number((1n << (maxPhys - sectionBits)) / perRoot);
  const rootTable = c.mem.allocData(roots * 8, 4096);
  const rootPages = new Map<bigint, bigint>();
  for (const [start, end] of c.s.memory.ram) {
    for (let nr = start >> sectionBits; nr <= (end - 1n) >> sectionBits; nr++) {
      const ri = nr / perRoot;
      let page = rootPages.get(ri);
      if (page === undefined) {
        page = c.mem.allocData(4096, 4096);
        rootPages.set(ri, page);
        c.mem.writeU64(rootTable + ri * 8n, page);
      }
      c.mem.writeU64(page + (nr % perRoot) * MEM_SECTION_SIZE, (vmemmap | SECTION_MARKED_PRESENT | SECTION_HAS_MEM_MAP | SECTION_IS_ONLINE) & U64);
    }
  }
  const ptr = c.mem.allocData(8, 8);
  c.mem.writeU64(ptr, rootTable);
  c.syms.add('mem_section', ptr, 'B');
  c.vmcoreinfo.push(
    `SYMBOL(mem_section)=${rootTable.toString(16)}`,
    `LENGTH(mem_section)=${roots}`,
    `SIZE(mem_section)=${MEM_SECTION_SIZE}`,
    'OFFSET(mem_section.section_mem_map)=0',
    `NUMBER(SECTION_SIZE_BITS)=${sectionBits}`,
    `NUMBER(MAX_PHYSMEM_BITS)=${maxPhys}`,
  );
  if (c.s.arch === 'arm64' && c.s.layout.vmemmapStart !== undefined) c.vmcoreinfo.push(`NUMBER(VMEMMAP_START)=0x${c.s.layout.vmemmapStart.toString(16)}`);
}

/** The struct page of pfn 0: vmemmap_base on x86_64; VMEMMAP_START - memstart_pfn pages on arm64. */
export function vmemmapBase(c: BuildContext): bigint | undefined {
  const l = c.s.layout;
  if (c.s.arch === 'x86_64') return l.vmemmapBase;
  if (l.vmemmapStart === undefined || l.physOffset === undefined) return undefined;
  return BigInt.asUintN(64, l.vmemmapStart - (l.physOffset >> 12n) * 64n);
}
