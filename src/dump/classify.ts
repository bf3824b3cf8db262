import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { dumpKind } from './open.js';

/** What a command-line file is, by its content (crash's main.c classification, for our formats). */
export function classifyFile(path: string): 'vmlinux' | 'dump' | 'scenario' | 'unknown' | 'missing' {
  try {
    if (statSync(path).isDirectory()) return existsSync(join(path, 'scenario.yaml')) ? 'scenario' : 'unknown';
  } catch {
    return 'missing';
  }
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return 'missing';
  }
  try {
    const b = Buffer.alloc(64);
    const n = readSync(fd, b, 0, 64, 0);
    if (n >= 18 && b.readUInt32BE(0) === 0x7f454c46) {
      const type = b.readUInt16LE(16);
      return type === 4 ? 'dump' : type === 2 || type === 3 ? 'vmlinux' : 'unknown';
    }
    // kdump-compressed ("KDUMP   "/"DISKDUMP") or a makedumpfile flattened stream
    return dumpKind(b.subarray(0, n)) ? 'dump' : 'unknown';
  } finally {
    closeSync(fd);
  }
}
