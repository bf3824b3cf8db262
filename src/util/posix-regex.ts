/**
 * POSIX extended regular expressions (regcomp(REG_EXTENDED), as crash's foreach uses them) as
 * JavaScript RegExps. The two dialects differ where a user meets it: inside brackets a backslash
 * is an ordinary character and `]` first is literal; `[[:digit:]]` classes; outside brackets
 * `\d` is a plain `d`, while glibc's GNU extensions `\w \W \s \S \b \B \< \>` keep their meaning;
 * `(?` is an error, not a JS group extension. Anything JavaScript would still reject is an error.
 */

const CLASSES: Record<string, string> = {
  alpha: 'a-zA-Z', digit: '0-9', alnum: 'a-zA-Z0-9', upper: 'A-Z', lower: 'a-z', space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t', punct: '!-\\/:-@\\[-`{-~', xdigit: '0-9A-Fa-f', cntrl: '\\x00-\\x1f\\x7f', print: ' -~', graph: '!-~',
};

export class PosixRegexError extends Error {}

const escapeChar = (c: string): string => (/[\\^$.*+?()[\]{}|/-]/.test(c) ? `\\${c}` : c);

/** One bracket expression starting at pattern[i] === '['; returns the JS text and the index after it. */
function bracket(p: string, i: number): [string, number] {
  let j = i + 1;
  let out = '[';
  if (p[j] === '^') {
    out += '^';
    j++;
  }
  let atStart = true; // `]` and `-` are literal first
  for (; j < p.length; j++) {
    const c = p[j]!;
    if (c === ']' && !atStart) return [out + ']', j + 1];
    if (c === '[' && (p[j + 1] === ':' || p[j + 1] === '.' || p[j + 1] === '=')) {
      const kind = p[j + 1]!;
      const end = p.indexOf(`${kind}]`, j + 2);
      if (end < 0) throw new PosixRegexError('unterminated class');
      const name = p.slice(j + 2, end);
      if (kind === ':') {
        const cls = CLASSES[name];
        if (cls === undefined) throw new PosixRegexError(`unknown class ${name}`);
        out += cls;
      } else out += [...name].map(escapeChar).join(''); // [.c.] and [=c=]: the character itself
      j = end + 1;
      atStart = false;
      continue;
    }
    // a range's dash stays a range; every other character is itself (a backslash too)
    out += c === '-' && !atStart && p[j + 1] !== ']' ? '-' : escapeChar(c);
    atStart = false;
  }
  throw new PosixRegexError('unterminated [');
}

/** An interval `{m}`, `{m,}`, `{,n}`, `{m,n}` at p[i]: its JS text and the index after it. */
function interval(p: string, i: number): [string, number] {
  const m = /^\{(\d*)(,?)(\d*)\}/.exec(p.slice(i));
  if (!m || (m[1] === '' && m[2] === '')) throw new PosixRegexError('invalid interval');
  const min = m[1] === '' ? 0 : Number(m[1]);
  if (m[3] !== '' && Number(m[3]) < min) throw new PosixRegexError('invalid interval');
  return [m[2] ? `{${min},${m[3]}}` : `{${min}}`, i + m[0].length];
}

/**
 * The JavaScript source for a POSIX ERE; throws PosixRegexError where regcomp would fail.
 * RE_SYNTAX_POSIX_EXTENDED: a repetition operator at the start of the pattern, of a group or of
 * an alternative is an error (RE_CONTEXT_INVALID_OPS); operators stack (`a**`, `a{1}{2}`:
 * wrapped in a group here, as JS would refuse them); an unmatched `)` is an ordinary character.
 */
export function posixEreSource(p: string): string {
  let out = '';
  let atStart = true; // where a repetition operator is invalid
  let atom: number | undefined; // where the last atom (and any repetitions of it) began in `out`
  let repeated = false; // the last token was a repetition operator
  const groups: number[] = [];
  const addAtom = (text: string): void => {
    atom = out.length;
    out += text;
    atStart = repeated = false;
  };
  for (let i = 0; i < p.length && p.length <= 4096; ) {
    const c = p[i]!;
    if (c === '*' || c === '+' || c === '?' || c === '{') {
      if (atStart) throw new PosixRegexError('repetition-operator operand invalid');
      let q = c;
      let next = i + 1;
      if (c === '{') [q, next] = interval(p, i);
      if (atom === undefined) throw new PosixRegexError('repetition-operator operand invalid');
      if (repeated) out = `${out.slice(0, atom)}(?:${out.slice(atom)})`;
      out += q;
      repeated = true;
      i = next;
    } else if (c === '[') {
      const [b, next] = bracket(p, i);
      addAtom(b);
      i = next;
    } else if (c === '\\') {
      const n = p[i + 1];
      if (n === undefined) throw new PosixRegexError('trailing backslash');
      if ('wWsS'.includes(n)) addAtom(`\\${n}`);
      else if ('bB'.includes(n)) out += `\\${n}`;
      else if (n === '<') out += '\\b(?=\\w)';
      else if (n === '>') out += '\\b(?<=\\w)';
      else if (n === '`') out += '^';
      else if (n === "'") out += '$';
      else addAtom(escapeChar(n));
      i += 2;
    } else if (c === '(') {
      groups.push(out.length);
      out += '(';
      atStart = true;
      repeated = false;
      i++;
    } else if (c === ')' && groups.length) {
      atom = groups.pop()!;
      out += ')';
      atStart = repeated = false;
      i++;
    } else if (c === '|') {
      out += '|';
      atStart = true;
      atom = undefined;
      repeated = false;
      i++;
    } else if (c === '^' || c === '$') {
      out += c;
      if (c === '$') atStart = false;
      atom = undefined;
      repeated = false;
      i++;
    } else {
      addAtom(escapeChar(c));
      i++;
    }
  }
  if (p.length > 4096) throw new PosixRegexError('regular expression too big');
  if (groups.length) throw new PosixRegexError('unmatched ( or \\(');
  return out;
}

/** regcomp(REG_EXTENDED|REG_NOSUB): a RegExp that, like regexec(), matches anywhere in a string. */
export function posixEre(pattern: string): RegExp {
  const src = posixEreSource(pattern);
  try {
    return new RegExp(src);
  } catch (e) {
    throw new PosixRegexError((e as Error).message);
  }
}
