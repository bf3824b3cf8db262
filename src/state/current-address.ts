/**
 * "The current address comes from what the user did last": each submitted command line is read
 * for the address it looked at (rd, vtop, kmem, struct, ptov, `type.member ADDR`, else the first
 * hex word of 8 digits or more); a pointer followed in the Memory pane or a frame selected in the
 * Stack pane sets it too. Pure functions and a reducer; the panes render from the result.
 */
import { splitPlumbing } from '../session/pipeline.js';
import { splitWords } from '../commands/getopt.js';
import { evalIntExpr } from '../commands/int-expr.js';
import { looksKernel, type AddrSpace } from './pane-data.js';

export interface CurrentAddress {
  address: bigint;
  space: AddrSpace;
}

export interface ParseOptions {
  /** A symbol's address (`rd linux_banner`). */
  resolve?(name: string): bigint | undefined;
  /** The architecture's kernel-address rule; default: the top 16 bits set. */
  isKernel?(addr: bigint): boolean;
}

const MASK = (1n << 64n) - 1n;
/** Options that take a value, per command (so `rd -o 8 ADDR` does not read 8 as the address). */
const WITH_VALUE: Record<string, string> = { rd: 'oer', vtop: 'c', kmem: 'Im', struct: 'lc', union: 'lc', '*': 'lc' };

const hexWord = (w: string): bigint | undefined => (/^(0x)?[0-9a-f]{1,16}$/i.test(w) ? BigInt('0x' + w.replace(/^0x/i, '')) : undefined);

/** An address argument as crash's commands take it: hex first, then `(expression)`, then a symbol. */
function addressArg(w: string, o: ParseOptions): bigint | undefined {
  const h = hexWord(w);
  if (h !== undefined) return h;
  if (w.startsWith('(')) {
    try {
      return evalIntExpr(w, (n) => o.resolve?.(n)) & MASK;
    } catch {
      return undefined;
    }
  }
  return /^[A-Za-z_]\w*$/.test(w) ? o.resolve?.(w) : undefined;
}

/** Split a command's words into option letters (with their values) and arguments. */
function options(cmd: string, words: string[]): { flags: Set<string>; values: Map<string, string>; args: string[] } {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const args: string[] = [];
  const withValue = WITH_VALUE[cmd] ?? '';
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (!/^-[A-Za-z0-9]/.test(w) || (/^-\d+$/.test(w) && !['-8', '-16', '-32', '-64'].includes(w))) {
      args.push(w);
      continue;
    }
    const letters = w.slice(1);
    if (/^\d+$/.test(letters)) {
      flags.add(letters);
      continue;
    }
    for (let j = 0; j < letters.length; j++) {
      const c = letters[j]!;
      if (withValue.includes(c)) {
        const rest = letters.slice(j + 1);
        values.set(c, rest || (words[++i] ?? ''));
        break;
      }
      flags.add(c);
    }
  }
  return { flags, values, args };
}

/** The address a command line looked at, or undefined when it named none. */
export function addressFromLine(line: string, o: ParseOptions = {}): CurrentAddress | undefined {
  const trimmed = line.trim();
  if (!trimmed || /^[#!|]/.test(trimmed) || trimmed.startsWith('//')) return undefined;
  const plumb = splitPlumbing(trimmed);
  if ('error' in plumb) return undefined;
  let words = splitWords(plumb.command);
  if (words[0]?.startsWith('*') && words[0].length > 1) words = ['*', words[0].slice(1), ...words.slice(1)];
  const cmd = words[0];
  if (!cmd) return undefined;
  const isKernel = o.isKernel ?? looksKernel;
  const virt = (a: bigint): CurrentAddress => ({ address: a, space: isKernel(a) ? 'kvaddr' : 'uvaddr' });
  const { flags, values, args } = options(cmd, words.slice(1));
  const first = (list: string[]) => {
    for (const w of list) {
      const a = addressArg(w, o);
      if (a !== undefined) return a;
    }
    return undefined;
  };

  switch (cmd) {
    case 'rd': {
      const a = args[0] !== undefined ? addressArg(args[0], o) : undefined;
      if (a === undefined) return undefined;
      const off = values.has('o') ? (hexWord(values.get('o')!) ?? 0n) : 0n;
      const at = (a + off) & MASK;
      if (flags.has('p')) return { address: at, space: 'physaddr' };
      if (flags.has('u')) return { address: at, space: 'uvaddr' };
      return virt(at);
    }
    case 'vtop': {
      const a = args[0] !== undefined ? addressArg(args[0], o) : undefined;
      if (a === undefined) return undefined;
      if (flags.has('u')) return { address: a, space: 'uvaddr' };
      if (flags.has('k')) return { address: a, space: 'kvaddr' };
      return virt(a);
    }
    case 'kmem': {
      // cmd_kmem: a kernel virtual address is virtual (or a struct page); anything else physical
      const a = first(args);
      if (a === undefined) return undefined;
      return !flags.has('P') && isKernel(a) ? { address: a, space: 'kvaddr' } : { address: a, space: 'physaddr' };
    }
    case 'search':
      // its words are the values looked for, not where the user looked
      return undefined;
    case 'ptov': {
      const a = args[0] !== undefined ? hexWord(args[0]) : undefined;
      return a === undefined ? undefined : { address: a, space: 'physaddr' };
    }
    case 'struct':
    case 'union':
    case '*': {
      // struct TYPE[.member] ADDR [count]: the first address-like word after the type
      const a = first(args.slice(1).filter((w) => !/^:/.test(w)));
      if (a === undefined) return undefined;
      return flags.has('u') ? { address: a, space: 'uvaddr' } : virt(a);
    }
  }
  // `task_struct.comm ADDR` and other TYPE.member shortcuts
  if (/^[A-Za-z_]\w*\.[\w.[\]]+$/.test(cmd)) {
    const a = first(args);
    if (a !== undefined) return virt(a);
  }
  // otherwise: the first hex word of at least 8 digits
  for (const w of words.slice(1)) {
    if (/^(0x)?[0-9a-f]{8,16}$/i.test(w)) return virt(hexWord(w)!);
  }
  return undefined;
}

/** Which pane a command line is about, so the single pane of a small terminal shows it. */
export function paneForLine(line: string): 'stack' | 'memory' | 'pageflags' | undefined {
  const cmd = splitWords(line.trim())[0] ?? '';
  if (['bt', 'set', 'task', 'foreach'].includes(cmd)) return 'stack';
  if (['vtop', 'kmem', 'ptov'].includes(cmd)) return 'pageflags';
  return undefined;
}

/** The current address, with the back stack of pointers followed from it. */
export interface AddressState {
  current?: CurrentAddress;
  /** Where Backspace returns to: the cursor positions pointers were followed from, newest last. */
  back: readonly CurrentAddress[];
  /** Changes whenever `current` is set, so a view recentres even on the same address. */
  serial: number;
}

export type AddressAction =
  /** A command or a selected frame: a new place to look from; the back stack starts over. */
  | { type: 'set'; to: CurrentAddress }
  /** Enter on a pointer: remember where the cursor was. */
  | { type: 'follow'; from: CurrentAddress; to: CurrentAddress }
  | { type: 'back' };

export const BACK_LIMIT = 256;
export const initialAddress: AddressState = { back: [], serial: 0 };

export function addressReducer(s: AddressState, a: AddressAction): AddressState {
  switch (a.type) {
    case 'set':
      return { current: a.to, back: [], serial: s.serial + 1 };
    case 'follow': {
      const back = [...s.back, a.from];
      return { current: a.to, back: back.slice(Math.max(0, back.length - BACK_LIMIT)), serial: s.serial + 1 };
    }
    case 'back': {
      const prev = s.back[s.back.length - 1];
      if (!prev) return s;
      return { current: prev, back: s.back.slice(0, -1), serial: s.serial + 1 };
    }
  }
}

/** The action a submitted line causes, if it named an address. */
export function commandAction(line: string, o: ParseOptions = {}): AddressAction | undefined {
  const to = addressFromLine(line, o);
  return to ? { type: 'set', to } : undefined;
}
