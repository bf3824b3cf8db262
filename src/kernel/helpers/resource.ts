import type { Kernel } from '../kernel.js';
import { CrashError } from '../../util/errors.js';
import { rethrowInterrupt } from '../../util/interrupt.js';

/**
 * The struct resource trees of kernel/resource.c: ioport_resource and iomem_resource, each a
 * tree linked by child (first child) and sibling (next at the same level), as crash's
 * do_resource_list() walks them for `dev -i`: an entry, then its children, then its siblings.
 */

/** Upper bound on the entries of one tree: a corrupted tree ends with a message, never a hang. */
export const RESOURCE_WALK_LIMIT = 100_000;
/** crash reads names with read_string(name, buf, BUFSIZE-1). */
const NAME_MAX = 1499;

export interface ResourceEntry {
  addr: bigint;
  start: bigint;
  end: bigint;
  name: string;
  /** nesting level (0 for the root); crash does not indent, the data keeps it for views */
  depth: number;
}

export interface ResourceTree {
  root: string;
  /** end of the root resource: crash prints 4 hex digits when it is <= 0xffff, 8 otherwise */
  rootEnd: bigint;
  entries: ResourceEntry[];
  /** the walk stopped here (an unreadable resource, a cycle); entries before it are good */
  error?: string;
}

function resourceName(k: Kernel, p: bigint): string {
  if (!p) return '(unknown)';
  try {
    return k.readCString(p, NAME_MAX, 'read_string characters') || '(unknown)';
  } catch (e) {
    rethrowInterrupt(e);
    return '(unknown)';
  }
}

/** Walk the tree rooted at the global `symbol` (ioport_resource, iomem_resource). */
export function resourceTree(k: Kernel, symbol: string): ResourceTree {
  const sym = k.symbol(symbol);
  if (!sym) throw new CrashError(`cannot resolve: ${symbol}`);
  const S = 'struct resource';
  const off = (m: string) => BigInt(k.offsetOf(S, m));
  const [oStart, oEnd, oName, oChild, oSibling] = ['start', 'end', 'name', 'child', 'sibling'].map(off);
  const size = Math.max(k.sizeOf(S), Number(oSibling) + 8, Number(oChild) + 8);
  const rootEnd = k.readU64(sym.address + oEnd, `${symbol}.end`);
  const tree: ResourceTree = { root: symbol, rootEnd, entries: [] };
  const seen = new Set<bigint>();
  // Each stack frame is the next entry to print at one level (the sibling chain being walked).
  const stack: { entry: bigint; depth: number }[] = [{ entry: sym.address, depth: 0 }];
  try {
    while (stack.length) {
      const top = stack[stack.length - 1];
      const entry = top.entry;
      if (!entry) {
        stack.pop();
        continue;
      }
      if (seen.has(entry)) throw new CrashError(`duplicate resource entry: ${entry.toString(16)}`);
      if (seen.size >= RESOURCE_WALK_LIMIT) throw new CrashError(`${symbol}: more than ${RESOURCE_WALK_LIMIT} resource entries`);
      seen.add(entry);
      const b = k.readBytes(entry, size, 'resource');
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      const u64 = (o: bigint) => dv.getBigUint64(Number(o), true);
      const child = u64(oChild);
      tree.entries.push({ addr: entry, start: u64(oStart), end: u64(oEnd), name: resourceName(k, u64(oName)), depth: top.depth });
      top.entry = u64(oSibling);
      // do_resource_list(): `if (child && (child != entry))` recurse before the sibling
      if (child && child !== entry) stack.push({ entry: child, depth: top.depth + 1 });
    }
  } catch (e) {
    rethrowInterrupt(e); // Ctrl-C ends the command, it is not a bad entry
    if (!(e instanceof CrashError)) throw e;
    tree.error = e.message;
  }
  return tree;
}

/** `dev -i`: the I/O port tree, then the I/O memory tree (crash's do_io()). */
export function ioResources(k: Kernel): ResourceTree[] {
  if (!k.hasSymbol('iomem_resource') || !k.hasSymbol('ioport_resource')) return [];
  const io = resourceTree(k, 'ioport_resource');
  if (io.error) return [io];
  return [io, resourceTree(k, 'iomem_resource')];
}
