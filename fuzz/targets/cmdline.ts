/**
 * The command line: plumbing (`|`, `!`, `>`, `>>`), word splitting (quotes, parenthesised
 * expressions) and GNU getopt against every real command's option declarations.
 * Seeds: the reference dump's golden commands, the scenario transcripts' commands, and lines
 * that exercise quoting, pipes and redirection.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getopt, splitWords } from '../../src/commands/getopt.js';
import { splitPlumbing } from '../../src/session/pipeline.js';
import { COMMANDS } from '../../src/commands/registry.js';
import { type FuzzTarget } from '../lib/engine.js';
import { ROOT } from '../lib/seeds.js';

/** `crash> cmd` lines of the scenario write-ups and the golden manifest, where present. */
export function realCommandLines(): string[] {
  const out: string[] = [];
  const shared = join(ROOT, '..', 'shared');
  try {
    for (const f of readdirSync(join(shared, 'scenarios'))) {
      for (const m of readFileSync(join(shared, 'scenarios', f), 'utf8').matchAll(/^crash> (.+?)(?:\s{2,}\(.*)?$/gm)) out.push(m[1]!.trim());
    }
    const manifest = readFileSync(join(shared, 'refdumps/x86_64-debian12-sysrq/crash-8.0.2/manifest.tsv'), 'utf8');
    for (const l of manifest.split('\n')) if (l.includes('\t')) out.push(l.split('\t')[1]!);
  } catch {
    /* ../shared absent: the built-in lines below */
  }
  return out;
}

const LINES = [
  'rd -64 -x ffffffff81000000 16 | grep -v 0000 > /tmp/x', 'p (struct task_struct *)0xffff8880 | head', "sym -q 'tcp_ ' >> out",
  'struct task_struct.pid,comm -x ffff888000000000', 'list -H init_task.tasks -s task_struct.comm', 'eval -b (1 << 12) + 0x40',
  'rd -32 -e ffff0010 -o 8 ffff0000', 'p -d jiffies != 0', 'kmem -p 1000 -x', 'vtop -c 1 -u 400000', 'bt -a -f', 'ps -G "sh"',
  'set -c 1', 'help rd', 'alias xx "rd -64"', 'log -T -m', '* task_struct.se ffff8880', 'mod -s ext4 /tmp/ext4.ko', 'px init_task.pid ! wc',
];

export const cmdlineTarget: FuzzTarget = {
  name: 'cmdline',
  description: 'command lines: plumbing, word splitting, getopt against every command',
  kind: 'text',
  setup() {
    const seeds = [...new Set([...realCommandLines(), ...LINES])];
    const tokens = [...COMMANDS.map((c) => c.name), ...COMMANDS.flatMap((c) => Object.keys(c.options).map((o) => `-${o}`)), '"', "'", '(', ')', '|', '>', '>>', '!', '!=', '->', '--', '-'];
    return {
      seeds,
      dict: { tokens },
      run(line) {
        const plumb = splitPlumbing(line);
        const words = splitWords('error' in plumb ? line : plumb.command);
        const def = COMMANDS.find((c) => c.name === words[0]) ?? COMMANDS[line.length % COMMANDS.length]!;
        getopt(words.slice(1), def.options, def.rawArgs);
      },
    };
  },
};
