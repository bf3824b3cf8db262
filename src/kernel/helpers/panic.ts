import type { Kernel } from '../kernel.js';
import { readPrintkRingbuffer, recordText } from './printk.js';

/** task.c panic_msg[]: the patterns crash looks for in the log, in this order. */
const PANIC_PATTERNS = [
  'SysRq : Crash',
  'SysRq : Trigger a crash',
  'SysRq : Netdump',
  'Kernel panic: ',
  'Kernel panic - ',
  'Kernel BUG at',
  'kernel BUG at',
  'Unable to handle kernel paging request',
  'Unable to handle kernel NULL pointer dereference',
  'BUG: unable to handle kernel ',
  'general protection fault: ',
  'double fault: ',
  'divide error: ',
  'stack segment: ',
  '[Hardware Error]: ',
  'Bad mode in ',
  'Oops: ',
];

/** The panic message as crash's get_panicmsg() finds it: the first log line holding a pattern. */
export function panicMessage(k: Kernel): string {
  return k.memo('panicmsg', () => {
    let text: string[];
    try {
      text = readPrintkRingbuffer(k).flatMap((r) => recordText(r).split('\n'));
    } catch {
      return '';
    }
    for (const p of PANIC_PATTERNS) {
      const hit = text.find((l) => l.includes(p));
      if (hit !== undefined) return hit.replace(/\n/g, '');
    }
    return '';
  });
}

/**
 * crash's SYSRQ flag beyond the log text: x86_64_get_dumpfile_stack_frame() sets it when the panic
 * task's stack holds a return address into sysrq_handle_crash (a sysrq-c crash whose log line,
 * "sysrq: Trigger a crash" since v5.x, no longer matches "SysRq : ...").
 */
export function stackHoldsSysrqCrash(k: Kernel, stackBase: bigint | undefined, stackTop: bigint | undefined): boolean {
  const fn = k.symbol('sysrq_handle_crash');
  if (!fn || stackBase === undefined || stackTop === undefined || stackTop <= stackBase) return false;
  let words: Uint8Array;
  try {
    words = k.readBytes(stackBase, Number(stackTop - stackBase), 'stack');
  } catch {
    return false;
  }
  const dv = new DataView(words.buffer, words.byteOffset, words.byteLength);
  for (let i = 0; i + 8 <= words.length; i += 8) {
    const v = dv.getBigUint64(i, true);
    if (v > fn.address && v < fn.address + 0x1000n && k.symbols.containing(v)?.sym === fn) return true;
  }
  return false;
}
