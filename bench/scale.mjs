#!/usr/bin/env node
// Scale: a 256 GB-RAM machine as a kdump-compressed dump with everything but the kernel's own pages
// excluded (bitmaps for 64M pfns, a few thousand dumped pages), and an 8 GB machine as a flattened
// (makedumpfile -F) stream with every page dumped (2M page records the reader must index). Both are
// built by the scenario builder (src/synth/scale.ts, kdump-writer.ts) into /tmp and deleted after.
// Each dump is measured in a fresh process: open to the first answer (`sys`), `kmem -i` (from the
// kernel's counters and a mem_map pass for SHARED; the dump's page reads are counted, and struct pages
// are all excluded), `search -p` over all of physical memory (reads and faulted reads counted), peak RSS.
// Targets: open < 2 s, RSS < 300 MB. Build first (npm run build). SCALE_GB / FLAT_GB change sizes;
// SCALE_ONLY=kdump (or =flattened) runs one case; SCALE_SEARCH=0 leaves out the search.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SEARCH_VALUE = 'deadbeefcafef00d';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => join(root, 'dist', p);
const MB = 2 ** 20;

if (process.argv[2] === '--measure') {
  await measure(process.argv[3]);
  process.exit(0);
}

const { scaleScenario } = await import(dist('synth/scale.js'));
const { buildScenarioDump } = await import(dist('synth/build.js'));
const { writeKdumpFile } = await import(dist('synth/kdump-writer.js'));
const base = join(root, 'dumps/lsm-ro-write');
const dir = mkdtempSync(join(tmpdir(), 'crash-tui-scale-'));
const cases = [
  { label: 'kdump-compressed, most pages excluded', gb: BigInt(process.env.SCALE_GB ?? 256), dumped: 'image', flattened: false },
  { label: 'flattened stream, every page dumped', gb: BigInt(process.env.FLAT_GB ?? 8), dumped: 'all', flattened: true },
];
const results = [];
try {
  for (const c of cases) {
    if (process.env.SCALE_ONLY && !c.label.startsWith(process.env.SCALE_ONLY)) continue;
    const file = join(dir, `${c.gb}g.${c.flattened ? 'flat' : 'kdump'}`);
    const t0 = performance.now();
    const s = scaleScenario({ base, ramBytes: c.gb << 30n });
    const synth = buildScenarioDump(s);
    const tBuild = performance.now() - t0;
    const w = writeKdumpFile(file, { machine: synth.machine, image: synth.image, notes: synth.notes, uts: s.uts, dumped: c.dumped, flattened: c.flattened, nrCpus: s.cpus.count, extraPages: c.dumped === 'image' ? 4096 : 0 });
    const tWrite = performance.now() - t0 - tBuild;
    const builderRss = process.memoryUsage().rss;
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--measure', file], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`measuring ${file} failed:\n${r.stdout}${r.stderr}`);
    const m = JSON.parse(r.stdout.trim().split('\n').pop());
    // the command line, end to end: node start, open, `sys`, exit
    const t1 = performance.now();
    const cli = spawnSync(process.execPath, [join(root, 'bin/crash-tui.js'), '-s', file], { input: 'sys\n', encoding: 'utf8' });
    const tCli = performance.now() - t1;
    if (!cli.stdout.includes('MEMORY:')) throw new Error(`crash-tui -s ${file}: no sys output\n${cli.stdout}${cli.stderr}`);
    results.push({ ...c, file, w, tBuild, tWrite, builderRss, fileSize: statSync(file).size, m, tCli });
    rmSync(file, { force: true });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const ok = (v, target) => (v < target ? 'met' : 'NOT met');
for (const r of results) {
  const m = r.m;
  console.log(`${r.gb} GB RAM, ${r.label}:`);
  console.log(`  built in ${(r.tBuild / 1000).toFixed(2)} s, written in ${(r.tWrite / 1000).toFixed(2)} s (builder RSS ${(r.builderRss / MB).toFixed(0)} MiB)`);
  console.log(`  file ${(r.fileSize / MB).toFixed(1)} MiB${r.flattened ? `, ${r.w.records} flattened records` : ''}; max_mapnr ${r.w.maxMapnr} pfns, ${r.w.dumpedPages} dumped pages (${((100 * r.w.dumpedPages) / r.w.maxMapnr).toFixed(3)}%)`);
  console.log(`  open to first answer (sys): ${m.openMs.toFixed(0)} ms in-process (dump ${m.dumpMs.toFixed(0)} ms, kernel ${m.kernelMs.toFixed(0)} ms, sys ${m.sysMs.toFixed(0)} ms); ${r.tCli.toFixed(0)} ms for \`crash-tui -s\` end to end; target < 2000 ms: ${ok(r.tCli, 2000)}`);
  console.log(`  kmem -i: ${m.kmemMs.toFixed(0)} ms, ${m.kmemReads} physical reads (${m.kmemFaults} faulted, ${(m.kmemBytes / 1024).toFixed(0)} KiB read); ${m.memmapPages} struct pages dumped of ${m.memmapTotal}`);
  console.log(`    TOTAL MEM ${m.totalMem}, FREE ${m.free}, SHARED ${m.shared}`);
  if (process.env.SCALE_SEARCH !== '0') console.log(`  search -p ${SEARCH_VALUE} (all of physical memory): ${m.searchMs.toFixed(0)} ms, ${m.searchReads} physical reads (${m.searchFaults} faulted), ${m.searchHits} hits; peak RSS after it ${(m.searchRss / MB).toFixed(0)} MiB`);
  console.log(`  peak RSS (open, sys, kmem -i) ${(m.maxRss / MB).toFixed(0)} MiB; target < 300 MiB: ${ok(m.maxRss, 300 * MB)}; ${(Number(r.gb << 30n) / m.maxRss).toFixed(0)} bytes of RAM per byte of RSS`);
}

/** In a fresh process: open the dump, run sys and kmem -i, count the dump's physical reads. */
async function measure(file) {
  const { openDumpFile } = await import(dist('dump/open.js'));
  const { kernelFromDump } = await import(dist('kernel/open.js'));
  const { Session } = await import(dist('session/session.js'));
  const t0 = performance.now();
  const dump = openDumpFile(file);
  const tDump = performance.now();
  let reads = 0;
  let faults = 0;
  let bytes = 0;
  const readPhys = dump.readPhys.bind(dump);
  dump.readPhys = (addr, len) => {
    reads++;
    bytes += len;
    try {
      return readPhys(addr, len);
    } catch (e) {
      faults++;
      throw e;
    }
  };
  const kernel = kernelFromDump(dump);
  const tKernel = performance.now();
  const session = new Session(kernel, { dumpPath: file, silent: true });
  const sys = session.runLine('sys').text;
  const tSys = performance.now();
  if (!/MEMORY:/.test(sys)) throw new Error(`sys failed:\n${sys}`);
  reads = faults = bytes = 0;
  const kmem = session.runLine('kmem -i').text;
  const tKmem = performance.now();
  if (!/TOTAL MEM/.test(kmem)) throw new Error(`kmem -i failed:\n${kmem}`);
  const kmemReads = reads;
  const kmemFaults = faults;
  const kmemBytes = bytes;
  const rssBeforeSearch = process.resourceUsage().maxRSS * 1024;
  reads = faults = bytes = 0;
  const tSearch0 = performance.now();
  const found = process.env.SCALE_SEARCH === '0' ? '' : session.runLine(`search -p ${SEARCH_VALUE}`).text;
  const searchMs = performance.now() - tSearch0;
  const searchReads = reads;
  const searchFaults = faults;
  if (/error|invalid/i.test(found)) throw new Error(`search -p failed:\n${found}`);
  const searchHits = found.split('\n').filter(Boolean).length;
  const line = (label) => (new RegExp(`^\\s*${label}\\s+(\\d+)\\s+(\\S+(?: [KMGT]?B)?)`, 'm').exec(kmem) ?? []).slice(1).join(' pages, ');
  // struct pages in the dump: pages of the vmemmap the dump holds (the rest are excluded)
  let memmapPages = 0;
  let memmapTotal = 0;
  if (dump.pageState) {
    const { pfnToPage } = await import(dist('kernel/helpers/mm-page.js'));
    const pages = dump.ranges.reduce((s, r) => s + (r.end - r.start) / 4096n, 0n);
    const step = pages / 4096n || 1n; // sample 4096 pfns over RAM: whose struct page is dumped?
    for (let pfn = 0n; pfn < pages; pfn += step) {
      const page = pfnToPage(kernel, pfn);
      if (page === undefined) continue;
      memmapTotal++;
      try {
        kernel.readBytes(page, 8, 'struct page');
        memmapPages++;
      } catch {
        /* excluded */
      }
    }
  }
  console.log(
    JSON.stringify({
      dumpMs: tDump - t0, kernelMs: tKernel - tDump, sysMs: tSys - tKernel, openMs: tSys - t0, kmemMs: tKmem - tSys,
      kmemReads, kmemFaults, kmemBytes, totalMem: line('TOTAL MEM'), free: line('FREE'), shared: line('SHARED'),
      searchMs, searchReads, searchFaults, searchHits,
      memmapPages, memmapTotal, maxRss: rssBeforeSearch, searchRss: process.resourceUsage().maxRSS * 1024,
    }),
  );
}
