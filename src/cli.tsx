import { readFileSync, writeSync } from 'node:fs';
import { openKernel } from './kernel/open.js';
import { Session } from './commands/session.js';
import { sysInfo } from './commands/sys.js';
import { renderResult } from './format/render.js';
import { CrashError } from './util/errors.js';
import { VERSION } from './version.js';
import { parseArgv, USAGE } from './cli-args.js';
import { classifyFile } from './dump/classify.js';

/** argv → open the dump → TUI when stdin and stdout are terminals, batch (crash's text) otherwise. */
async function main(argv: string[]): Promise<number> {
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
    } else if (kind === 'dump') {
      if (dumpPath) return fail('too many dumpfile arguments');
      dumpPath = f;
    } else return fail(`${f}: not a supported file format`);
  }
  if (!dumpPath) return fail('no dumpfile argument');

  let kernel;
  try {
    kernel = openKernel(dumpPath, { vmlinux: vmlinuxPath });
  } catch (e) {
    if (e instanceof CrashError) return fail(e.message);
    throw e;
  }
  for (const w of kernel.dump.warnings) out(`WARNING: ${w}\n`);
  const session = new Session(kernel, { dumpPath, vmlinuxPath, silent: args.silent });
  const interactive = process.stdin.isTTY && process.stdout.isTTY && !args.inputFile;
  if (interactive) {
    const { startTui } = await import('./tui.js');
    return startTui(session);
  }
  return runBatch(session, args.silent, args.inputFile);
}

/** Batch mode: crash's behaviour with a non-tty stdin (prompt + echo unless -s; EOF exits 1). */
function runBatch(session: Session, silent: boolean, inputFile?: string): number {
  if (!silent) {
    out(`\ncrash-tui ${VERSION}\n\n`);
    out(renderResult(sysInfo(session.context()), 'sys') + '\n');
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
    for (const line of text.split('\n')) {
      if (!line.trim() || line.trim().startsWith('#')) continue;
      if (run(line)) return 0;
    }
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
