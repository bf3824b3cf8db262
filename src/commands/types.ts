import type { OptionSpecs, ParsedArgs } from './getopt.js';
import type { Kernel } from '../kernel/kernel.js';
import type { CommandResult } from './result.js';

/** Session settings crash shows with `set -v` (the ones that mean something here). */
export interface Settings {
  radix: 10 | 16;
  scroll: boolean;
  silent: boolean;
  printMax: number;
  hash: boolean;
  nullStop: boolean;
  /** `bt -O`: plain bt uses the old method (`bt -o`) until toggled back (kernel.c USE_OPT_BT). */
  btOld?: boolean;
  /** True while the -i input file runs (cmdline.c INIT_IFILE): `bt -O` is then idempotent. */
  initFile?: boolean;
}

export interface Alias {
  name: string;
  expansion: string;
  origin: 'builtin' | 'runtime' | '.crashrc';
}

/** What a command sees: the kernel, the session settings and the registry (for help/alias). */
export interface CommandContext {
  kernel: Kernel;
  settings: Settings;
  commands: readonly CommandDef[];
  aliases: Map<string, Alias>;
  /** gdb-style value history counter ($1, $2 ...). */
  nextValueNumber(): number;
  /** Run another command line in this session (foreach, aliases, per-cpu shortcut). */
  runLine?(line: string): CommandResult[];
  /** Path of the dump and optional vmlinux, as given on the command line. */
  dumpPath: string;
  vmlinuxPath?: string;
  /** The current context (task/cpu) is added by later commands; the CPU is enough for now. */
  currentCpu: number;
  setCurrentCpu(cpu: number): void;
  /** The current task context (crash's CURRENT_TASK()): the panic task until `set` changes it. */
  readonly currentTask?: bigint;
  /** Switch the context to a task (and its cpu). */
  setCurrentTask?(task: bigint, cpu: number): void;
  /**
   * Long loops (kmem -s/-S/-p, search, foreach) report progress here: call
   * `checkpoint(ctx, done, total, what)` from util/interrupt.ts, which also throws Interrupted when
   * cancelled() says the user pressed Ctrl-C. Both are undefined in batch mode.
   */
  progress?(done: number, total: number, what?: string): void;
  cancelled?(): boolean;
}

export interface CommandDef {
  name: string;
  summary: string;
  synopsis: string;
  /** Paragraphs of the DESCRIPTION section of `help <name>`. */
  description: string[];
  options: OptionSpecs;
  examples?: { command: string; note?: string }[];
  /** Stop option parsing at the first argument (expressions may begin with '-'). */
  rawArgs?: boolean;
  /** Keep single quotes in the words (crash's parse_line does; foreach's 'regex' selectors need them). */
  keepSingleQuotes?: boolean;
  hidden?: boolean;
  run(ctx: CommandContext, args: ParsedArgs, words: string[]): CommandResult | CommandResult[];
}

export function defineCommand(def: CommandDef): CommandDef {
  return def;
}

export const flag = (help: string) => ({ help });
export const withArg = (help: string) => ({ arg: true, help });
