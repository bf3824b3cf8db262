/**
 * Running a line with progress and Ctrl-C (session/live-run.ts) over a real Session on the usercopy
 * scenario: the output is byte-identical to batch mode when nobody cancels; progress arrives (a
 * percentage from checkpoint(), bytes from the read watch); a cancel ends the line as crash's
 * Ctrl-C does (output dropped) and leaves the session as it was. A fake clock: no timing.
 */
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/session/session.js';
import { kernelFromDump } from '../../src/kernel/open.js';
import { buildScenarioDump } from '../../src/synth/build.js';
import { progressText, runLineLive, type LiveProgress } from '../../src/session/live-run.js';
import { checkpoint, Interrupted } from '../../src/util/interrupt.js';

let session: Session | undefined;
const scenario = (): Session => (session ??= new Session(kernelFromDump(buildScenarioDump('dumps/usercopy-kmalloc512')), { dumpPath: 'usercopy', silent: true }));

/** A clock that advances 10 ms at each reading. */
function clock(): () => number {
  let t = 0;
  return () => (t += 10);
}

describe('runLineLive', () => {
  it('gives batch mode’s exact text and reports progress while the line reads memory', () => {
    const s = scenario();
    const batch = s.runLine('kmem -p').text;
    const shown: LiveProgress[] = [];
    const live = runLineLive(s, 'kmem -p', { pollInterrupt: () => false, show: (p) => shown.push({ ...p }), now: clock() });
    expect(live.interrupted).toBeUndefined();
    expect(live.text).toBe(batch);
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.at(-1)!.bytesRead).toBeGreaterThan(0);
    // kmem -p checkpoints per chunk of struct pages: a percentage, not the elapsed time
    expect(progressText(shown.at(-1)!)).toMatch(/^kmem -p {2}\d+% {2}\d+(\.\d)? [KM]B read$/);
    // nothing stays hooked: batch mode is untouched afterwards
    expect(s.hooks).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(s.kernel.dump, 'readPhys')).toBe(false);
  });

  it('a percentage comes from checkpoint(); Ctrl-C ends the line with no output and the session goes on', () => {
    const s = scenario();
    let polls = 0;
    const shown: LiveProgress[] = [];
    const r = runLineLive(s, 'search -k deadbeef', { pollInterrupt: () => ++polls > 20, show: (p) => shown.push({ ...p }), now: clock() });
    expect(r).toEqual({ text: '', quit: false, interrupted: true });
    expect(shown.some((p) => p.total !== undefined && p.what === 'pages')).toBe(true);
    expect(progressText({ line: 'kmem -p', elapsedMs: 2500, bytesRead: 3 << 20, done: 41, total: 100 })).toBe('kmem -p  41%  3.0 MB read');
    expect(s.hooks).toBeUndefined();
    expect(s.runLine('sym jiffies').text).toMatch(/^[0-9a-f]{16} \(D\) jiffies\n$/);
  });

  it('an AbortSignal already fired cancels before any work; checkpoint() without hooks is free', () => {
    const s = scenario();
    const ac = new AbortController();
    ac.abort();
    expect(runLineLive(s, 'kmem -p', { pollInterrupt: () => false, show: () => {}, signal: ac.signal }).interrupted).toBe(true);
    expect(() => checkpoint(undefined, 1, 2)).not.toThrow();
    expect(() => checkpoint({ cancelled: () => true }, 1, 2)).toThrow(Interrupted);
  });
});
