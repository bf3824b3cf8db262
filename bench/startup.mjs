#!/usr/bin/env node
// Startup to the first answer: `crash-tui DUMP -s` with `sys`, on the reference ELF.
// Prints wall-clock figures (min/median/max of N runs); bench/vs-crash.mjs runs the real crash 8.0.2 beside it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const dump = process.argv[2] ?? join(process.env.CRASH_TUI_CACHE ?? join(homedir(), '.cache/crash-tui'), 'x86_64-debian12-sysrq.vmcore.elf');
const runs = Number(process.env.RUNS ?? 10);
if (!existsSync(dump)) {
  console.log(`bench skipped: ${dump} not found (run npm test once to decompress the reference dump)`);
  process.exit(0);
}
const bin = new URL('../bin/crash-tui.js', import.meta.url).pathname;
const times = [];
for (let i = 0; i < runs; i++) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, '-s', dump], { input: 'sys\n', encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (!r.stdout.includes('RELEASE:')) throw new Error(`no sys output:\n${r.stdout}${r.stderr}`);
  times.push(ms);
}
times.sort((a, b) => a - b);
const med = times[Math.floor(times.length / 2)];
console.log(`startup to first answer (sys), ${runs} runs on ${dump}:`);
console.log(`  min ${times[0].toFixed(0)} ms  median ${med.toFixed(0)} ms  max ${times[times.length - 1].toFixed(0)} ms`);
console.log(`  target < 1000 ms: ${med < 1000 ? 'met' : 'NOT met'} (node bench/vs-crash.mjs times crash 8.0.2 with its DWARF vmlinux beside it)`);
