/**
 * `runq`, `irq` and `timer` beyond the x86_64 reference dump:
 * - every bundled scenario dump (their kernels lay out no cfs_rq, irq descriptors or timer bases):
 *   each command ends with crash-worded output or a `cmd: ...` error, never an internal error;
 * - the real arm64 Debian 12 dump (~/.cache/crash-tui/arm64-debian12, skipped when absent): without
 *   a vmlinux its kallsyms has no data symbols, so the commands say what is missing; with the dbg
 *   vmlinux, the output is checked against facts read elsewhere: System.map plus KERNELOFFSET for
 *   every function, CONFIG_HZ from the kernel's config for the hrtimer clock, the on_rq flag of
 *   each task against the CFS tree walk.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundledScenarios } from '../../src/synth/bundled.js';
import { buildScenarioDump } from '../../src/synth/build.js';
import { kernelFromDump, openKernel } from '../../src/kernel/open.js';
import { Session } from '../../src/session/session.js';
import { CACHE_DIR } from '../support/refdump.js';

const COMMANDS = ['runq', 'runq -t', 'runq -m', 'runq -T', 'runq -g', 'runq -d', 'runq -c 0', 'irq', 'irq 0', 'irq -u', 'irq -s', 'irq -a', 'irq -b', 'timer', 'timer -r', 'timer -C 0'];

describe('runq, irq and timer on the bundled scenario dumps', () => {
  for (const sc of bundledScenarios()) {
    it(`${sc.name}: crash-worded output or errors, no exceptions`, () => {
      const s = new Session(kernelFromDump(buildScenarioDump(sc.dir)), { dumpPath: sc.dir, silent: true });
      for (const c of COMMANDS) {
        const out = s.runLine(c).text;
        expect(out, c).not.toMatch(/internal error/);
        expect(out.length, c).toBeGreaterThan(0);
        const name = c.split(' ')[0];
        for (const l of out.split('\n')) if (/^\w+: /.test(l) && !/^ *CPU/.test(l)) expect(l.startsWith(`${name}: `), `${c}: ${l}`).toBe(true);
      }
      // struct rq of these kernels has curr/idle/clock but no cfs or rt: crash's wording for that
      expect(s.runLine('runq').text).toBe('runq: cannot determine run queue structures\n');
    });
  }
});

const DIR = join(CACHE_DIR, 'arm64-debian12');
const DUMP = join(DIR, 'vmcore.elf');
const VMLINUX = join(DIR, 'vmlinux');
const skip = existsSync(DUMP) ? undefined : `${DUMP} absent`;
const noVmlinux = skip ?? (existsSync(VMLINUX) ? undefined : `${VMLINUX} absent`);
if (skip) console.log(`arm64 runq/irq/timer tests skipped: ${skip}`);
else if (noVmlinux) console.log(`arm64 runq/irq/timer vmlinux tests skipped: ${noVmlinux}`);

describe.skipIf(!!skip)('runq, irq and timer on the arm64 dump without a vmlinux', () => {
  // Debian's arm64 kallsyms hold text symbols only; runqueues, timer_bases, hrtimer_bases and
  // jiffies come back from BTF's .data..percpu and the export table (src/kernel/recover-symbols.ts),
  // irq_desc_tree, softirq_vec and root_task_group are neither exported nor per-cpu: irq and runq -g
  // say they do not exist.
  it('runq and timer equal the vmlinux run; irq gives crash-worded errors', () => {
    const bare = new Session(openKernel(DUMP), { dumpPath: DUMP, silent: true });
    expect(bare.runLine('irq').text).toBe('irq: neither irq_desc, _irq_desc, irq_desc_ptrs, irq_desc_tree or sparse_irqs symbols exist\n');
    expect(bare.runLine('irq -b').text).toBe('irq: bottom-half option not supported\n');
    for (const c of COMMANDS.filter((c) => c.startsWith('irq'))) expect(bare.runLine(c).text, c).toMatch(/^irq: /);
    // root_task_group is a plain global: not recoverable without the vmlinux
    expect(bare.runLine('runq -g').text).toMatch(/^runq: cannot determine root task_group/);
    // nor is HZ, which hrtimer "now" needs
    expect(bare.runLine('timer -r').text).toBe('timer: cannot determine the current time (HZ or jiffies unknown)\n');
    if (noVmlinux) return;
    const full = new Session(openKernel(DUMP, { vmlinux: VMLINUX }), { dumpPath: DUMP, silent: true });
    for (const c of COMMANDS.filter((c) => !c.startsWith('irq') && c !== 'runq -g' && c !== 'timer -r')) {
      const text = bare.runLine(c).text;
      expect(text, c).not.toMatch(/^(runq|timer): /);
      expect(text, c).toBe(full.runLine(c).text);
    }
  });
});

describe.skipIf(!!noVmlinux)('runq, irq and timer on the arm64 dump with the dbg vmlinux', () => {
  const session = () => new Session(openKernel(DUMP, { vmlinux: VMLINUX }), { dumpPath: DUMP, silent: true });
  const vmcoreinfo = () => readFileSync(join(DIR, 'vmcoreinfo.txt'), 'utf8');
  const kaslr = () => BigInt('0x' + /^KERNELOFFSET=([0-9a-f]+)$/m.exec(vmcoreinfo())![1]);
  /** System.map (relocated): address -> names, and name -> address. */
  const sysmap = () => {
    const byAddr = new Map<bigint, string[]>();
    const byName = new Map<string, bigint>();
    for (const l of readFileSync(join(DIR, 'System.map'), 'latin1').split('\n')) {
      const [a, , name] = l.split(' ');
      if (!name) continue;
      const addr = BigInt('0x' + a) + kaslr();
      byAddr.set(addr, [...(byAddr.get(addr) ?? []), name]);
      byName.set(name, addr);
    }
    return { byAddr, byName };
  };

  it('runq: the CFS trees hold exactly the on_rq tasks that are neither current nor idle', () => {
    const s = session();
    const runq = s.runLine('runq').text;
    const onRq = s.runLine('runq -d').text;
    const blocks = (t: string) => t.split(/\n\n/).map((b) => b.split('\n').filter(Boolean));
    const pids = (ls: string[]) => ls.map((l) => /PID: (\d+)/.exec(l)?.[1]).filter(Boolean).map(Number);
    const cpus = blocks(runq);
    expect(cpus.length).toBe(2);
    cpus.forEach((b, cpu) => {
      expect(b[0]).toMatch(new RegExp(`^CPU ${cpu} RUNQUEUE: [0-9a-f]{16}$`));
      const current = pids([b[1]])[0];
      const cfs = pids(b.slice(b.findIndex((l) => l.startsWith('  CFS RB_ROOT:'))));
      const queued = pids(blocks(onRq)[cpu].slice(1));
      const idleOrCurrent = (p: number) => p === 0 || p === current;
      expect([...cfs].sort((x, y) => x - y)).toEqual(queued.filter((p) => !idleOrCurrent(p)));
    });
    // runq -g shows the same tasks, plus the current one marked when it is a CFS task
    const g = s.runLine('runq -g').text;
    expect(g).toMatch(/^CPU 0\n  CURRENT: PID: \d+ +TASK: [0-9a-f]+  COMMAND: ".*"\n  ROOT_TASK_GROUP: [0-9a-f]{16}  CFS_RQ: [0-9a-f]{16}\n/);
  });

  it('timer: jiffies, expiry order, TTE and every function as System.map names it', () => {
    const s = session();
    const { byAddr } = sysmap();
    const out = s.runLine('timer').text;
    const jiffies = BigInt(out.split('\n')[1].trim());
    let rows = 0;
    let prev = -1n;
    for (const l of out.split('\n')) {
      if (/^TIMER_BASES/.test(l)) prev = -1n;
      const m = /^ +(\d+) +(-?\d+) +[0-9a-f]+ +([0-9a-f]{16})  <(.*)>$/.exec(l);
      if (!m) continue;
      rows++;
      const exp = BigInt(m[1]);
      expect(exp >= prev, l).toBe(true);
      prev = exp;
      expect(BigInt(m[2])).toBe(BigInt.asIntN(64, exp - jiffies));
      expect(byAddr.get(BigInt('0x' + m[3])), l).toContain(m[4]);
    }
    expect(rows).toBeGreaterThan(5);
  });

  it('timer -r: the clock is uptime in jiffies at CONFIG_HZ, functions as System.map names them', () => {
    const s = session();
    const { byAddr, byName } = sysmap();
    const hz = BigInt(/^CONFIG_HZ=(\d+)$/m.exec(readFileSync(join(DIR, 'config'), 'latin1'))![1]);
    const k = openKernel(DUMP, { vmlinux: VMLINUX });
    const jiffies = k.readU64(byName.get('jiffies_64')!);
    const initial = BigInt.asUintN(32, -300n * hz);
    const out = s.runLine('timer -r').text;
    const now = BigInt(/CLOCK: 0 .*\n +CURRENT *\n +(\d+)/.exec(out)![1]);
    expect(now).toBe((jiffies - initial) * (1_000_000_000n / hz));
    const fns = [...out.matchAll(/ ([0-9a-f]{16})  <(\w+)>$/gm)];
    expect(fns.length).toBeGreaterThan(2);
    for (const [, a, name] of fns) expect(byAddr.get(BigInt('0x' + a))).toContain(name);
    expect(out).toMatch(/<tick_sched_timer>/);
  });

  it('irq -b and irq -s: softirq actions and the virt machine\'s interrupts', () => {
    const s = session();
    const { byAddr } = sysmap();
    const b = s.runLine('irq -b').text.split('\n');
    expect(b[0]).toBe('SOFTIRQ_VEC      ACTION     ');
    for (const l of b.slice(1, -1)) {
      const m = /^ {4}\[\d\] {5}([0-9a-f]{16})  <(\w+)>$/.exec(l)!;
      expect(byAddr.get(BigInt('0x' + m[1]))).toContain(m[2]);
    }
    const st = s.runLine('irq -s').text;
    expect(st.split('\n')[0]).toBe('           CPU0       CPU1 ');
    const timerRow = /^ +\d+: +(\d+) +(\d+) .*arch_timer$/m.exec(st)!;
    expect(Number(timerRow[1])).toBeGreaterThan(0);
    expect(Number(timerRow[2])).toBeGreaterThan(0);
    expect(st).toMatch(/uart-pl011$/m);
    expect(s.runLine('irq -a').text).toMatch(/^ +\d+ arch_timer +0-1$/m);
  });
});
