import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { LineRunner, StatusInfo } from '../../src/state/runner.js';
import type { PaneSource } from '../../src/state/pane-data.js';
import { Repl } from '../../src/views/Repl.js';
import { NO_UNWINDER } from '../../src/views/panes/StackPane.js';
import { NO_PAGE_INFO } from '../../src/views/panes/PageFlagsPane.js';
import { BASE, fakeSource } from './fake-pane-source.js';
import { waitForFrame, waitUntil } from './wait-for.js';

const TAB = '\t';
const SHIFT_TAB = '\u001B[Z';
const ESC = '\u001B';
const DOWN = '\u001B[B';
const CTRL_T = '\u0014';

const status: StatusInfo = { dump: 'vmcore.test', pid: '1', task: 'ffff888003a1c000', cpu: '0', radix: 16 };
const echo: LineRunner = {
  async run(line, out) {
    out(`ran ${line}\n`);
    return 'continue';
  },
};

function setup(source: PaneSource = fakeSource(), size?: { columns: number; rows: number }) {
  const app = render(<Repl runner={echo} status={status} onQuit={() => {}} historyFile={false} paneSource={source} />);
  if (size) {
    Object.defineProperty(app.stdout, 'columns', { value: size.columns, configurable: true });
    Object.defineProperty(app.stdout, 'rows', { value: size.rows, configurable: true });
    app.stdout.emit('resize');
  }
  const frame = (p: (f: string) => boolean) => waitForFrame(app.lastFrame, p);
  const lines = () => (app.lastFrame() ?? '').split('\n');
  const press = async (key: string) => {
    await waitUntil(() => app.stdin.listenerCount('readable') > 0);
    app.stdin.write(key);
  };
  const run = async (line: string) => {
    await press(line);
    await waitUntil(() => lines().at(-1)!.trimEnd() === `crash> ${line}`);
    await press('\r');
    await frame((f) => f.includes(`ran ${line}`) && lines().at(-1)!.trimEnd() === 'crash>');
  };
  return { app, frame, lines, press, run };
}

afterEach(() => cleanup());

describe('panes beside the REPL', () => {
  it('80x24: the log, one pane under it, the status bar with the keys, the prompt; 23 rows', async () => {
    const { frame, lines, run } = setup(fakeSource(), { columns: 80, rows: 24 });
    await frame((f) => f.includes('Memory') && f.split('\n')[0]!.length <= 80);
    await run(`rd ${(BASE + 8n).toString(16)}`);
    const f = await frame((s) => s.includes('Memory  ffff888000010008 (kvaddr)'));
    const l = lines();
    expect(l).toHaveLength(23);
    expect(l.every((x) => x.length <= 80)).toBe(true);
    const top = l.findIndex((x) => x.startsWith('╭'));
    expect(l.slice(0, top).some((x) => x.includes('ran rd ffff888000010008'))).toBe(true); // the log above the pane
    expect(l[top + 1]).toContain('Memory  ffff888000010008 (kvaddr)');
    expect(f).toContain('0000000046474158[ffff888000011000]');
    expect(f).not.toContain('Stack'); // only one pane fits
    expect(l.at(-2)).toMatch(/Tab: panes\s*$/);
    expect(l.at(-1)).toBe('crash>');
  });

  it('80x24: Tab on an empty prompt cycles the panes one at a time; Esc returns to the prompt', async () => {
    const { frame, lines, press } = setup(fakeSource(), { columns: 80, rows: 24 });
    await frame((f) => f.includes('Tab: panes'));
    await press(TAB);
    let f = await frame((s) => s.includes('* Stack'));
    expect(f).toContain(NO_UNWINDER);
    expect(lines().at(-2)).toMatch(/\[Stack\] Tab: next {2}Esc: prompt\s*$/);
    await press(TAB);
    f = await frame((s) => s.includes('* Memory'));
    expect(f).toContain('(no current address yet');
    await press(TAB);
    f = await frame((s) => s.includes('* Page flags'));
    expect(f).toContain(NO_PAGE_INFO);
    await press(ESC);
    f = await frame((s) => s.includes('Tab: panes'));
    expect(f).toContain('Page flags'); // the last pane used stays on screen
    expect(f).not.toContain('* Page flags');
    await press(SHIFT_TAB);
    await frame((s) => s.includes('* Page flags'));
    await press(SHIFT_TAB);
    await frame((s) => s.includes('* Memory'));
  });

  it('200x60: the panes side by side to the right of the log, the log still full height', async () => {
    const { frame, lines, run } = setup(fakeSource(), { columns: 200, rows: 60 });
    await frame((f) => f.includes('Page flags') && f.includes('Stack') && f.includes('Memory'));
    await run(`rd ${(BASE + 0x10n).toString(16)}`);
    await frame((s) => s.includes('Memory  ffff888000010010 (kvaddr)'));
    const l = lines();
    expect(l).toHaveLength(59);
    expect(l.every((x) => x.length <= 200)).toBe(true);
    // the pane column starts half way across, from the top row down to the status bar
    expect(l[0]!.indexOf('╭')).toBe(100);
    expect(l[56]!.indexOf('╰')).toBe(100);
    const titles = ['Stack', 'Memory  ffff888000010010', 'Page flags  ffff888000010010'].map((t) => l.findIndex((x) => x.slice(100).includes(t)));
    expect(titles[0]).toBe(1);
    expect(titles[1]).toBeGreaterThan(titles[0]!);
    expect(titles[2]).toBeGreaterThan(titles[1]!);
    const cursor = l.find((x) => x.slice(100).includes('> ffff888000010010'))!;
    expect(cursor.slice(100)).toContain('[ffffffff81000010]0000000000001234   ........4.......  start_kernel+0x10');
    expect(l.some((x) => x.startsWith('ran rd ffff888000010010'))).toBe(true); // the log on the left
    expect(l.at(-2)).toMatch(/Tab: panes\s*$/);
  });

  it('shows what the source gives: frames (Enter puts a frame in Memory) and the page', async () => {
    const frames = [
      { text: 'PID: 1        TASK: ffff888003a1c000  CPU: 0    COMMAND: "init"' },
      { text: ' #0 [ffff888000010000] panic at ffffffff81000010', level: 0, sp: BASE, ip: 0xffffffff81000010n },
      { text: ' #1 [ffff888000011000] start_kernel at ffffffff81000020', level: 1, sp: BASE + 0x1000n, ip: 0xffffffff81000020n },
    ];
    const page = {
      address: BASE + 0x1000n,
      space: 'kvaddr' as const,
      phys: 0x11000n,
      physWidth: 8,
      row: { page: 0xffffea0000000440n, phys: 0x11000n, mapping: 0n, index: 0n, count: 1, flags: 0x200n, names: ['slab'] },
      pte: { value: 0x8000000000011163n, phys: 0x11000n, flags: ['PRESENT', 'RW', 'ACCESSED', 'DIRTY', 'GLOBAL', 'NX'] },
    };
    const { frame, press } = setup(fakeSource({ frames, page }), { columns: 200, rows: 60 });
    let f = await frame((s) => s.includes('#1 [ffff888000011000] start_kernel'));
    await press(TAB);
    f = await frame((s) => s.includes('* Stack'));
    await press(DOWN);
    await frame((s) => s.includes('>  #1 [ffff888000011000]'));
    await press('\r');
    f = await frame((s) => s.includes('Memory  ffff888000011000 (kvaddr)'));
    expect(f).toContain('[00000000deadbeef]');
    expect(f).toContain('ffffea0000000440');
    expect(f).toContain('FLAGS: slab');
    expect(f).toContain('(PRESENT|RW|ACCESSED|DIRTY|GLOBAL|NX)');
  });

  it('Ctrl-T hides and shows the panes', async () => {
    const { frame, press, lines } = setup(fakeSource(), { columns: 80, rows: 24 });
    await frame((s) => s.includes('Memory'));
    await press(CTRL_T);
    await frame((s) => !s.includes('Memory') && !s.includes('Tab: panes'));
    expect(lines()).toHaveLength(23);
    await press(CTRL_T);
    await frame((s) => s.includes('Memory'));
  });

  it('Tab with text on the prompt still completes; keys typed in a pane do not reach the prompt', async () => {
    const runner: LineRunner = { ...echo, complete: () => ['struct'] };
    const app = render(<Repl runner={runner} status={status} onQuit={() => {}} historyFile={false} paneSource={fakeSource()} />);
    const last = () => (app.lastFrame() ?? '').split('\n').at(-1)!;
    await waitUntil(() => app.stdin.listenerCount('readable') > 0);
    app.stdin.write('str');
    await waitUntil(() => last() === 'crash> str');
    app.stdin.write(TAB);
    await waitUntil(() => last() === 'crash> struct');
    app.stdin.write('\u0015'); // Ctrl-U clears the line
    await waitUntil(() => last().trimEnd() === 'crash>');
    app.stdin.write(TAB);
    await waitForFrame(app.lastFrame, (s) => s.includes('* Stack'));
    app.stdin.write('abc');
    app.stdin.write(ESC);
    await waitForFrame(app.lastFrame, (s) => s.includes('Tab: panes'));
    expect(last().trimEnd()).toBe('crash>');
  });
});
