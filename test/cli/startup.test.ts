/**
 * The CLI's command line (crash main.c: files in any order, classified by content) and the promise
 * that a dump is only ever read: arguments that are refused, -h, a vmlinux that does not match the
 * dump, and the dump's bytes and mtime after a long session.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { refdump } from '../support/refdump.js';
import { BIN, runCli } from '../support/run-cli.js';
import { buildMiniVmlinux } from '../builders/elf-builder.js';

const built = existsSync(join(BIN, '../../dist/cli.js'));
const ref = refdump();
const noBuild = built ? undefined : 'dist/ is not built (run `npm run build`)';
const noDump = noBuild ?? (typeof ref === 'string' ? ref : undefined);
if (noBuild) console.log(`CLI startup tests skipped: ${noBuild}`);
else if (noDump) console.log(`CLI startup tests on the reference dump skipped: ${noDump}`);
const dump = typeof ref === 'string' ? '' : ref.elf;
const tmp = mkdtempSync(join(tmpdir(), 'crash-tui-startup-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(!!noBuild)('command line without a dump', () => {
  it('-h prints the usage and exits 0', () => {
    const r = runCli(['-h']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^\nUsage:\n\n {2}crash-tui \[OPTION\]\.\.\. \[NAMELIST\] MEMORY-IMAGE\n/);
    expect(r.stdout).toContain('\nEnter "crash-tui -h" for details.\n');
    expect(runCli(['--help']).stdout).toBe(r.stdout);
  });

  it('a missing file: `<file>: No such file or directory`, status 1', () => {
    const f = join(tmp, 'no-such-vmcore');
    const r = runCli(['-s', f]);
    expect(r.stdout).toBe(`\ncrash-tui: ${f}: No such file or directory\n\n`);
    expect(r.status).toBe(1);
  });

  it('a file that is neither a dump nor a kernel: not a supported file format', () => {
    const f = join(tmp, 'notes.txt');
    writeFileSync(f, 'this is not a vmcore\n');
    const r = runCli(['-s', f]);
    expect(r.stdout).toBe(`\ncrash-tui: ${f}: not a supported file format\n\n`);
    expect(r.status).toBe(1);
  });

  it('an unknown option is refused with the usage, status 1', () => {
    const r = runCli(['-z']);
    expect(r.stdout).toMatch(/^crash-tui: invalid option: -z\n\nUsage:\n/);
    expect(r.status).toBe(1);
  });

  it('a vmlinux alone is not enough: no dumpfile argument', () => {
    const f = join(tmp, 'vmlinux-alone');
    writeFileSync(f, buildMiniVmlinux({}));
    const r = runCli(['-s', f]);
    expect(r.stdout).toContain('crash-tui: no dumpfile argument');
    expect(r.status).toBe(1);
  });
});

describe.skipIf(!!noDump)('command line with the reference dump', () => {
  it('two dumps: too many dumpfile arguments', () => {
    const r = runCli(['-s', dump, dump]);
    expect(r.stdout).toBe('\ncrash-tui: too many dumpfile arguments\n\n');
    expect(r.status).toBe(1);
  });

  it('a vmlinux whose build-id differs from the dump\'s is refused, in either argument order', () => {
    const vmlinux = join(tmp, 'vmlinux');
    writeFileSync(vmlinux, buildMiniVmlinux({ buildId: new Uint8Array(20).fill(0xab) }));
    for (const args of [[vmlinux, dump], [dump, vmlinux]]) {
      const r = runCli(['-s', ...args], 'p 1\nq\n');
      expect(r.stdout).toBe(`\ncrash-tui: ${vmlinux} and ${dump} do not match!\n\n`);
      expect(r.status).toBe(1);
    }
  });

  it('two vmlinux files: too many namelist arguments', () => {
    const a = join(tmp, 'vmlinux-a');
    const b = join(tmp, 'vmlinux-b');
    writeFileSync(a, buildMiniVmlinux({}));
    writeFileSync(b, buildMiniVmlinux({}));
    const r = runCli(['-s', a, b, dump]);
    expect(r.stdout).toContain('crash-tui: too many namelist arguments');
    expect(r.status).toBe(1);
  });

  it('the dump file is only read: bytes and mtime unchanged after a long session', () => {
    const before = fingerprint(dump);
    const out = join(tmp, 'out');
    const raw = join(tmp, 'raw.bin');
    const commands = [
      'sys', 'p jiffies', 'p in_kernel_fpu:a', 'rd -p 1000 64', 'rd -64 init_task 512', 'rd -a linux_banner',
      `rd -r ${raw} linux_banner 256`, `sym -q tcp_ > ${out}`, `rd -32 jiffies 16 >> ${out}`, 'sym -l | wc -l',
      'struct task_struct ffff8b3e81210000', 'struct list_head init_task -4', 'whatis task_struct', 'eval -b -1',
      'rd -u 7ffd91e42f18 8', 'rd -p 7fffffff000', 'set radix 16', 'struct task_struct.pid,comm ffff8b3e81210000', 'q',
    ];
    const r = runCli(['-s', dump], commands.join('\n') + '\n');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('256 bytes copied from 0x');
    expect(statSync(raw).size).toBe(256);
    expect(fingerprint(dump)).toEqual(before);
  });
});

/** Size, mtime, and hashes of the first and last MiB. */
function fingerprint(path: string): { size: number; mtimeMs: number; head: string; tail: string } {
  const st = statSync(path);
  const fd = openSync(path, 'r');
  try {
    const mib = 1 << 20;
    const hash = (at: number) => {
      const b = Buffer.alloc(Math.min(mib, st.size));
      readSync(fd, b, 0, b.length, at);
      return createHash('sha256').update(b).digest('hex');
    };
    return { size: st.size, mtimeMs: st.mtimeMs, head: hash(0), tail: hash(Math.max(0, st.size - mib)) };
  } finally {
    closeSync(fd);
  }
}
