/**
 * Every crash 8.0.2 output in test/golden/crash-8.0.2-extra (scripts/crash-goldens.sh), accounted
 * for: ours equals it byte for byte, or it is listed below with the reason it differs and the test
 * that checks the parts crash gets right. A listed one must still differ (when it starts to equal
 * crash, take it off the list), and every manifest line is one or the other.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rs, skipReason } from '../support/ref-session.js';

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), 'crash-8.0.2-extra');
const manifest = readFileSync(join(GOLDEN, 'manifest.tsv'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => l.split('\t') as [string, string]);

const crashWrong = 'crash 8.0.2 finds 3 of the 61 tasks (it cannot walk the 6.1 PID xarray)';
const staleFrames = 'crash 8.0.2 adds 15 stale frames after do_syscall_64; ours follows ORC (refdump-ps-bt-options.test.ts)';
/** command → why ours differs from crash 8.0.2 on this dump, and where the right parts are checked */
const DIFFERS: Record<string, string> = {
  'bt -f': staleFrames,
  'bt -F': staleFrames,
  'bt -l': `${staleFrames}; no DWARF line numbers`,
  'bt -r': 'crash names words by vmlinux-only .LC labels; we name them by the nearest kallsyms symbol (refdump-ps-bt-options.test.ts)',
  'bt -s': staleFrames,
  'bt -x': staleFrames,
  'bt -c 0': 'crash prints a "possibly bogus exception frame" for swapper/0 (refdump-ps-bt-options.test.ts)',
  'dis -l sysrq_handle_crash': 'no DWARF: we say line numbers are not available (dis-mach-refdump.test.ts)',
  'foreach bt': `${crashWrong}; ${staleFrames} (refdump-foreach-search.test.ts)`,
  'foreach RU bt': `${crashWrong}; crash's bogus swapper/0 exception frame (refdump-foreach-search.test.ts)`,
  'foreach files': `${crashWrong} (refdump-foreach-search.test.ts: crash's three blocks are our first three)`,
  'foreach net': `${crashWrong} (refdump-foreach-search.test.ts)`,
  'foreach task -R comm': `${crashWrong} (refdump-foreach-search.test.ts)`,
  'irq -a': 'crash 8.0.2 read the cpumask pointer as the mask (fixed in crash 8.0.4) (refdump-runq-irq-timer.test.ts)',
  mach: 'crash says CPUS: 2 [OFFLINE: 1]; both were online (dis-mach-refdump.test.ts)',
  'ps -S': `${crashWrong} (refdump-ps-bt-options.test.ts)`,
  'ps -y 1': `${crashWrong}: it lists no SCHED_FIFO migration threads (refdump-ps-bt-options.test.ts)`,
  'search -k -m ffff000000000000 ffff8b3e81210000': 'a crash `vm` error is mixed into crash\'s output (refdump-foreach-search.test.ts)',
  'search -u -c init': 'crash 8.0.2 fails on the 6.1 maple tree (refdump-foreach-search.test.ts)',
  'vm 1': 'crash 8.0.2 fails on the 6.1 maple tree and leaves MM_SHMEMPAGES out of RSS (refdump-foreach-search.test.ts)',
  'vm -p 1': 'crash 8.0.2 fails on the 6.1 maple tree (refdump-foreach-search.test.ts)',
};

const skip = skipReason('crash-8.0.2-extra accounting');

describe.skipIf(!!skip)('crash 8.0.2 extra goldens on x86_64-debian12-sysrq, all accounted for', () => {
  it('lists only manifest commands', () => {
    const cmds = new Set(manifest.map(([, c]) => c));
    expect(Object.keys(DIFFERS).filter((c) => !cmds.has(c))).toEqual([]);
  });
  for (const [file, cmd] of manifest) {
    const why = DIFFERS[cmd];
    it(`${file}: ${cmd}${why ? ' (differs: ' + why + ')' : ''}`, () => {
      const expected = readFileSync(join(GOLDEN, file), 'latin1');
      if (why) expect(rs().run(cmd)).not.toBe(expected);
      else expect(rs().run(cmd)).toBe(expected);
    });
  }
});
