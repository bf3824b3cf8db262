/**
 * SLUB on the Debian 6.1 reference dump beyond goldens 05 and 17 (refdump-crash.test.ts replays
 * those): kmem -S must agree with kmem -s for every cache (it walks the hardened freelists that
 * kmem -s only counts), and kmem <address> must follow crash's kmem_search order for a free page,
 * a vmalloc'ed stack, a kernel symbol and a slab's struct page. Expectations are re-derived from
 * raw struct reads where crash has no golden. Skips when ../shared is absent.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rs, skipReason } from '../support/ref-session.js';

const skip = skipReason('slab golden tests');

interface CacheLine {
  addr: string;
  allocated: number;
  total: number;
  slabs: number;
  name: string;
}

const cacheLine = (l: string): CacheLine | undefined => {
  const m = /^([0-9a-f]{16}) +\d+ +(\d+) +(\d+) +(\d+) +\d+k {2}(.*)$/.exec(l);
  return m ? { addr: m[1], allocated: +m[2], total: +m[3], slabs: +m[4], name: m[5] } : undefined;
};

describe.skipIf(!!skip)('kmem -s / -S / <address> on x86_64-debian12-sysrq', { timeout: 60_000 }, () => {
  it('kmem -s is quick, and kmem -s list names the caches of golden 05 in its order', () => {
    const r = rs();
    const t0 = performance.now();
    const out = r.run('kmem -s');
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(2000);
    const golden = readFileSync(join(r.ref.goldenDir, '05_kmem_s.txt'), 'latin1');
    expect(out).toBe(golden);
    const names = golden.trimEnd().split('\n').slice(1).map((l) => `${cacheLine(l)!.addr} ${cacheLine(l)!.name}`);
    expect(r.run('kmem -s list').trimEnd().split('\n')).toEqual(names);
  });

  it('kmem -S agrees with kmem -s for every cache: free objects on cpu slabs, cpu partials and node partials', () => {
    const r = rs();
    const lines = r.run('kmem -S').split('\n');
    let cur: (CacheLine & { free: number; nodeSlabs: number }) | undefined;
    const done: (typeof cur)[] = [];
    for (const l of lines) {
      const c = cacheLine(l);
      if (c) {
        if (cur) done.push(cur);
        cur = { ...c, free: 0, nodeSlabs: 0 };
        continue;
      }
      const s = /^ {2}[0-9a-f]{16} {2}[0-9a-f]{16} +\d+ +\d+ +\d+ +(\d+)$/.exec(l);
      if (s && cur) cur.free += +s[1];
      const n = /^[0-9a-f]{16} +\d+ +(\d+) +\d+ +\d+$/.exec(l);
      if (n && cur) cur.nodeSlabs += +n[1];
    }
    done.push(cur);
    expect(done).toHaveLength(145);
    for (const c of done) {
      expect(c!.total - c!.allocated, c!.name).toBe(c!.free);
      expect(c!.slabs, c!.name).toBe(c!.nodeSlabs);
    }
    expect(lines.filter((l) => l.startsWith('kmem:'))).toEqual([]);
  });

  it('kmem -S=1 shows only cpu 1', () => {
    const out = rs().run('kmem -S=1 task_struct');
    expect(out).toContain('CPU 1 KMEM_CACHE_CPU:\n');
    expect(out).not.toContain('CPU 0 ');
  });

  it('kmem <slab struct page>: the whole slab (crash is_slab_page), then the page', () => {
    const out = rs().run('kmem ffffec1980048400').split('\n');
    expect(out.slice(2, 8)).toEqual([
      '  SLAB              MEMORY            NODE  TOTAL  ALLOCATED  FREE',
      '  ffffec1980048400  ffff8b3e81210000     0      3          3     0',
      '  FREE / [ALLOCATED]',
      '  [ffff8b3e81210000]',
      '  [ffff8b3e81212100]',
      '  [ffff8b3e81214200]',
    ]);
    expect(out[9]).toMatch(/^ +PAGE +PHYSICAL +MAPPING +INDEX CNT FLAGS$/);
    expect(out[10]).toMatch(/^ffffec1980048400 +1210000 ffff8b3e811bef00 +0 +1 fffffc0010200 slab,head$/);
  });

  it('kmem <address in a free buddy block>: zone, area, the block and where the page sits in it', () => {
    const r = rs();
    // pfn 0x103f2 lies in a free order-4 block starting at pfn 0x103f0 (PageBuddy, private 4)
    const head = 0xffffec1980000000n + 0x103f0n * 64n;
    expect(r.run(`struct page._mapcount ${head.toString(16)}`)).toMatch(/counter = -129/);
    expect(r.run(`struct page.private ${head.toString(16)}`)).toMatch(/private = 4\n/);
    const out = r.run('kmem ffff8b3e903f2010').split('\n');
    expect(out[0]).toBe('ZONE  NAME        SIZE    FREE      MEM_MAP       START_PADDR  START_MAPNR');
    expect(out[1]).toMatch(/^ {2}1 {3}DMA32 {5}\d{6} {2}[ \d]{6} {2}ffffec1980040000 {4}1000000 {8}\d+ {3}$/);
    expect(out[2]).toBe('AREA    SIZE  FREE_AREA_STRUCT');
    expect(out[3]).toMatch(/^ {2}4 {6}64k {2}ffff8b3e[0-9a-f]{8} {2}$/);
    expect(out[4]).toBe('ffffec198040fc00  (ffff8b3e903f2010 is 3rd of 16 pages)');
    expect(out[5]).toBe('');
    expect(out[7]).toMatch(/^ffffec198040fc80 +103f2000 +0 +0 +0 fffffc0000000$/);
  });

  it('kmem <vmalloc stack address>: the task, the vmap area, then the page behind it', () => {
    const out = rs().run('kmem ffffcb670001be58').split('\n');
    expect(out.slice(0, 6)).toEqual(['    PID: 2', 'COMMAND: "kthreadd"', '   TASK: ffff8b3e81214200  [THREAD_INFO: ffff8b3e81214200]', '    CPU: 1', '  STATE: TASK_INTERRUPTIBLE ', '']);
    expect(out[6]).toBe('   VMAP_AREA         VM_STRUCT                 ADDRESS RANGE                SIZE');
    expect(out[7]).toMatch(/^[0-9a-f]{16} {2}[0-9a-f]{16} {2}ffffcb6700018000 - ffffcb670001d000 {4}20480$/);
    expect(out[8]).toBe('');
    expect(out[10]).toMatch(/^ffffec198004[0-9a-f]{4} +[0-9a-f]+ +0 +0 +1 /);
  });

  it('kmem <kernel data address>: the symbol line first', () => {
    const out = rs().run('kmem ffffffff8c761910').split('\n');
    expect(out.slice(0, 2)).toEqual(['ffffffff8c761910 (D) linux_banner+16', '']);
    expect(out[3]).toMatch(/^ffffec198037[0-9a-f]{4} +dd61000 /);
  });

  it('-e explains the object; -s on a non-slab address says so', () => {
    const r = rs();
    expect(r.run('kmem -e ffff8b3e81210100')).toContain('  object 0 of 3 in this task_struct slab: 8392 bytes in a 8448-byte slot, allocated, the address is 256 bytes into it\n');
    expect(r.run('kmem -s ffff8b3e903f2010')).toBe('kmem: address is not allocated in slab subsystem: ffff8b3e903f2010\n');
  });

  it('rd -S names slab objects; -SS adds the address', () => {
    const r = rs();
    expect(r.run('rd -S ffff8b3e81210050 2')).toMatch(/^ffff8b3e81210050: {2}00000000fffee0c5 \[task_struct\] {4}\n$/);
    expect(r.run('rd -SS ffff8b3e81210058 1')).toMatch(/^ffff8b3e81210058: {2}\[[0-9a-f]{16}:task_struct\] \n$/);
  });
});
