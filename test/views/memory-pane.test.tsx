import { cleanup, render } from 'ink-testing-library';
import { useReducer } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { addressReducer, initialAddress, type CurrentAddress } from '../../src/state/current-address.js';
import type { PaneSource } from '../../src/state/pane-data.js';
import { MemoryPane } from '../../src/views/panes/MemoryPane.js';
import { BASE, fakeSource } from './fake-pane-source.js';
import { waitForFrame, waitUntil } from './wait-for.js';

const UP = '\u001B[A';
const DOWN = '\u001B[B';
const RIGHT = '\u001B[C';
const PGDN = '\u001B[6~';
const ENTER = '\r';
const BACKSPACE = '\u007F'; // what terminals send for the Backspace key

const mono = { mono: true, borderStyle: 'classic' as const };

/** The pane with the current-address state the REPL would give it. */
function Harness({ source, start, focused = true, height = 10 }: { source: PaneSource; start?: CurrentAddress; focused?: boolean; height?: number }) {
  const [s, dispatch] = useReducer(addressReducer, start ? addressReducer(initialAddress, { type: 'set', to: start }) : initialAddress);
  return (
    <MemoryPane
      source={source}
      address={s.current}
      serial={s.serial}
      backDepth={s.back.length}
      generation={0}
      focused={focused}
      width={100}
      height={height}
      style={mono}
      onFollow={(from, to) => dispatch({ type: 'follow', from, to })}
      onBack={() => dispatch({ type: 'back' })}
    />
  );
}

function setup(start?: CurrentAddress, focused = true) {
  const app = render(<Harness source={fakeSource()} start={start} focused={focused} />);
  const frame = (p: (f: string) => boolean) => waitForFrame(app.lastFrame, p);
  const press = async (key: string) => {
    await waitUntil(() => app.stdin.listenerCount('readable') > 0);
    app.stdin.write(key);
  };
  /** The line with the cursor (the `>` gutter). */
  const cursorLine = () => (app.lastFrame() ?? '').split('\n').find((l) => l.startsWith('|> ')) ?? '';
  return { app, frame, press, cursorLine };
}

const kv = (address: bigint): CurrentAddress => ({ address, space: 'kvaddr' });

afterEach(() => cleanup());

describe('MemoryPane', () => {
  it('shows rd lines around the current address, the cursor on its word, symbols in a side column', async () => {
    const { frame, cursorLine } = setup(kv(BASE + 8n));
    const f = await frame((s) => s.includes('Memory  ffff888000010008 (kvaddr)'));
    expect(f).toContain('+-'); // classic (ASCII) border in monochrome
    expect(cursorLine()).toContain('ffff888000010000:  0000000046474158[ffff888000011000]  XAGF............');
    expect(f).toContain('ffff888000010010:  ffffffff81000010 0000000000001234   ........4.......  start_kernel+0x10');
    expect(f).toContain('ffff888000010008: ffff888000011000  Enter: follow');
  });

  it('moves the cursor with the arrows and pages with PgDn', async () => {
    const { frame, press, cursorLine } = setup(kv(BASE));
    await frame((s) => s.includes('[0000000046474158]'));
    await press(DOWN);
    await frame(() => cursorLine().includes('ffff888000010010: [ffffffff81000010]'));
    await press(RIGHT);
    const f = await frame(() => cursorLine().includes('ffffffff81000010[0000000000001234]'));
    expect(f).toContain('ffff888000010018: 0000000000001234');
    await press(UP);
    await frame(() => cursorLine().includes('0000000046474158[ffff888000011000]'));
    await press(PGDN);
    const g = await frame(() => cursorLine().startsWith('|> ffff888000010060:  0000000000000000['));
    expect(g).not.toContain('ffff888000010000:');
  });

  it('follows a kernel pointer with Enter and comes back with Backspace', async () => {
    const { frame, press, cursorLine } = setup(kv(BASE + 8n));
    await frame((s) => s.includes('[ffff888000011000]'));
    await press(ENTER);
    const f = await frame((s) => s.includes('Memory  ffff888000011000 (kvaddr)  back: 1'));
    expect(cursorLine()).toContain('ffff888000011000: [00000000deadbeef]');
    await press(BACKSPACE);
    await frame((s) => s.includes('Memory  ffff888000010008 (kvaddr)') && !s.includes('back:'));
    expect(cursorLine()).toContain('0000000046474158[ffff888000011000]');
    expect(f).toContain('ffff888000011000: 00000000deadbeef');
  });

  it('does not follow a value that is not a kernel address, and says so', async () => {
    const { frame, press } = setup(kv(BASE + 0x18n));
    await frame((s) => s.includes('[0000000000001234]'));
    await press(ENTER);
    const f = await frame((s) => s.includes('1234 is not a kernel address'));
    expect(f).toContain('Memory  ffff888000010018 (kvaddr)');
    await press(BACKSPACE);
    await frame((s) => s.includes('nothing to go back to'));
  });

  it('shows unreadable memory as crash reports it, not as zeros, and follows a pointer into it', async () => {
    const { frame, press } = setup(kv(BASE + 0x1008n));
    await frame((s) => s.includes('[ffff888000012000]'));
    await press(ENTER);
    const f = await frame((s) => s.includes('Memory  ffff888000012000'));
    // the pane is 100 columns: the message is cut at its edge
    expect(f).toContain('|> ffff888000012000:  page excluded: kernel virtual address: ffff888000012000  type: "64-bit KVADD');
    expect(f).toContain('ffff888000011ff0:  0000000000000000 0000000000000000');
    expect(f).toContain('ffff888000012000: unreadable');
    expect(f).not.toMatch(/ffff888000012000:\s+0000000000000000/);
  });

  it('says where the current address comes from when there is none', async () => {
    const { frame } = setup();
    await frame((s) => s.includes('(no current address yet'));
  });

  it('ignores keys when not focused', async () => {
    const { app, frame, cursorLine } = setup(kv(BASE), false);
    const f = await frame((s) => s.includes('[0000000046474158]'));
    expect(f).not.toContain('Enter: follow');
    app.stdin.write(DOWN);
    await new Promise((r) => setTimeout(r, 50)); // nothing may change: give a stray handler the chance
    expect(cursorLine()).toContain('[0000000046474158]');
  });
});
