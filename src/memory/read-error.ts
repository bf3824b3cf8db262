import { CrashError, type PhysFault } from '../util/errors.js';
import { SPACE_WORDS, type Space } from './address.js';

/**
 * A failed memory read, carrying what crash prints (memory.c readmem):
 *   invalid kernel virtual address: ffffc90000000000  type: "64-bit KVADDR"
 *   seek error: physical address: 7fffffff000  type: "64-bit PHYSADDR"
 * `what` is the caller's label (crash's `type:` string).
 */
export type ReadFault = 'invalid' | PhysFault;

export class ReadError extends CrashError {
  constructor(
    readonly fault: ReadFault,
    readonly space: Space,
    readonly addr: bigint,
    readonly what: string,
  ) {
    super(readErrorText(fault, space, addr, what));
    this.name = 'ReadError';
  }

  /** The same failure, relabelled by a caller that knows better what it was reading. */
  relabel(what: string): ReadError {
    return new ReadError(this.fault, this.space, this.addr, what);
  }
}

export function readErrorText(fault: ReadFault, space: Space, addr: bigint, what: string): string {
  const words = SPACE_WORDS[space];
  const a = addr.toString(16);
  switch (fault) {
    case 'invalid':
      return `invalid ${words} address: ${a}  type: "${what}"`;
    case 'seek':
      return `seek error: ${words} address: ${a}  type: "${what}"`;
    case 'read':
      return `read error: ${words} address: ${a}  type: "${what}"`;
    case 'excluded':
      return `page excluded: ${words} address: ${a}  type: "${what}"`;
    case 'incomplete':
      return `page incomplete: ${words} address: ${a}  type: "${what}"`;
  }
}
