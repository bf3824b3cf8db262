import type { CommandContext } from './types.js';
import { err, lines, type CommandResult } from './result.js';
import { evalIntExpr, isHexToken } from './int-expr.js';

/**
 * crash's address-argument rule (rd, struct, vtop, search): `(expression)` is evaluated; a token
 * that is valid hex is an address even when a symbol has that name; otherwise a symbol.
 * Undefined when nothing matches (the caller prints symbol_not_found()).
 */
export function resolveAddress(ctx: CommandContext, tok: string): bigint | undefined {
  if (tok.startsWith('(')) return evalIntExpr(tok, (n) => ctx.kernel.symbol(n)?.address);
  if (isHexToken(tok)) return BigInt('0x' + tok.replace(/^0[xX]/, ''));
  return ctx.kernel.symbol(tok)?.address;
}

/** crash prints these two lines with plain fprintf (no command prefix), then the alternatives. */
export function symbolNotFound(ctx: CommandContext, name: string): CommandResult[] {
  const alts = ctx.kernel.symbols.search(name).slice(0, 200);
  return [
    err(`symbol not found: ${name}`, true),
    lines(['possible alternatives:', ...(alts.length ? alts.map((s) => `  ${s.address.toString(16)} (${s.type}) ${s.name}`) : ['  (none found)'])]),
  ];
}
