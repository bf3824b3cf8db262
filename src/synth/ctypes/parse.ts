/**
 * A recursive-descent parser for the declarations kernel headers use to define data types:
 * struct/union/enum (named, anonymous, nested), typedef, forward declarations, declarators with
 * pointers, arrays and function pointers, bitfields, GCC attributes (aligned, packed), the kernel's
 * attribute macros (__aligned(n), __packed, ____cacheline_aligned) and sparse annotations
 * (__user, __rcu, __percpu ... which expand to nothing in a normal build), and file-scope
 * `extern` variables and function declarations. Output is the AST in ast.ts; sizes come later.
 */
import type { Attrs, Decl, Enumerator, MemberDecl, Param, ParsedDecls, TagDef, TypeExpr } from './ast.js';
import { IGNORED, KEYWORDS, QUALS, parseAttributes } from './attrs.js';
import { BASE_WORDS, baseName, evalConstExpr, evalTokens, macroConstants, type CValue } from './expr.js';
import { TokenStream, type Token } from './lexer.js';

interface Spec { type: TypeExpr; typedef: boolean; attrs: Attrs; line: number }
interface Declarator { name: string; line: number; wrap(t: TypeExpr): TypeExpr }
type DeclMode = 'named' | 'abstract' | 'either';

class Parser {
  readonly ts: TokenStream;
  private readonly typedefs = new Map<string, TypeExpr>();
  readonly enumConsts = new Map<string, bigint>();
  readonly decls: Decl[] = [];
  private readonly defined = new Map<string, number>();

  constructor(src: string, readonly file: string) {
    this.ts = new TokenStream(src, file);
    this.ts.evalIf = (toks, line) => evalTokens(toks, line, (l, m) => this.ts.fail(l, m), () => undefined).v;
  }

  private fail(t: Token, msg: string): never {
    return this.ts.fail(t.line, msg);
  }

  parseFile(): void {
    while (this.ts.peek().kind !== 'eof') this.externalDecl();
  }

  private externalDecl(): void {
    if (this.ts.accept(';')) return;
    const spec = this.specifiers('file');
    if (this.ts.accept(';')) {
      const t = spec.type;
      if (t.k === 'tag' && !t.def && !spec.typedef) this.decls.push({ k: 'fwd', tag: t.tag, name: t.name, line: t.line });
      else if (!(t.k === 'tag' && t.def)) this.ts.fail(spec.line, 'declaration does not declare anything');
      return;
    }
    for (;;) {
      const d = this.declarator('named');
      const attrs = { ...spec.attrs };
      this.attributes(attrs);
      const type = d.wrap(spec.type);
      if (this.ts.peek().text === '=') this.fail(this.ts.peek(), 'initializers are not supported; declare the type only');
      if (this.ts.peek().text === '{') this.fail(this.ts.peek(), 'function bodies are not supported; declare the prototype only');
      if (spec.typedef) {
        this.typedefs.set(d.name, type);
        this.decls.push({ k: 'typedef', name: d.name, type, attrs, line: d.line });
      } else this.decls.push({ k: 'object', name: d.name, type, line: d.line });
      if (this.ts.accept(',')) continue;
      this.ts.expect(';', 'after the declaration');
      return;
    }
  }

  private isTypeStart(t: Token): boolean {
    if (t.kind !== 'id') return false;
    return BASE_WORDS.has(t.text) || QUALS.has(t.text) || t.text === 'struct' || t.text === 'union'
      || t.text === 'enum' || this.typedefs.has(t.text) || t.text === 'bool';
  }

  /** Declaration specifiers: storage class, qualifiers, attributes and exactly one type. */
  private specifiers(ctx: 'file' | 'member' | 'param' | 'cast'): Spec {
    const first = this.ts.peek();
    const words: string[] = [];
    let named: TypeExpr | undefined;
    let typedef = false;
    let c = false;
    let v = false;
    const attrs: Attrs = {};
    for (;;) {
      const t = this.ts.peek();
      if (t.kind !== 'id') break;
      const w = t.text;
      const haveType = named !== undefined || words.length > 0;
      if (w === 'typedef') {
        if (ctx !== 'file') this.fail(t, `'typedef' is only allowed at file scope here`);
        typedef = true;
        this.ts.next();
      } else if (QUALS.has(w)) {
        this.ts.next();
        if (QUALS.get(w) === 'const') c = true;
        else if (QUALS.get(w) === 'volatile') v = true;
      } else if (IGNORED.has(w)) this.ts.next();
      else if (this.attributes(attrs)) continue;
      else if (BASE_WORDS.has(w)) {
        if (named) this.fail(t, `two or more data types in declaration specifiers ('${w}')`);
        words.push(w);
        this.ts.next();
      } else if ((w === 'struct' || w === 'union' || w === 'enum') && !haveType) named = this.tagSpecifier();
      else if (!haveType && this.typedefs.has(w)) {
        named = { k: 'typedef', name: w, line: t.line };
        this.ts.next();
      } else if (!haveType && w === 'bool') {
        words.push('_Bool');
        this.ts.next();
      } else break;
    }
    let type = named;
    if (!type) {
      if (!words.length) {
        const t = this.ts.peek();
        if (t.kind === 'id' && !KEYWORDS.has(t.text) && (ctx === 'member' || ctx === 'param' || this.ts.peek(1).kind === 'id' || this.ts.peek(1).text === '*')) {
          this.fail(t, `unknown type name '${t.text}'`);
        }
        this.fail(t, `expected a type before '${t.text}'`);
      }
      const name = baseName(words);
      if (!name) this.fail(first, `invalid combination of type specifiers '${words.join(' ')}'`);
      type = { k: 'base', name };
    }
    if (v) type = { k: 'qual', q: 'volatile', target: type };
    if (c) type = { k: 'qual', q: 'const', target: type };
    return { type, typedef, attrs, line: first.line };
  }

  /** `__attribute__((...))` and the kernel's attribute macros; true when one was consumed. */
  private attributes(into: Attrs): boolean {
    return parseAttributes(this.ts, into, () => this.constExpr());
  }

  private tagSpecifier(): TypeExpr {
    const kw = this.ts.next();
    const tag = kw.text as 'struct' | 'union' | 'enum';
    const attrs: Attrs = {};
    this.attributes(attrs);
    let name = '';
    const t = this.ts.peek();
    if (t.kind === 'id' && !KEYWORDS.has(t.text)) {
      name = t.text;
      this.ts.next();
    }
    if (this.ts.peek().text !== '{') {
      if (!name) this.fail(this.ts.peek(), `expected a name or '{' after '${tag}'`);
      return { k: 'tag', tag, name, line: kw.line };
    }
    const key = `${tag} ${name}`;
    if (name && this.defined.has(key)) this.fail(kw, `redefinition of '${key}' (first defined on line ${this.defined.get(key)})`);
    if (name) this.defined.set(key, kw.line);
    const def: TagDef = { tag, name, line: kw.line, attrs, members: [], enumerators: [] };
    this.ts.next();
    if (tag === 'enum') this.enumBody(def.enumerators, kw);
    else this.structBody(def.members);
    this.attributes(attrs);
    this.decls.push({ k: 'tagdef', def });
    return { k: 'tag', tag, name, def, line: kw.line };
  }

  private structBody(out: MemberDecl[]): void {
    while (!this.ts.accept('}')) {
      const t = this.ts.peek();
      if (t.kind === 'eof') this.fail(t, "expected '}' before end of file");
      if (this.ts.accept(';')) continue;
      this.memberDecl(out);
    }
  }

  private memberDecl(out: MemberDecl[]): void {
    const spec = this.specifiers('member');
    if (this.ts.accept(';')) {
      const t = spec.type;
      if (t.k === 'tag' && t.def && !t.name && t.tag !== 'enum') {
        out.push({ name: '', type: t, bits: undefined, attrs: spec.attrs, line: spec.line });
      } else if (!(t.k === 'tag' && t.def)) this.ts.fail(spec.line, 'declaration does not declare anything');
      return;
    }
    for (;;) {
      let name = '';
      let type = spec.type;
      let line = this.ts.peek().line;
      if (this.ts.peek().text !== ':') {
        const d = this.declarator('named');
        name = d.name;
        line = d.line;
        type = d.wrap(spec.type);
      }
      const attrs = { ...spec.attrs };
      this.attributes(attrs);
      let bits: number | undefined;
      const colon = this.ts.peek();
      if (this.ts.accept(':')) {
        const w = this.constExpr().v;
        if (w < 0n) this.fail(colon, `negative width in bit-field '${name || '<anonymous>'}'`);
        if (w === 0n && name) this.fail(colon, `zero width for bit-field '${name}'`);
        bits = Number(w);
        this.attributes(attrs);
      }
      out.push({ name, type, bits, attrs, line });
      if (this.ts.accept(',')) continue;
      this.ts.expect(';', 'at end of member declaration');
      return;
    }
  }

  private enumBody(out: Enumerator[], kw: Token): void {
    let next = 0n;
    while (!this.ts.accept('}')) {
      const t = this.ts.next();
      if (t.kind !== 'id' || KEYWORDS.has(t.text)) this.fail(t, `expected an enumerator name before '${t.text}'`);
      if (this.enumConsts.has(t.text)) this.fail(t, `redeclaration of enumerator '${t.text}'`);
      let value = next;
      this.attributes({});
      if (this.ts.accept('=')) value = this.constExpr().v;
      out.push({ name: t.text, value });
      this.enumConsts.set(t.text, value);
      next = value + 1n;
      if (!this.ts.accept(',')) {
        this.ts.expect('}', 'at end of enumerator list');
        break;
      }
    }
    if (!out.length) this.fail(kw, 'empty enum');
  }

  constExpr(): CValue {
    return evalConstExpr(this.ts, (n) => this.enumConsts.get(n), () => this.castType());
  }

  /** `(type)` at a cast position in a constant expression: the base type's name, else undefined. */
  private castType(): string | undefined {
    if (this.ts.peek().text !== '(' || !this.isTypeStart(this.ts.peek(1))) return undefined;
    this.ts.next();
    const spec = this.specifiers('cast');
    const d = this.declarator('abstract');
    this.ts.expect(')', 'to close the cast');
    let t = d.wrap(spec.type);
    for (;;) {
      if (t.k === 'qual') t = t.target;
      else if (t.k === 'typedef') t = this.typedefs.get(t.name)!;
      else break;
    }
    if (t.k === 'ptr') return 'long unsigned int';
    return t.k === 'base' ? t.name : t.k === 'tag' ? `${t.tag} ${t.name}` : t.k;
  }

  private declarator(mode: DeclMode): Declarator {
    const ptrs: { c: boolean; v: boolean }[] = [];
    while (this.ts.accept('*')) {
      const p = { c: false, v: false };
      for (;;) {
        const w = this.ts.peek().text;
        if (QUALS.has(w)) {
          this.ts.next();
          if (QUALS.get(w) === 'const') p.c = true;
          else if (QUALS.get(w) === 'volatile') p.v = true;
        } else if (IGNORED.has(w)) this.ts.next();
        else if (!this.attributes({})) break;
      }
      ptrs.push(p);
    }
    let inner: Declarator | undefined;
    let name = '';
    let line = this.ts.peek().line;
    const t = this.ts.peek();
    if (t.text === '(' && t.kind === 'punct' && (this.ts.peek(1).text === '*' || this.ts.peek(1).text === '(')) {
      this.ts.next();
      inner = this.declarator(mode);
      this.ts.expect(')', 'to close the declarator');
    } else if (t.kind === 'id' && !KEYWORDS.has(t.text) && mode !== 'abstract') {
      name = t.text;
      line = t.line;
      this.ts.next();
    } else if (mode === 'named') {
      this.fail(t, KEYWORDS.has(t.text) ? `'${t.text}' cannot be used as a name` : `expected an identifier before '${t.text}'`);
    }
    const suffixes: ((x: TypeExpr) => TypeExpr)[] = [];
    for (;;) {
      const s = this.ts.peek();
      if (this.ts.accept('[')) {
        let length: number | undefined;
        if (!this.ts.accept(']')) {
          const v = this.constExpr().v;
          if (v < 0n) this.fail(s, `size of array '${name || '<anonymous>'}' is negative`);
          length = Number(v);
          this.ts.expect(']', 'to close the array size');
        }
        suffixes.push((elem) => ({ k: 'array', elem, length, line: s.line }));
      } else if (s.text === '(' && s.kind === 'punct') {
        const { params, variadic } = this.params();
        suffixes.push((ret) => ({ k: 'func', ret, params, variadic, line: s.line }));
      } else break;
    }
    const result: Declarator = {
      name: inner ? inner.name : name,
      line: inner ? inner.line : line,
      wrap: (base) => {
        let x = base;
        for (const p of ptrs) {
          x = { k: 'ptr', target: x };
          if (p.v) x = { k: 'qual', q: 'volatile', target: x };
          if (p.c) x = { k: 'qual', q: 'const', target: x };
        }
        for (let i = suffixes.length - 1; i >= 0; i--) x = suffixes[i]!(x);
        return inner ? inner.wrap(x) : x;
      },
    };
    return result;
  }

  private params(): { params: Param[]; variadic: boolean } {
    this.ts.expect('(');
    // `()` declares a function without a prototype; pahole encodes it as a lone vararg.
    if (this.ts.accept(')')) return { params: [], variadic: true };
    if (this.ts.peek().text === 'void' && this.ts.peek(1).text === ')') {
      this.ts.next();
      this.ts.next();
      return { params: [], variadic: false };
    }
    const params: Param[] = [];
    for (;;) {
      if (this.ts.accept('...')) {
        this.ts.expect(')', "after '...'");
        return { params, variadic: true };
      }
      const spec = this.specifiers('param');
      const d = this.declarator('either');
      this.attributes({});
      let type = d.wrap(spec.type);
      // C 6.7.6.3: parameters of array and function type are adjusted to pointers.
      if (type.k === 'array') type = { k: 'ptr', target: type.elem };
      else if (type.k === 'func') type = { k: 'ptr', target: type };
      params.push({ name: d.name, type });
      if (this.ts.accept(',')) continue;
      this.ts.expect(')', 'to close the parameter list');
      return { params, variadic: false };
    }
  }
}

/** Parse C declarations into the AST; CDeclError (file:line: message) on anything unsupported. */
export function parseDecls(source: string, file = '<input>'): ParsedDecls {
  const p = new Parser(source, file);
  p.parseFile();
  return { file, decls: p.decls, constants: macroConstants(p.ts.macros, p.enumConsts), charUnsigned: p.ts.macros.has('__CHAR_UNSIGNED__') };
}
