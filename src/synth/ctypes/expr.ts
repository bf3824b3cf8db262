/**
 * Integer constant expressions as GCC evaluates them on LP64: literals typed by value and
 * suffix (int, unsigned int, long, unsigned long), the usual arithmetic conversions, wrap-around
 * at the type's width, every C operator that makes sense in a constant (unary + - ~ !, * / %,
 * + -, << >>, comparisons, & ^ |, && ||, ?:), parentheses and casts to base types.
 * `1 << 31` is INT_MIN and `1U << 31` is 2147483648, which is what decides an enum's signedness.
 */
import type { BaseName } from './ast.js';
import type { Macro, Token } from './lexer.js';

export const BASE_WORDS = new Set(['void', 'char', 'short', 'int', 'long', 'signed', 'unsigned', '_Bool', 'float', 'double', '__signed__', '__signed']);

/** The GCC name of a base type from its specifier words. */
export function baseName(words: string[]): BaseName | undefined {
  const n = (w: string): number => words.filter((x) => x === w).length;
  const signed = n('signed') + n('__signed__') + n('__signed');
  const unsigned = n('unsigned');
  const longs = n('long');
  const [short, int, char] = [n('short'), n('int'), n('char')];
  const others = words.length - signed - unsigned - longs - short - int - char;
  if (signed + unsigned > 1 || int > 1 || short > 1 || char > 1 || longs > 2) return undefined;
  if (others) {
    if (words.length !== 1 && !(words.length === 2 && longs === 1 && words.includes('double'))) return undefined;
    return (longs ? 'long double' : words[0]) as BaseName;
  }
  if (char) {
    if (short || longs || int) return undefined;
    return signed ? 'signed char' : unsigned ? 'unsigned char' : 'char';
  }
  if (short && longs) return undefined;
  const u = unsigned ? ' unsigned' : '';
  if (short) return `short${u} int` as BaseName;
  if (longs === 2) return `long long${u} int` as BaseName;
  if (longs === 1) return `long${u} int` as BaseName;
  return unsigned ? 'unsigned int' : 'int';
}


export interface CValue {
  readonly v: bigint;
  readonly bits: 32 | 64;
  readonly unsigned: boolean;
}

export interface ExprSource {
  peek(k?: number): Token;
  next(): Token;
  fail(line: number, msg: string): never;
}

/** Identifier → value (enumerators), or undefined when the name is not a constant. */
export type ConstLookup = (name: string) => bigint | undefined;

export function mkValue(v: bigint, bits: 32 | 64, unsigned: boolean): CValue {
  return { v: unsigned ? BigInt.asUintN(bits, v) : BigInt.asIntN(bits, v), bits, unsigned };
}

const INT = (v: bigint | boolean): CValue => mkValue(typeof v === 'boolean' ? (v ? 1n : 0n) : v, 32, false);

function literal(t: Token, fail: ExprSource['fail']): CValue {
  const m = /^(0[xX][0-9a-fA-F]+|\d+)([uUlL]*)$/.exec(t.text);
  if (!m) fail(t.line, `invalid integer constant '${t.text}'`);
  const body = m[1]!;
  const suf = m[2]!.toLowerCase();
  if (!/^(u?l{0,2}|l{1,2}u)$/.test(suf)) fail(t.line, `invalid suffix on integer constant '${t.text}'`);
  const v = /^0[0-7]+$/.test(body) ? BigInt('0o' + body.slice(1)) : BigInt(body);
  if (/^0\d*[89]/.test(body)) fail(t.line, `invalid digit in octal constant '${t.text}'`);
  const u = suf.includes('u');
  const long = suf.includes('l');
  const decimal = !/^0/.test(body) || body === '0';
  // C11 6.4.4.1: the first type of the list that holds the value.
  const fits = (bits: number, uns: boolean): boolean => v <= (uns ? (1n << BigInt(bits)) - 1n : (1n << BigInt(bits - 1)) - 1n);
  const order: [32 | 64, boolean][] = [];
  if (!long) order.push(...(u ? [[32, true]] : decimal ? [[32, false]] : [[32, false], [32, true]]) as [32, boolean][]);
  order.push(...(u ? [[64, true]] : decimal ? [[64, false]] : [[64, false], [64, true]]) as [64, boolean][]);
  for (const [bits, uns] of order) if (fits(bits, uns)) return mkValue(v, bits, uns);
  if (v < 1n << 64n) return mkValue(v, 64, true);
  fail(t.line, `integer constant '${t.text}' is too large`);
}

function charLiteral(t: Token, fail: ExprSource['fail']): CValue {
  const s = t.text.slice(1, -1);
  if (s[0] !== '\\') return INT(BigInt(s.charCodeAt(0)));
  const esc: Record<string, number> = { n: 10, t: 9, r: 13, '0': 0, '\\': 92, "'": 39, '"': 34, a: 7, b: 8, f: 12, v: 11 };
  if (/^\\[0-7]{1,3}$/.test(s)) return INT(BigInt.asIntN(8, BigInt(parseInt(s.slice(1), 8))));
  const v = Object.hasOwn(esc, s.slice(1)) ? esc[s.slice(1)] : undefined;
  if (v === undefined) fail(t.line, `unsupported escape in character constant ${t.text}`);
  return INT(BigInt(v));
}

/** Usual arithmetic conversions (both operands already int or wider). */
function common(a: CValue, b: CValue): { bits: 32 | 64; unsigned: boolean } {
  if (a.bits === b.bits) return { bits: a.bits, unsigned: a.unsigned || b.unsigned };
  const wide = a.bits > b.bits ? a : b;
  return { bits: 64, unsigned: wide.unsigned };
}

const conv = (x: CValue, bits: 32 | 64, unsigned: boolean): CValue => mkValue(x.v, bits, unsigned);

const BASE_CASTS: Record<string, [32 | 64, boolean, number?]> = {
  char: [32, false, 8], 'signed char': [32, false, 8], 'unsigned char': [32, true, 8],
  'short int': [32, false, 16], 'short unsigned int': [32, true, 16], int: [32, false], 'unsigned int': [32, true],
  'long int': [64, false], 'long unsigned int': [64, true], 'long long int': [64, false], 'long long unsigned int': [64, true],
  _Bool: [32, false, 1],
};

const BINARY: [string, number][] = [
  ['||', 1], ['&&', 2], ['|', 3], ['^', 4], ['&', 5], ['==', 6], ['!=', 6], ['<', 7], ['>', 7], ['<=', 7], ['>=', 7],
  ['<<', 8], ['>>', 8], ['+', 9], ['-', 9], ['*', 10], ['/', 10], ['%', 10],
];
const PREC = new Map(BINARY);
const MAX_NESTING = 256;

/**
 * Parse and evaluate one constant expression (a conditional-expression: no commas or
 * assignments), stopping at the first token that cannot continue it.
 * `castType` recognises `(type)` at a cast position and returns the base type's GCC name.
 */
export function evalConstExpr(src: ExprSource, lookup: ConstLookup, castType: () => string | undefined): CValue {
  const fail: (line: number, msg: string) => never = (l, m) => src.fail(l, m);

  function primary(): CValue {
    const t = src.next();
    if (t.kind === 'num') return literal(t, fail);
    if (t.kind === 'char') return charLiteral(t, fail);
    if (t.kind === 'id') {
      if (t.text === 'sizeof' || t.text === '_Alignof' || t.text === '__alignof__') {
        fail(t.line, `'${t.text}' is not supported in constant expressions here; write the number`);
      }
      const v = lookup(t.text);
      if (v === undefined) fail(t.line, `'${t.text}' is not an integer constant (not #defined or an enumerator)`);
      return v >= -(1n << 31n) && v < 1n << 31n ? INT(v) : mkValue(v, 64, v >= 1n << 63n);
    }
    if (t.text === '(') {
      const v = conditional();
      const close = src.next();
      if (close.text !== ')') fail(close.line, `expected ')' before '${close.text}'`);
      return v;
    }
    fail(t.line, `expected an integer constant expression before '${t.text}'`);
  }

  // Parentheses, unary operators and ?: chains recurse: bound the depth (20000 '(' in a
  // #define overflowed the stack).
  let depth = 0;
  function nested(f: () => CValue): CValue {
    if (depth >= MAX_NESTING) fail(src.peek().line, 'constant expression nested too deeply');
    depth++;
    try {
      return f();
    } finally {
      depth--;
    }
  }

  function unary(): CValue {
    return nested(unary1);
  }

  function unary1(): CValue {
    const t = src.peek();
    if (t.kind === 'punct' && ['-', '+', '~', '!'].includes(t.text)) {
      src.next();
      const x = unary();
      switch (t.text) {
        case '-': return mkValue(-x.v, x.bits, x.unsigned);
        case '+': return x;
        case '~': return mkValue(~x.v, x.bits, x.unsigned);
        default: return INT(x.v === 0n);
      }
    }
    if (t.text === '(' && t.kind === 'punct') {
      const save = src.peek(1);
      if (save.kind === 'id') {
        const cast = castType();
        if (cast !== undefined) {
          const spec = BASE_CASTS[cast];
          if (!spec) fail(t.line, `cast to '${cast}' is not supported in constant expressions`);
          const x = unary();
          const [bits, uns, width] = spec;
          let v = mkValue(x.v, 64, x.unsigned).v;
          if (width === 1) v = v !== 0n ? 1n : 0n;
          else if (width) v = uns ? BigInt.asUintN(width, v) : BigInt.asIntN(width, v);
          return mkValue(v, bits, uns);
        }
      }
    }
    return primary();
  }

  function binary(minPrec: number): CValue {
    let lhs = unary();
    for (;;) {
      const t = src.peek();
      const p = t.kind === 'punct' ? PREC.get(t.text) : undefined;
      if (p === undefined || p < minPrec) return lhs;
      src.next();
      const rhs = binary(p + 1);
      lhs = apply(t, lhs, rhs);
    }
  }

  function apply(t: Token, a: CValue, b: CValue): CValue {
    const op = t.text;
    if (op === '&&') return INT(a.v !== 0n && b.v !== 0n);
    if (op === '||') return INT(a.v !== 0n || b.v !== 0n);
    if (op === '<<' || op === '>>') {
      if (b.v < 0n || b.v >= BigInt(a.bits)) fail(t.line, `shift count ${b.v} is out of range for a ${a.bits}-bit value`);
      return mkValue(op === '<<' ? a.v << b.v : a.v >> b.v, a.bits, a.unsigned);
    }
    const { bits, unsigned } = common(a, b);
    const x = conv(a, bits, unsigned).v;
    const y = conv(b, bits, unsigned).v;
    switch (op) {
      case '==': return INT(x === y);
      case '!=': return INT(x !== y);
      case '<': return INT(x < y);
      case '>': return INT(x > y);
      case '<=': return INT(x <= y);
      case '>=': return INT(x >= y);
      case '+': return mkValue(x + y, bits, unsigned);
      case '-': return mkValue(x - y, bits, unsigned);
      case '*': return mkValue(x * y, bits, unsigned);
      case '&': return mkValue(x & y, bits, unsigned);
      case '|': return mkValue(x | y, bits, unsigned);
      case '^': return mkValue(x ^ y, bits, unsigned);
      default:
        if (y === 0n) fail(t.line, 'division by zero in a constant expression');
        return mkValue(op === '/' ? x / y : x % y, bits, unsigned);
    }
  }

  function conditional(): CValue {
    return nested(conditional1);
  }

  function conditional1(): CValue {
    const c = binary(1);
    if (src.peek().text !== '?' || src.peek().kind !== 'punct') return c;
    src.next();
    const a = conditional();
    const colon = src.next();
    if (colon.text !== ':') fail(colon.line, `expected ':' before '${colon.text}'`);
    const b = conditional();
    const { bits, unsigned } = common(a, b);
    return conv(c.v !== 0n ? a : b, bits, unsigned);
  }

  return conditional();
}

/** Evaluate a whole token list (a `#if` line, a macro body); throws when tokens are left over. */
export function evalTokens(toks: Token[], line: number, fail: ExprSource['fail'], lookup: ConstLookup): CValue {
  let i = 0;
  const eof: Token = { kind: 'eof', text: '<end of line>', line };
  const src: ExprSource = {
    peek: (k = 0) => toks[i + k] ?? eof,
    next: () => toks[i++] ?? eof,
    fail,
  };
  // Casts to base types: `(unsigned long)-1`.
  const cast = (): string | undefined => {
    if (toks[i]?.text !== '(') return undefined;
    let j = i + 1;
    const words: string[] = [];
    while (toks[j]?.kind === 'id' && BASE_WORDS.has(toks[j]!.text)) words.push(toks[j++]!.text);
    const ptr = toks[j]?.text === '*';
    if (ptr) j++;
    if (!words.length || toks[j]?.text !== ')') return undefined;
    const name = baseName(words);
    if (!name) return undefined;
    i = j + 1;
    return ptr ? 'long unsigned int' : name;
  };
  const v = evalConstExpr(src, lookup, cast);
  if (i < toks.length) fail(toks[i]!.line, `unexpected '${toks[i]!.text}' in a constant expression`);
  return v;
}

/** Object-like macros whose expansion is an integer constant expression (others are not constants), and enumerators. */
export function macroConstants(macros: ReadonlyMap<string, Macro>, enums: ReadonlyMap<string, bigint>): Map<string, bigint> {
  const out = new Map<string, bigint>();
  const expand = (toks: readonly Token[], seen: Set<string>): Token[] => toks.flatMap((t) => {
    const m = t.kind === 'id' && !seen.has(t.text) ? macros.get(t.text) : undefined;
    return m ? expand(m.body, new Set([...seen, m.name])) : [t];
  });
  const fail = (): never => {
    throw new Error('not a constant');
  };
  for (const m of macros.values()) {
    if (!m.body.length) continue;
    try {
      out.set(m.name, evalTokens(expand(m.body, new Set([m.name])), m.line, fail, (n) => enums.get(n)).v);
    } catch {
      // A type, a string, an annotation: not a constant.
    }
  }
  for (const [k, v] of enums) out.set(k, v);
  return out;
}
