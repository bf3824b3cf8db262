/**
 * Issue #7: the dump file is opened read-only. A session on the real reference dumps (the ELF
 * vmcore and the kdump-compressed one) runs every registered command — bare, and with the usual
 * options and a task, an address, a symbol — then closes; the file's size, mtime and SHA-256
 * are unchanged. No command may end in an internal error (an exception that escaped it).
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { refdump } from '../support/refdump.js';
import { openKernel } from '../../src/kernel/open.js';
import { Session } from '../../src/session/session.js';
import { COMMANDS } from '../../src/commands/registry.js';
import { run } from './support.js';

const ref = refdump();
const skip = typeof ref === 'string' ? ref : undefined;
if (skip) console.log(`read-only session tests skipped: ${skip}`);

/** Size, mtime and SHA-256 of the whole file. */
function fingerprint(path: string): { size: number; mtimeMs: number; sha256: string } {
  const st = statSync(path);
  const h = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(8 << 20);
    for (let at = 0; ; ) {
      const n = readSync(fd, b, 0, b.length, at);
      if (!n) break;
      h.update(b.subarray(0, n));
      at += n;
    }
  } finally {
    closeSync(fd);
  }
  return { size: st.size, mtimeMs: st.mtimeMs, sha256: h.digest('hex') };
}

/** Beyond each command run bare: options and arguments that reach the code reading the dump. */
const MORE = [
  'sym jiffies', 'p jiffies', 'rd -64 init_task 64', 'rd -p 1000 64', 'struct task_struct.comm init_task', 'whatis task_struct',
  'list task_struct.tasks -h init_task', 'ps -a 1', 'ps -t', 'ps -l', 'bt -a', 'bt 1', 'task 1', 'set 1', 'vm 1', 'vm -p 1',
  'files 1', 'net -s 1', 'sig 1', 'foreach bt', 'foreach files', 'kmem -i', 'kmem -s', 'kmem -f', 'kmem -v', 'kmem -z',
  'kmem -p 1000', 'vtop -c 1 400000', 'ptov 1000', 'runq -t', 'timer -r', 'irq -s', 'dev -d', 'swap', 'log -m', 'mod',
  'dis -l schedule 8', 'mach -m', 'search -k -e ffffffff81100000 ffff', 'sys -i', 'help ps',
];

describe.skipIf(!!skip)('the dump file is only read', () => {
  const r = ref as Exclude<typeof ref, string>;
  for (const [what, path] of [
    ['the ELF vmcore', r.elf],
    ['the kdump-compressed vmcore', r.kdump],
  ] as const) {
    it.skipIf(!existsSync(path))(`${what}: bytes and mtime unchanged after a session that ran every command`, () => {
      const before = fingerprint(path);
      const k = openKernel(path);
      const s = new Session(k, { dumpPath: path, silent: true });
      const names = COMMANDS.map((c) => c.name).filter((n) => n !== 'q');
      expect(names.length).toBeGreaterThan(30);
      const out = new Map([...names, ...MORE].map((line) => [line, run(s, line)]));
      // the session really read the dump: every task, every cpu's backtrace
      expect(out.get('ps')!.split('\n').length).toBeGreaterThan(60);
      expect(out.get('bt -a')!.match(/^PID: /gm)).toHaveLength(2);
      expect([...out.values()].join('').length).toBeGreaterThan(100_000);
      k.dump.close();
      expect(fingerprint(path)).toEqual(before);
    }, 300_000);
  }
});
