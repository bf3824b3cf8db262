import { CrashError } from '../util/errors.js';

/**
 * Integer expressions as crash's eval and `rd (expr)` take them: hex (0x optional when
 * unambiguous) or decimal numbers with k/m/g suffixes, symbols, unary - ~ !, and the binary
 * operators * / % + - << >> & ^ | with C precedence and parentheses. Values are 64-bit unsigned.
 */
export type SymbolValue = (name: string) => bigint | undefined;

const MASK = (1n << 64n) - 1n;
const PREC: Record<string, number> = { '*': 10, '/': 10, '%': 10, '+': 9, '-': 9, '<<': 8, '>>': 8, '&': 7, '^': 6, '|': 5 };

export class ExprError extends CrashError {}

const MAX_NESTING = 256;

export function evalIntExpr(text: string, sym: SymbolValue, hexDefault = false): bigint {
  // A word is a number or a name, decided after it is whole (a name may start with hex letters: dentry_cache).
  const toks = text.match(/[\w.$]+|<<|>>|[-+*/%&|^~!()]|\S/g) ?? [];
  let pos = 0;
  const peek = () => toks[pos];
  const bad = (): never => {
    throw new ExprError(`invalid expression: ${text}`);
  };
  // Each level of parentheses or unary operators is one recursion: bound it (a script's line
  // of 20000 '(' would otherwise overflow the stack).
  let depth = 0;
  const primary = (): bigint => {
    if (depth >= MAX_NESTING) throw new ExprError(`expression nested too deeply: ${text.slice(0, 40)}...`);
    depth++;
    try {
      return primary1();
    } finally {
      depth--;
    }
  };
  const primary1 = (): bigint => {
    const t = toks[pos++];
    if (t === undefined) bad();
    if (t === '(') {
      const v = binary(0);
      if (toks[pos++] !== ')') bad();
      return v;
    }
    if (t === '-') return -primary() & MASK;
    if (t === '~') return ~primary() & MASK;
    if (t === '!') return primary() === 0n ? 1n : 0n;
    if (t === '+') return primary();
    const n = parseNumber(t, hexDefault);
    if (n !== undefined) return n;
    const s = sym(t);
    if (s !== undefined) return s;
    // crash's calculate(): a word that is not a symbol but is all hex digits ("ff") is hex
    if (/^[0-9a-fA-F]+$/.test(t)) return BigInt('0x' + t) & MASK;
    throw new ExprError(`invalid expression: ${text}`);
  };
  const binary = (minPrec: number): bigint => {
    let lhs = primary();
    for (;;) {
      const op = peek();
      const p = op === undefined ? undefined : PREC[op];
      if (p === undefined || p < minPrec) return lhs;
      pos++;
      const rhs = binary(p + 1);
      lhs = apply(op!, lhs, rhs);
    }
  };
  const v = binary(0);
  if (pos !== toks.length) bad();
  return v;
}

function apply(op: string, a: bigint, b: bigint): bigint {
  switch (op) {
    case '*':
      return (a * b) & MASK;
    case '/':
    case '%':
      if (b === 0n) throw new ExprError('divide by zero');
      return op === '/' ? a / b : a % b;
    case '+':
      return (a + b) & MASK;
    case '-':
      return (a - b) & MASK;
    case '<<':
      return b >= 64n ? 0n : (a << b) & MASK;
    case '>>':
      return b >= 64n ? 0n : a >> b;
    case '&':
      return a & b;
    case '^':
      return a ^ b;
    default:
      return a | b;
  }
}

/**
 * A number token: 0x-hex; decimal digits (hex when `hexDefault`) with an optional k/m/g suffix;
 * digits mixed with a-f are hex. Letters only ("dead") are a name, not a number.
 */
export function parseNumber(t: string, hexDefault = false): bigint | undefined {
  let m: RegExpMatchArray | null;
  if ((m = t.match(/^0[xX]([0-9a-fA-F]+)$/))) return BigInt('0x' + m[1]) & MASK;
  if ((m = t.match(/^([0-9]+)([kKmMgG])?$/))) {
    const base = hexDefault && !m[2] ? BigInt('0x' + m[1]) : BigInt(m[1]);
    const mult = { k: 1n << 10n, m: 1n << 20n, g: 1n << 30n }[(m[2] ?? '').toLowerCase()] ?? 1n;
    return (base * mult) & MASK;
  }
  if (/^[0-9a-fA-F]+$/.test(t) && /[0-9]/.test(t)) return BigInt('0x' + t) & MASK;
  return undefined;
}

/** crash's hexadecimal(): a token made only of hex digits (with optional 0x) is an address. */
export function isHexToken(t: string): boolean {
  return /^(0[xX])?[0-9a-fA-F]+$/.test(t) && t.length <= 18;
}
