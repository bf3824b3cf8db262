import { readFileSync, writeSync } from 'node:fs';
import { openKernel } from './kernel/open.js';
import { Session } from './session/session.js';
import { CrashError } from './util/errors.js';
import { VERSION } from './version.js';
import { parseArgv, USAGE } from './cli-args.js';
import { classifyFile } from './dump/classify.js';
import { bundledScenarios } from './synth/bundled.js';
import { buildScenarioDump, writeScenarioElf } from './synth/build.js';
import { kernelFromDump } from './kernel/open.js';

/** argv → open the dump → TUI when stdin and stdout are terminals, batch (crash's text) otherwise. */
async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'synth') return synthCommand(argv.slice(1));
  const args = parseArgv(argv);
  if ('error' in args) {
    out(`crash-tui: ${args.error}\n${USAGE}`);
    return 1;
  }
  if (args.help) {
    out(USAGE);
    return 0;
  }
  if (args.version) {
    out(`crash-tui ${VERSION}\n`);
    return 0;
  }
  let dumpPath: string | undefined;
  let vmlinuxPath: string | undefined;
  for (const f of args.files) {
    const kind = classifyFile(f);
    if (kind === 'missing') return fail(`${f}: No such file or directory`);
    if (kind === 'vmlinux') {
      if (vmlinuxPath) return fail('too many namelist arguments');
      vmlinuxPath = f;
    } else if (kind === 'dump' || kind === 'scenario') {
      if (dumpPath) return fail('too many dumpfile arguments');
      dumpPath = f;
    } else return fail(`${f}: not a supported file format`);
  }
  const terminal = process.stdin.isTTY && process.stdout.isTTY && !args.inputFile;
  if (!dumpPath) {
    const list = bundledScenarios();
    if (!terminal || !list.length) {
      out(`\ncrash-tui: no dumpfile argument\n${USAGE}\nbundled scenario dumps (open one with crash-tui dumps/<name>):\n`);
      for (const b of list) out(`  ${b.name.padEnd(28)} ${b.title}\n`);
      return 1;
    }
    const { pickScenario } = await loadTui();
    const picked = await pickScenario(list);
    if (!picked) return 0;
    dumpPath = picked;
  }
  const dump: string = dumpPath;

  let kernel;
  try {
    kernel = classifyFile(dump) === 'scenario' ? kernelFromDump(buildScenarioDump(dump)) : openKernel(dump, { vmlinux: vmlinuxPath });
  } catch (e) {
    if (e instanceof CrashError) return fail(e.message);
    throw e;
  }
  for (const w of kernel.dump.warnings) out(`WARNING: ${w}\n`);
  const session = new Session(kernel, { dumpPath: dump, vmlinuxPath, silent: args.silent });
  if (terminal) {
    const { startTui } = await loadTui();
    return startTui(session);
  }
  return runBatch(session, args.silent, args.inputFile);
}

/**
 * Import the TUI (ink, react) for a session whose stdin and stdout are terminals.
 * React's development build checks and warns at every render: the TUI runs the production one.
 * Ink decides once, when imported, whether it runs "in CI" (CI or CONTINUOUS_INTEGRATION set) and
 * then writes nothing until it exits: a blank screen for someone debugging a dump inside a CI job
 * or a container that exports CI=true. We only get here with a terminal on both ends, so the user
 * is interactive whatever CI says: hide those two variables from ink's check (only while it loads).
 */
async function loadTui(): Promise<typeof import('./tui.js')> {
  process.env.NODE_ENV ??= 'production';
  const saved = ['CI', 'CONTINUOUS_INTEGRATION'].map((k) => [k, process.env[k]] as const);
  for (const [k] of saved) delete process.env[k];
  try {
    return await import('./tui.js'); // ink reads them once, here; `!cmd` and pipes still see them
  } finally {
    for (const [k, v] of saved) if (v !== undefined) process.env[k] = v;
  }
}

/** Batch mode: crash's behaviour with a non-tty stdin (prompt + echo unless -s; EOF exits 1). */
function runBatch(session: Session, silent: boolean, inputFile?: string): number {
  if (!silent) {
    out(`\ncrash-tui ${VERSION}\n\n`);
    out(session.banner());
  }
  const run = (line: string): boolean => {
    if (!silent) out(`crash> ${line}\n`);
    const r = session.runLine(line);
    out(r.text);
    return r.quit;
  };
  if (inputFile) {
    let text: string;
    try {
      text = readFileSync(inputFile, 'utf8');
    } catch {
      return fail(`${inputFile}: No such file or directory`);
    }
    // cmdline.c: INIT_IFILE while the -i file runs (bt -O is idempotent there)
    session.settings.initFile = true;
    for (const line of text.split('\n')) {
      if (!line.trim() || line.trim().startsWith('#')) continue;
      if (run(line)) return 0;
    }
    session.settings.initFile = false;
  }
  if (process.stdin.isTTY) return 0;
  let stdin = '';
  try {
    stdin = readFileSync(0, 'utf8');
  } catch {
    /* closed or unreadable stdin: nothing more to run */
  }
  for (const line of stdin.split('\n')) {
    if (!line.trim()) continue;
    if (run(line)) return 0;
  }
  if (!silent) out('crash> '); // crash prints the prompt, then meets EOF and exits 1
  return 1;
}

/** `crash-tui synth dumps/<name> -o FILE`: write a scenario as an ELF vmcore. */
function synthCommand(argv: string[]): number {
  const o = argv.indexOf('-o');
  const dir = argv.find((a, i) => !a.startsWith('-') && i !== o + 1);
  if (!dir || o < 0 || !argv[o + 1]) {
    out('usage: crash-tui synth dumps/<scenario> -o FILE\n');
    return 1;
  }
  try {
    const r = writeScenarioElf(dir, argv[o + 1]);
    out(`${argv[o + 1]}: ELF vmcore of scenario ${dir}, ${r.size} bytes (${r.dataBytesWritten} bytes of data)\n`);
    return 0;
  } catch (e) {
    if (e instanceof CrashError) return fail(e.message);
    throw e;
  }
}

function out(text: string): void {
  if (!text) return;
  const buf = Buffer.from(text, 'latin1');
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(1, buf, off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue;
      if (code === 'EPIPE') process.exit(0);
      throw e;
    }
  }
}

function fail(msg: string): number {
  out(`\ncrash-tui: ${msg}\n\n`);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    out(`crash-tui: ${(e as Error).stack ?? e}\n`);
    process.exit(2);
  },
);
