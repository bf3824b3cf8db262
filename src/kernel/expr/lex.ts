import { CrashError } from '../../util/errors.js';

export type Tok = { t: 'num'; v: bigint; text: string } | { t: 'id'; v: string } | { t: 'op'; v: string } | { t: 'str'; v: string };

const OPS = ['->', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '+', '-', '*', '/', '%', '&', '|', '^', '~', '!', '<', '>', '(', ')', '[', ']', '.', ',', '?', ':'];

// Sticky (anchored at lastIndex) rather than matching a slice per token, which was quadratic.
const NUM = /(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)([uUlL]*)/y;
const ID = /[A-Za-z_$][\w$]*/y;

/** C expression tokens; numbers are C literals (0x hex, octal 0..., decimal) with u/l suffixes. */
export function lex(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    NUM.lastIndex = i;
    let m = NUM.exec(src);
    if (m && /[0-9]/.test(c)) {
      const body = m[1];
      const v = body.startsWith('0x') || body.startsWith('0X') ? BigInt(body) : body.length > 1 && body.startsWith('0') ? BigInt('0o' + body.slice(1)) : BigInt(body);
      out.push({ t: 'num', v, text: m[0] });
      i += m[0].length;
      continue;
    }
    ID.lastIndex = i;
    m = ID.exec(src);
    if (m) {
      out.push({ t: 'id', v: m[0] });
      i += m[0].length;
      continue;
    }
    if (c === '"') {
      const end = src.indexOf('"', i + 1);
      if (end < 0) throw new CrashError('Unterminated string in expression.');
      out.push({ t: 'str', v: src.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new CrashError(`Invalid character '${c}' in expression.`);
    out.push({ t: 'op', v: op });
    i += op.length;
  }
  return out;
}
