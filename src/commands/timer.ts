import { defineCommand, flag, withArg, type CommandContext } from './types.js';
import { err, type CommandResult } from './result.js';
import type { ParsedArgs } from './getopt.js';
import type { TimerResult } from './sched-results.js';
import { parseCpuSpec } from './cpuspec.js';
import { CrashError } from '../util/errors.js';
import { cpuState } from '../kernel/helpers/sched.js';
import { hrtimerCpu, readJiffies, timerBases, type HrtimerCpu, type TimerBase } from '../kernel/helpers/timer.js';

export const timer = defineCommand({
  name: 'timer',
  summary: 'timer queue data',
  synopsis: '[-r][-C cpu]',
  description: [
    'This command displays the pending timers in chronological order.  For the timer wheel (Linux',
    "4.8 and later) each cpu's timer_bases[] (BASE_STD and BASE_DEF) are listed with each pending",
    'timer_list: its expiration in jiffies, the time to expiration (TTE, expires - jiffies), its',
    'address and its function.  -r shows the hrtimers: for each cpu its hrtimer_cpu_base, and for',
    'each clock base the current time and the queued hrtimers (a timerqueue rb-tree) with their',
    'soft and hard expirations.  The tvec_bases wheels of kernels before 4.8 are not supported.',
  ],
  options: {
    r: flag('display hrtimers'),
    C: withArg('restrict the output to these cpus'),
  },
  examples: [{ command: 'timer' }, { command: 'timer -r' }, { command: 'timer -C 1' }],
  run: (ctx, a) => runTimer(ctx, a),
});

function runTimer(ctx: CommandContext, a: ParsedArgs): CommandResult | CommandResult[] {
  const k = ctx.kernel;
  const ncpus = cpuState(k).present;
  const spec = a.values.get('C');
  const cpus = spec ? parseCpuSpec(spec[spec.length - 1], ncpus, ctx.currentCpu) : [...Array(ncpus).keys()];
  const radix = ctx.settings.radix;
  if (a.flags.has('r')) {
    const out: HrtimerCpu[] = [];
    for (const cpu of cpus) {
      try {
        out.push(hrtimerCpu(k, cpu));
      } catch (e) {
        if (!(e instanceof CrashError) || !out.length) throw e;
        return [{ kind: 'timer', view: 'hrtimer', radix, cpus: out }, err(e.message)];
      }
    }
    return { kind: 'timer', view: 'hrtimer', radix, cpus: out };
  }
  if (!k.symbol('timer_bases')) throw new CrashError('per-cpu timer_bases do not exist (timer wheels before Linux 4.8 are not supported)');
  const jiffies = readJiffies(k);
  const out: { cpu: number; bases: TimerBase[] }[] = [];
  const result = (): TimerResult => ({ kind: 'timer', view: 'wheel', radix, jiffies, cpus: out });
  for (const cpu of cpus) {
    try {
      out.push({ cpu, bases: timerBases(k, cpu, jiffies) });
    } catch (e) {
      if (!(e instanceof CrashError) || !out.length) throw e;
      return [result(), err(e.message)];
    }
  }
  return result();
}
