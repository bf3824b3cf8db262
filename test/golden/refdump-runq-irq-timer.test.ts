/**
 * `runq`, `irq` and `timer` on the Debian 6.1 reference dump, byte for byte against crash 8.0.2's
 * outputs in test/golden/crash-8.0.2-extra (manifest.tsv names each file's command line), plus
 * outputs of the same crash 8.0.2 on the same dump for options without a golden file (quoted
 * below). Skips, with the reason, when the reference dump is absent.
 *
 * The one documented difference: crash 8.0.2's `irq -a` prints an empty AFFINITY column. On this
 * kernel irq_common_data.affinity is a cpumask_var_t pointer (CONFIG_CPUMASK_OFFSTACK), and 8.0.2
 * decided pointer-or-array by the symbol alloc_cpumask_var, which became an inline in Linux 6.0;
 * it read the pointer's own bytes as the mask (crash commit 6d0be13, "Fix "irq -a" option on Linux
 * 6.0 and later"). The expected column is computed here from the mask each descriptor points to.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rs, skipReason } from '../support/ref-session.js';

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), 'crash-8.0.2-extra');
const manifest = new Map(
  readFileSync(join(GOLDEN, 'manifest.tsv'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split('\t') as [string, string])
    .map(([file, cmd]) => [cmd, file]),
);
const golden = (cmd: string) => readFileSync(join(GOLDEN, manifest.get(cmd)!), 'latin1');

const skip = skipReason('runq/irq/timer goldens');

describe.skipIf(!!skip)('runq, irq and timer against crash 8.0.2 on x86_64-debian12-sysrq', () => {
  for (const cmd of ['runq', 'runq -t', 'runq -m', 'runq -g', 'runq -c 1', 'irq', 'irq -s', 'irq -b', 'timer', 'timer -r', 'timer -C 1']) {
    it(`${manifest.get(cmd)}: ${cmd}`, () => {
      expect(rs().run(cmd)).toBe(golden(cmd));
    });
  }

  it('13_irq_a.txt: irq -a, with the affinity each descriptor really points to', () => {
    const r = rs();
    const k = r.kernel;
    // the descriptors crash found (11_irq.txt), and their masks read through the affinity pointer
    const descs = new Map<number, bigint>();
    for (const m of golden('irq').matchAll(/^ *(\d+) +([0-9a-f]{16}) /gm)) descs.set(Number(m[1]), BigInt('0x' + m[2]));
    const off = BigInt(k.offsetOf('struct irq_desc', 'irq_common_data.affinity'));
    const expected = golden('irq -a').replace(/^( *(\d+) .{20} )$/gm, (_l, head: string, irq: string) => {
      const mask = r.u64(r.u64(descs.get(Number(irq))! + off)) & 3n; // 2 cpus
      return head + (mask === 3n ? '0-1' : mask === 1n ? '0' : mask === 2n ? '1' : '');
    });
    expect(expected).not.toBe(golden('irq -a'));
    expect(rs().run('irq -a')).toBe(expected);
  });

  // crash 8.0.2 on the same dump (crash -s vmlinux vmcore.elf -i cmds), for options without a golden file
  it('runq -d and runq -T as crash 8.0.2 prints them', () => {
    expect(rs().run('runq -d')).toBe(
      [
        'CPU 0',
        '     [120] PID: 0      TASK: ffffffff8d01aa40  COMMAND: "swapper/0"',
        '',
        'CPU 1',
        '     [120] PID: 0      TASK: ffff8b3e8127c200  COMMAND: "swapper/1"',
        '     [120] PID: 1      TASK: ffff8b3e81210000  COMMAND: "init"',
        '',
      ].join('\n'),
    );
    expect(rs().run('runq -T')).toBe('  CPU 1: 0.00 secs\n  CPU 0: 0.00 secs\n');
  });

  it('irq N, irq -s -c, and crash\'s errors for bad irq numbers', () => {
    const head = ' IRQ   IRQ_DESC/_DATA      IRQACTION      NAME\n';
    expect(rs().run('irq 3 500')).toBe(`${head}  3   ffff8b3e81127600      (unused)      \nirq: invalid IRQ value: 500  (439 max)\n`);
    expect(rs().run('irq 1 x')).toBe(`${head}  1   ffff8b3e81127400  ffff8b3e8189d580  "i8042"\nirq: x: "x" is not a digit 0 - 9\n`);
    expect(rs().run('irq -u')).toBe(golden('irq').split('\n').slice(0, 17).join('\n') + '\n');
    const s1 = [
      '           CPU1 ',
      '  0:          0  IO-APIC-edge     timer',
      '  1:          9  IO-APIC-edge     i8042',
      '  4:          2  IO-APIC-edge     ttyS0',
      '  8:          0  IO-APIC-edge     rtc0',
      '  9:          0  IO-APIC-fasteoi  acpi',
      ' 12:          0  IO-APIC-edge     i8042',
      '',
    ];
    expect(rs().run('irq -s -c 1')).toBe(s1.join('\n'));
  });

  it('timer -C 0 is the cpu 0 part of timer; bad cpu specifications are errors', () => {
    const all = golden('timer');
    expect(rs().run('timer -C 0')).toBe(all.slice(0, all.indexOf('\n\nTIMER_BASES[1]') + 1));
    expect(rs().run('timer -C 7')).toMatch(/^timer: invalid cpu specification: 7\n$/);
    expect(rs().run('runq -c 1,5')).toMatch(/^runq: invalid cpu specification: 1,5\n$/);
  });
});
