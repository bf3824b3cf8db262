import { defineCommand, flag, withArg, type CommandContext } from './types.js';
import { err, lines, type CommandResult } from './result.js';
import { setTaskArg, setTaskContext } from './set-context.js';

export const set = defineCommand({
  name: 'set',
  summary: 'set a process context or internal crash variable',
  synopsis: '[[-a] [pid | taskp] | [-c cpu] | -p] | [crash_variable [setting]] | -v',
  description: [
    'This command either sets a new context, or gets the current context for display, or sets an',
    'internal crash variable.  Variables: scroll on|off, radix 10|16, silent on|off, print_max N,',
    'hash on|off, null-stop on|off.  With a pid or task address, -p (the panic task) or -c cpu',
    '(that cpu\'s active task) the current context changes and is shown; with no argument it is shown.',
  ],
  options: { v: flag('display the current state of the internal variables'), c: withArg('set the context to the active task of a cpu'), p: flag('set the context to the panic task'), a: flag('mark a task active') },
  run(ctx, a): CommandResult | CommandResult[] {
    const s = ctx.settings;
    if (a.flags.has('v')) return lines(showAll(ctx));
    const task = setTaskContext(ctx, a);
    if (task) return task;
    const [name, value] = a.args;
    const onOff = (v: string | undefined, cur: boolean): boolean | undefined => (v === undefined ? cur : v === 'on' ? true : v === 'off' ? false : undefined);
    switch (name) {
      case 'radix': {
        if (value !== undefined) {
          if (value !== '10' && value !== '16') return err(`invalid radix: ${value}`);
          s.radix = value === '16' ? 16 : 10;
        }
        return lines([radixLine(s.radix)]);
      }
      case 'scroll':
      case 'silent':
      case 'hash':
      case 'null-stop': {
        const key = name === 'null-stop' ? 'nullStop' : name;
        const v = onOff(value, s[key] as boolean);
        if (v === undefined) return err(`invalid ${name} setting: ${value}`);
        (s as unknown as Record<string, boolean>)[key] = v;
        return lines([`${name.padStart(16)}: ${v ? 'on' : 'off'}`.trimStart()]);
      }
      case 'print_max': {
        if (value !== undefined) {
          const n = Number(value);
          if (!Number.isInteger(n) || n < 0) return err(`invalid print_max value: ${value}`);
          s.printMax = n;
        }
        return lines([`print_max: ${s.printMax}`]);
      }
      default:
        return setTaskArg(ctx, name);
    }
  },
});

const radixLine = (r: number) => `output radix: ${r} (${r === 16 ? 'hex' : 'decimal'})`;

function showAll(ctx: CommandContext): string[] {
  const s = ctx.settings;
  const rows: [string, string][] = [
    ['scroll', s.scroll ? 'on (internal pager)' : 'off'],
    ['radix', `${s.radix} (${s.radix === 16 ? 'hexadecimal' : 'decimal'})`], // show_options() spells it out
    ['refresh', 'off'],
    ['print_max', String(s.printMax)],
    ['print_array', 'off'],
    ['console', '(not assigned)'],
    ['debug', '0'],
    ['core', 'off'],
    ['hash', s.hash ? 'on' : 'off'],
    ['silent', s.silent ? 'on' : 'off'],
    ['edit', 'vi'],
    ['namelist', ctx.vmlinuxPath ?? '(none)'],
    ['dumpfile', ctx.dumpPath],
    ['unwind', 'off'],
    ['zero_excluded', 'off'],
    ['null-stop', s.nullStop ? 'on' : 'off'],
    ['gdb', 'off'],
    ['scope', '0 (not set)'],
    ['offline', 'show'],
    ['redzone', 'on'],
    ['error', 'default'],
  ];
  // tools.c show_options(): labels right-justified in 14 columns ("         radix: ")
  return rows.map(([k, v]) => `${k.padStart(14)}: ${v}`);
}
