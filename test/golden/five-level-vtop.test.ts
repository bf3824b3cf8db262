/**
 * vtop on the real 5-level-paging (LA57) dump (see five-level.test.ts for how it is made): the
 * kernel walk prints the P4D level between PAGE DIRECTORY and PUD, as crash's x86_64_kvtop does
 * with VM_5LEVEL. The layout changes with each capture, so the expected text is built from the
 * dump's own page tables, read here entry by entry.
 */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_DIR } from '../support/refdump.js';
import { runCli } from '../support/run-cli.js';
import { openKernel } from '../../src/kernel/open.js';
import { pfnToPage } from '../../src/kernel/helpers/mm-page.js';

const DUMP = join(CACHE_DIR, 'x86_64-5level', 'vmcore.elf');
const skip = existsSync(DUMP) ? undefined : `${DUMP} absent (run scripts/capture-5level.sh)`;
if (skip) console.log(`5-level vtop tests skipped: ${skip}`);

const x = (v: bigint) => v.toString(16);
const MASK = ((1n << 52n) - 1n) & ~0xfffn;

describe.skipIf(!!skip)('vtop on the 5-level dump', { timeout: 60_000 }, () => {
  it('walks PGD, P4D, PUD, PMD (2MB kernel text) and prints the page', () => {
    const k = openKernel(DUMP);
    const va = k.symbolAddress('init_task');
    const pgd = k.symbolAddress('init_top_pgt');
    const u64 = (pa: bigint) => {
      const b = k.mem.readPhys(pa, 8);
      return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
    };
    const e = (table: bigint, shift: bigint) => (table & MASK) + ((va >> shift) & 0x1ffn) * 8n;
    const pgdE = e(k.arch.kernelRoot, 48n);
    const p4dE = e(u64(pgdE), 39n);
    const pudE = e(u64(p4dE), 30n);
    const pmdE = e(u64(pudE), 21n);
    const pmd = u64(pmdE);
    expect(pmd & 0x80n).toBe(0x80n); // the kernel image is mapped with 2MB pages
    const paddr = k.arch.linearToPhys(va)!;
    const page = pfnToPage(k, paddr >> 12n)!;
    const [pgdV, p4dV, pudV] = [u64(pgdE), u64(p4dE), u64(pudE)];
    k.dump.close();

    const { stdout } = runCli(['-s', DUMP], `vtop ${x(va)}\n`);
    const lines = stdout.split('\n');
    expect(lines.slice(0, 11)).toEqual([
      'VIRTUAL           PHYSICAL        ',
      `${x(va)}  ${x(paddr).padEnd(16)}`,
      '',
      `PGD DIRECTORY: ${x(pgd)}`,
      `PAGE DIRECTORY: ${x(pgdV)}`,
      `   P4D: ${x(p4dE)} => ${x(p4dV)}`,
      `   PUD: ${x(pudE)} => ${x(pudV)}`,
      `   PMD: ${x(pmdE)} => ${x(pmd)}`,
      `  PAGE: ${x(pmd & MASK)}  (2MB)`,
      '',
      '      PTE         PHYSICAL  FLAGS',
    ]);
    expect(lines[11]).toMatch(new RegExp(`^${x(pmd)} +${x(pmd & MASK)}  \\(PRESENT\\|.*PSE\\|GLOBAL\\|NX\\)$`));
    expect(lines[13]).toBe('      PAGE       PHYSICAL      MAPPING       INDEX CNT FLAGS');
    expect(lines[14]).toMatch(new RegExp(`^${x(page)} +${x(paddr & ~0xfffn)} `));
  });

  it('kmem -i and kmem -p run on the 2 MB root table of 5-level SPARSEMEM', () => {
    const { stdout } = runCli(['-s', DUMP], 'kmem -i\nkmem -p 1000\n');
    expect(stdout).toMatch(/^ {4}TOTAL MEM +\d+ +[\d.]+ MB +----$/m);
    expect(stdout).toMatch(/^ff[0-9a-f]{14} +1000 +0 +0 +1 [0-9a-f]+ reserved$/m);
  });
});
