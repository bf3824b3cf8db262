/**
 * The kernel symbol table: symbols sorted by address (stable, duplicates kept) with binary search
 * for address → symbol+offset, and a name index built on first use.
 */

export interface Sym {
  name: string;
  address: bigint;
  /** nm type letter: T t D d R r B b A V W ... */
  type: string;
  /** Where a symbol not in the symbol table proper came from (e.g. the export table), for `sym`/`whatis`. */
  origin?: string;
}

/**
 * A symbol's extent is unknown (kallsyms stores no sizes), so it runs to the next symbol. Across a
 * gap wider than this — no kernel image has one; it means two address spaces, e.g. the x86_64
 * per-CPU offsets near 0 and the kernel text — and after the last symbol, it ends at
 * MAX_SYMBOL_LENGTH, the cap drgn uses (libdrgn/kallsyms.c).
 */
export const MAX_SYMBOL_LENGTH = 0x10000n;
export const MAX_SYMBOL_GAP = 0x1000000n;

export class SymbolTable {
  private readonly syms: readonly Sym[];
  /** name → its symbol, or all of them in address order when the name repeats */
  private nameIndex: Map<string, Sym | Sym[]> | undefined;
  private sortedNames: string[] | undefined;

  constructor(symbols: readonly Sym[]) {
    this.syms = isSorted(symbols) ? symbols.slice() : stableSortByAddress(symbols);
  }

  get size(): number {
    return this.syms.length;
  }

  /** Every symbol, sorted by address (ties keep their input order). */
  all(): readonly Sym[] {
    return this.syms;
  }

  /** All symbols with this exact name, in address order. */
  byName(name: string): Sym[] {
    const e = this.index().get(name);
    return e === undefined ? [] : Array.isArray(e) ? e.slice() : [e];
  }

  /** The symbol a name means: global before local, text before data, then the lowest address. */
  lookup(name: string): Sym | undefined {
    const list = this.index().get(name);
    if (!Array.isArray(list)) return list;
    let best = list[0]!;
    for (const s of list) if (rank(s) < rank(best)) best = s;
    return best;
  }

  /**
   * The symbol at or below `addr` and the offset into it; undefined below the first symbol, past
   * the end of the last one, or in a gap between address spaces (see MAX_SYMBOL_GAP). Among
   * aliases at one address the first is taken, as the kernel's get_symbol_pos() does.
   */
  containing(addr: bigint): { sym: Sym; offset: bigint } | undefined {
    const syms = this.syms;
    const lo = upperBound(syms, addr); // one past the last index with address <= addr
    if (lo === 0) return undefined;
    let i = lo - 1;
    const start = syms[i]!.address;
    while (i > 0 && syms[i - 1]!.address === start) i--;
    const next = lo < syms.length ? syms[lo]!.address : undefined;
    const end = next === undefined || next - start > MAX_SYMBOL_GAP ? start + MAX_SYMBOL_LENGTH : next;
    if (addr >= end) return undefined;
    return { sym: syms[i]!, offset: addr - start };
  }

  /** Symbols whose name contains `substring` (case-sensitive, like `sym -q`), in address order. */
  search(substring: string): Sym[] {
    return this.syms.filter((s) => s.name.includes(substring));
  }

  /** Distinct names, sorted, for completion (computed on first use). */
  names(): string[] {
    if (!this.sortedNames) {
      this.sortedNames = [...this.index().keys()].sort(); // UTF-16 code-unit order, like strcmp on ASCII
    }
    return this.sortedNames;
  }

  private index(): Map<string, Sym | Sym[]> {
    if (!this.nameIndex) {
      const m = new Map<string, Sym | Sym[]>();
      for (const s of this.syms) {
        const e = m.get(s.name);
        if (e === undefined) m.set(s.name, s);
        else if (Array.isArray(e)) e.push(s);
        else m.set(s.name, [e, s]);
      }
      this.nameIndex = m;
    }
    return this.nameIndex;
  }
}

function rank(s: Sym): number {
  const t = s.type;
  const global = t !== t.toLowerCase() ? 0 : 2;
  const text = t === 'T' || t === 't' || t === 'W' || t === 'w' ? 0 : 1;
  return global + text;
}

function isSorted(symbols: readonly Sym[]): boolean {
  for (let i = 1; i < symbols.length; i++) if (symbols[i]!.address < symbols[i - 1]!.address) return false;
  return true;
}

/** Array.prototype.sort is stable (ES2019), so equal addresses keep their input order. */
function stableSortByAddress(symbols: readonly Sym[]): Sym[] {
  return symbols.slice().sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

/** In symbols sorted by address: the index of the first with address > addr (upper bound). */
export function upperBound(syms: readonly Sym[], addr: bigint): number {
  let lo = 0;
  let hi = syms.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (syms[mid]!.address <= addr) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
