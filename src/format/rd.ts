import type { RdResult } from '../commands/result.js';

const PER_LINE: Record<number, number> = { 1: 16, 2: 8, 4: 4, 8: 2 };
/** Where crash's ASCII column starts, by unit (memory.c ASCII_START_*, VADDR_PRLEN 16). */
const ASCII_START: Record<number, number> = { 1: 51 + 16, 2: 43 + 16, 4: 39 + 16, 8: 37 + 16 };

const addrCol = (a: bigint) => a.toString(16).padStart(16, ' ');

/** crash's display_memory() text for one rd result. */
export function formatRd(r: RdResult): string {
  if (r.unit === 0) return formatAscii(r);
  const per = PER_LINE[r.unit];
  let out = '';
  let line = '';
  let ascii = '';
  let addr = r.start;
  r.values.forEach((v, i) => {
    if (i % per === 0) {
      if (i) out += (r.ascii ? line + '  ' + ascii : line) + '\n';
      line = `${addrCol(addr)}:  `;
      ascii = '';
    }
    const sym = r.symbols?.[i];
    line += sym !== undefined ? `${sym.padEnd(16)} ` : cell(v, r.unit, r.mode);
    if (r.ascii) ascii += asciiOf(v, r.unit);
    addr += BigInt(r.unit);
  });
  if (r.values.length) {
    if (r.ascii) line = line.padEnd(ASCII_START[r.unit], ' ') + '  ' + ascii;
    out += line + '\n';
  }
  return out;
}

function cell(v: bigint, unit: number, mode: RdResult['mode']): string {
  if (mode === 'hex') return v.toString(16).padStart(unit * 2, '0') + ' ';
  const signed = BigInt.asIntN(unit * 8, v);
  const s = mode === 'dec' ? signed.toString() : v.toString();
  const width = { 1: 3, 2: 5, 4: 12, 8: mode === 'dec' ? 15 : 20 }[unit]!;
  return s.padStart(width, ' ') + ' ';
}

function asciiOf(v: bigint, unit: number): string {
  let s = '';
  for (let i = 0; i < unit; i++) {
    const c = Number((v >> BigInt(8 * i)) & 0xffn);
    s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
  }
  return s;
}

/** -a: lines of up to 60 printable characters; crash ends without a newline when it stopped at a non-printable byte. */
function formatAscii(r: RdResult): string {
  const out = (r.chunks ?? []).map((c) => `${addrCol(c.addr)}:  ${c.text}`).join('\n');
  return r.truncatedAscii || !out ? out : out + '\n';
}
