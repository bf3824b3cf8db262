/**
 * End-to-end: the real binary (node bin/crash-tui.js, built by `npm test`) in a pseudo-terminal
 * (tmux), keys in and the screen out: the walkthrough at 80x24 with colour and at 200x60
 * with NO_COLOR=1 TERM=vt100 (monochrome, ASCII borders), and a long command's progress and Ctrl-C.
 * Skips, saying why, without tmux. CRASH_TUI_SCREENS=DIR writes each step's screen to DIR.
 */
import { describe, expect, it } from 'vitest';
import { atEmptyPrompt, BIN, lastLine, Tmux, tmuxSkipReason, USERCOPY } from './tmux.js';
import { saveScreens as save, typeLine, walkthrough } from './walkthrough.js';
import { refdump } from '../support/refdump.js';

const skip = tmuxSkipReason();
if (skip) console.log(`terminal end-to-end tests skipped: ${skip}`);

/** A tmux server for one test, stopped when it ends (the tests run concurrently: each stops its own). */
async function withTmux(f: (t: Tmux) => Promise<void>): Promise<void> {
  const t = new Tmux();
  try {
    await f(t);
  } finally {
    t.stop();
  }
}

/** SGR colour codes (foreground/background, 16/256/true colour); inverse and resets are not colour. */
const COLOUR = /\x1b\[[0-9;]*(?:3[0-7]|4[0-7]|9[0-7]|10[0-7]|38;[25]|48;[25])[0-9;]*m/;

describe.skipIf(!!skip).concurrent('crash-tui in a terminal (tmux)', () => {
  // CI=true as in a CI job or a container: ink then writes nothing until it exits, unless the
  // program tells it the user is interactive (the CI run that first met this saw blank screens).
  it('80x24, colour, CI=true in the environment: the walkthrough with one pane under the log', () =>
    withTmux(async (t) => {
      t.start(`node ${BIN} ${USERCOPY}`, 80, 24, { CI: 'true' });
      const shots = await walkthrough(t);
      save('80x24', shots);
      for (const [step, screen] of shots) {
        const rows = screen.replace(/\n$/, '').split('\n');
        expect(rows.length, step).toBe(24);
        expect(rows.every((r) => [...r].length <= 80), step).toBe(true);
      }
      const kmem = shots.find(([s]) => s === '4-kmem')![1];
      expect(kmem).toContain('╭'); // rounded borders in a colour terminal
      expect(kmem.match(/Page flags|Memory  |Stack/g)).toHaveLength(1); // one pane at a time
    }));

  it('200x60, NO_COLOR=1 TERM=vt100: the walkthrough with the panes side by side, monochrome, ASCII borders', () =>
    withTmux(async (t) => {
      t.start(`node ${BIN} ${USERCOPY}`, 200, 60, { NO_COLOR: '1', TERM: 'vt100' });
      const shots = await walkthrough(t);
      save('200x60-nocolor-vt100', shots);
      const kmem = shots.find(([s]) => s === '4-kmem')![1];
      // three panes right of the log, on the same rows as it
      expect(kmem).toMatch(/crash> kmem ffff9cba0bf75400 +\|/);
      for (const title of ['Stack', 'Memory  ', 'Page flags  ']) expect(kmem).toContain(`|${title}`);
      expect(kmem).not.toMatch(/[╭╮╰╯│─]/);
      expect(kmem).toContain('+----');
      expect(t.screenWithEscapes()).not.toMatch(COLOUR);
    }));

  // A search that really takes seconds: all of the reference dump's 512 MB (its ELF stores every
  // page, so no zero run is skipped). The scenario dumps are mostly never-written pages that search
  // skips in one step: there the same search ends in well under a second.
  const ref = refdump();
  it.skipIf(typeof ref === 'string')('a long command shows its progress in the status bar and Ctrl-C cancels it without leaving', () =>
    withTmux(async (t) => {
      if (typeof ref === 'string') return;
      t.start(`node ${BIN} ${ref.elf}`, 100, 30);
      await t.waitFor('the prompt', (x) => atEmptyPrompt(x) && x.includes('x86_64-debian12-sysrq.vmcore.elf |'), 40_000);
      await typeLine(t, 'search -k deadbeef');
      const s = await t.waitFor('the progress in the status bar', (x) => /search -k deadbeef +\d+%.*Ctrl-C cancels/.test(x));
      save('100x30-progress', [['search-progress', s]]);
      t.keys('C-c');
      const after = await t.waitFor('^C and the prompt back', (x) => x.includes('crash> search -k deadbeef\n^C') && atEmptyPrompt(x), 10_000);
      expect(after).not.toMatch(/Ctrl-C cancels/);
      await typeLine(t, 'sym jiffies');
      await t.waitFor('the session goes on', (x) => /[0-9a-f]{16} \(D\) jiffies/.test(x) && atEmptyPrompt(x));
      expect(lastLine(t.screen())).toBe('crash>');
    }));
});
