/**
 * Ctrl-R reverse history search: the pure model (state/history-search.ts) and the prompt with it
 * (keys in, frames out), bash's behaviour: type to narrow, Ctrl-R for an older match, Backspace
 * widens, Enter runs, Esc / Ctrl-G give back the line, an arrow keeps the match for editing.
 */
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LineRunner, StatusInfo } from '../../src/state/runner.js';
import { Repl } from '../../src/views/Repl.js';
import { searchBackspace, searchLine, searchOlder, searchPrompt, searchType, startSearch } from '../../src/state/history-search.js';
import { waitForFrame, waitUntil } from './wait-for.js';

const CTRL_R = '\u0012';
const CTRL_G = '\u0007';
const ESC = '\u001B';
const RIGHT = '\u001B[C';
const BACKSPACE = '\u007F';

describe('history search model', () => {
  const entries = ['bt', 'p jiffies', 'kmem -s', 'p jiffies_64', 'sym jiffies'];
  it('narrows to the newest match, steps older with Ctrl-R, fails without losing the match', () => {
    let s = startSearch('draft');
    expect(searchPrompt(s, entries)).toBe("(reverse-i-search)`': ");
    s = searchType(s, entries, 'j');
    expect(searchLine(s, entries)).toBe('sym jiffies');
    s = searchBackspace(s, entries);
    expect(s).toMatchObject({ query: '', match: undefined, failed: false });
    s = searchType(s, entries, 'p');
    expect(searchLine(s, entries)).toBe('p jiffies_64');
    s = searchType(s, entries, ' j');
    expect(searchLine(s, entries)).toBe('p jiffies_64');
    s = searchOlder(s, entries);
    expect(searchLine(s, entries)).toBe('p jiffies');
    s = searchOlder(s, entries);
    expect(s.failed).toBe(true);
    expect(searchLine(s, entries)).toBe('p jiffies');
    expect(searchPrompt(s, entries)).toBe("(failed reverse-i-search)`p j': p jiffies");
    s = searchType(s, entries, 'x');
    expect(s.failed).toBe(true);
    s = searchBackspace(s, entries);
    expect(s).toMatchObject({ query: 'p j', failed: false });
    expect(searchLine(s, entries)).toBe('p jiffies_64'); // widened: searched again from the newest
  });
  it('gives back the original line when nothing matched, and Ctrl-R on an empty query walks back', () => {
    let s = searchType(startSearch('draft'), entries, 'zzz');
    expect(searchLine(s, entries)).toBe('draft');
    s = searchOlder(startSearch(''), entries);
    expect(searchLine(s, entries)).toBe('sym jiffies');
    expect(searchLine(searchOlder(s, entries), entries)).toBe('p jiffies_64');
    expect(searchLine(searchOlder(startSearch('x'), []), [])).toBe('x');
  });
});

const status: StatusInfo = { dump: 'vmcore.test', radix: 10 };

function echoRunner(): LineRunner & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    async run(line, out) {
      lines.push(line);
      out(`ran ${line}\n`);
      return 'continue';
    },
  };
}

function setup() {
  const runner = echoRunner();
  const app = render(<Repl runner={runner} status={status} onQuit={vi.fn()} historyFile={false} />);
  const promptLine = () => (app.lastFrame() ?? '').split('\n').filter((l) => l.trim() !== '').at(-1) ?? '';
  const frame = (p: (f: string) => boolean) => waitForFrame(app.lastFrame, p);
  const press = async (key: string, until: () => boolean) => {
    await waitUntil(() => app.stdin.listenerCount('readable') > 0);
    app.stdin.write(key);
    await waitUntil(until).catch((e: Error) => {
      throw new Error(`${e.message}\nafter ${JSON.stringify(key)} the prompt is ${JSON.stringify(promptLine())}`);
    });
  };
  const run = async (line: string) => {
    for (let i = 1; i <= line.length; i++) {
      const want = `crash> ${line.slice(0, i)}`.trimEnd();
      await press(line[i - 1]!, () => promptLine().trimEnd() === want);
    }
    await press('\r', () => (app.lastFrame() ?? '').includes(`ran ${line}`) && promptLine().trimEnd() === 'crash>');
  };
  return { app, runner, promptLine, frame, press, run };
}

afterEach(() => cleanup());

describe('Ctrl-R in the prompt', () => {
  it('types to narrow, Ctrl-R for an older match, Enter runs it', async () => {
    const { runner, promptLine, frame, press, run } = setup();
    await frame((f) => f.includes('crash>'));
    for (const l of ['p jiffies', 'bt', 'p jiffies_64', 'kmem -s']) await run(l);
    await press(CTRL_R, () => promptLine() === "(reverse-i-search)`':");
    await press('j', () => promptLine() === "(reverse-i-search)`j': p jiffies_64");
    await press('if', () => promptLine() === "(reverse-i-search)`jif': p jiffies_64");
    await press(CTRL_R, () => promptLine() === "(reverse-i-search)`jif': p jiffies");
    await press(CTRL_R, () => promptLine() === "(failed reverse-i-search)`jif': p jiffies");
    await press(BACKSPACE, () => promptLine() === "(reverse-i-search)`ji': p jiffies_64");
    await press('\r', () => runner.lines.length === 5);
    expect(runner.lines.at(-1)).toBe('p jiffies_64');
    await frame((f) => f.includes('crash> p jiffies_64\nran p jiffies_64'));
    expect(promptLine().trimEnd()).toBe('crash>');
  });

  it('Esc and Ctrl-G give back the line being typed; an arrow keeps the match to edit', async () => {
    const { runner, promptLine, frame, press, run } = setup();
    await frame((f) => f.includes('crash>'));
    await run('sym jiffies');
    await run('bt -f');
    await press('r', () => promptLine().trimEnd() === 'crash> r');
    await press('d', () => promptLine().trimEnd() === 'crash> rd');
    await press(CTRL_R, () => promptLine() === "(reverse-i-search)`':");
    await press('sym', () => promptLine() === "(reverse-i-search)`sym': sym jiffies");
    await press(ESC, () => promptLine().trimEnd() === 'crash> rd');
    await press(CTRL_R, () => promptLine().startsWith('(reverse-i-search)'));
    await press('bt', () => promptLine() === "(reverse-i-search)`bt': bt -f");
    await press(CTRL_G, () => promptLine().trimEnd() === 'crash> rd');
    // the cursor is at the end after the restore: typing appends
    await press(' 1', () => promptLine().trimEnd() === 'crash> rd 1');
    await press(CTRL_R, () => promptLine().startsWith('(reverse-i-search)'));
    await press('sy', () => promptLine() === "(reverse-i-search)`sy': sym jiffies");
    await press(RIGHT, () => promptLine().trimEnd() === 'crash> sym jiffies');
    await press('_64', () => promptLine().trimEnd() === 'crash> sym jiffies_64');
    await press('\r', () => runner.lines.length === 3);
    expect(runner.lines).toEqual(['sym jiffies', 'bt -f', 'sym jiffies_64']);
  });
});
