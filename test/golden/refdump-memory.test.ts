/**
 * Memory commands on the Debian 6.1 reference dump: crash 8.0.2's vtop, kmem -p and kmem -i
 * outputs (goldens 04, 15, 16, 18) replayed byte for byte in one session, as goldens.sh ran
 * them, plus ptov/btop/ptob, the whole mem_map, user addresses and the -e explanations.
 * Skips, with the reason, when ../shared is absent.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { refdump } from '../support/refdump.js';
import { runCli, runLikeGoldens } from '../support/run-cli.js';
import { KMEM_I_SLAB_TRUTH, replaceKmemiSlabLine, restoreVtopPageHeader } from '../support/crash-quirks.js';
import { openKernel } from '../../src/kernel/open.js';
import { globalPageState } from '../../src/kernel/helpers/vmstat.js';
import { memMapCounts } from '../../src/kernel/helpers/mem-map-counts.js';
import { pageFlagBit } from '../../src/kernel/helpers/page.js';

const ref = refdump();
const skip = typeof ref === 'string' ? ref : undefined;
if (skip) console.log(`memory golden tests skipped: ${skip}`);

const MINE = /^(vtop|kmem -i$|kmem -p)/;

describe.skipIf(!!skip)('crash 8.0.2 memory goldens on x86_64-debian12-sysrq', { timeout: 60_000 }, () => {
  const r = ref as Exclude<typeof ref, string>;
  const manifest = skip ? [] : readFileSync(join(r.goldenDir, 'manifest.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t'));
  const mine = manifest.filter(([, c]) => MINE.test(c));
  const outputs = skip ? new Map<string, string>() : runLikeGoldens(r.elf, mine.map(([, c]) => c));
  const golden = (file: string) => readFileSync(join(r.goldenDir, file), 'latin1');
  const pageHeader = () => golden(manifest.find(([, c]) => c.startsWith('kmem -p'))![0]).split('\n')[0];

  it('covers goldens 04, 15, 16 and 18', () => {
    expect(mine.map(([f]) => f.slice(0, 2)).sort()).toEqual(['04', '15', '16', '18']);
  });

  for (const [file, command] of mine) {
    it(`${file}: ${command}`, () => {
      let expected = golden(file);
      if (command.startsWith('vtop ')) expected = restoreVtopPageHeader(expected, pageHeader());
      if (command === 'kmem -i') expected = replaceKmemiSlabLine(expected, KMEM_I_SLAB_TRUTH);
      expect(outputs.get(command)).toBe(expected);
    });
  }

  it("kmem -i SLAB: the kernel's counters, and crash 8.0.2's 2178 is the count of PG_slab heads", () => {
    const k = openKernel(r.elf);
    try {
      const slab = globalPageState(k, 'NR_SLAB_RECLAIMABLE_B')! + globalPageState(k, 'NR_SLAB_UNRECLAIMABLE_B')!;
      expect(slab).toBe(3925n);
      expect(golden('04_kmem_i.txt')).toMatch(/^ {9}SLAB {5}2178 /m);
      expect(memMapCounts(k, pageFlagBit(k, 'slab'), pageFlagBit(k, 'reserved')).slab).toBe(2178n);
    } finally {
      k.dump.close();
    }
  });

  it('kmem -p lists every page of every present section, quickly', () => {
    const t0 = performance.now();
    const { stdout } = runCli(['-s', r.elf], 'kmem -p\n');
    const ms = performance.now() - t0;
    const lines = stdout.split('\n').filter(Boolean);
    expect(lines.length).toBe(1 + 4 * 32768); // 512 MB: four 128 MB sections
    expect(lines[0]).toBe(pageHeader());
    expect(lines).toContain(golden('18_kmem_p_1000.txt').split('\n')[1]);
    expect(lines[1]).toMatch(/^ffffec1980000000 +0 /);
    expect(ms).toBeLessThan(15_000);
  });

  it('kmem -p accepts a page pointer, a kernel virtual and a physical address; -e explains', () => {
    const { stdout } = runCli(['-s', r.elf], 'kmem -p ffffec1980048400 ffff8b3e81210000 1210000\nkmem -p -e ffffec1980048440\n');
    const rows = stdout.split('\n').filter((l) => l.startsWith('ffffec1980048400 '));
    expect(rows).toHaveLength(3);
    expect(stdout.split('\n').filter((l) => l === pageHeader())).toHaveLength(2);
    expect(stdout).toMatch(/^ffffec1980048440 +1211000 .*\n {2}tail page of a \d+k compound page: refcount and flags live in head ffffec1980048400 \(slab page of kmem_cache "[^"]+"\)$/m);
  });

  it('ptov, per-cpu ptov, btop and ptob', () => {
    const { stdout } = runCli(['-s', r.elf], 'ptov 56e000\nptov 0:a\nptov 10 20:1\nbtop 512a000\nptob 512a 100\n');
    expect(stdout).toBe(
      [
        'VIRTUAL           PHYSICAL        ',
        'ffff8b3e8056e000  56e000          ',
        'PER-CPU OFFSET: 0',
        '  CPU    VIRTUAL         ',
        '  [0]  ffff8b3e9f400000',
        '  [1]  ffff8b3e9f500000',
        'VIRTUAL           PHYSICAL        ',
        'ffff8b3e80000010  10              ',
        '',
        'PER-CPU OFFSET: 20',
        '  CPU    VIRTUAL         ',
        '  [1]  ffff8b3e9f500020',
        '512a000: 512a',
        '512a: 512a000',
        '64: 64000',
        '',
      ].join('\n'),
    );
  });

  it('vtop of user addresses: the task pgd walk, the VMA, the page; -c and -e', () => {
    // PID 1 (init, the panic task): busybox text, its stack, an unmapped page of its text VMA
    const { stdout } = runCli(['-s', r.elf], 'vtop 401000\nvtop -c 1 -e 7ffd91e436e0 500000\nvtop -c ffff8b3e81210000 12345678\n');
    expect(stdout).toContain(
      [
        'VIRTUAL     PHYSICAL        ',
        '401000      1fe20000        ',
        '',
        '   PGD: 1104000 => 2816067',
        '   PUD: 2816000 => 2817067',
        '   PMD: 2817010 => 2813067',
        '   PTE: 2813008 => 1fe20025',
        '  PAGE: 1fe20000  ', // x86_64_uvtop_level4: "  PAGE: %lx  %s" with an empty %s (not ZERO PAGE)
        '',
        '  PTE     PHYSICAL  FLAGS',
        '1fe20025  1fe20000  (PRESENT|USER|ACCESSED)',
        '',
        '      VMA           START       END     FLAGS FILE',
        'ffff8b3e8269aab0     401000     585000 8000075 /bin/busybox',
        '',
        '      PAGE       PHYSICAL      MAPPING       INDEX CNT FLAGS',
        'ffffec19807f8800 1fe20000 ffff8b3e81b69778        1  7 fffffc008003e referenced,uptodate,dirty,lru,active,swapbacked',
      ].join('\n'),
    );
    expect(stdout).toMatch(/^EXPLANATION: writable user page, not executable \(NX\), 4K mapping, dirty; anonymous page/m);
    expect(stdout).toContain('500000      (not mapped)\n');
    expect(stdout).toContain('\nFILE: /bin/busybox  OFFSET: 100000\n');
    expect(stdout).toContain('12345678    (not accessible)\n');
  });

  it('vtop -e says what a kernel mapping is; errors read as crash', () => {
    const { stdout } = runCli(['-s', r.elf], 'vtop -e ffffffff8c761900\nvtop -c 99999 1000\nvtop 800000000000\nvtop -u -k 1000\nvtop -k 1000\n');
    expect(stdout).toMatch(/^EXPLANATION: read-only kernel page \(RW clear\), not executable \(NX\), 2MB mapping, .*; reserved page/m);
    expect(stdout).toContain('vtop: invalid task or pid value: 99999\n');
    expect(stdout).toContain('vtop: ambiguous address: 800000000000  (requires -u or -k)\n');
    expect(stdout).toContain('vtop: -u and -k options are mutually exclusive\n');
    expect(stdout).toContain('1000      (not a kernel virtual address)\n\n');
  });
});
