/**
 * Scalar and string text exactly as gdb 10 prints it (valprint.c generic_printstr, print_wchar,
 * generic_emit_char; floatformat printing), with crash's print settings: repeats never
 * collapsed (repeat_count_threshold 0x7fffffff), print elements 256, no null-stop.
 * Characters are single bytes; bytes outside 0x20..0x7e are escaped (a C/ASCII host charset).
 */

/** crash sets gdb's print_max (`set print elements`) to 256. */
export const PRINT_MAX = 256;

const NAMED_ESCAPES: Record<number, string> = {
  7: '\\a', 8: '\\b', 12: '\\f', 10: '\\n', 13: '\\r', 9: '\\t', 11: '\\v',
};

const isPrintable = (b: number): boolean => b >= 0x20 && b <= 0x7e;
const isDigit = (b: number): boolean => b >= 0x30 && b <= 0x39;
const octal = (b: number): string => '\\' + b.toString(8).padStart(3, '0');

/**
 * gdb's print_wchar for one byte. `state.needEscape` carries gdb's flag across characters:
 * after a numeric (octal) escape, a following digit is escaped too (gdb ≤ 12 behaviour).
 */
function printByte(b: number, quoter: string, state: { needEscape: boolean }): string {
  const needEscape = state.needEscape;
  state.needEscape = false;
  const named = NAMED_ESCAPES[b];
  if (named) return named;
  if (isPrintable(b) && !(needEscape && isDigit(b))) {
    const ch = String.fromCharCode(b);
    return ch === quoter || ch === '\\' ? '\\' + ch : ch;
  }
  state.needEscape = true;
  return octal(b);
}

/** A char literal body as gdb's generic_emit_char prints it inside '…'. */
export function charLiteral(byte: number): string {
  return `'${printByte(byte & 0xff, "'", { needEscape: false })}'`;
}

/**
 * generic_printstr for `length` bytes (a char array's contents, or a string read from memory):
 * a trailing NUL is dropped unless `forceEllipses`; at most PRINT_MAX characters are
 * collected, counting a run of identical bytes as a whole; `...` follows when cut short.
 */
export function printStr(bytes: Uint8Array, forceEllipses = false, printMax = PRINT_MAX): string {
  let length = bytes.length;
  if (!forceEllipses && length > 0 && bytes[length - 1] === 0) length--;
  if (length === 0) return '""';
  let pos = 0;
  let counted = 0;
  while (counted < printMax && pos < length) {
    const b = bytes[pos];
    let run = 1;
    while (pos + run < length && bytes[pos + run] === b) run++;
    pos += run;
    counted += run;
  }
  const finished = pos >= length;
  const state = { needEscape: false };
  let s = '"';
  for (let i = 0; i < pos; i++) s += printByte(bytes[i]!, '"', state);
  s += '"';
  if (forceEllipses || !finished) s += '...';
  return s;
}

export interface CStringRead {
  bytes: Uint8Array;
  /** Address of the first byte that could not be read, when a read failed. */
  errorAt?: bigint;
  forceEllipses: boolean;
}

/**
 * gdb's val_print_string with len -1: fetch up to `limit` bytes stopping after a NUL, then
 * peek one more byte when no NUL was found (ellipsis if it is not NUL).
 */
export function readCString(
  read: (addr: bigint, len: number) => Uint8Array | undefined, addr: bigint, limit = PRINT_MAX,
): CStringRead {
  const out: number[] = [];
  let pos = addr;
  let errorAt: bigint | undefined;
  let nul = false;
  while (out.length < limit && !nul) {
    const want = Math.min(limit - out.length, 4096 - Number(pos & 0xfffn));
    let got: Uint8Array | undefined;
    try {
      got = read(pos, want);
    } catch {
      got = undefined;
    }
    const n = got ? Math.min(got.length, want) : 0;
    for (let i = 0; i < n; i++) {
      out.push(got![i]!);
      if (got![i] === 0) {
        nul = true;
        break;
      }
    }
    pos = addr + BigInt(out.length);
    if (!nul && n < want) {
      errorAt = pos;
      break;
    }
  }
  let forceEllipses = false;
  if (!nul && errorAt === undefined) {
    try {
      const peek = read(pos, 1);
      if (peek && peek.length > 0 && peek[0] !== 0) forceEllipses = true;
    } catch {
      // unreadable: no ellipsis
    }
  }
  return { bytes: Uint8Array.from(out), errorAt, forceEllipses };
}

/** The text gdb prints after a `char *` address: the string, and/or the memory error. */
export function cStringText(r: CStringRead): string {
  let s = '';
  if (r.errorAt === undefined || r.bytes.length > 0) s += printStr(r.bytes, r.forceEllipses);
  if (r.errorAt !== undefined) s += `<error: Cannot access memory at address 0x${r.errorAt.toString(16)}>`;
  return s;
}

/** print_scalar_formatted 'x': 0x + hex of the value truncated to `size` bytes. */
export function hexOf(value: bigint, size: number): string {
  return '0x' + BigInt.asUintN(size * 8, value).toString(16);
}

/** C's %.{prec}g. */
export function formatG(x: number, prec: number): string {
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const e = Number(x.toExponential(prec - 1).split('e')[1]);
  if (e < -4 || e >= prec) {
    const [m, ex] = x.toExponential(prec - 1).split('e') as [string, string];
    const mant = m.includes('.') ? m.replace(/0+$/, '').replace(/\.$/, '') : m;
    const n = Number(ex);
    return `${mant}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  const f = x.toFixed(Math.max(0, prec - 1 - e));
  return f.includes('.') ? f.replace(/0+$/, '').replace(/\.$/, '') : f;
}

/** A float/double as gdb prints it: %.9g / %.17g, and `inf`, `-inf`, `nan(0x…)`. */
export function formatFloat(bytes: Uint8Array, off: number, size: number): string {
  const dv = new DataView(bytes.buffer, bytes.byteOffset + off, size);
  let x: number;
  let mantissa: bigint;
  if (size === 4) {
    x = dv.getFloat32(0, true);
    mantissa = BigInt(dv.getUint32(0, true) & 0x7fffff);
  } else if (size === 8) {
    x = dv.getFloat64(0, true);
    mantissa = dv.getBigUint64(0, true) & ((1n << 52n) - 1n);
  } else {
    return `<invalid float value>`;
  }
  const neg = (bytes[off + size - 1]! & 0x80) !== 0;
  if (Number.isNaN(x)) return `${neg ? '-' : ''}nan(0x${mantissa.toString(16)})`;
  if (!Number.isFinite(x)) return x < 0 ? '-inf' : 'inf';
  return formatG(x, size === 4 ? 9 : 17);
}
