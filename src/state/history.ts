/**
 * Command history: a pure, immutable model (add, consecutive dedupe, Up/Down navigation that keeps
 * the line being edited as a draft, bounded size) plus best-effort persistence in the user's data dir.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';

export const HISTORY_LIMIT = 1000;

export interface History {
  /** Oldest first. */
  readonly entries: readonly string[];
  /** Navigation cursor: entries.length means "the line being edited" (the draft). */
  readonly index: number;
  /** What the user was typing before the first Up; restored by Down past the newest entry. */
  readonly draft: string;
  readonly limit: number;
}

export interface HistoryMove { history: History; value: string }

export function createHistory(entries: readonly string[] = [], limit = HISTORY_LIMIT): History {
  const clean: string[] = [];
  for (const e of entries) {
    if (e.trim() === '' || clean[clean.length - 1] === e) continue;
    clean.push(e);
  }
  const kept = clean.slice(Math.max(0, clean.length - limit));
  return { entries: kept, index: kept.length, draft: '', limit };
}

/** Record a submitted line (blank lines and repeats of the newest entry are not stored) and reset navigation. */
export function addEntry(h: History, line: string): History {
  let entries = h.entries;
  if (line.trim() !== '' && entries[entries.length - 1] !== line) {
    entries = [...entries, line];
    if (entries.length > h.limit) entries = entries.slice(entries.length - h.limit);
  }
  return { entries, index: entries.length, draft: '', limit: h.limit };
}

/** Step to the previous (older) entry. `current` is the prompt's text now; it becomes the draft when leaving it. */
export function historyUp(h: History, current: string): HistoryMove {
  if (h.index === 0 || h.entries.length === 0) return { history: h, value: current };
  const draft = h.index >= h.entries.length ? current : h.draft;
  const index = Math.min(h.index, h.entries.length) - 1;
  return { history: { ...h, index, draft }, value: h.entries[index]! };
}

/** Step to the next (newer) entry; past the newest one the draft comes back. */
export function historyDown(h: History, current: string): HistoryMove {
  if (h.index >= h.entries.length) return { history: h, value: current };
  const index = h.index + 1;
  const value = index === h.entries.length ? h.draft : h.entries[index]!;
  return { history: { ...h, index }, value };
}

/** $XDG_DATA_HOME/crash-tui/history, or ~/.local/share/crash-tui/history. */
export function historyPath(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const xdg = env.XDG_DATA_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(home, '.local', 'share');
  return join(base, 'crash-tui', 'history');
}

/** Read saved history (one line per entry); any failure gives an empty list. */
export function loadHistory(file: string = historyPath()): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
  } catch {
    return [];
  }
}

/** Write history; failures (read-only home, no permission...) are ignored. */
export function saveHistory(entries: readonly string[], file: string = historyPath()): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    const lines = entries.filter((e) => !e.includes('\n'));
    writeFileSync(file, lines.length ? lines.join('\n') + '\n' : '');
  } catch {
    // History is a convenience; never disturb the session for it.
  }
}
