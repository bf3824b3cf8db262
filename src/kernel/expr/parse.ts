import { CrashError } from '../../util/errors.js';
import type { Expr } from './ast.js';
import { lex, type Tok } from './lex.js';

const MAX_NESTING = 256;

const BINARY: Record<string, number> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '>': 7, '<=': 7, '>=': 7,
  '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
};

/**
 * A C expression as gdb's `print` takes it. `isTypeName` decides casts and sizeof(type):
 * `(struct task_struct *)0x...` is a cast only when the parenthesized text names a type.
 */
export function parseExpr(src: string, isTypeName: (text: string) => boolean): Expr {
  const toks = lex(src);
  let p = 0;
  const peek = (o = 0): Tok | undefined => toks[p + o];
  const isOp = (v: string, o = 0) => peek(o)?.t === 'op' && peek(o)!.v === v;
  const expect = (v: string) => {
    if (!isOp(v)) throw new CrashError(`A syntax error in expression, near \`${rest()}'.`);
    p++;
  };
  const rest = () => toks.slice(p).map((t) => (t.t === 'num' ? t.text : t.t === 'str' ? `"${t.v}"` : t.v)).join(' ');

  /** If a parenthesized type name starts here, its text and the index after ')'. */
  const typeInParens = (): { text: string; end: number } | undefined => {
    if (!isOp('(')) return undefined;
    let depth = 0;
    for (let j = p; j < toks.length; j++) {
      const t = toks[j];
      if (t.t === 'op' && (t.v === '(' || t.v === '[')) depth++;
      if (t.t === 'op' && (t.v === ')' || t.v === ']')) depth--;
      // Only names, '*', '[' and ']' may stand inside: stop at the first other token rather than
      // scanning to the matching ')' (which made long nested input quadratic).
      if (depth !== 0 && j > p && (t.t === 'num' || t.t === 'str' || (t.t === 'op' && !['*', '[', ']'].includes(t.v)))) return undefined;
      if (depth === 0) {
        const inner = toks.slice(p + 1, j);
        if (!inner.length || inner[0].t !== 'id') return undefined;
        if (inner.some((x) => x.t === 'num' || x.t === 'str' || (x.t === 'op' && !['*', '[', ']'].includes(x.v)))) return undefined;
        const text = inner.map((x) => (x.t === 'op' || x.t === 'id' ? x.v : '')).join(' ');
        return isTypeName(text) ? { text, end: j + 1 } : undefined;
      }
    }
    return undefined;
  };

  const primary = (): Expr => {
    const t = peek();
    if (!t) throw new CrashError('A syntax error in expression, near `\'.');
    if (t.t === 'num') {
      p++;
      return { k: 'num', v: t.v, unsigned: /u/i.test(t.text), long: /l/i.test(t.text) };
    }
    if (t.t === 'id') {
      p++;
      return { k: 'id', name: t.v };
    }
    if (isOp('(')) {
      p++;
      const e = expr(0);
      expect(')');
      return e;
    }
    throw new CrashError(`A syntax error in expression, near \`${rest()}'.`);
  };

  const postfix = (): Expr => {
    let e = primary();
    for (;;) {
      if (isOp('.') || isOp('->')) {
        const arrow = peek()!.v === '->';
        p++;
        const n = peek();
        if (n?.t !== 'id') throw new CrashError(`A syntax error in expression, near \`${rest()}'.`);
        p++;
        e = { k: 'member', obj: e, name: n.v, arrow };
      } else if (isOp('[')) {
        p++;
        const idx = expr(0);
        expect(']');
        e = { k: 'index', obj: e, idx };
      } else return e;
    }
  };

  // Every nesting (parentheses, casts, unary operators, subscripts) recurses through unary():
  // bound it, so 20000 '(' is an error, not a stack overflow.
  let depth = 0;
  const unary = (): Expr => {
    if (depth >= MAX_NESTING) throw new CrashError('expression nested too deeply');
    depth++;
    try {
      return unary1();
    } finally {
      depth--;
    }
  };

  const unary1 = (): Expr => {
    const t = peek();
    if (t?.t === 'id' && t.v === 'sizeof') {
      p++;
      const ty = typeInParens();
      if (ty) {
        p = ty.end;
        return { k: 'sizeof', type: ty.text };
      }
      return { k: 'sizeof', e: unary() };
    }
    const ty = typeInParens();
    if (ty) {
      p = ty.end;
      return { k: 'cast', type: ty.text, e: unary() };
    }
    if (t?.t === 'op' && ['-', '+', '!', '~', '*', '&'].includes(t.v)) {
      p++;
      return { k: 'unary', op: t.v, e: unary() };
    }
    return postfix();
  };

  const expr = (min: number): Expr => {
    let l = unary();
    for (;;) {
      const t = peek();
      if (t?.t === 'op' && t.v === '?' && min === 0) {
        p++;
        const a = expr(0);
        expect(':');
        const b = expr(0);
        l = { k: 'cond', c: l, a, b };
        continue;
      }
      const prec = t?.t === 'op' ? BINARY[t.v] : undefined;
      if (prec === undefined || prec < min) return l;
      p++;
      l = { k: 'binary', op: t!.v as string, l, r: expr(prec + 1) };
    }
  };

  const e = expr(0);
  if (p < toks.length) throw new CrashError(`A syntax error in expression, near \`${rest()}'.`);
  return e;
}
