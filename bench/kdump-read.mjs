#!/usr/bin/env node
// Physical-read throughput of the kdump reader: 1 GiB read through the flattened, zlib-compressed
// reference dump (QEMU dump-guest-memory -z), looping over its RAM as often as needed, in reads of
// READ_KB (default 64) KiB. Every page is inflated again on each pass (the page LRU holds 4 MiB).
// Prints open time, MB/s and peak RSS. Build first (npm run build).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dump = process.argv[2] ?? join(root, '../shared/refdumps/x86_64-debian12-sysrq/vmcore.kdump-zlib');
if (!existsSync(dump)) {
  console.log(`bench skipped: ${dump} not found (../shared absent)`);
  process.exit(0);
}
const { openDumpFile } = await import(join(root, 'dist/dump/open.js'));
const TOTAL = Number(process.env.TOTAL_MB ?? 1024) * 2 ** 20;
const CHUNK = Number(process.env.READ_KB ?? 64) * 1024;

const t0 = performance.now();
const d = openDumpFile(dump);
const tOpen = performance.now() - t0;
let peakRss = process.memoryUsage().rss;
let done = 0;
let faults = 0;
let passes = 0;
const t1 = performance.now();
const cpu0 = process.cpuUsage();
while (done < TOTAL) {
  passes++;
  for (const r of d.ranges) {
    for (let a = r.start; a < r.end && done < TOTAL; a += BigInt(CHUNK)) {
      const n = Number(r.end - a < BigInt(CHUNK) ? r.end - a : BigInt(CHUNK));
      try {
        d.readPhys(a, n);
      } catch {
        faults++;
      }
      done += n;
      if ((done & (64 * 2 ** 20 - 1)) < CHUNK) peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    if (done >= TOTAL) break;
  }
}
const secs = (performance.now() - t1) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuSecs = (cpu.user + cpu.system) / 1e6;
peakRss = Math.max(peakRss, process.memoryUsage().rss);
d.close();
const mb = done / 2 ** 20;
console.log(`kdump read: ${dump}`);
console.log(`  format ${d.format}${d.flattened ? ' (flattened)' : ''}, open ${tOpen.toFixed(0)} ms, RAM ${(d.ranges.reduce((s, r) => s + Number(r.end - r.start), 0) / 2 ** 20).toFixed(0)} MiB`);
console.log(`  read ${mb.toFixed(0)} MiB in ${CHUNK / 1024} KiB reads over ${passes} pass(es): ${secs.toFixed(2)} s, ${(mb / secs).toFixed(0)} MB/s, ${faults} faulted reads`);
console.log(`  CPU ${cpuSecs.toFixed(2)} s (${(mb / cpuSecs).toFixed(0)} MB per CPU-second; wall-clock figures suffer on a loaded machine)`);
console.log(`  peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
