/**
 * The idle stacks the scenario builder lays out for cpus stopped in their idle loop
 * (src/synth/idle-stacks.ts, idle-templates.ts): `bt -a` on every bundled scenario unwinds every
 * cpu's active task, through the same unwinder as real dumps (NT_PRSTATUS registers, ORC tables
 * on ORC kernels, frame pointers or frame records otherwise), from the halt instruction to the
 * cpu's way into the idle loop: the boot cpu through rest_init/start_kernel, the others through
 * start_secondary/secondary_start_kernel to the head code (x86_64) where crash's trace ends.
 */
import { describe, expect, it } from 'vitest';
import { bundledScenarios } from '../../src/synth/bundled.js';
import { buildScenarioDump } from '../../src/synth/build.js';
import { loadScenario } from '../../src/synth/scenario.js';
import { kernelFromDump } from '../../src/kernel/open.js';
import { Session } from '../../src/session/session.js';
import { ARM64_IDLE, X86_64_IDLE, inEra, kernelVersion } from '../../src/synth/idle-templates.js';

interface Block {
  pid: number;
  cpu: number;
  comm: string;
  lines: string[];
  frames: { sp: bigint; name: string; stack: number }[];
  stacks: number;
}

function blocks(text: string): Block[] {
  const out: Block[] = [];
  for (const l of text.split('\n')) {
    const h = /^PID: (\d+)\s+TASK: [0-9a-f]+\s+CPU: (\d+)\s+COMMAND: "(.*)"$/.exec(l);
    if (h) {
      out.push({ pid: Number(h[1]), cpu: Number(h[2]), comm: h[3], lines: [], frames: [], stacks: 0 });
      continue;
    }
    const b = out[out.length - 1];
    if (!b || !l.length) continue;
    b.lines.push(l);
    if (l.startsWith('--- <')) b.stacks++;
    const f = /^ ?#\d+ \[([0-9a-f]+)\] (\S+) at [0-9a-f]+/.exec(l);
    if (f) b.frames.push({ sp: BigInt('0x' + f[1]), name: f[2], stack: b.stacks });
  }
  return out;
}

const HEAD = ['secondary_startup_64', 'secondary_startup_64_no_verify', 'start_cpu'];

describe('bt -a unwinds every cpu of every bundled scenario', () => {
  for (const sc of bundledScenarios()) {
    it(`${sc.name}: each cpu's active task has a real chain, idle cpus down to their idle entry`, () => {
      const s = loadScenario(sc.dir);
      const session = new Session(kernelFromDump(buildScenarioDump(sc.dir)), { dumpPath: sc.dir, silent: true });
      const out = session.runLine('bt -a').text;
      const bs = blocks(out);
      expect(bs.map((b) => b.cpu)).toEqual([...Array(s.cpus.count).keys()]);
      for (const b of bs) {
        const what = `${sc.name} cpu ${b.cpu} (${b.comm})`;
        expect(b.lines.join('\n'), what).not.toMatch(/no stack|cannot determine|internal error/);
        expect(b.frames.length, what).toBeGreaterThan(3);
        // on each stack, slots (records) growing towards its top
        b.frames.forEach((f, i) => i && f.stack === b.frames[i - 1].stack && expect(f.sp >= b.frames[i - 1].sp, `${what}: #${i} ${f.name}`).toBe(true));
        if (b.cpu === s.cpus.panicCpu) continue;
        const names = b.frames.map((f) => f.name);
        const last = names[names.length - 1];
        // x86_64 kernels whose NMI stacks are known: the crash NMI's frames, its pt_regs, then the idle stack
        const nmi = s.percpu.some((p) => p.name === 'cea_exception_stacks');
        if (nmi) {
          expect(names.slice(0, 5), what).toEqual(['crash_nmi_callback', 'nmi_handle', 'default_do_nmi', 'exc_nmi', 'end_repeat_nmi']);
          expect(b.lines.join('\n'), what).toMatch(/\[exception RIP: native_safe_halt\+11\][^]*\n--- <NMI exception stack> ---\n #5 \[[0-9a-f]+\] native_safe_halt at /);
        }
        expect(names[nmi ? 5 : 0], what).toBe(s.arch === 'arm64' ? 'cpu_do_idle' : 'native_safe_halt');
        expect(names, what).toContain('cpu_startup_entry');
        if (b.cpu === 0) {
          expect(names, what).toContain('rest_init');
          expect(names, what).toContain('start_kernel');
          expect(s.arch === 'arm64' ? last === 'start_kernel' : HEAD.includes(last), `${what}: ends in ${last}`).toBe(true);
        } else {
          expect(names, what).toContain(s.arch === 'arm64' ? 'secondary_start_kernel' : 'start_secondary');
          expect(s.arch === 'arm64' ? last === 'secondary_start_kernel' : HEAD.includes(last), `${what}: ends in ${last}`).toBe(true);
        }
      }
    });
  }

  for (const sc of bundledScenarios().filter((x) => {
    const s = loadScenario(x.dir);
    return s.arch === 'x86_64' && s.typeSources.some((t) => /struct orc_entry\b/.test(t.text));
  })) {
    it(`${sc.name}: the stopped cpus unwind through the ORC tables the builder generated (bt -U)`, () => {
      const s = loadScenario(sc.dir);
      const session = new Session(kernelFromDump(buildScenarioDump(sc.dir)), { dumpPath: sc.dir, silent: true });
      for (let cpu = 0; cpu < s.cpus.count; cpu++) {
        if (cpu === s.cpus.panicCpu) continue;
        const lines = session.runLine(`bt -U -c ${cpu}`).text.split('\n').filter((l) => /^ ?#\d+ /.test(l));
        const first = s.percpu.some((p) => p.name === 'cea_exception_stacks') ? 'crash_nmi_callback' : 'native_safe_halt';
        expect(lines[0], `cpu ${cpu}`).toMatch(new RegExp(`${first} at [0-9a-f]+ +\\(via start of the trace\\)$`));
        // after the NMI's pt_regs, the interrupted frame comes from them; every return address from ORC
        for (const l of lines.slice(1)) expect(l, `cpu ${cpu}`).toMatch(/\(via (ORC|exception frame|pt_regs)\)$/);
        expect(lines.filter((l) => /\(via ORC\)$/.test(l)).length, `cpu ${cpu}`).toBeGreaterThan(4);
      }
    });
  }
});

describe('idle stacks and repeated builds', () => {
  it('building the same Scenario object twice gives the same idle traces', () => {
    const sc = bundledScenarios()[0];
    const obj = loadScenario(sc.dir);
    const run = () => new Session(kernelFromDump(buildScenarioDump(obj)), { dumpPath: sc.dir, silent: true }).runLine('bt -a').text;
    const first = run();
    expect(first).not.toMatch(/no stack/);
    expect(run()).toBe(first);
  });
});

describe('idle templates follow the kernel era', () => {
  const names = (tpl: typeof X86_64_IDLE, release: string, boot: boolean) => {
    const v = kernelVersion(release);
    return [...tpl.halt.filter((e) => inEra(e, v)).slice(0, 1), ...tpl.idle.filter((e) => inEra(e, v)), ...(boot ? tpl.boot : tpl.secondary).filter((e) => inEra(e, v))].map((e) => e.fn);
  };
  it('x86_64: 3.10 (RHEL 7), 4.19, 5.14', () => {
    expect(names(X86_64_IDLE, '3.10.0-957.27.2.el7.x86_64', false)).toEqual(['native_safe_halt', 'default_idle', 'arch_cpu_idle', 'cpu_startup_entry', 'start_secondary', 'start_cpu']);
    expect(names(X86_64_IDLE, '4.19.82', false)).toEqual(['native_safe_halt', 'default_idle', 'arch_cpu_idle', 'default_idle_call', 'do_idle', 'cpu_startup_entry', 'start_secondary', 'secondary_startup_64']);
    expect(names(X86_64_IDLE, '5.14.0-284.11.1.el9_2.x86_64', true)).toEqual([
      'native_safe_halt', 'default_idle', 'default_idle_call', 'do_idle', 'cpu_startup_entry', 'rest_init', 'arch_call_rest_init', 'start_kernel',
      'x86_64_start_reservations', 'x86_64_start_kernel', 'secondary_startup_64_no_verify',
    ]);
  });
  it('arm64: 5.4, 6.1', () => {
    expect(names(ARM64_IDLE, '5.4.90', false)).toEqual(['cpu_do_idle', 'arch_cpu_idle', 'default_idle_call', 'do_idle', 'cpu_startup_entry', 'secondary_start_kernel']);
    expect(names(ARM64_IDLE, '6.1.25-android14-11', true)).toEqual(['cpu_do_idle', 'arch_cpu_idle', 'default_idle_call', 'do_idle', 'cpu_startup_entry', 'rest_init', 'arch_call_rest_init', 'start_kernel', '__primary_switched']);
  });
});
