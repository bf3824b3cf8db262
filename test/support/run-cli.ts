import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = join(ROOT, 'bin/crash-tui.js');

/** Run the built CLI (npm test builds first) in batch mode; stdin is the given text. */
export function runCli(args: string[], stdin = '', env: Record<string, string> = {}): { stdout: string; status: number | null; ms: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...args], {
    input: stdin,
    encoding: 'latin1',
    env: { ...process.env, TZ: 'UTC', NO_COLOR: '1', ...env },
    maxBuffer: 256 << 20,
  });
  return { stdout: r.stdout, status: r.status, ms: performance.now() - t0 };
}

/**
 * Run commands the way ../shared/refdumps/tools/goldens.sh ran crash: one session, each command
 * preceded by `!echo '@@@ <cmd>'`, then split the output on those markers.
 */
export function runLikeGoldens(dump: string, commands: string[], extraArgs: string[] = []): Map<string, string> {
  const script = commands.flatMap((c) => [`!echo '@@@ ${c}'`, c]).join('\n') + '\n';
  const { stdout } = runCli(['-s', ...extraArgs, dump], script);
  const out = new Map<string, string>();
  let cur: string | undefined;
  for (const line of stdout.split(/(?<=\n)/)) {
    const m = /^@@@ (.*)\n$/.exec(line) ?? /^(?:.*?)@@@ (.*)\n$/.exec(line);
    if (m) {
      // crash's rd -a ends without a newline, so a marker can follow text on the same line
      const before = line.slice(0, line.indexOf('@@@ '));
      if (cur !== undefined && before) out.set(cur, out.get(cur)! + before);
      cur = m[1];
      out.set(cur, '');
      continue;
    }
    if (cur !== undefined) out.set(cur, out.get(cur)! + line);
  }
  return out;
}
