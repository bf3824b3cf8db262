/**
 * kmem's whole-system reports on the Debian 6.1 reference dump, byte for byte against crash 8.0.2
 * (goldens 00-07, 60 and 73 of crash-8.0.2-extra), on the ELF vmcore and on the kdump-zlib
 * flattened file alike; plus what crash 8.0.2 printed (run by hand on the same dump, quoted
 * below) for kmem -f <address>, -g <flags>, -v <address>, a physical address in vmalloc space,
 * and the options 6.1 has nothing for; and a corrupted free list ending in crash's words.
 * Skips, with the reason, when ../shared is absent.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { refdump } from '../support/refdump.js';
import { openKernel } from '../../src/kernel/open.js';
import { Session } from '../../src/session/session.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { walkFreeList } from '../../src/kernel/helpers/buddy.js';

const ref = refdump();
const skip = typeof ref === 'string' ? ref : undefined;
if (skip) console.log(`kmem report golden tests skipped: ${skip}`);

const GOLDEN = join(import.meta.dirname, 'crash-8.0.2-extra');
const COMMANDS = /^kmem -([fFvVznohg]|P 1210000)$/;
const manifest = readFileSync(join(GOLDEN, 'manifest.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t'));
const mine = manifest.filter(([, c]) => COMMANDS.test(c));
const golden = (file: string) => readFileSync(join(GOLDEN, file), 'latin1');

function session(path: string): { k: Kernel; run: (l: string) => string } {
  const k = openKernel(path);
  const s = new Session(k, { dumpPath: path, silent: true });
  return { k, run: (l) => s.runLine(l).text };
}

describe.skipIf(!!skip)('crash 8.0.2 kmem report goldens', { timeout: 120_000 }, () => {
  const r = ref as Exclude<typeof ref, string>;

  it('covers goldens 00-07, 60 and 73', () => {
    expect(mine.map(([f]) => f.slice(0, 2))).toEqual(['00', '01', '02', '03', '04', '05', '06', '07', '60', '73']);
  });

  for (const [label, file] of [
    ['ELF vmcore', () => r.elf],
    ['kdump-zlib flattened', () => r.kdump],
  ] as const) {
    describe(label, () => {
      const s = skip || !existsSync(file()) ? undefined : session(file());
      for (const [f, command] of mine) {
        it(`${f}: ${command}`, () => {
          expect(s!.run(command)).toBe(golden(f));
        });
      }
    });
  }

  describe('beyond the goldens: what crash 8.0.2 printed on this dump', () => {
    const s = skip ? undefined : session(r.elf);
    const run = (l: string) => s!.run(l);
    const DMA = [
      'ZONE  NAME        SIZE    FREE      MEM_MAP       START_PADDR  START_MAPNR',
      '  0   DMA         4095    3808  ffffec1980000040      1000          0     ',
      'AREA    SIZE  FREE_AREA_STRUCT',
      '  5     128k  ffff8b3e9feb72b8  ',
    ].join('\n');
    const VMAP = [
      '   VMAP_AREA         VM_STRUCT                 ADDRESS RANGE                SIZE',
      'ffff8b3e8104d6c0  ffff8b3e81120040  ffffcb6700000000 - ffffcb6700005000    20480',
    ].join('\n');
    const PAGE_HDR = '      PAGE       PHYSICAL      MAPPING       INDEX CNT FLAGS';
    const USAGE = [
      'Usage:',
      '  kmem [-f|-F|-c|-C|-i|-v|-V|-n|-z|-o|-h] [-p | -m member[,member]]',
      '       [[-s|-S|-S=cpu[s]|-r] [slab] [-I slab[,slab]]] [-g [flags]] [[-P] address]]',
      'Enter "help kmem" for details.',
    ].join('\n');

    it('kmem -f <address>: the free block holding a page pointer or a physical address; nothing for a used page', () => {
      expect(run('kmem -f ffffec1980004800')).toBe(`${DMA}\nffffec1980004800  (ffffec1980004800 is 1st of 32 pages)\n`);
      expect(run('kmem -f 121000')).toBe(`${DMA}\nffffec1980004800  (121000 is 2nd of 32 pages)\n`);
      expect(run('kmem -f ffffec1980004800 ffffec1980004840')).toBe(
        `${DMA}\nffffec1980004800  (ffffec1980004800 is 1st of 32 pages)\n\n${DMA}\nffffec1980004800  (ffffec1980004840 is 2nd of 32 pages)\n`,
      );
      expect(run('kmem -f ffff8b3e81210000')).toBe('');
      expect(run('kmem -f ffffcb6700001000')).toBe('');
      expect(run('kmem -f 7ffffff000')).toBe('kmem: cannot determine page for 7ffffff000\n');
    });

    it('kmem <address> in a free block: the block, then the page', () => {
      expect(run('kmem ffffec1980004840')).toBe(
        `${DMA}\nffffec1980004800  (ffffec1980004840 is 2nd of 32 pages)\n\n${PAGE_HDR}\nffffec1980004840   121000                0        0  0 7ffffc0000000\n`,
      );
    });

    it('vmalloc: kmem -v <address>, a vmalloc address, and a physical address mapped there (-P or not)', () => {
      const page = `${PAGE_HDR}\nffffec19807d00c0 1f403000                0        0  1 fffffc0001000 reserved\n`;
      expect(run('kmem -v ffffcb6700001000')).toBe(`${VMAP}\n`);
      expect(run('kmem -v 1f403000')).toBe(`${VMAP}\n`);
      expect(run('kmem -v ffff8b3e81210000')).toBe(`${VMAP.split('\n')[0]}\n`);
      expect(run('kmem ffffcb6700001000')).toBe(`${VMAP}\n\n${page}`);
      expect(run('kmem -P 1f403000')).toBe(`${VMAP}\n\n${page}`);
      expect(run('kmem 1f403000')).toBe(`${VMAP}\n\n${page}`);
      // -P makes a vmalloc address physical: no page there
      expect(run('kmem -P ffffcb6700001000')).toBe('kmem: cannot determine page for ffffcb6700001000\nffffcb6700001000: physical address not found in mem map\n');
    });

    it('kmem -g <flags>: the bits set, indented; (none found); 0 is the whole table', () => {
      const g = ['  PAGE-FLAG              BIT  VALUE', '  PG_slab                  9  0000200', '  PG_head                 16  0010000'].join('\n');
      expect(run('kmem -g 10200')).toBe(`FLAGS: 10200\n${g}\n`);
      expect(run('kmem -g 10200 fffffc0010200')).toBe(`FLAGS: 10200\n${g}\n\nFLAGS: fffffc0010200\n${g}\n`);
      expect(run('kmem -g 80000000')).toBe('FLAGS: 80000000\n  PAGE-FLAG              BIT  VALUE\n  (none found)\n');
      expect(run('kmem -g 0')).toBe(golden('60_kmem_g.txt'));
    });

    it('the LRU and page-cache-hash options 6.1 has nothing for, and address arguments where none is taken', () => {
      expect(run('kmem -l a')).toBe('kmem: active_list does not exist in this kernel\n');
      expect(run('kmem -L i')).toBe('kmem: inactive_list does not exist in this kernel\n');
      expect(run('kmem -l ic')).toBe('kmem: inactive_clean_list(s) do not exist in this kernel\n');
      expect(run('kmem -L id')).toBe('kmem: inactive_dirty_list does not exist in this kernel\n');
      expect(run('kmem -l x')).toBe(`${USAGE}\n`);
      expect(run('kmem -c')).toBe('kmem: -c option not supported or applicable on this architecture or kernel\n');
      expect(run('kmem -C')).toBe('kmem: -C option not supported or applicable on this architecture or kernel\n');
      expect(run('kmem -c 1000')).toBe('kmem: -c option not supported or applicable on this architecture or kernel\n');
      for (const c of ['kmem -C 1000', 'kmem -z 1', 'kmem -o 1']) expect(run(c)).toBe(`kmem: no address arguments allowed with this option\n${USAGE}\n`);
    });

    it('a free list looping back to its second block ends kmem -f in crash do_list words', () => {
      const k = s!.k;
      // DMA32 (zone 1) order 10, MIGRATE_MOVABLE: 100 blocks; make the third point back to the second
      const list = 0xffff8b3e9feb7a80n;
      const first = k.readPtr(list);
      const second = k.readPtr(first);
      const third = k.readPtr(second);
      const bent = Object.create(k) as Kernel;
      bent.readPtr = (addr: bigint, what?: string) => (addr === third ? second : k.readPtr(addr, what));
      const out = new Session(bent, { dumpPath: r.elf, silent: true }).runLine('kmem -f').text;
      const expected = golden('00_kmem_f.txt').split('\n  0       4k  ffff8b3e9feb7700')[0].length;
      expect(out.length).toBeGreaterThan(expected);
      expect(out).toMatch(
        new RegExp(
          ' 10    4096k  ffff8b3e9feb7a70       0      0\n 10    4096k  ffff8b3e9feb7a80  \n' +
            `kmem: duplicate list entry: ${second.toString(16)}\nkmem: corrupted free list 1 from free_area struct: ffff8b3e9feb7a70\n$`,
        ),
      );
      const verbose = new Session(bent, { dumpPath: r.elf, silent: true }).runLine('kmem -F').text;
      expect(verbose).toContain(`${(second - 8n).toString(16)}\n\nkmem: duplicate list entry: ${second.toString(16)}\n`);
    });
  });
});

describe('walkFreeList', () => {
  const fake = (next: Record<string, bigint>) => ({ readPtr: (a: bigint) => next[a.toString(16)] ?? (() => { throw new Error(`read ${a.toString(16)}`); })() }) as unknown as Kernel;

  it('ends at the head, NULL, the first entry or a self-loop; a revisit of a later entry is a duplicate', () => {
    expect(walkFreeList(fake({ 100: 0x100n }), 0x100n, 8, new Set())).toEqual({ pages: [] });
    expect(walkFreeList(fake({ 100: 0x208n, 208: 0x308n, 308: 0x100n }), 0x100n, 8, new Set()).pages).toEqual([0x200n, 0x300n]);
    expect(walkFreeList(fake({ 100: 0x208n, 208: 0x308n, 308: 0x208n }), 0x100n, 8, new Set()).error).toBeUndefined();
    expect(walkFreeList(fake({ 100: 0x208n, 208: 0x208n }), 0x100n, 8, new Set()).pages).toEqual([0x200n]);
    expect(walkFreeList(fake({ 100: 0x208n, 208: 0n }), 0x100n, 8, new Set()).pages).toEqual([0x200n]);
    const dup = walkFreeList(fake({ 100: 0x208n, 208: 0x308n, 308: 0x408n, 408: 0x308n }), 0x100n, 8, new Set());
    expect(dup.error).toEqual({ kind: 'duplicate', entry: 0x308n });
    expect(dup.pages).toEqual([0x200n, 0x300n, 0x400n, 0x300n]);
  });

  it('a page already seen on another list is a duplicate; an unreadable entry is invalid', () => {
    expect(walkFreeList(fake({ 100: 0x208n, 208: 0x100n }), 0x100n, 8, new Set([0x200n])).error).toEqual({ kind: 'duplicate', entry: 0x208n });
    expect(walkFreeList(fake({ 100: 0x208n }), 0x100n, 8, new Set()).error).toEqual({ kind: 'invalid', entry: 0x208n });
  });
});
