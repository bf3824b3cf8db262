/**
 * The prompt's line editor: editing keys (pure), and the regression behind bench/tui-redraw.mjs's
 * "Maximum update depth exceeded" warnings: fast typing must not chain effect updates.
 */
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Key } from 'ink';
import { useState, type JSX } from 'react';
import { editLine, LineInput } from '../../src/views/LineInput.js';
import { Repl } from '../../src/views/Repl.js';
import { waitUntil } from './wait-for.js';

const k = (over: Partial<Key> = {}): Key => ({ ...({} as Key), ...over });

describe('editLine', () => {
  it('inserts at the cursor, moves, erases left, and leaves control keys alone', () => {
    expect(editLine('bt', 2, ' -f', k())).toEqual({ value: 'bt -f', cursor: 5 });
    expect(editLine('bt -f', 5, '', k({ leftArrow: true }))).toEqual({ value: 'bt -f', cursor: 4 });
    expect(editLine('bt -f', 4, 'a', k())).toEqual({ value: 'bt -af', cursor: 5 });
    expect(editLine('bt -af', 5, '', k({ delete: true }))).toEqual({ value: 'bt -f', cursor: 4 });
    expect(editLine('bt -f', 0, '', k({ backspace: true }))).toEqual({ value: 'bt -f', cursor: 0 });
    expect(editLine('bt -f', 2, 'a', k({ ctrl: true }))).toEqual({ value: 'bt -f', cursor: 0 });
    expect(editLine('bt -f', 2, 'e', k({ ctrl: true }))).toEqual({ value: 'bt -f', cursor: 5 });
    expect(editLine('bt -f', 2, 'u', k({ ctrl: true }))).toBeUndefined();
    expect(editLine('bt -f', 2, '', k({ upArrow: true }))).toBeUndefined();
    expect(editLine('bt -f', 5, '', k({ rightArrow: true }))).toEqual({ value: 'bt -f', cursor: 5 });
  });
});

afterEach(() => cleanup());

describe('typing fast', () => {
  it('keeps every key, in order, and React never warns about update depth', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const app = render(<Repl runner={{ run: async () => 'continue' }} status={{ dump: 'd', radix: 10 }} onQuit={() => {}} historyFile={false} />);
    await waitUntil(() => app.stdin.listenerCount('readable') > 0);
    const text = 'p jiffies_64 + 0x10 '.repeat(4); // 80 characters: one line of the 100-column test terminal
    for (const ch of text) app.stdin.write(ch); // no waiting between keys: faster than renders
    app.stdin.write('\u001B[D'.repeat(3) + 'X'); // edit in the middle
    const want = 'crash> ' + text.slice(0, -3) + 'X' + text.slice(-3);
    const promptLine = () => (app.lastFrame() ?? '').split('\n').filter((l) => l.trim()).at(-1)?.trimEnd() ?? '';
    await waitUntil(() => promptLine() === want.trimEnd()).catch((e: Error) => {
      throw new Error(`${e.message}\nprompt: ${JSON.stringify(promptLine())}`);
    });
    expect(errors.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('Maximum update depth'))).toEqual([]);
    errors.mockRestore();
  });
});

describe('focus given back', () => {
  // Ink attaches a useInput handler in a passive effect, which can run after the frame that shows
  // the prompt focused: a key typed in between must still reach the input (the e2e walkthrough
  // types right after Esc). And a value replaced from outside keeps the input taking keys.
  function Harness({ focus, epoch, value: initial }: { focus: boolean; epoch: number; value: string }): JSX.Element {
    const [value, setValue] = useState(initial);
    const [seen, setSeen] = useState(epoch);
    if (seen !== epoch) {
      setSeen(epoch);
      setValue(initial);
    }
    return <LineInput value={value} onChange={setValue} onSubmit={() => {}} focus={focus} epoch={epoch} />;
  }

  it('takes a key written in the same tick as the render that focused it, and none while unfocused', async () => {
    const app = render(<Harness focus epoch={0} value="" />);
    await waitUntil(() => app.stdin.listenerCount('readable') > 0);
    app.rerender(<Harness focus={false} epoch={0} value="" />);
    await waitUntil(() => true); // the unfocusing render's effects run
    app.stdin.write('a'); // unfocused: ignored
    app.rerender(<Harness focus epoch={0} value="" />);
    app.stdin.write('k'); // no await: React's passive effects have not run
    app.stdin.write('mem');
    await waitUntil(() => (app.lastFrame() ?? '').startsWith('kmem'));
    expect(app.lastFrame()?.trimEnd()).toBe('kmem');
  });

  it('puts the cursor at the end of a value replaced from outside, and keeps taking keys at once', async () => {
    const app = render(<Harness focus epoch={0} value="" />);
    await waitUntil(() => app.stdin.listenerCount('readable') > 0);
    app.stdin.write('x\u001B[D'); // "x", cursor moved left of it
    await waitUntil(() => (app.lastFrame() ?? '') === 'x');
    app.rerender(<Harness focus epoch={1} value="bt -a" />);
    app.stdin.write('!');
    await waitUntil(() => (app.lastFrame() ?? '').startsWith('bt -a!'));
    expect(app.lastFrame()?.trimEnd()).toBe('bt -a!');
  });
});
