/**
 * The command session on the real reference dump, as a kernel engineer drives it: aliases, the
 * output radix, `set -v`, pipes, `!shell`, redirection, help, and the error texts crash prints.
 * Expectations come from crash's source (cmdline.c, tools.c, help.c) and from the dump itself.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hex, rs, skipReason } from '../support/ref-session.js';

const skip = skipReason('session tests');
const HEADER = 'ORIGIN   ALIAS    COMMAND';
const tmp = mkdtempSync(join(tmpdir(), 'crash-tui-session-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(!!skip)('aliases (cmdline.c alias_init, list_aliases, allocate_alias)', () => {
  it('`alias` lists the builtins in alias_init order, origin and name in 7 columns, words followed by a space', () => {
    const s = rs().fresh();
    const builtins: [string, string][] = [
      ['man', 'help'], ['?', 'help'], ['quit', 'q'], ['sf', 'set scroll off'], ['sn', 'set scroll on'],
      ['hex', 'set radix 16'], ['dec', 'set radix 10'], ['g', 'gdb'], ['px', 'p -x'], ['pd', 'p -d'],
      ['for', 'foreach'], ['size', '*'], ['dmesg', 'log'], ['lsmod', 'mod'],
    ];
    const rows = builtins.map(([a, c]) => `builtin  ${a.padEnd(7)}  ${c.split(' ').map((w) => w + ' ').join('')}`);
    expect(s.runLine('alias').text).toBe([HEADER, ...rows].join('\n') + '\n');
  });

  it('px and pd print a bare symbol in hex and decimal; hex and dec switch the radix', () => {
    const r = rs();
    const s = r.fresh();
    const j = r.u64(r.mapAddr('jiffies'));
    expect(s.runLine('px jiffies').text).toBe(`jiffies = $1 = 0x${hex(j)}\n`);
    expect(s.runLine('pd jiffies').text).toBe(`jiffies = $2 = ${j}\n`);
    expect(s.runLine('hex').text).toBe('output radix: 16 (hex)\n');
    expect(s.runLine('p jiffies').text).toBe(`jiffies = $3 = 0x${hex(j)}\n`);
    expect(s.runLine('pd jiffies').text).toBe(`jiffies = $4 = ${j}\n`);
    expect(s.runLine('dec').text).toBe('output radix: 10 (decimal)\n');
    expect(s.runLine('p jiffies').text).toBe(`jiffies = $5 = ${j}\n`);
  });

  it('a runtime alias is created, shown, used with extra arguments, and deleted', () => {
    const s = rs().fresh();
    expect(s.runLine('alias rdj "rd -32 jiffies"').text).toBe(`${HEADER}\nruntime  rdj      rd -32 jiffies \n`);
    expect(s.runLine('alias rdj').text).toBe(`${HEADER}\nruntime  rdj      rd -32 jiffies \n`);
    expect(s.runLine('alias').text.split('\n').slice(-2)[0]).toBe('runtime  rdj      rd -32 jiffies ');
    // the rest of the line follows the expansion
    expect(s.runLine('rdj 3').text).toBe(s.runLine('rd -32 jiffies 3').text);
    expect(s.runLine('alias rdj ""').text).toBe('alias deleted: rdj\n');
    expect(s.runLine('rdj 3').text).toBe('crash: command not found: rdj\n');
    expect(s.runLine('alias rdj').text).toBe(`${HEADER}\nalias does not exist: rdj\n`);
    // deleting an alias that does not exist says nothing (allocate_alias returns quietly)
    expect(s.runLine('alias rdj ""').text).toBe('');
  });

  it('only the first word of a line is alias-expanded', () => {
    const s = rs().fresh();
    s.runLine('alias js "sym jiffies"');
    expect(s.runLine('js').text).toBe(s.runLine('sym jiffies').text);
    expect(s.runLine('sym js').text).toMatch(/^symbol not found: js\npossible alternatives:\n/);
    expect(s.runLine('rd px').text).toMatch(/^symbol not found: px\n/);
  });

  it('refuses a command name as alias, and a target that is not a command', () => {
    const s = rs().fresh();
    expect(s.runLine('alias rd "sym jiffies"').text).toBe('alias: cannot alias existing command name: rd\n');
    expect(s.runLine('alias zz nosuchcmd').text).toBe('alias: invalid alias attempt on non-existent command: nosuchcmd\n');
    expect(s.aliases.has('zz')).toBe(false);
  });
});

describe.skipIf(!!skip)('set: the output radix and set -v (tools.c cmd_set, show_options)', () => {
  it('set radix 16 turns p integers, sym offsets and struct offsets to hex; set radix 10 turns them back', () => {
    const r = rs();
    const s = r.fresh();
    const banner = r.mapAddr('linux_banner');
    expect(s.runLine('set radix').text).toBe('output radix: 10 (decimal)\n');
    expect(s.runLine('set radix 16').text).toBe('output radix: 16 (hex)\n');
    expect(s.runLine('set radix').text).toBe('output radix: 16 (hex)\n');
    expect(s.runLine('p init_task.pid').text).toBe('$1 = 0x0\n');
    expect(s.runLine('p sizeof(struct list_head)').text).toBe('$2 = 0x10\n');
    expect(s.runLine(`sym ${hex(banner + 0x1an)}`).text).toBe(`${hex(banner + 0x1an)} (D) linux_banner+0x1a\n`);
    expect(s.runLine('struct list_head -o').text).toBe(
      'struct list_head {\n   [0x0] struct list_head *next;\n   [0x8] struct list_head *prev;\n}\nSIZE: 0x10\n',
    );
    expect(s.runLine('set radix 10').text).toBe('output radix: 10 (decimal)\n');
    expect(s.runLine('p init_task.pid').text).toBe('$3 = 0\n');
    expect(s.runLine(`sym ${hex(banner + 0x1an)}`).text).toBe(`${hex(banner + 0x1an)} (D) linux_banner+26\n`);
    expect(s.runLine('struct list_head').text).toMatch(/\nSIZE: 16\n$/);
  });

  it('rd -s names text addresses sym+offset in the current radix', () => {
    const r = rs();
    const s = r.fresh();
    // console.log's call trace has `vfs_write+0xc7/0x3f0`: that return address is on the panic task's stack
    const ret = r.mapAddr('vfs_write') + 0xc7n;
    const task = 0xffff8b3e81210000n; // the panic task (refdumps README)
    const stack = r.u64(task + BigInt(r.kernel.offsetOf('struct task_struct', 'stack')));
    let slot: bigint | undefined;
    for (let a = stack + 16384n - 8n; a >= stack && slot === undefined; a -= 8n) if (r.u64(a) === ret) slot = a;
    expect(slot, 'vfs_write+0xc7 on the panic task stack').toBeDefined();
    const line = (t: string) => `${hex(slot!)}:  ${t.padEnd(16)} \n`;
    expect(s.runLine(`rd -s ${hex(slot!)}`).text).toBe(line('vfs_write+199'));
    s.runLine('set radix 16');
    expect(s.runLine(`rd -s ${hex(slot!)}`).text).toBe(line('vfs_write+0xc7'));
    // without -s the same word is plain hex whatever the radix
    expect(s.runLine(`rd -x ${hex(slot!)}`).text).toBe(`${hex(slot!)}:  ${hex(ret).padStart(16, '0')} \n`);
  });

  it('set -v shows the variables with 14-column labels, radix spelled out', () => {
    const r = rs();
    const s = r.fresh();
    const labels = ['scroll', 'radix', 'refresh', 'print_max', 'print_array', 'console', 'debug', 'core', 'hash',
      'silent', 'edit', 'namelist', 'dumpfile', 'unwind', 'zero_excluded', 'null-stop', 'gdb', 'scope', 'offline', 'redzone', 'error'];
    const out = s.runLine('set -v').text.split('\n').slice(0, -1);
    expect(out.map((l) => l.slice(0, 16))).toEqual(labels.map((l) => `${l.padStart(14)}: `));
    expect(out).toContain('         radix: 10 (decimal)');
    expect(out).toContain(`      dumpfile: ${r.ref.elf}`);
    expect(out).toContain('     print_max: 256');
    expect(out).toContain('        silent: on');
    s.runLine('hex');
    expect(s.runLine('set -v').text).toContain('\n         radix: 16 (hexadecimal)\n');
  });
});

describe.skipIf(!!skip)('pipes, shell escape and redirection (cmdline.c setup_redirect)', () => {
  it('sym -q sysrq | wc -l counts what System.map says kallsyms holds', () => {
    const r = rs();
    // kallsyms leaves out modversion CRCs and export-table strings (scripts/kallsyms.c)
    const expected = r.map.filter((m) => m.name.includes('sysrq') && !/^__(crc|kstrtab|kstrtabns)_/.test(m.name));
    expect(expected.length).toBeGreaterThan(50);
    expect(r.run('sym -q sysrq | wc -l').trim()).toBe(String(expected.length));
    const lines = r.run('sym -q sysrq').trimEnd().split('\n');
    const want = new Set(expected.map((m) => `${hex(m.addr)} (${m.type}) ${m.name}`));
    for (const l of lines) expect(want.has(l), l).toBe(true);
  });

  it('a pipe of several commands goes to the shell as one string', () => {
    const r = rs();
    expect(r.run('sym -q sysrq | grep handle_sysrq | sort | head -1')).toMatch(/^[0-9a-f]{16} \(T\) __handle_sysrq\n$/);
  });

  it('`!cmd` runs a shell command; `->` in an expression is not a redirection', () => {
    const r = rs();
    expect(r.run('!echo hi')).toBe('hi\n');
    const tasks = r.mapAddr('init_task') + BigInt(r.kernel.offsetOf('struct task_struct', 'tasks'));
    expect(r.run('p ((struct list_head *)init_task.tasks.next)->prev')).toMatch(
      new RegExp(`^\\$\\d+ = \\(struct list_head \\*\\) 0x${hex(tasks)} <init_task\\+\\d+>\\n$`),
    );
  });

  it('> writes the output to a file and >> appends; the console shows nothing', () => {
    const r = rs();
    const f = join(tmp, 'out.txt');
    const first = r.run('rd -32 jiffies 8');
    const second = r.run('sym linux_banner');
    expect(r.run(`rd -32 jiffies 8 > ${f}`)).toBe('');
    expect(readFileSync(f, 'latin1')).toBe(first);
    expect(r.run(`sym linux_banner >> ${f}`)).toBe('');
    expect(readFileSync(f, 'latin1')).toBe(first + second);
    expect(r.run(`sym linux_banner > ${f}`)).toBe('');
    expect(readFileSync(f, 'latin1')).toBe(second);
  });

  it('an error is shown on the console and also written to the file', () => {
    const r = rs();
    const f = join(tmp, 'err.txt');
    const msg = 'rd: seek error: physical address: 7fffffff000  type: "64-bit PHYSADDR"\n';
    expect(r.run(`rd -p 7fffffff000 > ${f}`)).toBe(msg);
    expect(readFileSync(f, 'latin1')).toBe(msg);
    expect(r.run('rd -p 7fffffff000 | cat')).toBe(msg);
  });
});

describe.skipIf(!!skip)('help, unknown commands, bad options (help.c)', () => {
  it('help lists every command in 5 columns of 15, filled top to bottom, q last', () => {
    const r = rs();
    const names = r.session.commands.filter((c) => !c.hidden).map((c) => c.name).filter((n) => n !== 'q').sort();
    names.push('q');
    const rows = Math.ceil(names.length / 5);
    const out = r.run('help').split('\n');
    expect(out[0]).toBe('');
    for (let i = 0; i < rows; i++) {
      const want = [0, 1, 2, 3, 4].map((j) => names[i + j * rows]).filter((n) => n !== undefined).map((n) => n.padEnd(15)).join('');
      expect(out[1 + i]).toBe(want);
    }
    expect(out[1 + rows]).toBe('');
    expect(out[2 + rows]).toMatch(/version: /);
    expect(out.slice(3 + rows)).toEqual([
      'For help on any command above, enter "help <command>".',
      'For help on input options, enter "help input".',
      'For help on output options, enter "help output".',
      '',
      '',
    ]);
  });

  it('help rd is a man page: NAME, SYNOPSIS, DESCRIPTION; aliases resolve; unknown names say so', () => {
    const r = rs();
    const page = r.run('help rd').split('\n');
    expect(page.slice(0, 8)).toEqual([
      '', 'NAME', '  rd - read memory', '', 'SYNOPSIS',
      '  rd [-adDsSupxmfNR][-8|-16|-32|-64][-o offs][-e addr][-r file][address|symbol]', '     [count]', '',
    ]);
    expect(page[8]).toBe('DESCRIPTION');
    expect(page[9]).toMatch(/^  This command displays the contents of memory/);
    expect(page.slice(-2)).toEqual(['', '']);
    expect(r.run('help px')).toBe(r.run('help p'));
    expect(r.run('help nosuch')).toBe('No help data for "nosuch" is available.\n');
  });

  it('an unknown command, a bad option and a failed whatis read as crash prints them', () => {
    const r = rs();
    expect(r.run('foo')).toBe('crash: command not found: foo\n');
    expect(r.run('foo bar baz')).toBe('crash: command not found: foo\n');
    expect(r.run('rd -z jiffies')).toBe(
      "rd: invalid option -- 'z'\nUsage:\n  rd [-adDsSupxmfNR][-8|-16|-32|-64][-o offs][-e addr][-r file][address|symbol]\n" +
        '     [count]\nEnter "help rd" for details.\n',
    );
    expect(r.run('sym -q')).toMatch(/^sym: option requires an argument -- 'q'\nUsage:\n  sym /);
    expect(r.run('whatis nosuch_thing_xyz')).toMatch(/^whatis: cannot resolve: nosuch_thing_xyz\nUsage:\n  whatis .*\nEnter "help whatis" for details.\n$/);
  });

  it('comments and blank lines do nothing; q, quit and exit end the session', () => {
    const s = rs().fresh();
    for (const l of ['# a comment', '// another', '', '   ']) expect(s.runLine(l)).toEqual({ text: '', quit: false });
    for (const l of ['q', 'quit', 'exit']) expect(s.runLine(l).quit).toBe(true);
  });
});
