/**
 * `kmem -p`, `kmem -m` and `kmem -f` with an address no page of interest holds, on the Debian 6.1
 * reference dump, against the real crash 8.0.2 run on it:
 *
 *   crash -s ~/.cache/crash-tui/vmlinux-6.1.0-56-amd64 ~/.cache/crash-tui/x86_64-debian12-sysrq.vmcore.elf \
 *     -i cmdfile </dev/null
 *
 * with each command preceded by `!echo @@@ <command>` in cmdfile. The quoted outputs below are what
 * crash printed (`panic` is at ffffffff8c001cb0 in this dump; its vmalloc area starts at
 * ffffcb6700000000; its page_offset is ffff8b3e80000000).
 *
 * - kmem -p / -m: dump_mem_map_SPARSEMEM() prints its header only before the first page it shows,
 *   so an address no page holds prints nothing at all (not a header alone).
 * - kmem -f: dump_free_pages_zones_v2() looks for the address's page in the free lists and prints
 *   nothing when it is not there (kernel text, a vmalloc'd page) or when a kernel address does not
 *   translate; a user address is taken as physical (IS_KVADDR fails), and an address whose
 *   physical address has no struct page gets `kmem: cannot determine page for <addr>`. crash's
 *   x86_64_kvtop() translates addresses above MODULES_END (the fixmap, the top page) by
 *   __START_KERNEL_map arithmetic, mapped or not, so those have no page either.
 */
import { describe, expect, it } from 'vitest';
import { rs, skipReason } from '../support/ref-session.js';

const skip = skipReason('kmem address-miss tests');

/** What crash 8.0.2 printed for each command (the `@@@` marker lines removed). */
const CRASH: [string, string][] = [
  // kmem -p / -m: no page holds the address
  ['kmem -m flags ffffffffffff0000', ''],
  ['kmem -p ffffffffffff0000', ''],
  ['kmem -m flags,_refcount ffffffffffff0000', ''],
  ['kmem -m flags 7f0000001000', ''],
  ['kmem -p 7f0000001000', ''],
  ['kmem -m flags ffffcb6700007000', ''],
  ['kmem -p ffffffffffff0000 ffffffffff5fe000', ''],
  // the header comes with the first page shown
  ['kmem -m flags ffffffffffff0000 0', '      PAGE        flags\nffffec1980000000  0007ffffc0001000  \n'],
  ['kmem -p ffffffffffff0000 1000', '      PAGE       PHYSICAL      MAPPING       INDEX CNT FLAGS\nffffec1980000040     1000                0        0  1 7ffffc0001000 reserved\n'],
  [
    'kmem -p 0 ffffffffffff0000 1000',
    '      PAGE       PHYSICAL      MAPPING       INDEX CNT FLAGS\nffffec1980000000        0                0        0  1 7ffffc0001000 reserved\nffffec1980000040     1000                0        0  1 7ffffc0001000 reserved\n',
  ],
  // kmem -f: kernel text (panic), a vmalloc page, an unmapped vmalloc address, module space: not free
  ['kmem -f ffffffff8c001cb0', ''],
  ['kmem -f ffffcb6700000000', ''],
  ['kmem -f ffffcb6700007000', ''],
  ['kmem -f ffffffffc0000000', ''],
  ['kmem -f ffffffffff000000', ''],
  ['kmem -f ffffffffff600000', ''],
  ['kmem -f ffff8b3e80000000', ''],
  ['kmem -f 1000', ''],
  // a user address (taken as physical), addresses past the end of memory
  ['kmem -f 7f0000001000', 'kmem: cannot determine page for 7f0000001000\n'],
  ['kmem -f ffffb0a2c0000000', 'kmem: cannot determine page for ffffb0a2c0000000\n'],
  ['kmem -f ffff9d0c40000000', 'kmem: cannot determine page for ffff9d0c40000000\n'],
  // above MODULES_END: __START_KERNEL_map arithmetic, no page
  ['kmem -f ffffffffffff0000', 'kmem: cannot determine page for ffffffffffff0000\n'],
  ['kmem -f ffffffffff5fe000', 'kmem: cannot determine page for ffffffffff5fe000\n'],
  // several addresses: a blank line before each after the first
  ['kmem -f ffffcb6700000000 ffffffff8c001cb0 7f0000001000', '\n\nkmem: cannot determine page for 7f0000001000\n'],
  ['kmem -f ffffffffff000000 ffffffffffff0000', '\nkmem: cannot determine page for ffffffffffff0000\n'],
  // an address in a free block (ffffffff81a01cb0 is not this dump's text: KASLR moved it; the
  // kernel-image map puts it in a free 4 MB block)
  [
    'kmem -f ffffffff81a01cb0',
    'ZONE  NAME        SIZE    FREE      MEM_MAP       START_PADDR  START_MAPNR\n' +
      '  1   DMA32     126944  106330  ffffec1980040000    1000000        4095   \n' +
      'AREA    SIZE  FREE_AREA_STRUCT\n' +
      ' 10    4096k  ffff8b3e9feb7a80  \n' +
      'ffffec19800c0000  (ffffffff81a01cb0 is 2nd of 1024 pages)\n',
  ],
  // a word that is not hexadecimal: a cache name for -s/-S only, else cmd_usage(SYNOPSIS)
  ['kmem panic', 'Usage:\n  kmem [-f|-F|-c|-C|-i|-v|-V|-n|-z|-o|-h] [-p | -m member[,member]]\n       [[-s|-S|-S=cpu[s]|-r] [slab] [-I slab[,slab]]] [-g [flags]] [[-P] address]]\nEnter "help kmem" for details.\n'],
  ['kmem -f panic', 'Usage:\n  kmem [-f|-F|-c|-C|-i|-v|-V|-n|-z|-o|-h] [-p | -m member[,member]]\n       [[-s|-S|-S=cpu[s]|-r] [slab] [-I slab[,slab]]] [-g [flags]] [[-P] address]]\nEnter "help kmem" for details.\n'],
  ['kmem zzz', 'Usage:\n  kmem [-f|-F|-c|-C|-i|-v|-V|-n|-z|-o|-h] [-p | -m member[,member]]\n       [[-s|-S|-S=cpu[s]|-r] [slab] [-I slab[,slab]]] [-g [flags]] [[-P] address]]\nEnter "help kmem" for details.\n'],
];

describe.skipIf(!!skip)('kmem -p / -m / -f with addresses no page (of interest) holds, as crash 8.0.2', () => {
  it('the dump is the one the quotes came from: panic at ffffffff8c001cb0', () => {
    expect(rs().kernel.symbolAddress('panic')).toBe(0xffffffff8c001cb0n);
    expect(rs().mapAddr('panic')).toBe(0xffffffff8c001cb0n);
  });

  for (const [cmd, out] of CRASH) {
    it(cmd, () => {
      expect(rs().run(cmd)).toBe(out);
    });
  }
});
