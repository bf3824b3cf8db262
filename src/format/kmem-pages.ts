import type { KmemPagesResult, PageMemberCell, PageMemberRow, PageRow } from '../commands/memory-results.js';
import { mkstring } from './mkstring.js';

/**
 * The mem_map table of `kmem -p` and `vtop` (memory.c dump_mem_map_SPARSEMEM): header
 * CENTER("PAGE",16) PHYSICAL MAPPING INDEX CNT FLAGS; rows "%-16lx %*llx %16lx %8lx %2d " + flags.
 */
export function pageHeader(physWidth: number): string {
  return (
    mkstring('PAGE', 16, 'center') +
    ' ' +
    mkstring('PHYSICAL', physWidth, 'rjust') +
    ' ' +
    mkstring('MAPPING', 16, 'center-rjust') +
    ' ' +
    mkstring('INDEX', 8, 'center-rjust') +
    'CNT FLAGS\n'
  );
}

export function pageRowText(r: PageRow, physWidth: number): string {
  const flags = r.flags.toString(16) + (r.flags && r.names.length ? ' ' + r.names.join(',') : '');
  return (
    r.page.toString(16).padEnd(16) +
    ' ' +
    r.phys.toString(16).padStart(physWidth) +
    ' ' +
    r.mapping.toString(16).padStart(16) +
    ' ' +
    r.index.toString(16).padStart(8) +
    ' ' +
    String(r.count).padStart(2) +
    ' ' +
    flags +
    '\n' +
    (r.explanation ? `  ${r.explanation}\n` : '')
  );
}

export function formatKmemPages(r: KmemPagesResult): string {
  if (r.members) return formatPageMembers(r.members.names, r.members.rows, r.header);
  const parts: string[] = r.header ? [pageHeader(r.physWidth)] : [];
  for (const row of r.rows) parts.push(pageRowText(row, r.physWidth));
  return parts.join('');
}

/**
 * `kmem -m` (memory.c dump_mem_map_SPARSEMEM + show_page_member_data): header CENTER("PAGE",16)
 * then "  member" each; rows "%lx  " then each value in its printf format, most followed by two
 * spaces (crash's formats for a signed 8-byte hex value and for a struct of ints have none).
 */
export function formatPageMembers(names: string[], rows: PageMemberRow[], header: boolean): string {
  const parts: string[] = header ? [mkstring('PAGE', 16, 'center') + names.map((n) => '  ' + n).join('') + '\n'] : [];
  for (const r of rows) parts.push(r.page.toString(16) + '  ' + r.cells.map(cellText).join('') + '\n');
  return parts.join('');
}

const hexw = (v: bigint, w: number) => v.toString(16).padStart(w, '0');
/** C's integer conversions of the value to `bytes` wide, signed or not. */
const asSigned = (v: bigint, bytes: number) => BigInt.asIntN(bytes * 8, v);
/** printf("%x", (int)x) of a short or char: sign-extended to 32 bits first. */
const promotedHex = (v: bigint, bytes: number, w: number) => hexw(BigInt.asUintN(32, asSigned(v, bytes)), w);

function cellText(c: PageMemberCell): string {
  switch (c.kind) {
    case 'ptr':
      return hexw(c.value, 16) + '  ';
    case 'int': {
      const w = c.size * 2;
      if (!c.signed) return (c.decimal ? BigInt.asUintN(c.size * 8, c.value).toString() : hexw(c.value, w)) + '  ';
      if (c.decimal) return asSigned(c.value, c.size).toString() + '  ';
      // "%016lx" has no trailing spaces in crash's signed 8-byte format
      if (c.size === 8) return hexw(c.value, 16);
      return (c.size === 4 ? hexw(BigInt.asUintN(32, c.value), 8) : promotedHex(c.value, c.size, w)) + '  ';
    }
    case 'count':
      return `${c.value}  `;
    case 'longs':
      return c.values.map((v) => hexw(v, 16)).join(',') + '  ';
    case 'ints':
      return c.values.map((v) => v.toString(16).padStart(8, '0')).join(',');
    case 'short':
      return c.value.toString(16).padStart(4, '0') + '  ';
    case 'bool':
      if (c.value <= 1) return (c.value ? 'true' : 'false') + '  ';
      return c.decimal ? String(c.value) : c.value.toString(16) + '  ';
  }
}
