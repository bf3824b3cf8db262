import { CrashError } from '../util/errors.js';

/**
 * Option declarations for one command. A key is a single letter ('x'), or a numeric word
 * crash's getopt treats as a letter plus attached argument ('32' for -32, '64', '16', '8').
 * `arg: true` options take a value (attached, `-c3`, or the next word, `-c 3`).
 */
export interface OptionSpec {
  arg?: boolean;
  /** GNU `x::`: an argument only when attached (`-S=1,4`), else a plain flag. */
  optionalArg?: boolean;
  /** May be given more than once (counted, or values collected). */
  repeat?: boolean;
  help: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

export interface ParsedArgs {
  /** flag → count for flags, flag → values for options with an argument */
  flags: Map<string, number>;
  values: Map<string, string[]>;
  args: string[];
}

export class UsageError extends CrashError {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * GNU getopt as crash uses it: options may follow arguments (permutation) unless `stopAtArg`
 * (commands like `p` and `eval` whose argument is an expression that may start with '-').
 * A lone '-' and negative numbers that are not declared options are arguments.
 */
export function getopt(words: string[], specs: OptionSpecs, stopAtArg = false): ParsedArgs {
  const flags = new Map<string, number>();
  const values = new Map<string, string[]>();
  const args: string[] = [];
  const numeric = Object.keys(specs).filter((k) => /^\d+$/.test(k));
  let i = 0;
  let onlyArgs = false;
  while (i < words.length) {
    const w = words[i++];
    if (onlyArgs || w === '-' || !w.startsWith('-') || w.length === 1) {
      args.push(w);
      if (stopAtArg) onlyArgs = true;
      continue;
    }
    if (w === '--') {
      onlyArgs = true;
      continue;
    }
    const body = w.slice(1);
    const num = numeric.find((n) => body === n);
    if (num) {
      flags.set(num, (flags.get(num) ?? 0) + 1);
      continue;
    }
    if (/^\d/.test(body) && !specs[body[0]]) {
      args.push(w); // a negative number
      if (stopAtArg) onlyArgs = true;
      continue;
    }
    for (let j = 0; j < body.length; j++) {
      const c = body[j];
      // crash declares -16/-32/-64 as '1:', '3:', '6:' with optarg "6"/"2"/"4": -x32 is -x -32
      const tailNum = numeric.find((n) => body.slice(j) === n);
      if (tailNum) {
        flags.set(tailNum, (flags.get(tailNum) ?? 0) + 1);
        break;
      }
      const spec = specs[c];
      if (!spec) throw new UsageError(`invalid option -- '${c}'`);
      if (spec.optionalArg && j + 1 < body.length) {
        const list = values.get(c);
        if (list) list.push(body.slice(j + 1));
        else values.set(c, [body.slice(j + 1)]);
        flags.set(c, (flags.get(c) ?? 0) + 1);
        break;
      }
      if (spec.arg) {
        let v = body.slice(j + 1);
        if (v === '') {
          if (i >= words.length) throw new UsageError(`option requires an argument -- '${c}'`);
          v = words[i++];
        }
        const list = values.get(c);
        if (list) list.push(v);
        else values.set(c, [v]);
        flags.set(c, (flags.get(c) ?? 0) + 1);
        break;
      }
      flags.set(c, (flags.get(c) ?? 0) + 1);
    }
  }
  return { flags, values, args };
}

/**
 * Split a command line into words: whitespace separates, quotes group (and are removed),
 * parentheses group an expression (kept, with its spaces). With `keepSingleQuotes` single quotes
 * stay in the word, as crash's parse_line keeps them (foreach's 'regex' task selectors).
 */
export function splitWords(line: string, keepSingleQuotes = false): string[] {
  const words: string[] = [];
  let cur = '';
  let depth = 0;
  let quote: string | undefined;
  let has = false;
  for (const ch of line) {
    if (quote) {
      if (ch !== quote || (keepSingleQuotes && ch === "'")) cur += ch;
      if (ch === quote) quote = undefined;
      continue;
    }
    if ((ch === '"' || ch === "'") && depth === 0) {
      quote = ch;
      has = true;
      if (keepSingleQuotes && ch === "'") cur += ch;
      continue;
    }
    if (ch === '(') depth++;
    if (ch === ')' && depth > 0) depth--;
    if (/\s/.test(ch) && depth === 0) {
      if (has || cur) words.push(cur);
      cur = '';
      has = false;
      continue;
    }
    cur += ch;
  }
  if (has || cur) words.push(cur);
  return words;
}
