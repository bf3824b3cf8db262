import { describe, expect, it } from 'vitest';
import { cursorValue, initView, keepVisible, movePage, moveWords, readLines, wordColumn } from '../../src/state/memory-view.js';
import { formatRd } from '../../src/format/rd.js';
import { BASE, fakeSource } from '../views/fake-pane-source.js';

describe('memory view model', () => {
  it('reads lines exactly as rd prints them, with rd -s symbols per word', () => {
    const lines = readLines(fakeSource(), 'kvaddr', BASE, 2);
    const rd = formatRd({ kind: 'rd', space: 'kvaddr', start: BASE, unit: 8, mode: 'hex', ascii: true, values: [0x46474158n, BASE + 0x1000n, 0xffffffff81000010n, 0x1234n] });
    expect(lines.map((l) => l.text + '\n').join('')).toBe(rd);
    expect(lines[0]!.text).toBe('ffff888000010000:  0000000046474158 ffff888000011000   XAGF............');
    expect(lines[1]!.symbols).toEqual(['start_kernel+0x10', undefined]);
    expect(lines[0]!.text.slice(wordColumn(1), wordColumn(1) + 16)).toBe('ffff888000011000');
  });

  it('reads the window at once, and line by line only when that fails; unreadable lines carry the error', () => {
    const src = fakeSource();
    readLines(src, 'kvaddr', BASE, 8);
    expect(src.reads).toBe(1);
    const lines = readLines(src, 'kvaddr', BASE + 0x2000n - 0x20n, 4);
    expect(lines.map((l) => l.error === undefined)).toEqual([true, true, false, false]);
    expect(lines[2]!.text).toBe('ffff888000012000:  page excluded: kernel virtual address: ffff888000012000  type: "64-bit KVADDR"');
  });

  it('puts the cursor on the word of the address, with context above', () => {
    expect(initView(BASE + 0x1cn, 10)).toEqual({ cursor: BASE + 0x18n, top: BASE - 0x10n });
    expect(initView(BASE + 0x1cn, 4)).toEqual({ cursor: BASE + 0x18n, top: BASE });
    expect(initView(8n, 10)).toEqual({ cursor: 8n, top: 0n });
  });

  it('moves by words, lines and pages, scrolling to keep the cursor on screen', () => {
    let v = { cursor: BASE, top: BASE };
    v = moveWords(v, 1, 4);
    expect(v).toEqual({ cursor: BASE + 8n, top: BASE });
    v = moveWords(v, 2 * 4, 4); // four lines down: one past the window
    expect(v).toEqual({ cursor: BASE + 0x48n, top: BASE + 0x10n });
    v = moveWords(v, -2 * 5, 4);
    expect(v).toEqual({ cursor: BASE - 0x8n, top: BASE - 0x10n });
    expect(movePage({ cursor: BASE, top: BASE }, 1, 4)).toEqual({ cursor: BASE + 0x40n, top: BASE + 0x40n });
    expect(moveWords({ cursor: 0n, top: 0n }, -1, 4)).toEqual({ cursor: 0n, top: 0n });
    expect(keepVisible({ cursor: BASE + 0x100n, top: BASE }, 4)).toEqual({ cursor: BASE + 0x100n, top: BASE + 0xd0n });
  });

  it('gives the value under the cursor', () => {
    const lines = readLines(fakeSource(), 'kvaddr', BASE, 2);
    expect(cursorValue({ cursor: BASE + 8n, top: BASE }, lines)).toEqual({ value: BASE + 0x1000n, symbol: undefined });
    expect(cursorValue({ cursor: BASE + 0x10n, top: BASE }, lines)?.symbol).toBe('start_kernel+0x10');
    expect(cursorValue({ cursor: BASE + 0x40n, top: BASE }, lines)).toBeUndefined();
  });
});
