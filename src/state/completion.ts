/**
 * Tab completion on the prompt line: the runner proposes words for the word under the cursor
 * (the last word of the line); one proposal replaces that word, several extend it to their
 * common prefix and are listed on one line.
 */

export interface Completion {
  /** The prompt text after completing. */
  line: string;
  /** The proposals to list (only when there is more than one). */
  candidates: string[];
}

/** Start of the word being completed: just after the last blank. */
export function wordStart(line: string): number {
  const m = /\S*$/.exec(line);
  return m ? m.index : line.length;
}

export function commonPrefix(words: readonly string[]): string {
  if (words.length === 0) return '';
  let prefix = words[0]!;
  for (const w of words) {
    let i = 0;
    while (i < prefix.length && i < w.length && prefix[i] === w[i]) i++;
    prefix = prefix.slice(0, i);
  }
  return prefix;
}

export function applyCompletion(line: string, words: readonly string[]): Completion {
  const unique = [...new Set(words.filter((w) => w !== ''))];
  const start = wordStart(line);
  const head = line.slice(0, start);
  const word = line.slice(start);
  if (unique.length === 0) return { line, candidates: [] };
  if (unique.length === 1) return { line: head + unique[0]! + ' ', candidates: [] };
  const prefix = commonPrefix(unique);
  // Only extend what was typed: a runner may propose fuzzy matches that do not start with it.
  const next = prefix.length > word.length && prefix.startsWith(word) ? head + prefix : line;
  return { line: next, candidates: unique };
}

/** The candidates on one line of at most `width` columns, with a count of those that did not fit. */
export function formatCandidates(candidates: readonly string[], width: number): string {
  let out = '';
  for (let i = 0; i < candidates.length; i++) {
    const piece = (out ? '  ' : '') + candidates[i]!;
    const rest = candidates.length - i - 1;
    const tail = rest > 0 ? `  (+${rest} more)` : '';
    if (out.length + piece.length + tail.length <= width) {
      out += piece;
      continue;
    }
    const more = `${out ? '  ' : ''}(+${candidates.length - i} more)`;
    return out.length + more.length <= width ? out + more : out;
  }
  return out;
}
