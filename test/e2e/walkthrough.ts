/**
 * The walkthrough, as a new user does it, on the real binary in tmux: open the usercopy
 * scenario, `bt`, select a frame in the Stack pane, `kmem ffff9cba0bf75400`, follow the object
 * into the Memory pane, and see the tail page's flags and its head in the Page flags pane.
 * Returns the screens of each step (for the issue note: CRASH_TUI_SCREENS=dir writes them).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { atEmptyPrompt, lastLine, type Tmux } from './tmux.js';

export type Shots = [step: string, screen: string][];

const STARTUP_MS = 40_000; // building the scenario dump, under a loaded CI machine

export async function walkthrough(t: Tmux): Promise<Shots> {
  const shots: Shots = [];
  let s = await t.waitFor('the prompt under the banner', (x) => atEmptyPrompt(x) && x.includes('dumps/usercopy-kmalloc512 |'), STARTUP_MS);
  expect(s).toContain('PANIC: "kernel BUG at mm/usercopy.c:72!"');
  shots.push(['1-open', s]);

  await typeLine(t, 'bt');
  // the end of bt's output in the log (its start has scrolled away at 80x24), its frames in the Stack pane
  s = await t.waitFor('bt in the log and the Stack pane', (x) => x.includes('CS: 0033  SS: 002b') && x.includes('Stack') && x.includes('#0 [ffff9cb124227868] machine_kexec') && atEmptyPrompt(x));
  shots.push(['2-bt', s]);

  t.keys('Tab'); // an empty prompt: Tab goes to the panes, the Stack pane first
  await t.waitFor('the Stack pane focused', (x) => x.includes('* Stack'));
  for (let i = 0; i < 8; i++) t.keys('Down');
  s = await t.waitFor('frame #8 selected', (x) => />\s+#8 \[ffff9cb124227bc0\] memcpy_toiovec/.test(x));
  t.keys('Enter');
  s = await t.waitFor("the frame's stack in the Memory pane", (x) => x.includes('Memory  ffff9cb124227bc0') && /> ffff9cb124227bc0: \[ffffffff9818dd9d\]/.test(x));
  expect(s).toContain('memcpy_toiovec+0x4d');
  shots.push(['3-frame-selected', s]);

  t.keys('Escape');
  await t.waitFor('the prompt to have the keys again', (x) => x.includes('Tab: panes'));
  await typeLine(t, 'kmem ffff9cba0bf75400');
  s = await t.waitFor('kmem in the log and the Page flags pane', (x) => x.includes('kmalloc-512') && x.includes('Page flags  ffff9cba0bf75400') && atEmptyPrompt(x));
  expect(s).toContain('[ffff9cba0bf75400]');
  shots.push(['4-kmem', s]);

  // Follow the object into the Memory pane: the panes in turn, Stack, then Memory.
  t.keys('Tab');
  await t.waitFor('the Stack pane focused', (x) => x.includes('* Stack'));
  t.keys('Tab');
  s = await t.waitFor('the object in the Memory pane', (x) => x.includes('* Memory  ffff9cba0bf75400') && /> ffff9cba0bf75400: \[0100000046474158\]/.test(x));
  shots.push(['5-object-in-memory', s]);

  t.keys('Tab');
  s = await t.waitFor('the tail page and its head in the Page flags pane', (x) => x.includes('* Page flags  ffff9cba0bf75400') && x.includes('FLAGS: tail'));
  // A small pane scrolls (Up/Down when focused) to the rest: the head page is on the explanation's second line.
  for (let i = 0; i < 4 && !squash(paneText(s, '* Page flags')).includes('headfffff597a42fdc00'); i++) {
    const before = paneText(s, '* Page flags');
    t.keys('Down');
    s = await t.waitFor('the Page flags pane to scroll', (x) => paneText(x, '* Page flags') !== before);
  }
  const pane = paneText(s, '* Page flags');
  expect(pane).toMatch(/fffff597a42fdd40 190bf75000 .* tail/);
  expect(squash(pane)).toContain(squash('tail page of a 32k compound page'));
  expect(squash(pane)).toContain('headfffff597a42fdc00'); // the head page
  expect(squash(pane)).toContain('kmalloc-512');
  shots.push(['6-page-flags', s]);

  t.keys('Escape');
  await t.waitFor('the prompt', (x) => x.includes('Tab: panes'));
  await typeLine(t, 'q');
  await t.waitFor('the program to end', (x) => x.includes('[exited 0]'));
  return shots;
}

/** Type a line, wait until the prompt shows it (so Enter runs what was typed), press Enter. */
export async function typeLine(t: Tmux, line: string): Promise<void> {
  t.type(line);
  await t.waitFor(`the prompt to show "${line}"`, (x) => lastLine(x) === `crash> ${line}`);
  t.keys('Enter');
}

/** The text inside the pane whose title starts with `title`, one line per row. */
export function paneText(screen: string, title: string): string {
  const rows = screen.split('\n').map((r) => [...r]);
  const at = rows.findIndex((r) => r.join('').includes(title));
  if (at < 0) return '';
  const head = rows[at]!;
  const left = head.join('').indexOf(title) - 1; // box-drawing characters are one code point each
  let right = head.length - 1;
  while (right > left && !'│|'.includes(head[right]!)) right--;
  const out: string[] = [];
  for (const r of rows.slice(at)) {
    if ('╰+'.includes(r[left] ?? '')) break;
    out.push(r.slice(left + 1, right).join('').trimEnd());
  }
  return out.join('\n');
}

/** Text with all white space gone: wrapped lines compare whole. */
export const squash = (s: string): string => s.replace(/\s+/g, '');

/** CRASH_TUI_SCREENS=DIR: write each step's screen to DIR/<label>-<step>.txt (for the issue note). */
export function saveScreens(label: string, shots: Shots): void {
  const dir = process.env.CRASH_TUI_SCREENS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  for (const [step, screen] of shots) writeFileSync(join(dir, `${label}-${step}.txt`), screen);
}
