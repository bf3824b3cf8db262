import { describe, expect, it } from 'vitest';
import { expandTabs, OutputLog, rowsOf, sanitize } from '../../src/state/output-log.js';

function filled(n: number, width = 80, height = 5): OutputLog {
  const log = new OutputLog();
  log.setViewport(width, height);
  for (let i = 1; i <= n; i++) log.append(`line ${i}\n`);
  return log;
}

describe('OutputLog', () => {
  it('splits chunks into lines and joins partial lines', () => {
    const log = new OutputLog();
    log.append('PID    PPID\n   1      0');
    log.append('  ...\n');
    log.append('tail');
    expect(log.getLines()).toEqual(['PID    PPID', '   1      0  ...', 'tail']);
    log.endLine();
    log.append('next\n');
    expect(log.getLines()).toEqual(['PID    PPID', '   1      0  ...', 'tail', 'next']);
    log.append('\n');
    expect(log.getLines().at(-1)).toBe('');
  });

  it('cleans control characters and expands tabs', () => {
    expect(sanitize('a\r\nb\u001B[31mred\u001B[0m\u0007')).toBe('a\nbred');
    expect(expandTabs('ab\tc\t')).toBe('ab      c       ');
    const log = new OutputLog();
    log.append('x\t');
    log.append('y\n');
    expect(log.getLines()).toEqual(['x       y']);
  });

  it('is bounded', () => {
    const log = new OutputLog(100);
    for (let i = 0; i < 250; i++) log.append(`${i}\n`);
    expect(log.lineCount).toBe(100);
    expect(log.getLines()[0]).toBe('150');
    expect(log.totalRows).toBe(100);
  });

  it('shows the last rows and pages up and down', () => {
    const log = filled(20);
    expect(log.window()).toEqual({
      rows: ['line 16', 'line 17', 'line 18', 'line 19', 'line 20'], offset: 0, totalRows: 20, atBottom: true,
    });
    log.pageUp();
    expect(log.window().rows).toEqual(['line 12', 'line 13', 'line 14', 'line 15', 'line 16']);
    expect(log.window().atBottom).toBe(false);
    for (let i = 0; i < 10; i++) log.pageUp();
    expect(log.window().rows[0]).toBe('line 1');
    expect(log.scrollOffset).toBe(15);
    log.pageDown();
    expect(log.window().rows[0]).toBe('line 5');
    log.toBottom();
    expect(log.window().rows.at(-1)).toBe('line 20');
  });

  it('keeps the screen still when output arrives while scrolled up', () => {
    const log = filled(20);
    log.pageUp();
    const before = log.window().rows;
    log.append('line 21\nline 22\n');
    expect(log.window().rows).toEqual(before);
    log.toBottom();
    expect(log.window().rows.at(-1)).toBe('line 22');
  });

  it('wraps long lines at the width and counts rows', () => {
    const log = new OutputLog();
    log.setViewport(4, 3);
    log.append('abcdefghij\nxy\n');
    expect(rowsOf('abcdefghij', 4)).toBe(3);
    expect(log.totalRows).toBe(4);
    expect(log.window().rows).toEqual(['efgh', 'ij', 'xy']);
    log.scrollBy(1);
    expect(log.window().rows).toEqual(['abcd', 'efgh', 'ij']);
    log.setViewport(10, 3);
    expect(log.totalRows).toBe(2);
    expect(log.window().rows).toEqual(['abcdefghij', 'xy']);
  });

  it('handles an empty log and short content', () => {
    const log = new OutputLog();
    log.setViewport(80, 10);
    expect(log.window()).toEqual({ rows: [], offset: 0, totalRows: 0, atBottom: true });
    log.pageUp();
    expect(log.scrollOffset).toBe(0);
    log.append('only\n');
    expect(log.window().rows).toEqual(['only']);
  });
});
