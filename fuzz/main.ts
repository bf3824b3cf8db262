/**
 * `npm run fuzz` — run every fuzz target (or the named ones) for a bounded time or input count,
 * in parallel worker threads, each watched for hangs and out-of-memory. Exit status 1 when
 * anything failed; failing inputs land in fuzz/crashes/ with a JSON note and a repro command.
 *
 *   npm run fuzz                                   every target, FUZZ_SECONDS (default 10) each
 *   npm run fuzz -- btf kallsyms --seconds 60      some targets, longer
 *   npm run fuzz -- --inputs 100000 --jobs 2       a fixed number of inputs per target
 *   npm run fuzz -- --repro btf:SEED:INDEX         regenerate one input and run it here, with its stack
 *   npm run fuzz -- --list
 * Environment: FUZZ_SECONDS, FUZZ_INPUTS, FUZZ_JOBS, FUZZ_SEED, FUZZ_HANG_MS, FUZZ_SLOW_MS,
 * FUZZ_MAX_ALLOC, FUZZ_NO_REFDUMP=1 (synthetic seeds only), FUZZ_JSON (write the summary there).
 */
import { Worker } from 'node:worker_threads';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { Runner, signatureOf, type Failure, type Stats } from './lib/engine.js';
import { ROOT } from './lib/seeds.js';
import { TARGETS } from './targets/index.js';
import { saveInput, type WorkerJob, type WorkerMessage } from './worker.js';

interface Options {
  targets: string[];
  seconds: number;
  inputs: number;
  jobs: number;
  seed: string;
  hangMs: number;
  repro?: string;
}

function parseArgs(argv: string[]): Options {
  const env = process.env;
  const o: Options = {
    targets: [],
    seconds: Number(env.FUZZ_SECONDS ?? (env.FUZZ_INPUTS ? 1e9 : 10)),
    inputs: Number(env.FUZZ_INPUTS ?? Infinity),
    jobs: Number(env.FUZZ_JOBS ?? Math.max(1, cpus().length)),
    seed: env.FUZZ_SEED ?? Math.floor(Math.random() * 0xffffffff).toString(16),
    hangMs: Number(env.FUZZ_HANG_MS ?? 10_000),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = () => argv[++i] ?? '';
    if (a === '--seconds') o.seconds = Number(val());
    else if (a === '--inputs') {
      o.inputs = Number(val());
      if (!argv.includes('--seconds') && !env.FUZZ_SECONDS) o.seconds = 1e9;
    } else if (a === '--jobs') o.jobs = Number(val());
    else if (a === '--seed') o.seed = val();
    else if (a === '--repro') o.repro = val();
    else if (a === '--list') {
      for (const t of TARGETS) console.log(`${t.name.padEnd(14)} ${t.description}`);
      process.exit(0);
    } else if (a.startsWith('-')) throw new Error(`fuzz: unknown option ${a}`);
    else o.targets.push(a);
  }
  for (const t of o.targets) if (!TARGETS.some((x) => x.name === t)) throw new Error(`fuzz: unknown target ${t} (--list)`);
  return o;
}

const CRASHES = join(ROOT, 'fuzz', 'crashes');
const WORKER = new URL('./worker.js', import.meta.url);

/** Fuzz one target to its budget, restarting its worker after a hang or an out-of-memory. */
async function fuzzTarget(name: string, o: Options, say: (s: string) => void): Promise<Stats> {
  const deadline = Date.now() + o.seconds * 1000;
  const total: Stats = { target: name, seed: o.seed, inputs: 0, ok: 0, rejected: 0, failures: 0, ms: 0, slowestMs: 0, slowestIndex: -1, largestAlloc: 0, bySignature: {} };
  let start = 0;
  let noted = false;
  while (start < o.inputs && (start === 0 || Date.now() < deadline)) {
    const progress = new SharedArrayBuffer(12);
    const p = new Int32Array(progress);
    const job: WorkerJob = { target: name, seed: o.seed, start, count: o.inputs - start, deadline, progress, crashes: CRASHES };
    const w = new Worker(WORKER, { workerData: job, resourceLimits: { maxOldGenerationSizeMb: 2048 } });
    let snapshot: Stats | undefined;
    const abnormal = await new Promise<{ kind: 'hang' | 'oom' | 'crash'; index: number; message: string } | undefined>((resolve) => {
      let last = -1;
      let since = Date.now();
      const timer = setInterval(() => {
        const idx = Atomics.load(p, 0);
        const busy = Atomics.load(p, 1) === 1;
        if (idx !== last || !busy) {
          last = idx;
          since = Date.now();
          return;
        }
        if (Date.now() - since > o.hangMs) {
          clearInterval(timer);
          void w.terminate();
          resolve({ kind: 'hang', index: idx, message: `no progress on one input for ${o.hangMs} ms` });
        }
      }, 200);
      w.on('message', (m: WorkerMessage) => {
        if (m.type === 'note' && !noted) {
          noted = true;
          say(`${name}: ${m.text}`);
        } else if (m.type === 'failure') say(`${name}: FAILURE #${m.failure.index} ${m.failure.signature}\n    saved ${m.file}`);
        else if (m.type === 'stats') snapshot = m.stats;
        else if (m.type === 'done') {
          snapshot = undefined;
          merge(total, m.stats);
        }
      });
      w.on('error', (e: Error & { code?: string }) => {
        clearInterval(timer);
        const setUp = Atomics.load(p, 2) === 1;
        if (!setUp) resolve({ kind: 'crash', index: -1, message: `setup failed: ${e.stack ?? e.message}` });
        else resolve({ kind: e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'oom' : 'crash', index: Atomics.load(p, 0), message: e.stack ?? e.message });
      });
      w.on('exit', () => {
        clearInterval(timer);
        resolve(undefined);
      });
    });
    if (snapshot) merge(total, snapshot);
    if (!abnormal) break;
    if (abnormal.index < 0) {
      say(`${name}: ${abnormal.message}`);
      total.failures++;
      break;
    }
    const failure: Failure = {
      target: name, seed: o.seed, index: abnormal.index, kind: abnormal.kind === 'crash' ? 'exception' : abnormal.kind,
      name: abnormal.kind, message: abnormal.message, stack: '', signature: signatureOf(abnormal.kind === 'crash' ? 'exception' : abnormal.kind, abnormal.kind, abnormal.message, ''), ms: 0,
    };
    const input = new Runner(TARGETS.find((t) => t.name === name)!, o.seed).input(abnormal.index);
    const file = saveInput(CRASHES, failure, input, { ...failure, repro: `npm run fuzz -- --repro ${name}:${o.seed}:${abnormal.index}` });
    say(`${name}: FAILURE #${abnormal.index} ${abnormal.kind}: ${abnormal.message.split('\n')[0]}\n    saved ${file}`);
    total.failures++;
    total.inputs++;
    (total.bySignature[failure.signature] ??= { count: 0, indexes: [], sample: failure }).count++;
    start = abnormal.index + 1;
  }
  return total;
}

function merge(into: Stats, s: Stats): void {
  into.inputs += s.inputs;
  into.ok += s.ok;
  into.rejected += s.rejected;
  into.failures += s.failures;
  into.ms += s.ms;
  if (s.slowestMs > into.slowestMs) {
    into.slowestMs = s.slowestMs;
    into.slowestIndex = s.slowestIndex;
  }
  into.largestAlloc = Math.max(into.largestAlloc, s.largestAlloc);
  for (const [k, v] of Object.entries(s.bySignature)) {
    const b = (into.bySignature[k] ??= { count: 0, indexes: [], sample: v.sample });
    b.count += v.count;
    b.indexes.push(...v.indexes.slice(0, 5 - b.indexes.length));
  }
}

const size = (n: number) => (n >= 1 << 20 ? `${(n / 1048576).toFixed(1)} MB` : `${(n / 1024).toFixed(1)} KB`);

function repro(spec: string): number {
  const [name, seed, index] = spec.split(':');
  const target = TARGETS.find((t) => t.name === name);
  if (!target || seed === undefined || index === undefined) throw new Error('fuzz: --repro TARGET:SEED:INDEX');
  const r = new Runner(target, seed);
  const input = r.input(Number(index));
  console.log(`${name} input #${index}: ${typeof input === 'string' ? JSON.stringify(input.slice(0, 300)) : `${input.length} bytes`}`);
  const o = r.runOne(Number(index), input);
  if (o.kind !== 'failure') {
    console.log(`${o.kind} in ${o.ms.toFixed(1)} ms`);
    return 0;
  }
  console.log(`FAILURE ${o.failure.signature}\n${o.failure.stack || o.failure.message}`);
  return 1;
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  if (o.repro) return repro(o.repro);
  const names = o.targets.length ? o.targets : TARGETS.map((t) => t.name);
  const budget = Number.isFinite(o.inputs) ? `${o.inputs} inputs` : `${o.seconds} s`;
  console.log(`fuzz: ${names.length} targets, ${budget} each, ${o.jobs} in parallel, seed ${o.seed}`);
  const t0 = Date.now();
  const queue = [...names];
  const results: Stats[] = [];
  const say = (s: string) => console.log(s);
  await Promise.all(Array.from({ length: Math.min(o.jobs, queue.length) }, async () => {
    for (let n = queue.shift(); n; n = queue.shift()) {
      const s = await fuzzTarget(n, o, say);
      say(`${n}: ${s.inputs} inputs in ${(s.ms / 1000).toFixed(1)} s, ${s.failures} failures`);
      results.push(s);
    }
  }));
  results.sort((a, b) => names.indexOf(a.target) - names.indexOf(b.target));
  console.log('\ntarget          inputs        ok  rejected  failures   inputs/s  slowest(ms)  largest alloc');
  for (const s of results) {
    const rate = s.ms ? Math.round(s.inputs / (s.ms / 1000)) : 0;
    console.log(`${s.target.padEnd(14)}${String(s.inputs).padStart(8)}${String(s.ok).padStart(10)}${String(s.rejected).padStart(10)}${String(s.failures).padStart(10)}${String(rate).padStart(11)}${s.slowestMs.toFixed(0).padStart(13)}${size(s.largestAlloc).padStart(14)}`);
  }
  const failed = results.filter((s) => s.failures > 0);
  for (const s of failed) for (const [sig, b] of Object.entries(s.bySignature)) console.log(`  ${s.target}: ${b.count}x ${sig} (inputs ${b.indexes.join(', ')})`);
  console.log(`fuzz: ${((Date.now() - t0) / 1000).toFixed(0)} s, ${failed.length ? `FAILURES in ${failed.map((s) => s.target).join(', ')}` : 'no failures'} (seed ${o.seed})`);
  if (process.env.FUZZ_JSON) writeFileSync(process.env.FUZZ_JSON, JSON.stringify(results, null, 2) + '\n');
  return failed.length ? 1 : 0;
}

main().then((code) => process.exit(code), (e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(2);
});
