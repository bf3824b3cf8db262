import { defineCommand, flag, withArg, type CommandContext } from './types.js';
import { err, lines, type CommandResult } from './result.js';
import type { ParsedArgs } from './getopt.js';
import type { IrqResult } from './sched-results.js';
import { parseCpuSpec } from './cpuspec.js';
import { CrashError } from '../util/errors.js';
import { irqDescs, irqInfo, nrIrqs, softirqVecs, type IrqDescInfo } from '../kernel/helpers/irq.js';
import { cpuState } from '../kernel/helpers/sched.js';

export const irq = defineCommand({
  name: 'irq',
  summary: 'IRQ data',
  synopsis: '[[[index ...] | -u ] | -b | -a | -s [-c cpu]]',
  description: [
    'This command displays the interrupt descriptors: for each irq its struct irq_desc, the',
    'irqaction chain and the action names.  Descriptors are found in the flat irq_desc[] array',
    '(!CONFIG_SPARSE_IRQ), irq_desc_ptrs[], the sparse-irq tree irq_desc_tree (a radix tree, an',
    'xarray since Linux 4.20), or the sparse_irqs maple tree (Linux 6.5 and later); irqs up to',
    'nr_irqs are listed.  -s shows per-cpu counts (kstat_irqs) with the irq chip and flow handler',
    'names, like /proc/interrupts.  The x86 IDT display (-d) is not supported.',
  ],
  options: {
    u: flag('display only irqs that are in use'),
    b: flag('display softirq vectors'),
    a: flag('display irq affinity'),
    s: flag('display the per-cpu interrupt counts'),
    c: withArg('with -s, restrict the counts to these cpus'),
    d: flag('dump the x86 IDT (not supported)'),
  },
  examples: [{ command: 'irq 1' }, { command: 'irq -s' }, { command: 'irq -a' }, { command: 'irq -b' }],
  run: (ctx, a) => runIrq(ctx, a),
});

function runIrq(ctx: CommandContext, a: ParsedArgs): CommandResult | CommandResult[] {
  const k = ctx.kernel;
  const f = (c: string) => a.flags.has(c);
  if (f('d')) throw new CrashError('-d option not supported or applicable on this architecture or kernel');
  if (f('b')) return { kind: 'irq', view: 'softirq', vecs: softirqVecs(k) };
  const ncpus = cpuState(k).present;
  const n = nrIrqs(k);
  const inUse = (want: Parameters<typeof irqInfo>[2]) => {
    const descs = irqDescs(k);
    const out: IrqDescInfo[] = [];
    for (let i = 0; i < n; i++) {
      const d = descs.get(i);
      if (!d) continue;
      const info = irqInfo(k, i, want);
      if (info.actions.length) out.push(info);
    }
    return out;
  };
  if (f('a')) return { kind: 'irq', view: 'affinity', ncpus, rows: inUse({ affinity: ncpus }) };
  const spec = a.values.get('c');
  if (spec && spec.length > 1) throw new CrashError('only one -c option allowed');
  if (f('s')) {
    const cpus = spec ? parseCpuSpec(spec[0], ncpus, ctx.currentCpu) : [...Array(ncpus).keys()];
    return { kind: 'irq', view: 'stats', cpus, rows: inUse({ stats: cpus }) };
  }
  if (!a.args.length) {
    const descs = irqDescs(k);
    const rows: IrqDescInfo[] = [];
    for (let i = 0; i < n; i++) {
      if (f('u') && !descs.get(i)) continue;
      rows.push(irqInfo(k, i));
    }
    return table(rows);
  }
  // dtoi() then "invalid IRQ value": the rows before a bad argument are printed first
  const rows: IrqDescInfo[] = [];
  const before = (): CommandResult[] => (rows.length ? [table(rows)] : []);
  for (const w of a.args) {
    if (!/^\d+$/.test(w)) return [...before(), lines([`irq: ${w}: "${w.match(/[^0-9]/)![0]}" is not a digit 0 - 9`])];
    const i = Number(w);
    if (i >= n) return [...before(), err(`invalid IRQ value: ${i}  (${n - 1} max)`)];
    rows.push(irqInfo(k, i));
  }
  return table(rows);
}

const table = (rows: IrqDescInfo[]): IrqResult => ({ kind: 'irq', view: 'table', rows, header: true });
