/**
 * kmem -s / -S / <address> on the usercopy-kmalloc512 scenario (a 3.10 SLUB kernel: slab fields in
 * struct page, tails linked by PG_tail + first_page, two NUMA nodes), whose slab_caches section
 * the builder lays out as SLUB does; and the SLUB helpers on small inputs.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { buildScenarioDump } from '../../src/synth/build.js';
import { kernelFromDump } from '../../src/kernel/open.js';
import { Session } from '../../src/session/session.js';
import { dumpsDir } from '../../src/synth/bundled.js';
import { readField, swab64 } from '../../src/kernel/helpers/slab.js';
import { memoryNodes, pfnToNid } from '../../src/kernel/helpers/mm.js';
import { getopt } from '../../src/commands/getopt.js';

const dir = join(dumpsDir(), 'usercopy-kmalloc512');
const session = new Session(kernelFromDump(buildScenarioDump(dir)), { dumpPath: dir, silent: true });
const run = (l: string) => session.runLine(l).text;
const CACHE = 'ffff9ca27fc07600      512     242454    464512   7258    32k  kmalloc-512';
const HEADER = 'CACHE             OBJSIZE  ALLOCATED     TOTAL  SLABS  SSIZE  NAME';

describe('kmem -s on a 3.10 SLUB scenario', () => {
  it('computes ALLOCATED/TOTAL/SLABS from the cpu slab, the partial lists and the node counters', () => {
    expect(run('kmem -s')).toBe(`${HEADER}\n${CACHE}\n`);
    expect(run('kmem -s kmalloc-512')).toBe(`${HEADER}\n${CACHE}\n`);
    expect(run('kmem -s ffff9ca27fc07600')).toBe(`${HEADER}\n${CACHE}\n`);
    expect(run('kmem -s no-such-cache')).toBe('');
    expect(run('kmem -s list')).toBe('ffff9ca27fc07600 kmalloc-512\n');
    expect(run('kmem -s -I kmalloc-512')).toBe(`${HEADER}\nffff9ca27fc07600 [IGNORED]                                    kmalloc-512\n`);
  });

  it('kmem <address>: the cache, the slab on node 1, the object, then the tail page', () => {
    expect(run('kmem ffff9cba0bf75400')).toBe(
      [
        HEADER,
        CACHE,
        '  SLAB              MEMORY            NODE  TOTAL  ALLOCATED  FREE',
        '  fffff597a42fdc00  ffff9cba0bf70000     1     64         59     5',
        '  FREE / [ALLOCATED]',
        '  [ffff9cba0bf75400]',
        '',
        '      PAGE         PHYSICAL      MAPPING       INDEX CNT FLAGS',
        'fffff597a42fdd40 190bf75000                0        0  0 6fffff00008000 tail',
        '',
      ].join('\n'),
    );
  });

  it('-e explains the object and the tail page', () => {
    const out = run('kmem -e ffff9cba0bf75510').split('\n');
    expect(out).toContain('  [ffff9cba0bf75400]');
    expect(out).toContain('  object 42 of 64 in this kmalloc-512 slab: 512 bytes, allocated, the address is 272 bytes into it');
    expect(out).toContain('  tail page of a 32k compound page: refcount and flags live in head fffff597a42fdc00 (slab page of kmem_cache "kmalloc-512")');
  });

  it('kmem -S <address> lists every object of the slab, the free ones from its freelist', () => {
    const out = run('kmem -S ffff9cba0bf75400').split('\n');
    const objs = out.filter((l) => /^ {2}(\[| )ffff9cba0bf7/.test(l));
    expect(objs).toHaveLength(64);
    const free = objs.filter((l) => l.startsWith('   ')).map((l) => l.trim());
    expect(free.sort()).toEqual(['ffff9cba0bf70e00', 'ffff9cba0bf73200', 'ffff9cba0bf76600', 'ffff9cba0bf77400', 'ffff9cba0bf77c00']);
  });

  it('kmem -S: the cpu slab with its cpu freelist, each node and its partial list', () => {
    const out = run('kmem -S kmalloc-512').split('\n');
    const at = (s: string) => out.indexOf(s);
    expect(out.slice(0, 2)).toEqual([HEADER, CACHE]);
    expect(out.slice(at('CPU 9 SLAB:'), at('CPU 9 SLAB:') + 4)).toEqual([
      'CPU 9 SLAB:',
      '  SLAB              MEMORY            NODE  TOTAL  ALLOCATED  FREE',
      '  fffff59768000000  ffff9cab00000000     0     64         61     3',
      '  FREE / [ALLOCATED]',
    ]);
    expect(out.filter((l) => l.endsWith('(cpu 9 cache)'))).toEqual(['   ffff9cab00000a00  (cpu 9 cache)', '   ffff9cab00002200  (cpu 9 cache)', '   ffff9cab00005000  (cpu 9 cache)']);
    expect(out.filter((l) => l === 'CPU 0 SLAB:' || l === '  (empty)').length).toBeGreaterThan(12);
    expect(out).toContain('ffff9ca27fc09000     0   3629     1735        1');
    expect(out).toContain('ffff9ca27fc09100     1   3629     1736        0');
    const p1 = at('NODE 1 PARTIAL:');
    expect(out[p1 + 2]).toBe('  fffff597a42fdc00  ffff9cba0bf70000     1     64         59     5');
    expect(out[p1 + 3]).toBe('  fffff597a0000000  ffff9cb900000000     1     64          0    64');
    const slabLines = out.filter((l) => /^ {2}fffff597[0-9a-f]{8} {2}ffff/.test(l));
    expect(slabLines).toHaveLength(1 + 1735 + 1736);
    expect(out.slice(-4)).toEqual(['NODE 1 FULL:', '  (not tracked)', '', '']);
  });

  it('-S=cpus restricts the cpus shown', () => {
    const out = run('kmem -S=9 kmalloc-512');
    expect(out).toContain('CPU 9 KMEM_CACHE_CPU:');
    expect(out).not.toContain('CPU 8 ');
  });

  it('an address outside any slab, through -s', () => {
    expect(run('kmem -s ffff9cb0e3b388f8')).toBe('kmem: address is not allocated in slab subsystem: ffff9cb0e3b388f8\n');
  });

  it('rd -S names the cache of slab objects', () => {
    expect(run('rd -S ffff9cba0bf77c00 1')).toBe('ffff9cba0bf77c00:  [kmalloc-512]    \n');
  });

  it('the builder places two nodes, and pages map to them by pfn', () => {
    const k = session.kernel;
    expect(memoryNodes(k).map((n) => [n.id, n.startPfn, n.spannedPages])).toEqual([
      [0, 0n, 0x1080000n],
      [1, 0x1080000n, 0x1000000n],
    ]);
    expect(pfnToNid(k, 0x190bf70n)).toBe(1);
    expect(pfnToNid(k, 0x100n)).toBe(0);
  });
});

describe('SLUB helpers', () => {
  it('swab64 and bitfields as the kernel lays them', () => {
    expect(swab64(0x0102030405060708n)).toBe(0x0807060504030201n);
    // counters: inuse:16, objects:15, frozen:1
    const b = Uint8Array.of(59, 0, 64, 0x80);
    expect(readField(b, { bit: 0, bits: 16 })).toBe(59n);
    expect(readField(b, { bit: 16, bits: 15 })).toBe(64n);
    expect(readField(b, { bit: 31, bits: 1 })).toBe(1n);
  });

  it('getopt: an optional argument only when attached (-S=1,4)', () => {
    const specs = { S: { optionalArg: true, help: '' }, s: { help: '' } };
    expect(getopt(['-S=1,4', 'x'], specs).values.get('S')).toEqual(['=1,4']);
    const plain = getopt(['-S', 'x'], specs);
    expect(plain.flags.has('S')).toBe(true);
    expect(plain.values.has('S')).toBe(false);
    expect(plain.args).toEqual(['x']);
  });
});
