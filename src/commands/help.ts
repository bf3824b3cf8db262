import { defineCommand, type CommandContext, type CommandDef } from './types.js';
import { lines, type CommandResult } from './result.js';
import { VERSION } from '../version.js';

export const help = defineCommand({
  name: 'help',
  summary: 'get help',
  synopsis: '[command | all] [-<option>]',
  description: [
    'When entered with no argument, a list of all currently available crash-tui commands is',
    'listed.  If a name of a crash-tui command is entered, a man-like page for the command is',
    'displayed.  Everything shown comes from the command declarations themselves.',
  ],
  options: {},
  run(ctx, a): CommandResult | CommandResult[] {
    if (!a.args.length) return lines(helpScreen(ctx.commands));
    return a.args.map((name) => {
      if (name === 'all') return lines(ctx.commands.filter((c) => !c.hidden).flatMap((c) => commandPage(c)));
      const def = findCommand(ctx, name);
      return def ? lines(commandPage(def)) : lines([`No help data for "${name}" is available.`]);
    });
  },
});

function findCommand(ctx: CommandContext, name: string): CommandDef | undefined {
  const alias = ctx.aliases.get(name);
  const target = alias ? alias.expansion.split(/\s+/)[0] : name;
  return ctx.commands.find((c) => c.name === target);
}

/** help.c display_help_screen(): names in 5 columns of 15, filled top to bottom. */
export function helpScreen(commands: readonly CommandDef[]): string[] {
  const names = commands
    .filter((c) => !c.hidden)
    .map((c) => c.name)
    .sort((a, b) => (a === 'q' ? 1 : b === 'q' ? -1 : a < b ? -1 : a > b ? 1 : 0));
  const cols = 5;
  const rows = Math.ceil(names.length / cols);
  const out = [''];
  for (let i = 0; i < rows; i++) {
    let line = '';
    for (let j = 0; j < cols && i + j * rows < names.length; j++) line += names[i + j * rows].padEnd(15);
    out.push(line);
  }
  out.push('', `crash-tui version: ${VERSION.padEnd(6)}   (crash 8.0.2 compatible; no gdb needed)`);
  out.push('For help on any command above, enter "help <command>".');
  out.push('For help on input options, enter "help input".');
  out.push('For help on output options, enter "help output".', '');
  return out;
}

/** help.c cmd_usage() man-page layout: NAME, SYNOPSIS, DESCRIPTION, OPTIONS, EXAMPLES. */
export function commandPage(c: CommandDef): string[] {
  const out = ['', 'NAME', `  ${c.name} - ${c.summary}`, '', 'SYNOPSIS', `  ${c.name} ${c.synopsis}`, '', 'DESCRIPTION'];
  for (const d of c.description) out.push(`  ${d}`);
  const opts = Object.entries(c.options);
  if (opts.length) {
    out.push('');
    for (const [k, o] of opts) out.push(`    -${k}${o.arg ? ' arg' : ''}`.padEnd(14) + ` ${o.help}`);
  }
  if (c.examples?.length) {
    out.push('', 'EXAMPLES');
    for (const e of c.examples) out.push(`    crash> ${e.command}${e.note ? `   (${e.note})` : ''}`);
  }
  out.push('');
  return out;
}

/** The short usage crash prints after an argument error (help.c cmd_usage SYNOPSIS). */
export function shortUsage(c: CommandDef): string[] {
  return ['Usage:', `  ${c.name} ${c.synopsis}`, `Enter "help ${c.name}" for details.`];
}
