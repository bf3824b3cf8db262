import { defineCommand, type Alias } from './types.js';
import { err, lines, type CommandResult } from './result.js';

/** cmdline.c alias_init(): the built-in aliases, in crash's order. */
export const BUILTIN_ALIASES: [string, string][] = [
  ['man', 'help'],
  ['?', 'help'],
  ['quit', 'q'],
  ['sf', 'set scroll off'],
  ['sn', 'set scroll on'],
  ['hex', 'set radix 16'],
  ['dec', 'set radix 10'],
  ['g', 'gdb'],
  ['px', 'p -x'],
  ['pd', 'p -d'],
  ['for', 'foreach'],
  ['size', '*'],
  ['dmesg', 'log'],
  ['lsmod', 'mod'],
];

export function builtinAliases(): Map<string, Alias> {
  return new Map(BUILTIN_ALIASES.map(([name, expansion]) => [name, { name, expansion, origin: 'builtin' }]));
}

export const alias = defineCommand({
  name: 'alias',
  summary: 'command aliases',
  synopsis: '[alias] [command string]',
  description: [
    'This command creates an alias for a given command string.  If no arguments are entered, the',
    'current list of aliases is displayed.  If one argument is entered, the command string for that',
    'alias, if any, is displayed.  An empty command string deletes the alias.',
  ],
  options: {},
  examples: [{ command: 'alias kp "kmem -p"' }],
  run(ctx, a, words): CommandResult | CommandResult[] {
    const table = ctx.aliases;
    if (!a.args.length) return lines(['ORIGIN   ALIAS    COMMAND', ...[...table.values()].map(row)]);
    const name = a.args[0];
    if (a.args.length === 1 && !words.slice(2).length) {
      // cmdline.c list_aliases(): the header, then the row or a plain (unprefixed) line
      const hit = table.get(name);
      return lines(['ORIGIN   ALIAS    COMMAND', hit ? row(hit) : `alias does not exist: ${name}`]);
    }
    const expansion = a.args.slice(1).join(' ');
    // cmdline.c allocate_alias(): the name must not be a command, the target must be one;
    // an empty target deletes the alias, silently when there is none.
    if (ctx.commands.some((c) => c.name === name)) return err(`cannot alias existing command name: ${name}`);
    if (!expansion.trim()) return table.delete(name) ? lines([`alias deleted: ${name}`]) : lines([]);
    const target = expansion.trim().split(/\s+/)[0];
    if (!ctx.commands.some((c) => c.name === target)) return err(`invalid alias attempt on non-existent command: ${target}`);
    table.delete(name); // a redefined alias moves to the end of the list, as crash re-allocates it
    const al: Alias = { name, expansion, origin: 'runtime' };
    table.set(name, al);
    return lines(['ORIGIN   ALIAS    COMMAND', row(al)]);
  },
});

const row = (al: Alias) => `${al.origin.padEnd(7)}  ${al.name.padEnd(7)}  ${al.expansion.split(/\s+/).map((w) => w + ' ').join('')}`;
