import { describe, expect, it } from 'vitest';
import { applyCompletion, commonPrefix, formatCandidates, wordStart } from '../../src/state/completion.js';

describe('completion', () => {
  it('finds the word being completed', () => {
    expect(wordStart('sym jiff')).toBe(4);
    expect(wordStart('sym ')).toBe(4);
    expect(wordStart('')).toBe(0);
  });

  it('completes a single match and adds a space', () => {
    expect(applyCompletion('sym jiff', ['jiffies'])).toEqual({ line: 'sym jiffies ', candidates: [] });
    expect(applyCompletion('b', ['bt', 'bt'])).toEqual({ line: 'bt ', candidates: [] });
  });

  it('extends to the common prefix and lists several matches', () => {
    expect(commonPrefix(['task_struct', 'task_group'])).toBe('task_');
    expect(applyCompletion('struct ta', ['task_struct', 'task_group'])).toEqual({
      line: 'struct task_', candidates: ['task_struct', 'task_group'],
    });
    // fuzzy proposals that do not start with the word leave it alone
    expect(applyCompletion('ts', ['task_struct', 'tss_struct']).line).toBe('ts');
    expect(applyCompletion('x', []).line).toBe('x');
  });

  it('fits candidates on one line', () => {
    expect(formatCandidates(['bt', 'btop'], 80)).toBe('bt  btop');
    const many = Array.from({ length: 30 }, (_, i) => `cmd${i}`);
    const line = formatCandidates(many, 40);
    expect(line.length).toBeLessThanOrEqual(40);
    expect(line).toMatch(/^cmd0  cmd1 .*\(\+\d+ more\)$/);
  });
});
