/**
 * Ctrl-R reverse incremental history search, as bash's readline does it: typing narrows to the
 * newest entry containing the query; Ctrl-R again steps to an older match; Backspace widens;
 * Enter runs the match; Esc or Ctrl-G gives back the line as it was; other editing keys keep
 * the match in the prompt for editing. A pure model over the history's entries (oldest first).
 */
export interface HistorySearch {
  query: string;
  /** Index into entries of the match shown, if any. */
  match: number | undefined;
  /** The last narrowing found nothing (bash: "failed reverse-i-search"); the previous match stays. */
  failed: boolean;
  /** The prompt's text when the search began (Esc gives it back). */
  original: string;
}

export function startSearch(original: string): HistorySearch {
  return { query: '', match: undefined, failed: false, original };
}

/** Newest entry at or before index `from` containing `query`. */
function findBack(entries: readonly string[], query: string, from: number): number | undefined {
  for (let i = Math.min(from, entries.length - 1); i >= 0; i--) if (entries[i]!.includes(query)) return i;
  return undefined;
}

/** A character typed: look for the longer query from the current match back. */
export function searchType(s: HistorySearch, entries: readonly string[], text: string): HistorySearch {
  const query = s.query + text;
  const hit = findBack(entries, query, s.match ?? entries.length - 1);
  return hit === undefined ? { ...s, query, failed: true } : { ...s, query, match: hit, failed: false };
}

/** Backspace: a shorter query, searched again from the newest entry. */
export function searchBackspace(s: HistorySearch, entries: readonly string[]): HistorySearch {
  const query = s.query.slice(0, -1);
  if (!query) return { ...s, query, match: undefined, failed: false };
  const hit = findBack(entries, query, entries.length - 1);
  return { ...s, query, match: hit, failed: hit === undefined };
}

/** Ctrl-R again: the next older match (an empty query reuses nothing: it starts at the newest entry). */
export function searchOlder(s: HistorySearch, entries: readonly string[]): HistorySearch {
  if (!s.query) return entries.length ? { ...s, match: s.match === undefined ? entries.length - 1 : Math.max(0, s.match - 1) } : s;
  const hit = s.match === undefined ? undefined : findBack(entries, s.query, s.match - 1);
  return hit === undefined ? { ...s, failed: true } : { ...s, match: hit, failed: false };
}

/** The line the search stands on: the match, else the original text. */
export function searchLine(s: HistorySearch, entries: readonly string[]): string {
  return s.match === undefined ? s.original : entries[s.match]!;
}

/** What the prompt shows while searching: (reverse-i-search)`jiff': p jiffies */
export function searchPrompt(s: HistorySearch, entries: readonly string[]): string {
  return `(${s.failed ? 'failed ' : ''}reverse-i-search)\`${s.query}': ${s.match === undefined ? '' : entries[s.match]}`;
}
