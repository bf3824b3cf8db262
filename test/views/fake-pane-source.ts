/**
 * A PaneSource over a small fake kernel memory: two readable 4K pages at BASE, the page after
 * them excluded from the dump (crash's "page excluded" wording), one text symbol.
 */
import type { Frame, PageInfo, PaneSource } from '../../src/state/pane-data.js';

export const BASE = 0xffff888000010000n;
export const TEXT = 0xffffffff81000000n;
const SIZE = 0x2000;

export function fakeMemory(): Uint8Array {
  const m = new Uint8Array(SIZE);
  const dv = new DataView(m.buffer);
  m.set([...'XAGF'].map((c) => c.charCodeAt(0)), 0);
  dv.setBigUint64(0x08, BASE + 0x1000n, true); // a pointer into the second page
  dv.setBigUint64(0x10, TEXT + 0x10n, true); // start_kernel+0x10
  dv.setBigUint64(0x18, 0x1234n, true); // not an address
  dv.setBigUint64(0x1000, 0xdeadbeefn, true);
  dv.setBigUint64(0x1008, BASE + 0x2000n, true); // a pointer into the excluded page
  return m;
}

export interface FakeOptions {
  frames?: Frame[];
  page?: PageInfo;
}

export function fakeSource(o: FakeOptions = {}): PaneSource & { reads: number } {
  const mem = fakeMemory();
  const src: PaneSource & { reads: number } = {
    reads: 0,
    readMemory(addr, len, space) {
      src.reads++;
      if (space !== 'kvaddr') return { error: `invalid ${space === 'uvaddr' ? 'user virtual' : 'physical'} address: ${addr.toString(16)}  type: "64-bit ${space.toUpperCase()}"` };
      const off = addr - BASE;
      if (off < 0n || off + BigInt(len) > BigInt(SIZE)) {
        const bad = off < 0n ? addr : addr > BASE + BigInt(SIZE) ? addr : BASE + BigInt(SIZE);
        return { error: `page excluded: kernel virtual address: ${bad.toString(16)}  type: "64-bit KVADDR"` };
      }
      return { bytes: mem.slice(Number(off), Number(off) + len) };
    },
    symbolize(addr) {
      return addr >= TEXT && addr < TEXT + 0x100n ? `start_kernel${addr === TEXT ? '' : '+0x' + (addr - TEXT).toString(16)}` : undefined;
    },
    isKernelAddress: (addr) => addr >> 48n === 0xffffn,
    resolveSymbol: (name) => (name === 'start_kernel' ? TEXT : undefined),
  };
  if (o.frames) src.backtrace = () => o.frames;
  if (o.page) src.pageInfo = () => o.page;
  return src;
}
