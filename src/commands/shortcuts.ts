import type { Kernel } from '../kernel/kernel.js';

/**
 * crash's datatype/symbol shortcuts (symbols.c is_datatype_command): an unknown first word that
 * is a kernel symbol becomes `p <line>`; a struct/union name becomes `struct`/`union`; a
 * `type.member` form likewise. Undefined when the word is none of these.
 */
export function shortcutFor(k: Kernel, words: string[]): string | undefined {
  const first = words[0];
  const base = first.split(/[.:[]/)[0];
  const rest = words.slice(1).join(' ');
  if (!base) return undefined;
  const hasStruct = safe(() => k.hasType(`struct ${base}`));
  const hasUnion = safe(() => k.hasType(`union ${base}`));
  if ((hasStruct || hasUnion) && !k.symbol(base)) return `${hasStruct ? 'struct' : 'union'} ${words.join(' ')}`;
  if (k.symbol(base)) return `p ${[first, rest].filter(Boolean).join(' ')}`;
  if (hasStruct || hasUnion) return `${hasStruct ? 'struct' : 'union'} ${words.join(' ')}`;
  if (safe(() => k.hasType(base))) return `whatis ${base}`;
  return undefined;
}

function safe(f: () => boolean): boolean {
  try {
    return f();
  } catch {
    return false;
  }
}
