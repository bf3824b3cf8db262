/**
 * Tokens of the C subset that scenario `types.h` files use, with the slice of the preprocessor
 * kernel headers need for data types: comments, line continuations, object-like `#define` /
 * `#undef`, and conditional blocks (`#if`/`#ifdef`/`#ifndef`/`#elif`/`#else`/`#endif`) so that a
 * header can mirror CONFIG_* choices. Macros are expanded as tokens are pulled, so a `#define`
 * applies from its line on, as cpp does. Everything else (`#include`, function-like macros)
 * is rejected with the file and line.
 */
import { CrashError } from '../../util/errors.js';

/** A C declaration the synthetic type builder cannot accept, with where it is. */
export class CDeclError extends CrashError {
  constructor(readonly file: string, readonly line: number, detail: string) {
    super(`${file}:${line}: ${detail}`);
    this.name = 'CDeclError';
  }
}

export type TokKind = 'id' | 'num' | 'char' | 'str' | 'punct' | 'eof';

export interface Token {
  readonly kind: TokKind;
  readonly text: string;
  readonly line: number;
  /** Macro names this token came out of (no re-expansion inside them, as cpp's hide sets). */
  readonly hide?: ReadonlySet<string>;
  /** White space came before it (tells `#define F(x)` from `#define F (x)`). */
  readonly space?: boolean;
}

interface RawLine { kind: 'tokens'; toks: Token[] }
interface Directive { kind: 'directive'; name: string; toks: Token[]; line: number }

const PUNCT = [
  '...', '<<=', '>>=', '->', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '##',
  '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=',
];

/** Replace comments by spaces (keeping newlines), join `\`-continued lines (keeping the count). */
function stripComments(src: string, fail: (line: number, msg: string) => never): string {
  let out = '';
  let line = 1;
  for (let i = 0; i < src.length;) {
    const c = src[i]!;
    if (c === '/' && src[i + 1] === '*') {
      const start = line;
      const end = src.indexOf('*/', i + 2);
      if (end < 0) fail(start, 'unterminated /* comment');
      const body = src.slice(i, end + 2);
      const nl = body.split('\n').length - 1;
      out += ' ' + '\n'.repeat(nl);
      line += nl;
      i = end + 2;
    } else if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < src.length && src[j] !== c && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
      if (src[j] !== c) fail(line, `missing terminating ${c} character`);
      out += src.slice(i, j + 1);
      i = j + 1;
    } else {
      if (c === '\n') line++;
      out += c;
      i++;
    }
  }
  return out;
}

/** Split into logical lines: ordinary token runs and directives. */
function scan(src: string, fail: (line: number, msg: string) => never): (RawLine | Directive)[] {
  const text = stripComments(src, fail);
  const out: (RawLine | Directive)[] = [];
  let line = 1;
  let i = 0;
  let atLineStart = true;
  let cur: Token[] = [];
  let directive: Directive | undefined;
  const flush = (): void => {
    if (directive) out.push(directive);
    else if (cur.length) out.push({ kind: 'tokens', toks: cur });
    directive = undefined;
    cur = [];
  };
  let space = false;
  const push = (t: Token): void => {
    (directive ? directive.toks : cur).push(space ? { ...t, space } : t);
    space = false;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\' && text[i + 1] === '\n') { i += 2; line++; space = true; continue; }
    if (c === '\\' && text[i + 1] === '\r' && text[i + 2] === '\n') { i += 3; line++; space = true; continue; }
    if (c === '\n') {
      if (directive) flush();
      line++; i++; atLineStart = true; space = true;
      continue;
    }
    if (/\s/.test(c)) { i++; space = true; continue; }
    if (c === '#' && atLineStart) {
      flush();
      const m = /^#\s*([A-Za-z_]\w*)?/.exec(text.slice(i, i + 64))!;
      directive = { kind: 'directive', name: m[1] ?? '', toks: [], line };
      i += m[0].length;
      space = false;
      atLineStart = false;
      continue;
    }
    atLineStart = false;
    const rest = text.slice(i, i + 128);
    let m: RegExpExecArray | null;
    if ((m = /^[A-Za-z_$][\w$]*/.exec(rest))) push({ kind: 'id', text: m[0], line });
    else if ((m = /^(?:0[xX][0-9a-fA-F]+|\d+)[uUlL]*/.exec(rest))) push({ kind: 'num', text: m[0], line });
    else if ((m = /^'(?:\\.[0-7]*|[^'\\])'/.exec(rest))) push({ kind: 'char', text: m[0], line });
    else if ((m = /^"(?:\\.|[^"\\])*"/.exec(rest))) push({ kind: 'str', text: m[0], line });
    else {
      const p = PUNCT.find((q) => rest.startsWith(q)) ?? c;
      if (!/[-+*/%&|^~!<>=?:;,.(){}[\]#]/.test(p[0]!)) fail(line, `stray '${c}' in the declarations`);
      m = [p] as unknown as RegExpExecArray;
      push({ kind: 'punct', text: p, line });
    }
    i += m[0].length;
  }
  flush();
  return out;
}

export interface Macro { readonly name: string; readonly body: readonly Token[]; readonly line: number }

/** Evaluates a `#if` expression: macro-expanded tokens with `defined` already resolved. */
export type IfEvaluator = (toks: Token[], line: number) => bigint;

interface Cond { active: boolean; taken: boolean; sawElse: boolean; line: number }

/**
 * A pull-based token stream with lookahead, running the directives it meets in order and
 * expanding object-like macros.
 */
export class TokenStream {
  readonly macros = new Map<string, Macro>();
  private readonly lines: (RawLine | Directive)[];
  private lineIdx = 0;
  private tokIdx = 0;
  private readonly queue: Token[] = [];
  private readonly conds: Cond[] = [];
  private lastLine = 1;
  /** Set by the parser so `#if` can evaluate constant expressions. */
  evalIf: IfEvaluator = () => 0n;

  constructor(src: string, readonly file: string) {
    this.lines = scan(src, (line, msg) => this.fail(line, msg));
  }

  fail(line: number, msg: string): never {
    throw new CDeclError(this.file, line, msg);
  }

  private active(): boolean {
    return this.conds.every((c) => c.active);
  }

  /** The next raw token (before macro expansion), running directives on the way. */
  private raw(): Token | undefined {
    for (;;) {
      const l = this.lines[this.lineIdx];
      if (!l) {
        const open = this.conds[this.conds.length - 1];
        if (open) this.fail(open.line, 'unterminated conditional directive (#if without #endif)');
        return undefined;
      }
      if (l.kind === 'directive') {
        this.lineIdx++;
        this.directive(l);
        continue;
      }
      if (!this.active() || this.tokIdx >= l.toks.length) {
        this.lineIdx++;
        this.tokIdx = 0;
        continue;
      }
      return l.toks[this.tokIdx++]!;
    }
  }

  private directive(d: Directive): void {
    const top = this.conds[this.conds.length - 1];
    switch (d.name) {
      case 'if': case 'ifdef': case 'ifndef': {
        const outer = this.active();
        let v = false;
        if (outer) {
          if (d.name === 'if') v = this.evalCondition(d) !== 0n;
          else {
            const id = d.toks[0];
            if (!id || id.kind !== 'id' || d.toks.length > 1) this.fail(d.line, `#${d.name} expects one macro name`);
            v = this.macros.has(id.text) === (d.name === 'ifdef');
          }
        }
        this.conds.push({ active: outer && v, taken: v, sawElse: false, line: d.line });
        return;
      }
      case 'elif': case 'else': {
        if (!top) this.fail(d.line, `#${d.name} without #if`);
        if (top.sawElse) this.fail(d.line, `#${d.name} after #else`);
        const outer = this.conds.slice(0, -1).every((c) => c.active);
        let v = !top.taken;
        if (d.name === 'elif') v = v && outer && this.evalCondition(d) !== 0n;
        else top.sawElse = true;
        top.active = outer && v;
        top.taken ||= v;
        return;
      }
      case 'endif':
        if (!this.conds.pop()) this.fail(d.line, '#endif without #if');
        return;
      default:
        break;
    }
    if (!this.active()) return;
    switch (d.name) {
      case 'define': {
        const [name, ...body] = d.toks;
        if (!name || name.kind !== 'id') this.fail(d.line, 'macro names must be identifiers');
        if (body[0]?.text === '(' && !body[0].space) {
          this.fail(d.line, `function-like macro '${name.text}' is not supported; write its expansion instead`);
        }
        this.macros.set(name.text, { name: name.text, body, line: d.line });
        return;
      }
      case 'undef':
        if (d.toks[0]) this.macros.delete(d.toks[0].text);
        return;
      case 'pragma': case '':
        return; // `#pragma once` and the null directive change nothing here
      case 'error':
        this.fail(d.line, `#error ${d.toks.map((t) => t.text).join(' ')}`);
      default:
        this.fail(d.line, `#${d.name} is not supported (only #define, #undef and #if/#ifdef blocks are)`);
    }
  }

  private evalCondition(d: Directive): bigint {
    const toks: Token[] = [];
    for (let i = 0; i < d.toks.length; i++) {
      const t = d.toks[i]!;
      if (t.kind === 'id' && t.text === 'defined') {
        const paren = d.toks[i + 1]?.text === '(';
        const id = d.toks[i + (paren ? 2 : 1)];
        if (!id || id.kind !== 'id' || (paren && d.toks[i + 3]?.text !== ')')) this.fail(d.line, "'defined' expects a macro name");
        toks.push({ kind: 'num', text: this.macros.has(id.text) ? '1' : '0', line: d.line });
        i += paren ? 3 : 1;
      } else toks.push(t);
    }
    const expanded: Token[] = [];
    const q = [...toks];
    while (q.length) {
      const t = q.shift()!;
      const m = t.kind === 'id' ? this.macros.get(t.text) : undefined;
      if (m && !t.hide?.has(m.name)) q.unshift(...this.expansion(m, t));
      else if (t.kind === 'id') expanded.push({ kind: 'num', text: '0', line: d.line }); // cpp: unknown names are 0
      else expanded.push(t);
    }
    if (!expanded.length) this.fail(d.line, `#${d.name} with no expression`);
    return this.evalIf(expanded, d.line);
  }

  private expansion(m: Macro, at: Token): Token[] {
    const hide = new Set(at.hide ?? []);
    hide.add(m.name);
    return m.body.map((b) => ({ kind: b.kind, text: b.text, line: at.line, hide }));
  }

  /** Fill the lookahead queue to n tokens (expanding macros). */
  private fill(n: number): void {
    while (this.queue.length < n) {
      const t = this.raw();
      if (!t) {
        this.queue.push({ kind: 'eof', text: '<end of file>', line: this.lastLine });
        continue;
      }
      this.pushExpanded(t);
    }
  }

  private pushExpanded(t: Token): void {
    const m = t.kind === 'id' ? this.macros.get(t.text) : undefined;
    if (m && !t.hide?.has(m.name)) {
      for (const e of this.expansion(m, t)) this.pushExpanded(e);
      return;
    }
    this.lastLine = t.line;
    this.queue.push(t);
  }

  peek(k = 0): Token {
    this.fill(k + 1);
    return this.queue[k]!;
  }

  next(): Token {
    this.fill(1);
    return this.queue.shift()!;
  }

  /** Consume the next token if its text is `text`. */
  accept(text: string): boolean {
    const t = this.peek();
    if (t.kind !== 'str' && t.kind !== 'char' && t.text === text) {
      this.next();
      return true;
    }
    return false;
  }

  expect(text: string, what?: string): Token {
    const t = this.peek();
    if (t.text !== text || t.kind === 'str' || t.kind === 'char') {
      this.fail(t.line, `expected '${text}'${what ? ` ${what}` : ''} before '${t.text}'`);
    }
    return this.next();
  }
}
