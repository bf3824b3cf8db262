/**
 * `dis` and `mach` on every bundled scenario (x86_64 and arm64: synthetic text may be zeros or
 * garbage, so only crash's line layout and the absence of internal errors are checked), and on
 * the real arm64 dump when it has been captured: there the instructions must be the vmlinux's
 * own, as binutils disassembles the dbg package's vmlinux relocated by the dump's KERNELOFFSET.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { bundledScenarios } from '../../src/synth/bundled.js';
import { buildScenarioDump } from '../../src/synth/build.js';
import { kernelFromDump, openKernel } from '../../src/kernel/open.js';
import { Session } from '../../src/session/session.js';
import { CACHE_DIR } from '../support/refdump.js';

const LINE = /^0x[0-9a-f]+ <[^>]*>:\t\S/;
const objdumpFor = (machine: string, progs: string[]) =>
  progs.find((p) => {
    const r = spawnSync(p, ['-D', '-b', 'binary', '-m', machine, '/dev/null'], { encoding: 'utf8' });
    return !r.error && !/supplied machine/.test(r.stderr ?? '');
  });
const x86Tool = objdumpFor('i386:x86-64', ['objdump']);
const armTool = objdumpFor('aarch64', ['aarch64-linux-gnu-objdump', 'objdump']);

describe('dis and mach on the bundled scenarios', () => {
  for (const sc of bundledScenarios()) {
    it(sc.name, () => {
      const k = kernelFromDump(buildScenarioDump(sc.dir));
      const s = new Session(k, { dumpPath: sc.dir, silent: true });
      const tool = k.arch.name === 'x86_64' ? x86Tool : armTool;
      const fn = ['panic', 'machine_kexec', '__schedule'].find((n) => k.symbol(n)) ?? k.symbols.all().find((x) => /^[Tt]$/.test(x.type) && /^\w+$/.test(x.name))?.name;
      expect(fn, 'a text symbol to disassemble').toBeDefined();
      for (const cmd of [`dis ${fn}`, `dis ${fn} 4`, `dis -r ${fn}`, `dis -l ${fn} 2`, 'dis -x ffffffffffffff00 2']) {
        const out = s.runLine(cmd).text;
        expect(out, cmd).not.toContain('internal error');
        if (!tool) {
          expect(out, cmd).toMatch(/dis: (aarch64-linux-gnu-)?objdump not found: install binutils/);
          continue;
        }
        if (cmd.startsWith('dis -x ffff')) continue; // wherever that is, it must only not crash
        const body = out.split('\n').filter((l) => l && !l.startsWith('dis: line numbers'));
        expect(body.length, cmd).toBeGreaterThan(0);
        for (const l of body) expect(l, cmd).toMatch(LINE);
      }
      for (const cmd of ['mach', 'mach -m', 'mach -c']) expect(s.runLine(cmd).text, cmd).not.toContain('internal error');
      const m = s.runLine('mach').text;
      expect(m).toMatch(/MACHINE TYPE: (x86_64|aarch64)\n/);
      if (k.arch.name === 'arm64') expect(s.runLine('mach -m').text).toBe('mach: -m option not supported or applicable on this architecture or kernel\n');
    });
  }
});

const DIR = join(CACHE_DIR, 'arm64-debian12');
const armSkip = !existsSync(join(DIR, 'vmcore.elf'))
  ? `${DIR}/vmcore.elf absent (scripts/capture-arm64.sh)`
  : !existsSync(join(DIR, 'vmlinux'))
    ? `${DIR}/vmlinux absent`
    : !armTool
      ? 'no aarch64 objdump (binutils-aarch64-linux-gnu)'
      : undefined;
if (armSkip) console.log(`dis on the real arm64 dump skipped: ${armSkip}`);

describe.skipIf(!!armSkip)('dis on the real arm64 dump', () => {
  it('sysrq_handle_crash and the start of panic: the vmlinux\'s instructions at the run-time addresses', () => {
    const k = openKernel(join(DIR, 'vmcore.elf'));
    const s = new Session(k, { dumpPath: DIR, silent: true });
    const off = BigInt('0x' + /^KERNELOFFSET=([0-9a-f]+)$/m.exec(readFileSync(join(DIR, 'vmcoreinfo.txt'), 'utf8'))![1]);
    const map = readFileSync(join(DIR, 'System.map'), 'utf8');
    const link = (name: string) => BigInt('0x' + new RegExp(`^([0-9a-f]+) [tT] ${name}$`, 'm').exec(map)![1]);
    for (const [fn, count] of [['sysrq_handle_crash', undefined], ['panic', 24]] as const) {
      const start = link(fn) + off;
      const ours = s.runLine(`dis ${fn}${count ? ` ${count}` : ''}`).text.trimEnd().split('\n');
      expect(ours[0]).toMatch(new RegExp(`^0x${start.toString(16)} <${fn}>:\t`));
      const stop = start + BigInt(4 * ours.length);
      const r = spawnSync(armTool!, ['-d', join(DIR, 'vmlinux'), `--adjust-vma=0x${off.toString(16)}`, `--start-address=0x${start.toString(16)}`, `--stop-address=0x${stop.toString(16)}`], { encoding: 'utf8', maxBuffer: 64 << 20 });
      const truth = r.stdout.split('\n').flatMap((l) => {
        const m = /^\s*([0-9a-f]+):\t[0-9a-f]{8} \t(.*)$/.exec(l);
        return m ? [`${m[1]} ${m[2].replace(/ <[^>]*>/g, '').replace(/\b(?<!#)0x/g, '')}`] : [];
      });
      const mine = ours.map((l) => {
        const m = /^0x([0-9a-f]+) <[^>]*>:\t(.*)$/.exec(l)!;
        return `${m[1]} ${m[2].replace(/ <[^>]*>/g, '').replace(/\b(?<!#)0x/g, '')}`;
      });
      // the first two words are the ftrace patch site (-fpatchable-function-entry=2): nops in the
      // vmlinux, `mov x9, x30` + nop in a running kernel with ftrace enabled
      expect(mine.slice(2), fn).toEqual(truth.slice(2));
      expect(mine.length, fn).toBe(truth.length);
    }
  });
});
