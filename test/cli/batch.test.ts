/**
 * The built CLI in batch mode (stdin not a tty), as crash behaves there: -s, the banner and the
 * command echo, -i files, comments, exit statuses. Needs `npm run build` and the reference dump;
 * skips, saying why, without either.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { refdump } from '../support/refdump.js';
import { BIN, runCli } from '../support/run-cli.js';
import { VERSION } from '../../src/version.js';

const ref = refdump();
const skip = typeof ref === 'string' ? ref : !existsSync(join(BIN, '../../dist/cli.js')) ? 'dist/ is not built (run `npm run build`)' : undefined;
if (skip) console.log(`CLI batch tests skipped: ${skip}`);
const dump = typeof ref === 'string' ? '' : ref.elf;
const tmp = mkdtempSync(join(tmpdir(), 'crash-tui-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** stdout of `-s DUMP` with the given lines, for comparing one command's output. */
const silent = (...lines: string[]) => runCli(['-s', dump], lines.join('\n') + '\n').stdout;

describe.skipIf(!!skip)('batch mode', () => {
  it('-s: no banner, no echo, just the outputs; EOF on stdin exits with status 1', () => {
    const r = runCli(['-s', dump], 'p 1\nsym linux_banner\np 2\n');
    expect(r.stdout).toMatch(/^\$1 = 1\n[0-9a-f]{16} \(D\) linux_banner\n\$2 = 2\n$/);
    expect(r.status).toBe(1);
  });

  it('without -s: the banner, the sys block, the context block indented under it and a blank line, then `crash> <cmd>` before each output', () => {
    const sys = silent('sys');
    expect(sys).toMatch(/^ +KERNEL: .*\n +DUMPFILE: /);
    // main.c: the startup context block is show_context() indented so its colons line up with sys's
    const context = silent('set')
      .split('\n')
      .map((l) => (l ? `     ${l}` : l))
      .join('\n');
    expect(context).toMatch(/^ {9}PID: 1\n {5}COMMAND: "init"\n/);
    const r = runCli([dump], 'p 1\nrd -32 jiffies\nq\n');
    const rd = silent('rd -32 jiffies');
    expect(r.stdout).toBe(`\ncrash-tui ${VERSION}\n\n${sys}${context}\ncrash> p 1\n$1 = 1\ncrash> rd -32 jiffies\n${rd}crash> q\n`);
    expect(r.status).toBe(0);
  });

  it('q, quit and exit end the session with status 0; nothing after them runs', () => {
    for (const word of ['q', 'quit', 'exit']) {
      const r = runCli(['-s', dump], `p 1\n${word}\np 2\n`);
      expect(r.stdout, word).toBe('$1 = 1\n');
      expect(r.status, word).toBe(0);
    }
  });

  it('an empty stdin exits with status 1 after the banner', () => {
    const r = runCli([dump], '');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^\ncrash-tui .*\n\n {6}KERNEL: /);
    // cmdline.c process_command_line(): the prompt is printed before fgets() meets EOF
    expect(r.stdout.endsWith('\ncrash> ')).toBe(true);
    expect(r.stdout.match(/crash> /g)?.length).toBe(1);
    expect(runCli(['-s', dump], '').stdout).toBe('');
  });

  it('comments and blank lines are skipped', () => {
    const r = runCli(['-s', dump], '# a comment\n\n   \np 7\n# another\nq\n');
    expect(r.stdout).toBe('$1 = 7\n');
  });

  it('-i FILE runs the file, then stdin; its lines are echoed without -s, its comments are not', () => {
    const f = join(tmp, 'cmds');
    writeFileSync(f, '# setup\n\nhex\np 255\n');
    const s = runCli(['-s', '-i', f, dump], 'p 16\nq\n');
    expect(s.stdout).toBe('output radix: 16 (hex)\n$1 = 0xff\n$2 = 0x10\n');
    expect(s.status).toBe(0);
    const v = runCli(['-i', f, dump], 'p 16\nq\n');
    expect(v.stdout.slice(v.stdout.indexOf('crash> '))).toBe('crash> hex\noutput radix: 16 (hex)\ncrash> p 255\n$1 = 0xff\ncrash> p 16\n$2 = 0x10\ncrash> q\n');
    // a q inside the file ends the session there
    writeFileSync(f, 'p 1\nq\np 2\n');
    const q = runCli(['-s', '-i', f, dump], 'p 3\n');
    expect(q.stdout).toBe('$1 = 1\n');
    expect(q.status).toBe(0);
    // stdin that ends without q: status 1
    writeFileSync(f, 'p 1\n');
    expect(runCli(['-s', '-i', f, dump], 'p 2\n')).toMatchObject({ stdout: '$1 = 1\n$2 = 2\n', status: 1 });
  });

  it('-i with a missing file fails with status 1', () => {
    const r = runCli(['-s', '-i', join(tmp, 'nope'), dump], 'p 1\n');
    expect(r.stdout).toContain(`crash-tui: ${join(tmp, 'nope')}: No such file or directory\n`);
    expect(r.status).toBe(1);
  });

  it('pipes, shell escapes and redirection work per line', () => {
    const f = join(tmp, 'redir');
    const r = runCli(['-s', dump], `!echo hello\nsym -q sysrq | wc -l\nsym linux_banner > ${f}\n!cat ${f}\nq\n`);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('hello');
    expect(lines[1]).toMatch(/^\d+$/);
    expect(lines[2]).toMatch(/^[0-9a-f]{16} \(D\) linux_banner$/);
    expect(lines.length).toBe(4);
  });

  it('runtime errors never change the exit status', () => {
    const r = runCli(['-s', dump], 'foo\nrd -z\nrd -p 7fffffff000\np no_such_symbol_xyz\nq\n');
    expect(r.stdout).toMatch(/^crash: command not found: foo\nrd: invalid option -- 'z'\nUsage:\n/);
    expect(r.stdout).toContain('rd: seek error: physical address: 7fffffff000  type: "64-bit PHYSADDR"\n');
    expect(r.status).toBe(0);
  });

  it('the output is byte-identical across two runs', () => {
    const script = ['sys', 'help', 'alias', 'set -v', 'p jiffies', 'px init_task.pid', 'p in_kernel_fpu', 'p __preempt_count:a',
      'rd -32 jiffies 8', 'rd -a linux_banner', 'sym -q sysrq', 'struct list_head init_task', 'task_struct.comm ffff8b3e81210000',
      'whatis vfs_read', 'eval -b 128m', 'foo', 'q'].join('\n') + '\n';
    const a = runCli([dump], script);
    const b = runCli([dump], script);
    expect(a.stdout.length).toBeGreaterThan(5000);
    expect(b.stdout).toBe(a.stdout);
    expect([a.status, b.status]).toEqual([0, 0]);
  });
});
