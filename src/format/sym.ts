import type { SymResult } from '../commands/result.js';

/**
 * crash's show_symbol(): `%lx (%c) %s` plus `+offset` (radix 10 or 0x-hex). Line numbers need
 * DWARF; crash prints ` <file>: <line>` for text symbols when it has them. We have none, so
 * nothing follows the name (we do not invent a source position).
 */
export function formatSym(r: SymResult): string {
  return r.lines
    .map((l) => {
      const off = l.offset ? `+${r.radix === 16 ? '0x' + l.offset.toString(16) : l.offset.toString()}` : '';
      return `${l.address.toString(16)} (${l.type}) ${l.name}${off}${l.module ? ` [${l.module}]` : ''}\n`;
    })
    .join('');
}
