/**
 * arm64 backtraces through the IRQ stack, on a synthetic dump: the page-table-check-arm64 scenario
 * (6.1, kdump) with the per-cpu irq_stack_ptr declared, so that the builder lays out each idle cpu
 * the way kdump's crash IPI left it (src/synth/idle-stacks.ts, idle-templates.ts ARM64_IRQ_STOP):
 * crash_save_cpu ... gic_handle_irq on the cpu's IRQ stack, call_on_irq_stack's frame record
 * linking back to the idle task's stack, el1h_64_irq's pt_regs holding the interrupted idle context.
 * crash's arm64_back_trace_cmd (UNW_4_14) starts such a cpu at the return address into
 * crash_save_cpu it finds on the IRQ stack (arm64_in_kdump_text_on_irq_stack), follows the frame
 * records across to the task stack, says `--- <IRQ stack> ---` there, prints el1h_64_irq's
 * exception frame, and ends at secondary_start_kernel.
 */
import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { loadScenario } from '../../src/synth/scenario.js';
import { buildScenarioDump } from '../../src/synth/build.js';
import { kernelFromDump } from '../../src/kernel/open.js';
import { Session } from '../../src/session/session.js';
import { perCpuPtr } from '../../src/kernel/helpers/percpu.js';
import { arm64IrqStack } from '../../src/kernel/helpers/stacks-arm64.js';

function build(withIrqStacks: boolean) {
  const s = loadScenario(resolve('dumps/page-table-check-arm64'));
  if (withIrqStacks) s.percpu.push({ name: 'irq_stack_ptr', offset: 0x8000n, type: 'unsigned long' });
  const k = kernelFromDump(buildScenarioDump(s));
  return { k, session: new Session(k, { silent: true }) };
}

interface Frame {
  level: number;
  fp: bigint;
  name: string;
  at: bigint;
}
/** Frame lines as names (`--- <IRQ stack> ---` and `EFRAME` for the markers and exception frames), and the frames. */
function parse(text: string): { names: string[]; frames: Frame[]; pcs: bigint[] } {
  const names: string[] = [];
  const frames: Frame[] = [];
  const pcs: bigint[] = [];
  for (const l of text.split('\n')) {
    const f = /^ ?#(\d+) \[([0-9a-f]+)\] (\S+) at ([0-9a-f]+)$/.exec(l);
    if (f) {
      frames.push({ level: +f[1], fp: BigInt('0x' + f[2]), name: f[3], at: BigInt('0x' + f[4]) });
      names.push(f[3]);
    } else if (/^--- <.*> ---$/.test(l)) names.push(l);
    else if (/^ {5}PC: /.test(l)) {
      names.push('EFRAME');
      pcs.push(BigInt('0x' + /PC: ([0-9a-f]+)/.exec(l)![1]));
    }
  }
  return { names, frames, pcs };
}

const IRQ_PATH = [
  'crash_save_cpu', 'ipi_handler', 'handle_percpu_devid_irq', 'handle_irq_desc', 'generic_handle_domain_irq', 'gic_handle_irq',
  '--- <IRQ stack> ---',
  'call_on_irq_stack', 'do_interrupt_handler', 'el1_interrupt', 'el1h_64_irq_handler', 'el1h_64_irq', 'EFRAME',
  'cpu_do_idle', 'arch_cpu_idle', 'default_idle_call', 'do_idle', 'cpu_startup_entry', 'secondary_start_kernel',
];

describe('arm64 bt through the IRQ stack (synthetic)', () => {
  const { k, session } = build(true);
  const run = (cmd: string) => session.runLine(cmd).text;

  it('an idle cpu stopped by the crash IPI: IRQ-stack frames, the crossing, the exception frame, the idle loop', () => {
    for (const cpu of [1, 3, 7]) {
      const { names, frames, pcs } = parse(run(`bt -c ${cpu}`));
      expect(names, `cpu ${cpu}`).toEqual(IRQ_PATH);
      const irq = arm64IrqStack(k, cpu)!;
      expect(irq.base).toBe(k.readPtr(perCpuPtr(k, k.symbolAddress('irq_stack_ptr')!, cpu)));
      // the frames before the marker on the IRQ stack, the others on the idle task's
      frames.forEach((f, i) => expect(f.fp >= irq.base && f.fp < irq.top, `cpu ${cpu} #${f.level} ${f.name}`).toBe(i < 6));
      // each `at` (pc - 4) lies in the function named; the exception frame's PC is the interrupted
      // instruction, the next frame's pc
      for (const f of frames) expect(k.symbols.containing(f.at)?.sym.name).toBe(f.name);
      const idle = frames[IRQ_PATH.indexOf('cpu_do_idle') - 2];
      expect(pcs).toEqual([idle.at + 4n]);
      expect(k.symbols.containing(pcs[0])?.sym.name).toBe('cpu_do_idle');
    }
  });

  it("the panic cpu's trace is the kdump one still (machine_kexec first on its task stack)", () => {
    const { names } = parse(run('bt -c 2'));
    expect(names[0]).toBe('machine_kexec');
    expect(names).not.toContain('--- <IRQ stack> ---');
  });

  it('bt -e finds the el1 pt_regs on the idle stack; bt -E finds none on the IRQ stacks', () => {
    const e = run('bt -e -c 1');
    const trace = parse(run('bt -c 1'));
    const el1 = trace.frames.find((f) => f.name === 'el1h_64_irq')!;
    const at = el1.fp - BigInt(k.memberByteOffset('struct pt_regs', 'stackframe')!);
    // bt -e with -c is the task of cpu 1: its header, then the frame the search found
    expect(e).toContain(`\nKERNEL-MODE EXCEPTION FRAME AT: ${at.toString(16)}\n     PC: ${trace.pcs[0].toString(16).padStart(16, '0')}  [cpu_do_idle+`);
    expect(e).not.toContain('USER-MODE'); // an idle task is a kernel thread
    expect(run('bt -E -c 1')).toBe('CPU 1 IRQ STACK:(none found)\n\n'); // crash's layout: no newline before (none found)
  });

  it('without irq_stack_ptr the scenario is as before: the idle trace starts at the registers kdump saved', () => {
    const plain = build(false);
    const { names } = parse(plain.session.runLine('bt -c 1').text);
    expect(names).toEqual(IRQ_PATH.slice(IRQ_PATH.indexOf('cpu_do_idle')));
  });
});
