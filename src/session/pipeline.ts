/**
 * crash's output plumbing (cmdline.c setup_redirect): the first unprotected `|` (or a `!` that is
 * not `!=`) sends the output to a shell command; `>` / `>>` (not part of `->`) to a file.
 * Parentheses and quotes protect their contents.
 */
export interface Plumbing {
  command: string;
  pipe?: string;
  file?: { path: string; append: boolean };
}

export function splitPlumbing(line: string): Plumbing | { error: string } {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0 && (c === '|' || (c === '!' && line[i + 1] !== '='))) {
      const rest = line.slice(i + 1).trim();
      if (!rest) return { error: `no shell command after '${c}'` };
      if (rest.endsWith('|')) return { error: 'pipe to nowhere?' };
      return { command: line.slice(0, i).trim(), pipe: rest };
    } else if (depth === 0 && c === '>' && line[i - 1] !== '-') {
      const append = line[i + 1] === '>';
      const path = line.slice(i + (append ? 2 : 1)).trim();
      if (!path) return { error: `no file name after ${append ? '>>' : '>'}` };
      return { command: line.slice(0, i).trim(), file: { path, append } };
    }
  }
  return { command: line.trim() };
}
