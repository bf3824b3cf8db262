import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LineRunner, StatusInfo } from '../../src/state/runner.js';
import { Repl } from '../../src/views/Repl.js';
import { waitForFrame, waitUntil } from './wait-for.js';

const UP = '\u001B[A';
const DOWN = '\u001B[B';
const PGUP = '\u001B[5~';
const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const TAB = '\t';

const status: StatusInfo = { dump: 'vmcore.test', pid: '1234', task: 'ffff888003a1c000', cpu: '2', radix: 16 };

/** Echoes its arguments; `count N` prints N lines in chunks; `slow` waits until cancelled. */
function fakeRunner(): LineRunner & { aborted: boolean } {
  const r = {
    aborted: false,
    async run(line: string, out: (t: string) => void, signal?: AbortSignal): Promise<'continue' | 'quit'> {
      const [cmd, ...args] = line.trim().split(/\s+/);
      if (cmd === 'q' || cmd === 'quit' || cmd === 'exit') return 'quit';
      if (cmd === 'count') {
        for (let i = 1; i <= Number(args[0]); i++) out(`row ${i}\n`);
        return 'continue';
      }
      if (cmd === 'slow') {
        out('starting');
        await new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve()));
        r.aborted = true;
        out('late output\n');
        return 'continue';
      }
      if (cmd === 'fail') throw new Error('fail: invalid address');
      out(args.join(' ') + '\n');
      return 'continue';
    },
    complete(line: string): string[] {
      const word = /\S*$/.exec(line)![0];
      return ['bt', 'btop', 'sym', 'struct'].filter((w) => w.startsWith(word));
    },
  };
  return r;
}

function setup(onQuit = vi.fn()) {
  const runner = fakeRunner();
  const app = render(<Repl runner={runner} status={status} banner="crash-tui test banner" onQuit={onQuit} historyFile={false} />);
  const frame = (p: (f: string) => boolean) => waitForFrame(app.lastFrame, p);
  const promptLine = () => (app.lastFrame() ?? '').split('\n').filter((l) => l.trim() !== '').at(-1) ?? '';
  /** Type text and wait until the prompt shows it (so Enter submits what was typed). */
  const type = async (text: string) => {
    await waitUntil(() => app.stdin.listenerCount('readable') > 0); // Ink is listening
    const current = promptLine().startsWith('crash> ') ? promptLine().slice('crash> '.length) : '';
    const want = `crash> ${current}${text}`.trimEnd();
    app.stdin.write(text);
    await waitUntil(() => promptLine().trimEnd() === want).catch((e: Error) => {
      throw new Error(`${e.message}\nwanted ${JSON.stringify(want)}, prompt is ${JSON.stringify(promptLine())}`);
    });
  };
  /** Write a key once Ink listens to stdin. */
  const press = async (key: string) => {
    await waitUntil(() => app.stdin.listenerCount('readable') > 0);
    app.stdin.write(key);
  };
  return { app, runner, onQuit, frame, promptLine, type, press };
}

afterEach(() => cleanup());

describe('Repl', () => {
  it('shows the banner, the status bar and the prompt', async () => {
    const { frame, promptLine } = setup();
    const f = await frame((s) => s.includes('crash-tui test banner'));
    expect(f).toContain('vmcore.test');
    expect(f).toContain('PID: 1234');
    expect(f).toContain('CPU: 2');
    expect(f).toContain('radix: 16 (hex)');
    expect(promptLine().trimEnd()).toBe('crash>');
  });

  it('runs a line: echoes it and shows the output', async () => {
    const { app, frame, type, promptLine } = setup();
    await frame((s) => s.includes('crash>'));
    await type('echo hello world');
    app.stdin.write('\r');
    const f = await frame((s) => s.includes('crash> echo hello world\nhello world'));
    expect(f).toContain('hello world');
    expect(promptLine().trimEnd()).toBe('crash>');
  });

  it('recalls the previous line with Up and the draft with Down', async () => {
    const { app, frame, type, promptLine } = setup();
    await frame((s) => s.includes('crash>'));
    await type('echo first');
    app.stdin.write('\r');
    await frame((s) => s.includes('\nfirst'));
    await type('echo second');
    app.stdin.write('\r');
    await frame((s) => s.includes('\nsecond'));
    await type('dra');
    app.stdin.write(UP);
    await waitUntil(() => promptLine().trimEnd() === 'crash> echo second');
    app.stdin.write(UP);
    await waitUntil(() => promptLine().trimEnd() === 'crash> echo first');
    // the cursor went to the end: typing appends
    await type('!');
    app.stdin.write(DOWN);
    await waitUntil(() => promptLine().trimEnd() === 'crash> echo second');
    app.stdin.write(DOWN);
    await waitUntil(() => promptLine().trimEnd() === 'crash> dra');
  });

  it('calls onQuit when the runner says quit, and on Ctrl-D at an empty prompt', async () => {
    const a = setup();
    await a.frame((s) => s.includes('crash>'));
    await a.type('q');
    a.app.stdin.write('\r');
    await waitUntil(() => a.onQuit.mock.calls.length === 1);
    cleanup();

    const b = setup();
    await b.frame((s) => s.includes('crash>'));
    await b.type('x');
    b.app.stdin.write(CTRL_D); // not empty: no quit, and no stray "d"
    await b.type('y');
    expect(b.promptLine().trimEnd()).toBe('crash> xy');
    expect(b.onQuit).not.toHaveBeenCalled();
    b.app.stdin.write(CTRL_C); // clears the line
    await waitUntil(() => b.promptLine().trimEnd() === 'crash>');
    b.app.stdin.write(CTRL_D);
    await waitUntil(() => b.onQuit.mock.calls.length === 1);
  });

  it('Ctrl-C on an idle empty prompt tells how to quit; while running it cancels', async () => {
    const { app, runner, frame, type } = setup();
    await frame((s) => s.includes('crash>'));
    app.stdin.write(CTRL_C);
    await frame((s) => s.includes('type q to quit'));
    await type('slow');
    app.stdin.write('\r');
    await frame((s) => s.includes('starting') && s.includes('running'));
    app.stdin.write(CTRL_C);
    const f = await frame((s) => s.includes('^C') && !s.includes('running'));
    await waitUntil(() => runner.aborted);
    expect(f).not.toContain('late output');
    await type('echo after');
    app.stdin.write('\r');
    const g = await frame((s) => s.includes('\nafter'));
    expect(g).not.toContain('late output');
  });

  it('runs pasted lines one after another', async () => {
    const { frame, press, promptLine } = setup();
    await frame((s) => s.includes('crash>'));
    await press('echo one\recho two\rech');
    const f = await frame((s) => s.includes('\ntwo'));
    expect(f).toMatch(/crash> echo one\none\ncrash> echo two\ntwo/);
    expect(promptLine()).toBe('crash> ech');
  });

  it('shows runner errors as text and keeps going', async () => {
    const { app, frame, type } = setup();
    await frame((s) => s.includes('crash>'));
    await type('fail');
    app.stdin.write('\r');
    await frame((s) => s.includes('fail: invalid address'));
  });

  it('completes with Tab: one match completes, several are listed', async () => {
    const { app, frame, type, promptLine } = setup();
    await frame((s) => s.includes('crash>'));
    await type('sy');
    app.stdin.write(TAB);
    await waitUntil(() => promptLine() === 'crash> sym');
    app.stdin.write('x'); // the completion added a space (trimmed from the frame)
    await waitUntil(() => promptLine() === 'crash> sym x').catch((e: Error) => {
      throw new Error(`${e.message}: ${JSON.stringify(promptLine())}`);
    });
    app.stdin.write(CTRL_C);
    await waitUntil(() => promptLine().trimEnd() === 'crash>');
    await type('b');
    app.stdin.write(TAB);
    const f = await frame((s) => s.includes('bt  btop'));
    expect(promptLine().trimEnd()).toBe('crash> bt');
    expect(f).toContain('bt  btop');
  });

  it('pages the scrollback with PgUp and follows again after a command', async () => {
    const { app, frame, type } = setup();
    await frame((s) => s.includes('crash>'));
    await type('count 100');
    app.stdin.write('\r');
    await frame((s) => s.includes('row 100'));
    app.stdin.write(PGUP);
    const f = await frame((s) => s.includes('scrolled'));
    expect(f).not.toContain('row 100');
    expect(f).toContain('row 80');
    await type('echo end');
    app.stdin.write('\r');
    const g = await frame((s) => s.includes('\nend'));
    expect(g).not.toContain('scrolled');
  });

  it('fits the terminal height and follows resizes', async () => {
    const { app, frame } = setup();
    await frame((s) => s.includes('crash>'));
    expect((app.lastFrame() ?? '').split('\n')).toHaveLength(23); // 24 rows by default, one left free
    Object.defineProperty(app.stdout, 'rows', { value: 10, configurable: true });
    app.stdout.emit('resize');
    await frame((s) => s.split('\n').length === 9);
  });
});
