import type { Kernel } from '../kernel.js';
import { pageLayout, presentSections, sparseMem } from './mm-page.js';
import { checkpoint, rethrowInterrupt, type ProgressHooks } from '../../util/interrupt.js';

const MEMMAP_CHUNK = 4096;

/**
 * The pass over mem_map (crash dump_mem_map, GET_SHARED_PAGES): PG_slab pages, and pages not
 * PG_reserved with a refcount above one (SHARED). Struct pages are read MEMMAP_CHUNK at a time; a
 * chunk that cannot be read is passed over whole. On a big machine most struct pages may be
 * missing from the dump (makedumpfile -e, or filtered with their memory): from a chunk whose
 * first struct page is missing, the whole run of mem_map the dump lacks is found without reading
 * (Memory.kvAbsentRunEnd: the kernel page tables, then the dump's bitmaps) and every chunk that
 * starts in it is passed, sections at a time; those chunks' reads would all fail, so the counts
 * are the same. Progress is reported per section, and a cancel stops the pass.
 */
export function memMapCounts(k: Kernel, slabBit: number | undefined, reservedBit: number | undefined, hooks?: ProgressHooks): { slab: bigint; shared: bigint } {
  const layout = pageLayout(k);
  const per = Number(sparseMem(k)?.pagesPerSection ?? 0n);
  const sections = presentSections(k);
  const span = BigInt(per * layout.size);
  const limit = sections.reduce((m, s) => (s.memMap + span > m ? s.memMap + span : m), 0n);
  let slab = 0;
  let shared = 0;
  const sb = slabBit === undefined ? -1n : BigInt(slabBit);
  const rmask = reservedBit === undefined ? 0n : 1n << BigInt(reservedBit);
  let goneFrom = 0n; // struct pages in [goneFrom, goneTo) are not in the dump
  let goneTo = 0n;
  for (let si = 0; si < sections.length; si++) {
    checkpoint(hooks, si, sections.length, 'sections');
    const sec = sections[si];
    if (sec.memMap >= goneFrom && sec.memMap + span <= goneTo) continue;
    for (let i = 0; i < per; i += MEMMAP_CHUNK) {
      const n = Math.min(MEMMAP_CHUNK, per - i);
      const addr = sec.memMap + BigInt(i * layout.size);
      if (addr >= goneFrom && addr < goneTo) continue;
      const gone = k.mem.kvAbsentRunEnd(addr, limit > addr ? limit : addr + BigInt(n * layout.size));
      if (gone > addr) {
        goneFrom = addr;
        goneTo = gone;
        continue;
      }
      let bytes: Uint8Array;
      try {
        bytes = k.readBytes(addr, n * layout.size, 'page structs');
      } catch (e) {
        rethrowInterrupt(e);
        continue;
      }
      const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (let j = 0; j < n; j++) {
        const off = j * layout.size;
        const flags = dv.getBigUint64(off + layout.flags, true);
        if (sb >= 0n && (flags >> sb) & 1n) slab++;
        if (flags & rmask) continue;
        if (layout.refcount >= 0 && dv.getInt32(off + layout.refcount, true) > 1) shared++;
      }
    }
  }
  return { slab: BigInt(slab), shared: BigInt(shared) };
}
