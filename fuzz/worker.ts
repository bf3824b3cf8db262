/**
 * One target fuzzed in a worker thread. Before each input it publishes the input's index in
 * shared memory, so the parent's watchdog can tell a hang (and which input caused it) and end
 * the thread; each new failure signature is saved to the crashes folder and reported at once.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newStats, record, Runner, type Failure } from './lib/engine.js';
import { TARGETS } from './targets/index.js';

export interface WorkerJob {
  target: string;
  seed: string;
  start: number;
  /** stop after this many inputs ... */
  count: number;
  /** ... or at this time (ms since epoch), whichever comes first */
  deadline: number;
  /** Int32Array: [0] index being run, [1] 1 while an input runs, [2] 1 once set up */
  progress: SharedArrayBuffer;
  crashes: string;
}

export type WorkerMessage =
  | { type: 'note'; text: string }
  | { type: 'failure'; failure: Failure; file: string }
  /** a snapshot, so the parent still counts this worker's inputs if it has to end it */
  | { type: 'stats'; stats: ReturnType<typeof newStats> }
  | { type: 'done'; stats: ReturnType<typeof newStats> };

export function saveInput(dir: string, f: Pick<Failure, 'target' | 'seed' | 'index'>, input: Uint8Array | string, detail: object): string {
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `${f.target}-${f.seed}-${f.index}`);
  const file = `${base}.${typeof input === 'string' ? 'txt' : 'bin'}`;
  writeFileSync(file, input);
  writeFileSync(`${base}.json`, JSON.stringify(detail, null, 2) + '\n');
  return file;
}

function main(job: WorkerJob): void {
  const target = TARGETS.find((t) => t.name === job.target);
  if (!target) throw new Error(`unknown fuzz target ${job.target}`);
  const progress = new Int32Array(job.progress);
  const runner = new Runner(target, job.seed);
  const inst = runner.instance();
  if (inst.note) parentPort!.postMessage({ type: 'note', text: inst.note } satisfies WorkerMessage);
  Atomics.store(progress, 2, 1);
  const stats = newStats(target.name, job.seed);
  const t0 = performance.now();
  let lastSnap = t0;
  const end = job.start + job.count;
  for (let i = job.start; i < end && Date.now() < job.deadline; i++) {
    const input = runner.input(i);
    Atomics.store(progress, 0, i);
    Atomics.store(progress, 1, 1);
    const o = runner.runOne(i, input);
    Atomics.store(progress, 1, 0);
    const first = record(stats, i, o);
    if (performance.now() - lastSnap > 1000) {
      lastSnap = performance.now();
      stats.ms = lastSnap - t0;
      parentPort!.postMessage({ type: 'stats', stats } satisfies WorkerMessage);
    }
    if (first) {
      const file = saveInput(job.crashes, first, input, { ...first, repro: `npm run fuzz -- --repro ${first.target}:${first.seed}:${first.index}` });
      parentPort!.postMessage({ type: 'failure', failure: first, file } satisfies WorkerMessage);
    }
  }
  stats.ms = performance.now() - t0;
  parentPort!.postMessage({ type: 'done', stats } satisfies WorkerMessage);
}

if (parentPort && workerData) main(workerData as WorkerJob);
