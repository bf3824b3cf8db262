/**
 * foreach, search, sig, dev, swap, vm and log -a on every bundled scenario dump: each command
 * answers in crash's words (output or a crash-style error), never with an internal error.
 */
import { describe, expect, it } from 'vitest';
import { bundledScenarios } from '../../src/synth/bundled.js';
import { buildScenarioDump } from '../../src/synth/build.js';
import { kernelFromDump } from '../../src/kernel/open.js';
import { Session } from '../../src/session/session.js';

const COMMANDS = [
  'foreach bt', 'foreach task -R comm', 'foreach files', 'foreach net', 'foreach RU bt', 'foreach user vm', 'foreach kernel sig',
  'foreach active set', 'foreach IN ps', 'foreach 1 sig -g', 'foreach nosuchcomm bt', 'foreach',
  'sig', 'sig -g', 'sig -l', 'sig -s 0x4000000000000002', 'dev', 'swap', 'vm', 'vm -p', 'vm -m', 'vm -v', 'log -a',
  'search -k -l 0x200000 deadbeef', 'search -K -l 0x100000 -c init', 'search -V ffffffffffffffff', 'search -p -l 0x200000 -w 0xbad0bad0', 'search -u -c init', 'search -t deadbeef',
  'search -T -x 2 deadbeef', 'search -s 0 ffff', 'search -h -l 0x100 ffff',
];

describe('foreach/search/sig/dev/swap/vm on the scenario dumps', () => {
  for (const sc of bundledScenarios()) {
    it(`${sc.name}: every command answers without an internal error`, () => {
      const k = kernelFromDump(buildScenarioDump(sc.dir));
      const s = new Session(k, { dumpPath: sc.dir, silent: true });
      for (const c of COMMANDS) {
        const out = s.runLine(c).text;
        expect(out, `${sc.name}: ${c}`).not.toMatch(/internal error/);
      }
      // foreach visits every task ps lists, each under its header
      const tasks = s.runLine('ps').text.trim().split('\n').length - 1;
      expect(s.runLine('foreach task -R comm').text.match(/^PID: /gm)?.length).toBe(tasks);
      expect(s.runLine('foreach files').text.match(/^PID: /gm)?.length).toBe(tasks);
      // every -V hit really holds the value, and -K/-V hits are kernel addresses
      for (const l of s.runLine('search -V ffffffffffffffff').text.split('\n').filter(Boolean)) {
        const [a, v] = l.split(': ');
        expect(v).toBe('ffffffffffffffff ');
        expect(k.readU64(BigInt('0x' + a))).toBe((1n << 64n) - 1n);
      }
      expect(s.runLine('sig -l').text.trim().split('\n').length).toBe(64);
    }, 300_000);
  }
});
