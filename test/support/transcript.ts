import { readFileSync } from 'node:fs';

export interface TranscriptStep {
  command: string;
  expected: string[];
  /** The author's `(note)` after the command, if any. */
  note?: string;
}

/**
 * The "Transcript" code block of a ../shared/scenarios/*.md file: `crash> cmd` lines, each
 * followed by the output the analyst saw. A trailing `(note)` after two or more spaces on a
 * command line is the author's annotation, not part of the command.
 */
export function readTranscript(mdPath: string): TranscriptStep[] {
  const md = readFileSync(mdPath, 'utf8');
  // a scenario's own transcript.txt is the bare block; the shared .md files wrap it in ```
  const m = mdPath.endsWith('.md') ? /## Transcript[^\n]*\n```\n([\s\S]*?)\n```/.exec(md) : [md, md.replace(/\n$/, '')];
  if (!m) return [];
  const steps: TranscriptStep[] = [];
  for (const line of m[1].split('\n')) {
    const c = /^crash> (.*)$/.exec(line);
    if (c) steps.push({ command: c[1].replace(/\s{2,}\(.*\)\s*$/, '').trim(), expected: [], note: /\s{2,}\((.*)\)\s*$/.exec(c[1])?.[1] });
    else if (steps.length) steps[steps.length - 1].expected.push(line);
  }
  return steps;
}

/**
 * Compare output lines with a transcript's: `...` stands for any number of lines; trailing
 * blanks are ignored (the transcripts were copied from pages that strip them). Returns a
 * description of the first mismatch, or undefined.
 */
export function matchTranscript(actual: string[], expected: string[]): string | undefined {
  const a = actual.map((l) => l.trimEnd());
  const e = expected.map((l) => l.trimEnd());
  const go = (i: number, j: number): boolean => {
    if (j === e.length) return i === a.length;
    if (e[j].trim() === '...') {
      for (let k = i; k <= a.length; k++) if (go(k, j + 1)) return true;
      return false;
    }
    return i < a.length && a[i] === e[j] && go(i + 1, j + 1);
  };
  if (go(0, 0)) return undefined;
  let i = 0;
  while (i < Math.min(a.length, e.length) && a[i] === e[i]) i++;
  return `first difference at line ${i + 1}:\n  expected: ${JSON.stringify(e[i])}\n  actual:   ${JSON.stringify(a[i])}`;
}
