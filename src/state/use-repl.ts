/**
 * The REPL's behaviour without Ink: the prompt text, history navigation, Tab completion, running a
 * line through the LineRunner with its output streamed into the scrollback, and cancellation.
 * Views call the returned actions from their key handlers and render `view()`.
 */
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { applyCompletion, formatCandidates } from './completion.js';
import { searchBackspace, searchLine, searchOlder, searchPrompt, searchType, startSearch, type HistorySearch } from './history-search.js';
import { addEntry, createHistory, historyDown, historyUp, loadHistory, saveHistory, type History } from './history.js';
import { OutputLog, type LogWindow } from './output-log.js';
import type { LineRunner } from './runner.js';

export const PROMPT = 'crash> ';
export const QUIT_HINT = 'type q to quit';

export interface UseReplOptions {
  runner: LineRunner;
  onQuit: () => void;
  /** Text shown in the scrollback before the first prompt. */
  banner?: string;
  /** Where history is kept; undefined = the default data-dir file, false = no persistence. */
  historyFile?: string | false;
  /** Milliseconds to coalesce streamed output into one re-render. */
  flushMs?: number;
}

export interface ReplController {
  input: string;
  /** Changes when the prompt text was replaced by the REPL (history, completion): the input resets its cursor. */
  inputEpoch: number;
  /** The line being run, if any. */
  running: string | undefined;
  /** One line under the log: completion candidates or a short notice. */
  hint: string | undefined;
  /** While Ctrl-R searches: the prompt line to show instead of `crash> ` and the input. */
  search: string | undefined;
  /** Ctrl-R: begin a reverse history search, or step to an older match. */
  reverseSearch(): void;
  /** Keys while searching: text narrows, Backspace widens, Enter runs the match, Esc/Ctrl-G abort, `edit` keeps the match for editing. */
  searchInput(text: string): void;
  searchBackspace(): void;
  searchAccept(): void;
  searchCancel(): void;
  searchEdit(): void;
  /** The input's new text; text with line breaks (a paste) runs each complete line in turn. */
  setInput(value: string): void;
  submit(line: string): void;
  /** Submit the prompt's current text (read at call time, so a stale closure cannot lose keys). */
  submitInput(): void;
  historyUp(): void;
  historyDown(): void;
  complete(): void;
  /** Ctrl-C: cancel the running command, else clear the line, else show how to quit. */
  interrupt(): void;
  /** Ctrl-D: quit on an empty idle prompt. */
  eof(): void;
  clearLine(): void;
  pageUp(): void;
  pageDown(): void;
  toBottom(): void;
  /** Size the log to the space the view gives it and get the rows to draw. */
  view(width: number, height: number): LogWindow;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function useRepl(opts: UseReplOptions): ReplController {
  const { runner, banner, historyFile, flushMs = 16 } = opts;
  const onQuitRef = useRef(opts.onQuit);
  onQuitRef.current = opts.onQuit;

  const logRef = useRef<OutputLog | null>(null);
  if (logRef.current === null) {
    logRef.current = new OutputLog();
    if (banner) logRef.current.append(banner.endsWith('\n') ? banner : banner + '\n');
  }
  const log = logRef.current;
  const histRef = useRef<History | null>(null);
  if (histRef.current === null) histRef.current = createHistory(historyFile === false ? [] : loadHistory(historyFile));

  const [, bump] = useReducer((n: number) => n + 1, 0);
  const [input, setInputState] = useState('');
  const [inputEpoch, setEpoch] = useState(0);
  const [hint, setHint] = useState<string | undefined>(undefined);
  const [running, setRunning] = useState<string | undefined>(undefined);
  const [search, setSearchState] = useState<HistorySearch | undefined>(undefined);
  const searchRef = useRef(search);
  searchRef.current = search;
  const setSearch = (s: HistorySearch | undefined): void => {
    searchRef.current = s;
    setSearchState(s);
  };
  const inputRef = useRef(input);
  inputRef.current = input;
  const runningRef = useRef(running);
  runningRef.current = running;
  const abortRef = useRef<AbortController | null>(null);
  const runId = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  /** Pasted lines waiting for the running one to finish. */
  const queue = useRef<string[]>([]);

  const scheduleRender = useCallback(() => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      bump();
    }, flushMs);
  }, [flushMs]);

  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
    abortRef.current?.abort();
    runId.current++;
  }, []);

  const replaceInput = (value: string): void => {
    inputRef.current = value;
    setInputState(value);
    setEpoch((e) => e + 1);
  };

  const finish = (): void => {
    log.endLine();
    abortRef.current = null;
    runningRef.current = undefined;
    setRunning(undefined);
    bump();
    runQueued();
  };

  const runQueued = (): void => {
    const next = queue.current.shift();
    if (next !== undefined) execute(next);
  };

  /** Echo the line, record it, and run it. */
  const execute = (line: string): void => {
    log.endLine();
    log.append(`${PROMPT}${line}\n`);
    log.toBottom();
    const before = histRef.current!;
    histRef.current = addEntry(before, line);
    if (historyFile !== false && histRef.current.entries !== before.entries) {
      saveHistory(histRef.current.entries, historyFile);
    }
    if (line.trim() === '') {
      bump();
      runQueued();
      return;
    }
    const ac = new AbortController();
    const id = ++runId.current;
    abortRef.current = ac;
    runningRef.current = line;
    setRunning(line);
    bump();
    const live = (): boolean => id === runId.current && !ac.signal.aborted;
    const out = (text: string): void => {
      if (!live()) return; // a cancelled command's late output is dropped
      log.append(text);
      scheduleRender();
    };
    let done: Promise<'continue' | 'quit'>;
    try {
      done = runner.run(line, out, ac.signal);
    } catch (err) {
      done = Promise.reject(err);
    }
    done.then(
      (result) => {
        if (!live()) return;
        if (result === 'quit') queue.current = [];
        finish();
        if (result === 'quit') onQuitRef.current();
      },
      (err: unknown) => {
        if (!live()) return;
        log.endLine();
        log.append(errorText(err) + '\n');
        finish();
      },
    );
  };

  const submit = (line: string): void => {
    if (runningRef.current !== undefined) return;
    replaceInput('');
    setHint(undefined);
    execute(line);
  };

  const interrupt = (): void => {
    queue.current = [];
    if (runningRef.current !== undefined) {
      // Cancel and detach: the prompt comes back at once even if the runner is slow to notice.
      abortRef.current?.abort();
      runId.current++;
      log.endLine();
      log.append('^C\n');
      log.toBottom();
      finish();
      return;
    }
    if (inputRef.current !== '') {
      replaceInput('');
      setHint(undefined);
      return;
    }
    setHint(QUIT_HINT);
  };

  const move = (step: typeof historyUp): void => {
    if (runningRef.current !== undefined) return;
    const m = step(histRef.current!, inputRef.current);
    histRef.current = m.history;
    if (m.value !== inputRef.current) replaceInput(m.value);
  };

  const complete = (): void => {
    if (runningRef.current !== undefined || !runner.complete) return;
    let words: string[];
    try {
      words = runner.complete(inputRef.current);
    } catch {
      words = [];
    }
    const c = applyCompletion(inputRef.current, words);
    if (c.line !== inputRef.current) replaceInput(c.line);
    setHint(c.candidates.length > 1 ? formatCandidates(c.candidates, log.viewport.width) : undefined);
  };

  const scroll = (f: () => void) => (): void => {
    f();
    bump();
  };

  const entries = (): readonly string[] => histRef.current!.entries;
  const searching = (f: (s: HistorySearch) => void) => (): void => {
    if (searchRef.current) f(searchRef.current);
  };
  /** Leave the search with `line` in the prompt. */
  const endSearch = (line: string): void => {
    setSearch(undefined);
    replaceInput(line);
  };

  return {
    input,
    inputEpoch,
    running,
    hint,
    search: search && searchPrompt(search, entries()),
    reverseSearch: () => {
      if (runningRef.current !== undefined) return;
      setHint(undefined);
      setSearch(searchRef.current ? searchOlder(searchRef.current, entries()) : startSearch(inputRef.current));
    },
    searchInput: (text) => {
      if (searchRef.current) setSearch(searchType(searchRef.current, entries(), text));
    },
    searchBackspace: searching((s) => setSearch(searchBackspace(s, entries()))),
    searchAccept: searching((s) => {
      const line = searchLine(s, entries());
      endSearch('');
      submit(line);
    }),
    searchCancel: searching((s) => endSearch(s.original)),
    searchEdit: searching((s) => endSearch(searchLine(s, entries()))),
    setInput: (value) => {
      setHint(undefined);
      if (!/[\r\n]/.test(value)) {
        inputRef.current = value;
        setInputState(value);
        return;
      }
      const lines = value.split(/\r\n|\r|\n/);
      const rest = lines.pop()!;
      queue.current.push(...lines);
      if (runningRef.current === undefined) execute(queue.current.shift()!);
      replaceInput(rest);
    },
    submit,
    submitInput: () => submit(inputRef.current),
    historyUp: () => move(historyUp),
    historyDown: () => move(historyDown),
    complete,
    interrupt,
    eof: () => {
      if (runningRef.current === undefined && inputRef.current === '') onQuitRef.current();
    },
    clearLine: () => replaceInput(''),
    pageUp: scroll(() => log.pageUp()),
    pageDown: scroll(() => log.pageDown()),
    toBottom: scroll(() => log.toBottom()),
    view: (width, height) => {
      log.setViewport(width, height);
      return log.window();
    },
  };
}
