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
