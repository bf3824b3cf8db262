import type { EvalResult } from '../commands/result.js';

/** tools.c print_number(): hexadecimal/decimal/octal/binary lines with size and sign hints. */
export function formatEval(r: EvalResult): string {
  const v = r.value;
  let hint = '';
  for (const [shift, unit] of [[30n, 'GB'], [20n, 'MB'], [10n, 'KB']] as const) {
    if (v >= 1n << shift && v % (1n << shift) === 0n) {
      hint = `(${v >> shift}${unit})`;
      break;
    }
  }
  const signed = v >= 1n << 63n ? `(${v - (1n << 64n)})` : '';
  let out = `hexadecimal: ${v.toString(16)}  ${hint}\n`;
  out += `    decimal: ${v.toString()}  ${signed}\n`;
  out += `      octal: ${v.toString(8)}\n`;
  out += `     binary: ${v.toString(2).padStart(64, '0')}\n`;
  if (r.bits) {
    let line = '   bits set: ';
    // crash writes the bit number first, then wraps once the line has reached 77 columns
    for (let b = 63; b >= 0; b--) {
      if ((v >> BigInt(b)) & 1n) {
        line += `${b} `;
        if (line.length >= 77) {
          out += line + '\n';
          line = '             ';
        }
      }
    }
    out += line + '\n';
  }
  return out;
}
