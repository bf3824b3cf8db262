/**
 * The fuzzing engine for one target, in-process: input #i is a deterministic mutation of one
 * seed (the first inputs are the seeds themselves), run under a time budget, and classified:
 *   ok        the decoder accepted it
 *   rejected  it threw the project's own error type (CrashError and subclasses) with a clear message
 *   failure   anything else: another exception (TypeError, RangeError, stack overflow ...), an
 *             unclear message ('undefined', 'NaN' in the text), a huge allocation, or one input
 *             taking longer than SLOW_MS (a loop whose bound comes from the input).
 * Endless loops cannot be interrupted in-process; main.ts runs targets in workers with a watchdog.
 */
import { CrashError } from '../../src/util/errors.js';
import { allocState, installAllocGuard } from './alloc-guard.js';
import { mutateBytes, mutateText, type Dictionary } from './mutate.js';
import { Rng } from './rng.js';

export interface Instance<I> {
  seeds: I[];
  dict?: Dictionary;
  run(input: I): void;
  /** Said once when the run starts (e.g. that the reference dump is absent). */
  note?: string;
}

export type FuzzTarget =
  | { name: string; description: string; kind: 'bytes'; setup(): Instance<Uint8Array> }
  | { name: string; description: string; kind: 'text'; setup(): Instance<string> };

export type FailureKind = 'exception' | 'unclear-message' | 'huge-alloc' | 'slow' | 'hang' | 'oom';

export interface Failure {
  target: string;
  seed: string;
  index: number;
  kind: FailureKind;
  name: string;
  message: string;
  stack: string;
  /** Same bug, same signature: kind, error name, message with numbers blanked, first project frame. */
  signature: string;
  ms: number;
}

export type Outcome = { kind: 'ok' | 'rejected'; ms: number } | { kind: 'failure'; ms: number; failure: Failure };

export const SLOW_MS = Number(process.env.FUZZ_SLOW_MS ?? 2000);
const UNCLEAR = /\bundefined\b|\bNaN\b|\[object |\bnull\b/;

export function signatureOf(kind: FailureKind, name: string, message: string, stack: string): string {
  const msg = message.replace(/0x[0-9a-f]+|\b[0-9a-f]{6,}\b|\d+/gi, 'N').slice(0, 160);
  const frame = stack.split('\n').find((l) => /\/(src|fuzz\/targets)\//.test(l))?.trim().replace(/:\d+\)?$/, '') ?? '';
  return `${kind} ${name}: ${msg} @ ${frame}`;
}

export class Runner {
  private inst: Instance<Uint8Array> | Instance<string> | undefined;

  constructor(readonly target: FuzzTarget, readonly seed: string) {}

  /** Build the target's seeds and context (once). */
  instance(): Instance<Uint8Array> | Instance<string> {
    this.inst ??= this.target.setup();
    if (this.inst.seeds.length === 0) throw new Error(`fuzz target ${this.target.name} has no seeds`);
    return this.inst;
  }

  /** Input #i of this run (deterministic). */
  input(i: number): Uint8Array | string {
    const inst = this.instance();
    if (i < inst.seeds.length) return inst.seeds[i]!;
    const rng = new Rng(`${this.target.name}:${this.seed}:${i}`);
    if (this.target.kind === 'bytes') {
      const seeds = inst.seeds as Uint8Array[];
      return mutateBytes(rng.pick(seeds), rng, seeds, inst.dict);
    }
    const seeds = inst.seeds as string[];
    return mutateText(rng.pick(seeds), rng, seeds, inst.dict);
  }

  /** Run input #i and classify what happened. */
  runOne(i: number, input = this.input(i)): Outcome {
    installAllocGuard();
    const inst = this.instance();
    allocState.tripped = undefined;
    let err: unknown;
    const t0 = performance.now();
    try {
      (inst.run as (x: Uint8Array | string) => void)(input);
    } catch (e) {
      err = e;
    }
    const ms = performance.now() - t0;
    const fail = (kind: FailureKind, e: { name?: string; message?: string; stack?: string }): Outcome => {
      const name = e.name ?? 'Error';
      const message = e.message ?? String(e);
      const stack = e.stack ?? '';
      return {
        kind: 'failure', ms,
        failure: { target: this.target.name, seed: this.seed, index: i, kind, name, message, stack, signature: signatureOf(kind, name, message, stack), ms },
      };
    };
    if (allocState.tripped) return fail('huge-alloc', allocState.tripped);
    if (err !== undefined) {
      if (!(err instanceof CrashError)) return fail('exception', err instanceof Error ? err : { name: typeof err, message: String(err) });
      if (!err.message || UNCLEAR.test(err.message)) return fail('unclear-message', err);
    }
    if (ms > SLOW_MS) {
      // A garbage collection or the other worker can stall one run: time it again before blaming the input.
      const t1 = performance.now();
      try {
        (inst.run as (x: Uint8Array | string) => void)(input);
      } catch {
        /* classified above */
      }
      const again = performance.now() - t1;
      if (again > SLOW_MS) return fail('slow', { name: 'Slow', message: `one input took ${Math.round(ms)} ms, then ${Math.round(again)} ms (limit ${SLOW_MS})`, stack: '' });
    }
    return { kind: err === undefined ? 'ok' : 'rejected', ms };
  }
}

export interface Stats {
  target: string;
  seed: string;
  inputs: number;
  ok: number;
  rejected: number;
  failures: number;
  ms: number;
  slowestMs: number;
  slowestIndex: number;
  largestAlloc: number;
  /** failures by signature: count and the first few input indexes */
  bySignature: Record<string, { count: number; indexes: number[]; sample: Failure }>;
}

export function newStats(target: string, seed: string): Stats {
  return { target, seed, inputs: 0, ok: 0, rejected: 0, failures: 0, ms: 0, slowestMs: 0, slowestIndex: -1, largestAlloc: 0, bySignature: {} };
}

export function record(s: Stats, i: number, o: Outcome): Failure | undefined {
  s.inputs++;
  if (o.ms > s.slowestMs) {
    s.slowestMs = o.ms;
    s.slowestIndex = i;
  }
  s.largestAlloc = Math.max(s.largestAlloc, allocState.largest);
  if (o.kind !== 'failure') {
    s[o.kind]++;
    return undefined;
  }
  s.failures++;
  const sig = o.failure.signature;
  const b = (s.bySignature[sig] ??= { count: 0, indexes: [], sample: o.failure });
  b.count++;
  if (b.indexes.length < 5) b.indexes.push(i);
  return b.count === 1 ? o.failure : undefined;
}

/** Run inputs [start, start+count) or until `deadline` (ms since epoch), in this thread. */
export function fuzzInProcess(target: FuzzTarget, seed: string, opts: { count?: number; deadline?: number; start?: number } = {}): Stats {
  const r = new Runner(target, seed);
  const s = newStats(target.name, seed);
  const t0 = performance.now();
  const end = (opts.start ?? 0) + (opts.count ?? Infinity);
  for (let i = opts.start ?? 0; i < end && (opts.deadline === undefined || Date.now() < opts.deadline); i++) {
    record(s, i, r.runOne(i));
  }
  s.ms = performance.now() - t0;
  return s;
}

/**
 * Run a step that may legitimately fail with the project's error (with a clear message);
 * anything else propagates, and an unclear message becomes a failure too.
 */
export function attempt<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof CrashError)) throw e;
    if (!e.message || UNCLEAR.test(e.message)) throw new UnclearMessage(e.message);
    return undefined;
  }
}

class UnclearMessage extends Error {
  constructor(text: string) {
    super(`unclear error message: ${JSON.stringify(text.slice(0, 200))}`);
    this.name = 'UnclearMessage';
  }
}
