/**
 * ps and bt options against crash 8.0.2's own output on the Debian 6.1 reference dump
 * (test/golden/crash-8.0.2-extra, manifest.tsv). Byte for byte where crash is right. Where it is
 * not, the parts that agree are compared and the difference is asserted as ours:
 * - crash sees 3 of the 61 tasks (it cannot walk 6.1's PID xarray), so ps totals are checked
 *   against our own task table and the per-task lines against crash's for the tasks it lists;
 * - crash's panic-task unwinder adds 15 stale frames after do_syscall_64 (#8..#22 of its bt); our
 *   ORC unwind goes from do_syscall_64 straight to entry_SYSCALL_64_after_hwframe and the user
 *   registers, which crash prints too (its #23). The stack words of bt -f/-F are the same words.
 * - crash starts cpu 0's trace from a stack search (stop_this_cpu at fb8) and then misreads the
 *   IRQ stack's end as a bogus exception frame; we start from NT_PRSTATUS.
 * - without the DWARF vmlinux there are no line numbers (bt -l says so), and kallsyms has no
 *   `.LC` local labels: bt -r names those rodata words by the kallsyms symbol below them.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rs, skipReason } from '../support/ref-session.js';
import { explainArm64Esr, explainPreemptCount, explainX86PageFault } from '../../src/kernel/helpers/oops.js';

const skip = skipReason('ps/bt option golden tests');
const golden = (f: string) => readFileSync(join(__dirname, 'crash-8.0.2-extra', f), 'latin1');
const run = (cmd: string) => rs().run(cmd);

describe.skipIf(!!skip)('ps options vs crash 8.0.2', () => {
  it.each([
    ['22_ps_t_1.txt', 'ps -t 1'],
    ['23_ps_r_1.txt', 'ps -r 1'],
    ['24_ps_m_1.txt', 'ps -m 1'],
    ['25_ps_l_1.txt', 'ps -l 1'],
    ['27_ps_a_1.txt', 'ps -a 1'],
    ['28_ps_g_1.txt', 'ps -g 1'],
    ['66_ps_C_1.txt', 'ps -C 1'],
  ])('%s: `%s` byte for byte', (file, cmd) => {
    expect(run(cmd)).toBe(golden(file));
  });

  it('ps -r shows the same 16 rlimits for every task (signal_struct.rlim), one block each', () => {
    const blocks = run('ps -r').split('\n\n').filter(Boolean);
    expect(blocks).toHaveLength(61);
    const body = golden('23_ps_r_1.txt').split('\n').slice(1).join('\n');
    // the init task and its children inherit the same limits on this dump
    for (const b of blocks) expect(b.split('\n').slice(1).join('\n') + '\n\n', b.split('\n')[0]).toBe(body);
  });

  it('ps -y 1: crash prints only the header (none of its 3 tasks is SCHED_FIFO); ours finds the migration threads', () => {
    const out = run('ps -y 1').split('\n');
    expect(out[0]).toBe(golden('26_ps_y_1.txt').trimEnd());
    expect(out.slice(1).filter(Boolean).map((l) => l.split(/\s+/).at(-1))).toEqual(['[migration/0]', '[migration/1]']);
    // every task has exactly one policy: the -y lists partition the table
    let total = 0;
    for (let p = 0; p <= 6; p++) total += run(`ps -y ${p}`).trimEnd().split('\n').length - 1;
    expect(total).toBe(61);
    expect(run('ps -y fifo,rr')).toBe(run('ps -y 0x1,2'));
    expect(run('ps -y bogus')).toBe('ps: bogus: invalid scheduling policy\n');
  });

  it('ps -S: crash counts its 3 tasks (RU: 3); ours counts all 61 with the same RU line', () => {
    const ours = run('ps -S');
    expect(ours.split('\n')[0]).toBe(golden('29_ps_S.txt').trimEnd());
    const total = [...ours.matchAll(/: (\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
    expect(total).toBe(61);
    expect(run('ps -S 1')).toBe('ps: -S option takes no arguments\n');
    expect(run('ps -S -k')).toBe('ps: -S option cannot be used with other options\n');
  });

  it('ps -m / -l with -C: per cpu, the lines crash prints for the tasks it knows', () => {
    // crash 8.0.2 `ps -m -C all` printed these lines for its 3 tasks, in this order within each cpu
    const m = run('ps -m -C all').split('\n');
    expect(m[0]).toBe('CPU: 0');
    expect(m).toContain('[0 00:00:06.903] [RU]  PID: 0        TASK: ffffffff8d01aa40  CPU: 0    COMMAND: "swapper/0"');
    const cpu1 = m.indexOf('CPU: 1');
    expect(m[cpu1 - 1]).toBe('');
    expect(m[cpu1 + 1]).toBe('[0 00:00:00.000] [RU]  PID: 1        TASK: ffff8b3e81210000  CPU: 1    COMMAND: "init"');
    expect(m.slice(cpu1).indexOf('[0 00:00:06.904] [RU]  PID: 0        TASK: ffff8b3e8127c200  CPU: 1    COMMAND: "swapper/1"')).toBeGreaterThan(1);
    const l = run('ps -l -C 1').split('\n');
    expect(l[0]).toBe('CPU: 1');
    expect(l[1]).toBe('[6904022700] [RU]  PID: 1        TASK: ffff8b3e81210000  CPU: 1    COMMAND: "init"');
    expect(l.filter((x) => x.startsWith('['))).toHaveLength(run('ps').split('\n').filter((x) => /^[> ] +\d+ +\d+ +1 /.test(x)).length);
    expect(run('ps -G -l')).toBe('ps: -G not supported with -l option\n');
    expect(run('ps -t -l')).toBe('ps: -a, -t, -c, -p, -g, -l, -m, -S, -r and -A flags are all mutually-exclusive\n');
  });

  it('ps -t 0 shows both idle tasks (crash 8.0.2 output); ps -A only the active ones', () => {
    expect(run('ps -t 0')).toBe(
      'PID: 0        TASK: ffffffff8d01aa40  CPU: 0    COMMAND: "swapper/0"\n    RUN TIME: 00:00:06\n  START TIME: 0\n       UTIME: 0\n       STIME: 32000000\n\n' +
        'PID: 0        TASK: ffff8b3e8127c200  CPU: 1    COMMAND: "swapper/1"\n    RUN TIME: 00:00:06\n  START TIME: 668000000\n       UTIME: 0\n       STIME: 4000000\n\n',
    );
    expect(run('ps -A').trimEnd().split('\n').map((l) => l.split(/\s+/).at(-1))).toEqual(['COMM', '[swapper/0]', 'init']);
  });
});

/** Frame lines, renumbered from 0, of a bt text. */
const frameLines = (t: string) => t.split('\n').filter((l) => /^ ?#\d+ /.test(l));
/** The stack words of bt -f/-F, address → text (numbers or symbols). */
function words(t: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of t.matchAll(/^ {4}([0-9a-f]{16}): (.*)$/gm)) {
    let a = BigInt('0x' + m[1]);
    for (const w of m[2].trim().split(/\s+/)) out.set((a += 8n) - 8n + '', w);
  }
  return out;
}

describe.skipIf(!!skip)('bt options vs crash 8.0.2', () => {
  it.each([
    ['33_bt_e.txt', 'bt -e'],
    ['34_bt_E.txt', 'bt -E'],
    ['36_bt_o.txt', 'bt -o'],
    ['37_bt_v.txt', 'bt -v'],
    ['38_bt_t.txt', 'bt -t'],
    ['39_bt_T.txt', 'bt -T'],
  ])('%s: `%s` byte for byte', (file, cmd) => {
    expect(run(cmd)).toBe(golden(file));
  });

  it.each([
    ['30_bt_f.txt', 'bt -f'],
    ['31_bt_F.txt', 'bt -F'],
  ])('%s: identical through do_syscall_64 (#7); after it the same stack words, without crash\'s 15 stale frames', (file, cmd) => {
    const crash = golden(file).split('\n');
    const ours = run(cmd).split('\n');
    // up to #7's words; crash's next word line stops at its stale #8, ours runs on
    const at8 = crash.findIndex((l) => l.startsWith(' #8 ')) - 1;
    expect(ours.slice(0, at8)).toEqual(crash.slice(0, at8));
    expect(frameLines(ours.join('\n'))[8]).toBe(crash.find((l) => l.startsWith('#23 '))!.replace('#23', ' #8'));
    expect(ours.slice(-8)).toEqual(crash.slice(-8)); // the user registers
    expect(words(ours.join('\n'))).toEqual(words(crash.join('\n')));
  });

  it.each([
    ['40_bt_s.txt', 'bt -s'],
    ['41_bt_x.txt', 'bt -x'],
    ['32_bt_l.txt', 'bt -l'],
  ])('%s: frames #0-#7 and the user-mode registers as crash\'s', (file, cmd) => {
    const crash = golden(file);
    const ours = run(cmd);
    expect(frameLines(ours).slice(0, 8)).toEqual(frameLines(crash).slice(0, 8));
    expect(frameLines(ours)[8]).toBe(frameLines(crash)[23].replace('#23', ' #8'));
    expect(ours.split('\n').slice(-8)).toEqual(crash.split('\n').slice(-8));
    if (cmd === 'bt -l') expect(ours.split('\n')[0]).toBe('bt: line numbers are not available');
  });

  it('35_bt_r.txt: the whole stack, `rd -s` style; only vmlinux-only `.LC` labels are named otherwise', () => {
    const crash = golden('35_bt_r.txt').split('\n');
    const ours = run('bt -r').split('\n');
    expect(ours).toHaveLength(crash.length);
    for (const [i, l] of crash.entries()) if (!l.includes('.LC')) expect(ours[i], l).toBe(l);
    expect(crash.filter((l) => l.includes('.LC')).length).toBeLessThan(20);
  });

  it('42_bt_c_0.txt: cpu 0 as far as crash is right (its IRQ-stack frames), then the real exception frame, not a bogus one', () => {
    const crash = golden('42_bt_c_0.txt').split('\n');
    const ours = run('bt -c 0').split('\n');
    expect(ours[0]).toBe(crash[0]);
    expect(ours.slice(2, 5)).toEqual(crash.slice(2, 5)); // #1 __sysvec_reboot, #2 sysvec_reboot, --- <IRQ stack> ---
    expect(crash.at(-2)).toBe('WARNING: possibly bogus exception frame');
    expect(ours.join('\n')).not.toContain('bogus');
    // the frame crash's bt -e finds on swapper/0's stack is the one our unwind shows
    const e = run('bt -e -a').split('\n');
    const at = e.indexOf('  KERNEL-MODE EXCEPTION FRAME AT: ffffffff8d003de8');
    expect(e[at + 1]).toBe('    [exception RIP: native_safe_halt+11]');
    expect(ours).toContain(e[at + 2]);
  });

  it('bt -o on a sleeping task starts at its saved frame, as crash 8.0.2 showed for swapper/1', () => {
    const o = run('bt -o 0').split('\n\n')[1];
    expect(o).toBe(
      [
        'PID: 0        TASK: ffff8b3e8127c200  CPU: 1    COMMAND: "swapper/1"',
        ' #0 [ffffcb670009be50] __schedule at ffffffff8c05271d',
        ' #1 [ffffcb670009bed8] schedule_idle at ffffffff8c0531c6',
        ' #2 [ffffcb670009bee8] do_idle at ffffffff8b6fbae6',
        ' #3 [ffffcb670009bf28] cpu_startup_entry at ffffffff8b6fbe06',
        ' #4 [ffffcb670009bf38] start_secondary at ffffffff8b66ca1a',
        ' #5 [ffffcb670009bf50] secondary_startup_64_no_verify at ffffffff8b60015a',
        '',
      ].join('\n'),
    );
  });

  it('bt -v checks all 61 stacks; a task whose STACK_END_MAGIC is gone would be reported', () => {
    expect(run('bt -v')).toBe('No stack overflows detected\n');
    // every non-init stack starts with the magic bt -v looks for
    const r = rs();
    for (const l of run('ps -s').split('\n').slice(1).filter(Boolean)) expect(l).toMatch(/ {2}(--|[0-9a-f]{16}) /);
    expect(r.u64(0xffffcb6700010000n)).toBe(0x57ac6e9dn);
  });

  it('beyond crash: bt -U names how each frame was reached; bt -X decodes the preempt_count', () => {
    const u = frameLines(run('bt -U'));
    expect(u.every((l) => / {2}\(via (ORC|start of the trace|frame pointer|exception frame|entry code pt_regs)\)$/.test(l))).toBe(true);
    expect(u.filter((l) => l.endsWith('(via ORC)')).length).toBeGreaterThanOrEqual(8);
    const a = run('bt -U -a');
    expect(a).toMatch(/stop_this_cpu at [0-9a-f]+ {2}\(via start of the trace\)/);
    const x = run('bt -X');
    expect(x).toContain('no oops header');
    expect(x).toMatch(/cpu 1's __preempt_count:\n {2}preempt_count 0x[0-9a-f]+: /);
  });
});

describe('oops explanations (pure decoders)', () => {
  it('x86 page-fault error codes', () => {
    expect(explainX86PageFault(0x3)[0]).toBe('page-fault error code 0x3: protection fault (the page was present), write, kernel mode');
    expect(explainX86PageFault(0x0)[0]).toBe('page-fault error code 0x0: page not present, read, kernel mode');
    expect(explainX86PageFault(0x14)[0]).toBe('page-fault error code 0x14: page not present, read, user mode, instruction fetch');
  });
  it('arm64 ESR: a write translation fault at level 1 from the current EL', () => {
    const l = explainArm64Esr(0x96000045n);
    expect(l).toContain('  EC  0x25  data abort from the current EL');
    expect(l).toContain('  WnR 1     write');
    expect(l).toContain('  DFSC 0x05 translation fault, level 1');
    expect(explainArm64Esr(0x86000006n)).toContain('  IFSC 0x06 translation fault, level 2');
  });
  it('preempt_count: context by mask, NEED_RESCHED inverted', () => {
    expect(explainPreemptCount(0x00010000n, 31)[0]).toBe('preempt_count 0x10000: hard IRQ');
    expect(explainPreemptCount(0x00010000n, 31)[2]).toContain('NEED_RESCHED yes');
    expect(explainPreemptCount(0x80100000n, 31)[0]).toBe('preempt_count 0x80100000: NMI');
    expect(explainPreemptCount(0x80000101n, 31)[0]).toBe('preempt_count 0x80000101: serving a softirq');
    expect(explainPreemptCount(0x100000000n, 32)[2]).toContain('NEED_RESCHED no');
  });
});
