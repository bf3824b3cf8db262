/**
 * What may surround a C type without changing it, and the GCC attributes that do change its
 * layout: `__attribute__((aligned(n), packed))` and the kernel's macros for them (`__aligned(n)`,
 * `__packed`, `____cacheline_aligned` = SMP_CACHE_BYTES, 64 unless #defined). Sparse annotations
 * (`__user`, `__rcu`, `__percpu` ...) expand to nothing in a kernel build and are skipped.
 */
import type { Attrs } from './ast.js';
import { BASE_WORDS, macroConstants, type CValue } from './expr.js';
import type { Token, TokenStream } from './lexer.js';

export const QUALS = new Map<string, 'const' | 'volatile' | 'restrict'>([
  ['const', 'const'], ['__const', 'const'], ['__const__', 'const'], ['volatile', 'volatile'], ['__volatile', 'volatile'],
  ['__volatile__', 'volatile'], ['restrict', 'restrict'], ['__restrict', 'restrict'], ['__restrict__', 'restrict'],
]);
/** Storage classes and annotations that do not change a type's layout (sparse, section markers). */
export const IGNORED = new Set([
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
export const KEYWORDS = new Set([...BASE_WORDS, ...QUALS.keys(), 'struct', 'union', 'enum', 'typedef', 'sizeof',
  '__attribute__', '__attribute', 'extern', 'static', 'inline', 'register', 'auto']);

/** `__attribute__((...))` and the kernel's attribute macros; true when one was consumed. */
export function parseAttributes(ts: TokenStream, into: Attrs, constExpr: () => CValue): boolean {
  let any = false;
  for (;;) {
    const t = ts.peek();
    if (t.kind !== 'id') return any;
    if (t.text === '__packed') {
      ts.next();
      into.packed = true;
    } else if (t.text === '__aligned') {
      ts.next();
      ts.expect('(', 'after __aligned');
      into.aligned = Math.max(into.aligned ?? 0, alignment(ts, t, constExpr));
      ts.expect(')', 'after the alignment');
    } else if (CACHELINE.has(t.text)) {
      ts.next();
      const consts = macroConstants(ts.macros, new Map());
      const line = consts.get('SMP_CACHE_BYTES') ?? consts.get('L1_CACHE_BYTES') ?? 64n;
      into.aligned = Math.max(into.aligned ?? 0, Number(line));
    } else if (t.text === '__attribute__' || t.text === '__attribute') {
      ts.next();
      ts.expect('(', 'after __attribute__');
      ts.expect('(', 'after __attribute__(');
      while (!ts.accept(')')) {
        if (ts.accept(',')) continue;
        const a = ts.next();
        if (a.kind !== 'id') ts.fail(a.line, `expected an attribute name before '${a.text}'`);
        const name = a.text.replace(/^__(.*)__$/, '$1');
        if (name === 'packed') into.packed = true;
        else if (name === 'aligned') {
          let n = 16; // __BIGGEST_ALIGNMENT__ on x86-64 (and arm64)
          if (ts.accept('(')) {
            n = alignment(ts, a, constExpr);
            ts.expect(')', 'after the alignment');
          }
          into.aligned = Math.max(into.aligned ?? 0, n);
        } else if (HARMLESS_ATTRS.has(name)) {
          if (ts.peek().text === '(') skipBalanced(ts);
        } else ts.fail(a.line, `attribute '${a.text}' is not supported`);
      }
      ts.expect(')', 'to close __attribute__');
    } else return any;
    any = true;
  }
}

function alignment(ts: TokenStream, at: Token, constExpr: () => CValue): number {
  const v = constExpr();
  const n = Number(v.v);
  if (n <= 0 || (n & (n - 1)) !== 0 || n > 1 << 28) ts.fail(at.line, `requested alignment ${v.v} is not a positive power of 2`);
  return n;
}

function skipBalanced(ts: TokenStream): void {
  let depth = 0;
  do {
    const t = ts.next();
    if (t.kind === 'eof') ts.fail(t.line, 'unbalanced parentheses');
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
  } while (depth > 0);
}
