#!/usr/bin/env node
// crash-tui versus the real crash 8.0.2 on the reference ELF dump: startup to the first prompt
// (a session that only quits), `ps`, and `bt -a`, each a fresh batch process. Prints the median
// wall time and max RSS of N runs per tool, and crash-tui's ratio. crash needs the DWARF vmlinux
// (~/.cache/crash-tui/vmlinux-6.1.0-56-amd64) and /usr/bin/crash; its side is skipped, saying
// why, when either is missing. Wall time and max RSS come from GNU time (/usr/bin/time -f),
// else from the clock and process.resourceUsage() (then RSS is not per child: shown as '?').
//   RUNS=5 CRASH_RUNS=3 node bench/vs-crash.mjs [DUMP]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { cpus, homedir, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const cache = process.env.CRASH_TUI_CACHE ?? join(homedir(), '.cache/crash-tui');
const dump = process.argv[2] ?? join(cache, 'x86_64-debian12-sysrq.vmcore.elf');
const vmlinux = process.env.VMLINUX ?? join(cache, 'vmlinux-6.1.0-56-amd64');
const crashBin = process.env.CRASH ?? '/usr/bin/crash';
const runs = Number(process.env.RUNS ?? 5);
const crashRuns = Number(process.env.CRASH_RUNS ?? 3);
const ours = process.env.CRASH_TUI_BIN ?? new URL('../bin/crash-tui.js', import.meta.url).pathname;
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

if (!existsSync(dump)) {
  console.log(`bench skipped: ${dump} not found (run npm test once to decompress the reference dump)`);
  process.exit(0);
}
const crashSkip = !existsSync(crashBin) ? `${crashBin} not found` : !existsSync(vmlinux) ? `${vmlinux} not found (crash needs the DWARF vmlinux)` : undefined;

const dir = mkdtempSync(join(tmpdir(), 'vs-crash-'));
// the ×11 cases give the command alone, without startup noise: (wall(×11) - wall(×1)) / 10
const REPEAT = 11;
const cases = [
  { name: 'startup (to the first prompt, then q)', cmds: [] },
  { name: 'ps', cmds: ['ps'], expect: /PID +PPID/ },
  { name: 'bt -a', cmds: ['bt -a'], expect: /#0 \[/ },
  { name: `ps x${REPEAT}`, cmds: Array(REPEAT).fill('ps'), expect: /PID +PPID/, of: 'ps' },
  { name: `bt -a x${REPEAT}`, cmds: Array(REPEAT).fill('bt -a'), expect: /#0 \[/, of: 'bt -a' },
];

/** One run: wall ms, max RSS KiB (GNU time) and the output. */
function once(argv, input) {
  const t0 = process.hrtime.bigint();
  const timeFile = join(dir, 'time.txt');
  const r = gnuTime
    ? spawnSync(gnuTime, ['-f', '%e %M', '-o', timeFile, ...argv], { input, encoding: 'utf8', maxBuffer: 1 << 28 })
    : spawnSync(argv[0], argv.slice(1), { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  let rss;
  if (gnuTime) {
    const out = spawnSync('cat', [timeFile], { encoding: 'utf8' }).stdout.trim().split('\n').at(-1) ?? '';
    rss = Number(out.split(' ')[1]);
  }
  return { wall, rss, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function measure(tool, c, n) {
  const walls = [];
  const rsses = [];
  for (let i = 0; i < n; i++) {
    let r;
    if (tool === 'crash-tui') {
      r = once([process.execPath, ours, '-s', dump], [...c.cmds, 'q'].join('\n') + '\n');
    } else {
      const f = join(dir, 'cmds');
      writeFileSync(f, [...c.cmds, 'q'].join('\n') + '\n');
      r = once([crashBin, '-s', vmlinux, dump, '-i', f], '');
    }
    if (c.expect && !c.expect.test(r.stdout)) throw new Error(`${tool} ${c.name}: unexpected output\n${r.stdout.slice(0, 2000)}${r.stderr.slice(0, 2000)}`);
    walls.push(r.wall);
    if (r.rss !== undefined) rsses.push(r.rss);
  }
  return { wall: median(walls), min: Math.min(...walls), max: Math.max(...walls), rss: rsses.length ? median(rsses) : undefined, n };
}

const fmtMs = (v) => `${v.toFixed(0).padStart(7)} ms`;
const fmtRss = (v) => (v === undefined ? '      ?' : `${(v / 1024).toFixed(0).padStart(5)} MB`);
console.log(`crash-tui vs crash 8.0.2 on ${dump}`);
console.log(`medians of ${runs} crash-tui runs and ${crashRuns} crash runs; each run is a fresh process (startup included)`);
if (crashSkip) console.log(`crash side skipped: ${crashSkip}`);
console.log('');
console.log(`${'case'.padEnd(40)} ${'crash-tui wall'.padStart(14)} ${'max RSS'.padStart(8)}   ${'crash wall'.padStart(10)} ${'max RSS'.padStart(8)}   speed-up`);
const rows = [];
for (const c of cases) {
  const a = measure('crash-tui', c, runs);
  const b = crashSkip ? undefined : measure('crash', c, crashRuns);
  rows.push({ c, a, b });
  const ratio = b ? `${(b.wall / a.wall).toFixed(1)}x` : '-';
  console.log(`${c.name.padEnd(40)} ${fmtMs(a.wall).padStart(14)} ${fmtRss(a.rss).padStart(8)}   ${b ? fmtMs(b.wall).padStart(10) : '         -'} ${b ? fmtRss(b.rss).padStart(8) : '       -'}   ${ratio}`);
}
// the command alone, from the repeated cases
console.log('');
for (const { c, a, b } of rows.filter((r) => r.c.of)) {
  const one = rows.find((r) => r.c.name === c.of);
  // under load the run-to-run noise can exceed ten commands' cost: then there is no figure
  const per = (x, y) => (x.wall > y.wall ? (x.wall - y.wall) / (REPEAT - 1) : undefined);
  const show = (v) => (v === undefined ? 'below the noise' : `${v.toFixed(1)} ms`);
  const oa = per(a, one.a);
  const ob = b && one.b ? per(b, one.b) : undefined;
  const ratio = oa !== undefined && ob !== undefined ? ` (${(ob / oa).toFixed(1)}x)` : '';
  console.log(`${c.of} alone, per command in a running session: crash-tui ${show(oa)}${b ? `, crash ${show(ob)}${ratio}` : ''}`);
}
console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cpus (the figures are wall times: a loaded machine inflates both sides)`);
rmSync(dir, { recursive: true, force: true });
