import type { Kernel } from '../kernel.js';
import { filePath } from './vma.js';

/**
 * Swap areas (include/linux/swap.h, mm/swapfile.c, mm/swap_state.c): swap_info[] pointers to
 * struct swap_info_struct (v2.6.33+), the swap cache address spaces, swap entries in ptes.
 */

const SWP_USED = 1n;

function swapInfoStructs(k: Kernel): bigint[] {
  const nr = k.symbol('nr_swapfiles');
  const info = k.symbol('swap_info');
  if (!nr || !info) return [];
  const n = Math.min(k.readU32(nr.address, 'nr_swapfiles'), 64);
  const out: bigint[] = [];
  for (let i = 0; i < n; i++) out.push(k.readPtr(info.address + BigInt(i * 8), 'swap_info pointer'));
  return out;
}

function member(k: Kernel, si: bigint, m: string): bigint {
  const t = k.types.memberOf('struct swap_info_struct', m);
  if (!t) return 0n;
  const size = k.types.sizeof(t.type);
  const at = si + BigInt(t.bitOffset / 8);
  return size === 8 ? k.readU64(at, m) : size === 2 ? BigInt(k.readU16(at, m)) : BigInt(k.readU32(at, m));
}

/** crash dump_swap_info(): total and used pages over the areas in use. */
export function swapTotals(k: Kernel): { total: bigint; used: bigint } {
  let total = 0n;
  let used = 0n;
  for (const si of swapInfoStructs(k)) {
    if (!si || !(member(k, si, 'flags') & SWP_USED)) continue;
    total += member(k, si, 'pages');
    used += member(k, si, 'inuse_pages');
  }
  return { total, used };
}

/** Pages in the swap cache: the nrpages of every swapper_spaces[type][bank] address space. */
export function swapCachePages(k: Kernel): bigint {
  const spaces = k.symbol('swapper_spaces');
  const banks = k.symbol('nr_swapper_spaces');
  const nrOff = k.memberByteOffset('struct address_space', 'nrpages');
  if (!spaces || nrOff === undefined) return 0n;
  const asSize = k.sizeOf('struct address_space');
  const types = swapInfoStructs(k).length;
  let total = 0n;
  for (let t = 0; t < types; t++) {
    const n = banks ? k.readU32(banks.address + BigInt(t * 4), 'nr_swapper_spaces') : 1;
    const sa = k.readPtr(spaces.address + BigInt(t * 8), 'swapper_spaces');
    if (!sa) continue;
    for (let b = 0; b < n; b++) total += k.readU64(sa + BigInt(b * asSize + nrOff), 'address_space nrpages');
  }
  return total;
}

/** The swap device (file) of a swap type, as crash's get_swapdev() names it. */
export function swapDevice(k: Kernel, type: number): string {
  const sis = swapInfoStructs(k);
  const si = sis[type];
  if (!si) return '(unknown swap location)';
  const file = member(k, si, 'swap_file');
  return file ? filePath(k, file) || '(unknown)' : '(unknown)';
}

/**
 * x86_64 swap pte decoding with the L1TF inversion (v4.18+, arch/x86/include/asm/pgtable_64.h):
 * type in the top 5 bits, offset inverted below them (crash x86_64_swp_type/x86_64_swp_offset).
 */
export function x86SwapEntry(pte: bigint): { type: number; offset: bigint } {
  const mask = (1n << 64n) - 1n;
  return { type: Number(pte >> 59n), offset: (((~pte & mask) << 5n) & mask) >> 14n };
}

/** arm64 swap ptes (v4.0+): type in bits 2-7, offset from bit 8 (crash __SWP_TYPE/OFFSET_SHIFT). */
export function arm64SwapEntry(pte: bigint): { type: number; offset: bigint } {
  return { type: Number((pte >> 2n) & 0x3fn), offset: (pte >> 8n) & ((1n << 50n) - 1n) };
}
