/**
 * Running one line interactively: progress and Ctrl-C for a synchronous command engine.
 *
 * Commands stay synchronous (batch mode is byte-identical and pays nothing). While a line runs in
 * the TUI, two things let it be watched and stopped from inside:
 *  - every physical read of the dump passes a watch (the DumpFile's readPhys is wrapped for the
 *    length of the line), so any command that reads memory — that is, every long one — can be
 *    cancelled, and the status line can show time and bytes read;
 *  - commands with a known amount of work call checkpoint(ctx, done, total) (util/interrupt.ts)
 *    and get a percentage.
 * Both call `check()`, which at most every POLL_MS asks the front end whether Ctrl-C was typed and
 * at most every SHOW_MS hands it the progress to draw. Once cancelled, every further read throws
 * Interrupted, so even a loop that swallows read errors ends at once; runLine then drops the output.
 */
import type { DumpFile } from '../dump/types.js';
import { Interrupted } from '../util/interrupt.js';
import type { LineOutput, Session } from './session.js';

export interface LiveProgress {
  line: string;
  elapsedMs: number;
  bytesRead: number;
  done?: number;
  total?: number;
  what?: string;
}

export interface LiveRunOptions {
  /** True once the user typed Ctrl-C (polled; must be cheap and must not block). */
  pollInterrupt(): boolean;
  /** Draw the progress now (the event loop is busy: no React render happens until the line ends). */
  show(p: LiveProgress): void;
  signal?: AbortSignal;
  now?: () => number;
  pollMs?: number;
  showMs?: number;
}

/** Route every readPhys of `dump` through `watch` until the returned function is called. */
export function watchReads(dump: DumpFile, watch: (len: number) => void): () => void {
  const own = Object.prototype.hasOwnProperty.call(dump, 'readPhys');
  const inner = dump.readPhys;
  dump.readPhys = function (addr: bigint, len: number): Uint8Array {
    watch(len);
    return inner.call(this, addr, len);
  };
  return () => {
    if (own) dump.readPhys = inner;
    else delete (dump as Partial<DumpFile>).readPhys;
  };
}

/** Run one line with progress and cancellation; the session's hooks are set only meanwhile. */
export function runLineLive(session: Session, line: string, opts: LiveRunOptions): LineOutput {
  const now = opts.now ?? (() => performance.now());
  const pollMs = opts.pollMs ?? 40;
  const showMs = opts.showMs ?? 100;
  const start = now();
  let lastPoll = start;
  let lastShow = start;
  let cancelled = !!opts.signal?.aborted;
  const p: LiveProgress = { line: line.trim(), elapsedMs: 0, bytesRead: 0 };
  const check = (): boolean => {
    if (cancelled) return true;
    const t = now();
    if (t - lastPoll >= pollMs) {
      lastPoll = t;
      if (opts.signal?.aborted || opts.pollInterrupt()) return (cancelled = true);
    }
    if (t - lastShow >= showMs) {
      lastShow = t;
      p.elapsedMs = t - start;
      opts.show(p);
    }
    return false;
  };
  const before = session.hooks;
  session.hooks = {
    progress(done, total, what) {
      p.done = done;
      p.total = total;
      p.what = what;
      check();
    },
    cancelled: check,
  };
  // One instance for every read after the cancel: loops that swallow read errors page by page
  // then pay a throw per page, not a stack capture per page.
  let stop: Interrupted | undefined;
  const unwatch = watchReads(session.kernel.dump, (len) => {
    p.bytesRead += len;
    if (check()) throw (stop ??= new Interrupted());
  });
  try {
    return session.runLine(line);
  } finally {
    unwatch();
    session.hooks = before;
  }
}

/** The status line's words for a running line: `kmem -p  41%  Ctrl-C cancels`. */
export function progressText(p: LiveProgress): string {
  const parts = [p.line];
  if (p.total && p.done !== undefined) parts.push(`${Math.min(100, Math.floor((p.done * 100) / p.total))}%`);
  else parts.push(`${(p.elapsedMs / 1000).toFixed(1)} s`);
  if (p.bytesRead) parts.push(`${formatBytes(p.bytesRead)} read`);
  return parts.join('  ');
}

function formatBytes(n: number): string {
  if (n < 1 << 20) return `${Math.ceil(n / 1024)} KB`;
  if (n < 1 << 30) return `${(n / (1 << 20)).toFixed(1)} MB`;
  return `${(n / (1 << 30)).toFixed(2)} GB`;
}
