/**
 * The symbol lookups `dis` makes, as crash makes them (symbols.c value_search, value_to_symstr,
 * next_symbol), over the dump's kallsyms and the loaded modules' own symbol tables.
 */
import type { Kernel } from '../kernel/kernel.js';
import { upperBound as upper, type Sym } from '../debuginfo/symbol-table.js';
import { loadedModules, moduleSymbolAt } from '../kernel/helpers/module.js';

export interface SymHit {
  name: string;
  type: string;
  /** the symbol's address */
  start: bigint;
  offset: bigint;
  module?: string;
}

/**
 * crash's value_search(): an exact hit names the first of the aliases at that address (skipping
 * a region delimiter such as `__irqentry_text_start` for the real symbol after it); an address
 * inside a symbol names the last alias (so `jiffies` but `jiffies_64+2`).
 */
export function valueSearch(k: Kernel, addr: bigint): SymHit | undefined {
  if (!k.arch.isKernelAddr(addr)) return undefined;
  const hit = k.symbols.containing(addr);
  if (hit) {
    const all = k.symbols.all();
    const after = upper(all, hit.sym.address);
    let first = after - 1;
    while (first > 0 && all[first - 1]!.address === hit.sym.address) first--;
    let s: Sym;
    if (hit.offset === 0n) {
      s = all[first]!;
      const next = all[first + 1];
      if (next && next.address === s.address && (/_text_start$/.test(s.name) || /^(compat_)?SyS_/.test(s.name) || s.name.startsWith('.text.'))) s = next;
    } else s = all[after - 1]!;
    return { name: stripSymbolEnd(s.name), type: s.type, start: s.address, offset: hit.offset };
  }
  const m = moduleSymbolAt(k, addr);
  return m ? { name: m.sym.name, type: m.sym.type, start: m.sym.address, offset: m.offset, module: m.module } : undefined;
}

/** Is there a symbol exactly at addr (crash's value_symbol)? */
export function isSymbolStart(k: Kernel, addr: bigint): boolean {
  const h = valueSearch(k, addr);
  return !!h && h.offset === 0n;
}

/** Where the symbol ends: the next symbol's address (next_symbol), or its module's end. */
export function symbolEnd(k: Kernel, hit: SymHit): bigint | undefined {
  if (hit.module === undefined) {
    const all = k.symbols.all();
    const i = upper(all, hit.start);
    return i < all.length ? all[i]!.address : undefined;
  }
  const m = loadedModules(k).find((x) => x.name === hit.module);
  if (!m) return undefined;
  const i = upper(m.symbols, hit.start);
  return i < m.symbols.length ? m.symbols[i]!.address : m.base + m.size;
}

/**
 * crash stores kernel symbols with gcc's clone suffixes cut off (symbols.c strip_symbol_end), so
 * `panic_print_sys_info.part.0` is `panic_print_sys_info` in every name it prints or accepts.
 */
export function stripSymbolEnd(name: string): string {
  for (const s of ['.isra.', '.part.', '.llvm.']) {
    const i = name.indexOf(s);
    if (i > 0) return name.slice(0, i);
  }
  return name;
}

/** Every kernel symbol crash would know by this name (exact, or a clone whose stripped name it is). */
export function kernelSymbolsNamed(k: Kernel, name: string): Sym[] {
  const exact = k.symbols.byName(name);
  const clones = k.symbols.search(`${name}.`).filter((s) => s.name !== name && stripSymbolEnd(s.name) === name);
  return clones.length ? [...exact, ...clones].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0)) : exact;
}

/** A symbol by name: the kernel's (crash's symbol_search, text preferred), else a module's. */
export function symbolByName(k: Kernel, name: string): SymHit | undefined {
  const all = kernelSymbolsNamed(k, name);
  const s = all.length > 1 ? (all.find((x) => isTextType(x.type)) ?? k.symbols.lookup(name) ?? all[0]) : all[0];
  if (s) return { name: stripSymbolEnd(s.name), type: s.type, start: s.address, offset: 0n };
  for (const m of loadedModules(k)) {
    const ms = m.symbols.find((x) => x.name === name);
    if (ms) return { name: ms.name, type: ms.type, start: ms.address, offset: 0n, module: m.name };
  }
  return undefined;
}

export const isTextType = (type: string): boolean => /^[TtWw]$/.test(type);

/** crash's value_to_symstr(): `name`, `name+off` (decimal) or `name+0xoff` (radix 16); '' when none. */
export function symStr(k: Kernel, addr: bigint, radix: 10 | 16): string {
  const h = valueSearch(k, addr);
  if (!h) return '';
  if (!h.offset) return h.name;
  return radix === 16 ? `${h.name}+0x${h.offset.toString(16)}` : `${h.name}+${h.offset}`;
}
