/**
 * A recursive-descent parser for the declarations kernel headers use to define data types:
 * struct/union/enum (named, anonymous, nested), typedef, forward declarations, declarators with
 * pointers, arrays and function pointers, bitfields, GCC attributes (aligned, packed), the kernel's
 * attribute macros (__aligned(n), __packed, ____cacheline_aligned) and sparse annotations
 * (__user, __rcu, __percpu ... which expand to nothing in a normal build), and file-scope
 * `extern` variables and function declarations. Output is the AST in ast.ts; sizes come later.
 */
import type { Attrs, Decl, Enumerator, MemberDecl, Param, ParsedDecls, TagDef, TypeExpr } from './ast.js';
import { BASE_WORDS, baseName, evalConstExpr, evalTokens, type CValue } from './expr.js';
import { TokenStream, type Token } from './lexer.js';

const QUALS: Record<string, 'const' | 'volatile' | 'restrict'> = {
  const: 'const', __const: 'const', __const__: 'const', volatile: 'volatile', __volatile: 'volatile',
  __volatile__: 'volatile', restrict: 'restrict', __restrict: 'restrict', __restrict__: 'restrict',
};
/** Storage classes and annotations that do not change a type's layout (sparse, section markers). */
const IGNORED = new Set([
  'extern', 'static', 'inline', '__inline', '__inline__', 'register', 'auto', '__extension__',
  '__user', '__kernel', '__iomem', '__rcu', '__percpu', '__force', '__bitwise', '__bitwise__', '__safe',
  '__nocast', '__private', '__must_check', '__read_mostly', '__weak', '__visible', '__init', '__initdata',
  '__ro_after_init', '__lsm_ro_after_init', '__maybe_unused', '__always_unused', '__deprecated',
  '__randomize_layout', '__no_randomize_layout', '__designated_init', '__attribute_const__', '__cold',
]);
const CACHELINE = new Set(['____cacheline_aligned', '____cacheline_aligned_in_smp', '__cacheline_aligned', '__cacheline_aligned_in_smp']);
/** Attributes accepted and dropped: they do not change sizes or offsets. */
const HARMLESS_ATTRS = new Set([
  'unused', 'used', 'deprecated', 'designated_init', 'randomize_layout', 'no_randomize_layout', 'may_alias',
  'noderef', 'address_space', 'btf_type_tag', 'btf_decl_tag', 'preserve_access_index', 'section', 'visibility',
  'weak', 'cold', 'hot', 'noreturn', 'format', 'nonnull', 'warn_unused_result', 'always_inline', 'noinline',
  'const', 'pure', 'externally_visible', 'nocast', 'context', 'designated_init', 'transparent_union',
]);
const KEYWORDS = new Set([...BASE_WORDS, ...Object.keys(QUALS), 'struct', 'union', 'enum', 'typedef', 'sizeof',
  '__attribute__', '__attribute', 'extern', 'static', 'inline', 'register', 'auto']);

interface Spec { type: TypeExpr; typedef: boolean; attrs: Attrs; line: number }
interface Declarator { name: string; line: number; wrap(t: TypeExpr): TypeExpr }
type DeclMode = 'named' | 'abstract' | 'either';

class Parser {
  readonly ts: TokenStream;
  private readonly typedefs = new Map<string, TypeExpr>();
  private readonly enumConsts = new Map<string, bigint>();
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
    return BASE_WORDS.has(t.text) || t.text in QUALS || t.text === 'struct' || t.text === 'union'
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
      } else if (QUALS[w]) {
        this.ts.next();
        if (QUALS[w] === 'const') c = true;
        else if (QUALS[w] === 'volatile') v = true;
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
    let any = false;
    for (;;) {
      const t = this.ts.peek();
      if (t.kind !== 'id') return any;
      if (t.text === '__packed') {
        this.ts.next();
        into.packed = true;
      } else if (t.text === '__aligned') {
        this.ts.next();
        this.ts.expect('(', 'after __aligned');
        into.aligned = Math.max(into.aligned ?? 0, this.alignment(t));
        this.ts.expect(')', 'after the alignment');
      } else if (CACHELINE.has(t.text)) {
        this.ts.next();
        const m = this.ts.macros.get('SMP_CACHE_BYTES') ?? this.ts.macros.get('L1_CACHE_BYTES');
        const line = m ? evalTokens([...m.body], t.line, (l, msg) => this.ts.fail(l, msg), () => undefined).v : 64n;
        into.aligned = Math.max(into.aligned ?? 0, Number(line));
      } else if (t.text === '__attribute__' || t.text === '__attribute') {
        this.ts.next();
        this.ts.expect('(', 'after __attribute__');
        this.ts.expect('(', 'after __attribute__(');
        while (!this.ts.accept(')')) {
          if (this.ts.accept(',')) continue;
          const a = this.ts.next();
          if (a.kind !== 'id') this.fail(a, `expected an attribute name before '${a.text}'`);
          const name = a.text.replace(/^__(.*)__$/, '$1');
          if (name === 'packed') into.packed = true;
          else if (name === 'aligned') {
            let n = 16; // __BIGGEST_ALIGNMENT__ on x86-64 (and arm64)
            if (this.ts.accept('(')) {
              n = this.alignment(a);
              this.ts.expect(')', 'after the alignment');
            }
            into.aligned = Math.max(into.aligned ?? 0, n);
          } else if (HARMLESS_ATTRS.has(name)) {
            if (this.ts.peek().text === '(') this.skipBalanced();
          } else this.fail(a, `attribute '${a.text}' is not supported`);
        }
        this.ts.expect(')', 'to close __attribute__');
      } else return any;
      any = true;
    }
  }

  private alignment(at: Token): number {
    const v = this.constExpr();
    const n = Number(v.v);
    if (n <= 0 || (n & (n - 1)) !== 0 || n > 1 << 28) this.fail(at, `requested alignment ${v.v} is not a positive power of 2`);
    return n;
  }

  private skipBalanced(): void {
    let depth = 0;
    do {
      const t = this.ts.next();
      if (t.kind === 'eof') this.fail(t, 'unbalanced parentheses');
      if (t.text === '(') depth++;
      else if (t.text === ')') depth--;
    } while (depth > 0);
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
        if (QUALS[w]) {
          this.ts.next();
          if (QUALS[w] === 'const') p.c = true;
          else if (QUALS[w] === 'volatile') p.v = true;
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

  /** Enumerators, and object-like macros whose expansion is an integer constant expression. */
  constants(): Map<string, bigint> {
    const out = new Map<string, bigint>();
    const macros = this.ts.macros;
    const expand = (toks: readonly Token[], seen: Set<string>): Token[] => toks.flatMap((t) => {
      const m = t.kind === 'id' && !seen.has(t.text) ? macros.get(t.text) : undefined;
      return m ? expand(m.body, new Set([...seen, m.name])) : [t];
    });
    for (const m of macros.values()) {
      if (!m.body.length) continue;
      try {
        const toks = expand(m.body, new Set([m.name]));
        out.set(m.name, evalTokens(toks, m.line, (l, msg) => this.ts.fail(l, msg), (n) => this.enumConsts.get(n)).v);
      } catch {
        // Not an integer constant (a type, a string, an annotation): not a constant.
      }
    }
    for (const [k, v] of this.enumConsts) out.set(k, v);
    return out;
  }
}

/** Parse C declarations into the AST; CDeclError (file:line: message) on anything unsupported. */
export function parseDecls(source: string, file = '<input>'): ParsedDecls {
  const p = new Parser(source, file);
  p.parseFile();
  return { file, decls: p.decls, constants: p.constants(), charUnsigned: p.ts.macros.has('__CHAR_UNSIGNED__') };
}
