import { defineCommand, flag, type CommandContext } from './types.js';
import { warn, type CommandResult, type PrintResult } from './result.js';
import { UsageError } from './getopt.js';
import { evaluate } from '../kernel/expr/eval.js';
import { valueBytes } from '../kernel/expr/value.js';
import { isPerCpuSymbol, perCpuPtr } from '../kernel/helpers/percpu.js';
import { cpuState } from '../kernel/helpers/sched.js';
import { valueView } from './value-view.js';
import { parseCpuSpec } from './cpuspec.js';
import { CrashError } from '../util/errors.js';

export const p = defineCommand({
  name: 'p',
  summary: 'print the value of an expression',
  synopsis: '[-x|-d][-u] [expression | symbol[:cpuspec]]',
  description: [
    'This command passes its arguments on to an expression evaluator: C expressions over kernel',
    'symbols and types (members, -> and ., casts, indexes, arithmetic, sizeof).  If the expression',
    'is a bare symbol its name is shown before the value.  A per-cpu variable without a cpuspec',
    'shows its type and per-cpu addresses; `var:N`, `var:1,3-5` and `var:a` print the copies.',
    'Only per-cpu variables carry types in BTF; a small table of well-known globals supplies the',
    'others (see `whatis`).',
  ],
  options: { x: flag('override the output radix with hexadecimal'), d: flag('override the output radix with decimal'), u: flag('the expression refers to user memory') },
  rawArgs: true,
  examples: [{ command: 'p jiffies' }, { command: 'p in_kernel_fpu' }, { command: 'px __preempt_count:1' }, { command: 'p init_task.comm' }],
  run(ctx, a) {
    if (!a.args.length) throw new UsageError('expression required');
    if (a.flags.has('x') && a.flags.has('d')) throw new CrashError('-d and -x are mutually exclusive');
    const radix: 10 | 16 = a.flags.has('x') ? 16 : a.flags.has('d') ? 10 : ctx.settings.radix;
    return printExpression(ctx, a.args.join(' '), radix);
  },
});

export function printExpression(ctx: CommandContext, text: string, radix: 10 | 16): CommandResult[] {
  const k = ctx.kernel;
  const view = valueView(ctx, radix);
  const spec = /^([A-Za-z_$][\w$]*):([\w,-]*)$/.exec(text.trim());
  if (spec && k.symbol(spec[1])) {
    const sym = k.symbol(spec[1])!;
    if (!isPerCpuSymbol(k, sym)) return [warn(`${spec[1]} is not percpu; cpuspec ignored.`), ...printExpression(ctx, spec[1], radix)];
    const type = k.typeOfSymbol(spec[1])?.type;
    const out: CommandResult[] = [];
    for (const cpu of parseCpuSpec(spec[2], cpuState(k).present, ctx.currentCpu)) {
      const addr = perCpuPtr(k, sym.address, cpu);
      if (!type) {
        out.push({ kind: 'lines', lines: [`&per_cpu(${spec[1]}, ${cpu}) = $${ctx.nextValueNumber()} = (void *) 0x${addr.toString(16)}`] });
        continue;
      }
      const bytes = valueBytes(k, { type, addr });
      out.push({ kind: 'print', prefix: `per_cpu(${spec[1]}, ${cpu}) = `, number: ctx.nextValueNumber(), type, bytes, view });
    }
    return out;
  }
  const bare = /^[A-Za-z_$][\w$]*$/.test(text.trim()) ? k.symbol(text.trim()) : undefined;
  if (bare && isPerCpuSymbol(k, bare)) {
    const t = k.typeOfSymbol(bare.name)?.type;
    return [
      {
        kind: 'percpu',
        name: bare.name,
        type: t,
        // crash's default `set offline show` lists every cpu
        addresses: [...Array(cpuState(k).present).keys()].map((cpu) => ({ cpu, addr: perCpuPtr(k, bare.address, cpu) })),
      },
    ];
  }
  const v = evaluate(k, text);
  const r: PrintResult = {
    kind: 'print',
    prefix: bare ? `${bare.name} = ` : '',
    number: 0,
    type: v.type,
    bytes: valueBytes(k, v),
    bitPos: v.bitPos,
    bitSize: v.bitSize,
    view,
  };
  r.number = ctx.nextValueNumber();
  return [r];
}
