/**
 * Address spaces. Every address is a bigint; the brands keep a physical address from being
 * passed where a kernel virtual one is expected. `kv()`, `pa()`, `uv()` are the only casts.
 */
export type KVAddr = bigint & { readonly __space: 'kvaddr' };
export type PhysAddr = bigint & { readonly __space: 'physaddr' };
export type UVAddr = bigint & { readonly __space: 'uvaddr' };

export const kv = (v: bigint): KVAddr => v as KVAddr;
export const pa = (v: bigint): PhysAddr => v as PhysAddr;
export const uv = (v: bigint): UVAddr => v as UVAddr;

/** crash's names for address spaces, as used in its readmem() messages and `type:` labels. */
export type Space = 'kvaddr' | 'uvaddr' | 'physaddr';
export const SPACE_WORDS: Record<Space, string> = {
  kvaddr: 'kernel virtual',
  uvaddr: 'user virtual',
  physaddr: 'physical',
};
export const SPACE_LABEL: Record<Space, string> = {
  kvaddr: 'KVADDR',
  uvaddr: 'UVADDR',
  physaddr: 'PHYSADDR',
};
