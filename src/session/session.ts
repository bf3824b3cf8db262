import { spawnSync } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import type { Kernel } from '../kernel/kernel.js';
import type { Alias, CommandContext, CommandDef, Settings } from '../commands/types.js';
import { COMMANDS } from '../commands/registry.js';
import { builtinAliases } from '../commands/alias.js';
import { getopt, splitWords, UsageError } from '../commands/getopt.js';
import { shortUsage } from '../commands/help.js';
import { splitPlumbing } from './pipeline.js';
import { err, lines, type CommandResult } from '../commands/result.js';
import { renderResult } from '../format/render.js';
import { CrashError } from '../util/errors.js';
import { Interrupted, type ProgressHooks } from '../util/interrupt.js';
import { panicCpu } from '../kernel/helpers/context.js';
import { shortcutFor } from '../commands/shortcuts.js';
import { sysInfo } from '../commands/sys.js';
import { contextResult, currentContext } from '../commands/task-context.js';
import { defaultContextTask } from '../kernel/helpers/task.js';

export interface SessionOptions {
  dumpPath: string;
  vmlinuxPath?: string;
  silent?: boolean;
  radix?: 10 | 16;
}

export interface LineOutput {
  text: string;
  quit: boolean;
  /** The user cancelled the line (Ctrl-C in the TUI): its output is dropped, as crash's longjmp drops the rest. */
  interrupted?: boolean;
}

const QUIT_WORDS = new Set(['q', 'exit', 'quit']);

/** One crash session over one kernel: settings, aliases, value history, and the line engine. */
export class Session {
  readonly settings: Settings;
  readonly aliases: Map<string, Alias> = builtinAliases();
  readonly commands: readonly CommandDef[] = COMMANDS;
  private valueNumber = 0;
  private cpu: number | undefined;
  private task: bigint | undefined;
  /** Progress and cancellation for the line being run (the TUI sets them; batch mode never does). */
  hooks: ProgressHooks | undefined;

  constructor(
    readonly kernel: Kernel,
    readonly opts: SessionOptions,
  ) {
    this.settings = { radix: opts.radix ?? 10, scroll: !opts.silent, silent: !!opts.silent, printMax: 256, hash: true, nullStop: false };
  }

  get currentCpu(): number {
    if (this.cpu === undefined) this.cpu = panicCpu(this.kernel);
    return this.cpu;
  }

  /** The current task context: the panic task (else cpu 0's idle task) until `set` changes it. */
  get currentTask(): bigint | undefined {
    if (this.task === undefined) this.task = defaultContextTask(this.kernel);
    return this.task;
  }

  context(): CommandContext {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const session = this;
    return {
      kernel: this.kernel,
      settings: this.settings,
      commands: this.commands,
      aliases: this.aliases,
      nextValueNumber: () => ++this.valueNumber,
      runLine: (l) => this.results(l).results,
      dumpPath: this.opts.dumpPath,
      vmlinuxPath: this.opts.vmlinuxPath,
      currentCpu: this.currentCpu,
      setCurrentCpu: (c) => (this.cpu = c),
      get currentTask() {
        return session.currentTask;
      },
      setCurrentTask: (t, c) => ((this.task = t), (this.cpu = c)),
      progress: this.hooks?.progress,
      cancelled: this.hooks?.cancelled,
    };
  }

  /** crash's startup text: the sys block, then the context block indented under it, then a blank line. */
  banner(): string {
    const ctx = this.context();
    let text = renderResult(sysInfo(ctx), 'sys');
    try {
      text += renderResult(contextResult(this.kernel, currentContext(ctx), 5), 'set');
    } catch (e) {
      if (!(e instanceof CrashError)) throw e;
      text += `WARNING: ${e.message}\n`;
    }
    return text + '\n';
  }

  /** Run one input line: comments, `!shell`, pipes and redirection, aliases, the command. */
  runLine(raw: string): LineOutput {
    try {
      const out = this.runLineOnce(raw);
      // A loop that swallowed Interrupted (a bare catch around a read) still ends here: drop its output.
      return this.hooks?.cancelled?.() ? { text: '', quit: false, interrupted: true } : out;
    } catch (e) {
      if (e instanceof Interrupted) return { text: '', quit: false, interrupted: true };
      throw e;
    }
  }

  private runLineOnce(raw: string): LineOutput {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('//')) return { text: '', quit: false };
    if (line.startsWith('!') || line.startsWith('|')) return { text: shell(line.slice(1).trim(), ''), quit: false };
    const plumb = splitPlumbing(line);
    if ('error' in plumb) return { text: `crash: ${plumb.error}\n`, quit: false };
    const { cmd, results, quit } = this.results(plumb.command);
    const text = results.map((r) => renderResult(r, cmd)).join('');
    if (plumb.pipe) return { text: shell(plumb.pipe, text), quit };
    if (plumb.file) {
      try {
        (plumb.file.append ? appendFileSync : writeFileSync)(plumb.file.path, text);
      } catch {
        return { text: `crash: unable to open ${plumb.file.path}\n`, quit };
      }
      // errors are shown on the console as well as written to the file
      return { text: results.filter((r) => r.kind === 'error').map((r) => renderResult(r, cmd)).join(''), quit };
    }
    return { text, quit };
  }

  /** Resolve aliases and shortcuts, then run the command; errors become results. */
  results(line: string, depth = 0): { cmd: string; results: CommandResult[]; quit: boolean } {
    let words = splitWords(line);
    if (words[0]?.startsWith('*') && words[0].length > 1) words = ['*', words[0].slice(1), ...words.slice(1)];
    if (!words.length) return { cmd: '', results: [], quit: false };
    const al = this.aliases.get(words[0]);
    if (al && depth < 8) {
      // expand on the line's own text, so the arguments keep their quoting (foreach 'regex')
      const raw = line.trimStart();
      const rest = raw.startsWith(words[0]) ? raw.slice(words[0].length) : ` ${words.slice(1).join(' ')}`;
      return this.results(al.expansion + rest, depth + 1);
    }
    const name = words[0];
    if (QUIT_WORDS.has(name)) return { cmd: name, results: [], quit: true };
    let def = this.commands.find((c) => c.name === name);
    if (!def) {
      const sc = shortcutFor(this.kernel, words);
      if (sc && depth < 8) return this.results(sc, depth + 1);
      return { cmd: 'crash', results: [err(`command not found: ${name}`)], quit: false };
    }
    if (def.keepSingleQuotes) words = [words[0], ...splitWords(line, true).slice(1)];
    return { cmd: def.name, results: this.invoke(def, words), quit: false };
  }

  private invoke(def: CommandDef, words: string[]): CommandResult[] {
    try {
      const parsed = getopt(words.slice(1), def.options, def.rawArgs);
      const r = def.run(this.context(), parsed, words);
      return Array.isArray(r) ? r : [r];
    } catch (e) {
      if (e instanceof Interrupted) throw e; // up through foreach and aliases to runLine
      if (e instanceof UsageError) return [err(e.message), lines(shortUsage(def))];
      if (e instanceof CrashError) return [err(e.message)];
      // Anything else is our bug: say so, in one line, and keep the session alive.
      return [err(`internal error: ${(e as Error).message ?? String(e)}`)];
    }
  }
}

function shell(cmd: string, input: string): string {
  const r = spawnSync('/bin/sh', ['-c', cmd], { input, encoding: 'utf8', maxBuffer: 1 << 30 });
  return (r.stdout ?? '') + (r.stderr ?? '');
}
