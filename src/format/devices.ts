import type { DevResult, SwapResult } from '../commands/proc-results.js';
import { hex, mkstring } from './mkstring.js';

/** dump_swap_info() (memory.c): swap_info_hdr, then one line per area in use. */
export function formatSwap(r: SwapResult): string {
  let s = 'SWAP_INFO_STRUCT    TYPE       SIZE       USED     PCT  PRI  FILENAME\n';
  for (const x of r.rows) {
    s += `${mkstring(hex(x.addr), 16, 'center-ljust')}  ${x.type} ${mkstring(`${x.sizeK}k`, 10, 'center-rjust')} ${mkstring(`${x.usedK}k`, 10, 'center-rjust')} `;
    s += `${mkstring(`${String(x.pct).padStart(2)}%`, 4, 'center-rjust')} ${String(x.prio).padStart(4)}  ${x.file}\n`;
  }
  return s;
}

/** cmd_dev(): dump_chrdevs(), a blank line, dump_blkdevs_v3() (dev.c). */
export function formatDev(r: DevResult): string {
  const line = (major: number, name: string, addr: bigint | undefined, ops: string | undefined) =>
    ` ${String(major).padStart(3)}      ${name.padEnd(13)} ` + (ops === undefined ? ` ${mkstring('(none)', 16, 'center')}\n` : ` ${hex(addr ?? 0n).padStart(16)}  ${ops}\n`);
  let s = `CHRDEV    NAME           ${mkstring('CDEV', 16, 'center')}  ${mkstring('OPERATIONS', 16, 'ljust')}\n`;
  for (const c of r.chr) s += line(c.major, c.name, c.cdev, c.ops);
  s += `\nBLKDEV    NAME           ${mkstring('GENDISK', 16, 'center-rjust')}  ${mkstring('OPERATIONS', 16, 'ljust')}\n`;
  for (const b of r.blk) s += line(b.major, b.name, b.gendisk, b.ops);
  return s;
}
