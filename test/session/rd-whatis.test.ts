/**
 * `rd` in all its display forms and `whatis`, on the reference dump. rd's expected text comes
 * from a separate rendering of crash's display_memory() (memory.c) over raw bytes; user memory is
 * checked against console.log (the kernel's own RIP/RSP/Code: dump) and a page-table walk done here.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hex, rs, skipReason } from '../support/ref-session.js';

const skip = skipReason('rd/whatis session tests');
const TASK = 0xffff8b3e81210000n; // PID 1 "init", the panic task
const tmp = mkdtempSync(join(tmpdir(), 'crash-tui-rd-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Unit = 1 | 2 | 4 | 8;
/** memory.c display_memory(): hex/decimal cells, `%16llx:  ` addresses, ASCII column at ASCII_START_n. */
function crashRd(addr: bigint, bytes: Uint8Array, unit: Unit, o: { mode?: 'hex' | 'dec' | 'udec'; ascii?: boolean; net?: boolean } = {}): string {
  const mode = o.mode ?? 'hex';
  const ascii = (o.ascii ?? true) && mode === 'hex';
  const perLine = 16 / unit;
  const asciiStart = 19 + perLine * (unit * 2 + 1);
  let out = '';
  let line = '';
  let chars = '';
  for (let i = 0; i * unit < bytes.length; i++) {
    if (i % perLine === 0) {
      if (i) out += (ascii ? `${line}  ${chars}` : line) + '\n';
      line = `${hex(addr + BigInt(i * unit)).padStart(16)}:  `;
      chars = '';
    }
    let cellBytes = bytes.subarray(i * unit, (i + 1) * unit);
    if (o.net && (unit === 2 || unit === 4)) cellBytes = Uint8Array.from(cellBytes).reverse();
    let v = 0n;
    for (let j = unit - 1; j >= 0; j--) v = (v << 8n) | BigInt(cellBytes[j]);
    if (mode === 'hex') line += hex(v).padStart(unit * 2, '0') + ' ';
    else {
      const signed = unit >= 4 && mode === 'dec' ? BigInt.asIntN(unit * 8, v) : v;
      const width = { 1: 3, 2: 5, 4: 12, 8: mode === 'dec' ? 15 : 20 }[unit];
      line += String(signed).padStart(width) + ' ';
    }
    for (const c of cellBytes) chars += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
  }
  return out + (ascii ? `${line.padEnd(asciiStart)}  ${chars}` : line) + '\n';
}

describe.skipIf(!!skip)('rd: display forms (memory.c cmd_rd, display_memory)', () => {
  const banner = () => rs().mapAddr('linux_banner');
  const bytes = (a: bigint, n: number) => rs().kernel.readBytes(a, n);

  it('the default is one 64-bit hex word with its ASCII', () => {
    const r = rs();
    const j = r.mapAddr('jiffies');
    expect(r.run('rd jiffies')).toBe(crashRd(j, bytes(j, 8), 8));
    expect(r.run(`rd ${hex(j)}`)).toBe(r.run('rd jiffies'));
  });

  it('-8 -16 -32 -64 with counts across several lines, full and partial', () => {
    const r = rs();
    const b = banner();
    for (const [flag, unit] of [['-8', 1], ['-16', 2], ['-32', 4], ['-64', 8]] as const) {
      for (const count of [1, 7, 16 / unit, 40 / unit + 1]) {
        expect(r.run(`rd ${flag} linux_banner ${count}`), `${flag} ${count}`).toBe(crashRd(b, bytes(b, count * unit), unit));
      }
    }
  });

  it('-x drops the ASCII column; -d and -D print signed and unsigned decimal', () => {
    const r = rs();
    const b = banner();
    expect(r.run('rd -x linux_banner 5')).toBe(crashRd(b, bytes(b, 40), 8, { ascii: false }));
    expect(r.run('rd -32 -x linux_banner 5')).toBe(crashRd(b, bytes(b, 20), 4, { ascii: false }));
    expect(r.run('rd -d linux_banner 3')).toBe(crashRd(b, bytes(b, 24), 8, { mode: 'dec' }));
    expect(r.run('rd -D linux_banner 3')).toBe(crashRd(b, bytes(b, 24), 8, { mode: 'udec' }));
    expect(r.run('rd -8 -d linux_banner 20')).toBe(crashRd(b, bytes(b, 20), 1, { mode: 'dec' }));
    expect(r.run('rd -16 -D linux_banner 9')).toBe(crashRd(b, bytes(b, 18), 2, { mode: 'udec' }));
    // a word with the top bit set (__per_cpu_offset[0], a direct-map address): -d negative, -D not
    const pcpu = r.mapAddr('__per_cpu_offset');
    const neg = rs().u64(pcpu);
    expect(neg >> 63n).toBe(1n);
    expect(r.run('rd -d __per_cpu_offset 2')).toBe(crashRd(pcpu, bytes(pcpu, 16), 8, { mode: 'dec' }));
    expect(r.run('rd -d __per_cpu_offset')).toContain(` ${BigInt.asIntN(64, neg)} `);
    expect(r.run('rd -D __per_cpu_offset')).toContain(` ${neg} `);
    expect(r.run('rd -32 -d __per_cpu_offset 4')).toBe(crashRd(pcpu, bytes(pcpu, 16), 4, { mode: 'dec' }));
  });

  it('-N shows 16- and 32-bit values in network byte order (ASCII of the swapped value, as crash)', () => {
    const r = rs();
    const b = banner();
    expect(r.run('rd -32 -N linux_banner 4')).toBe(crashRd(b, bytes(b, 16), 4, { net: true }));
    expect(r.run('rd -32 -N linux_banner 1').startsWith(`${hex(b)}:  4c696e75 `)).toBe(true); // "Linu"
    expect(r.run('rd -16 -N linux_banner 3')).toBe(crashRd(b, bytes(b, 6), 2, { net: true }));
  });

  it('-o adds an offset, -e stops before an end address, -R ends at the address', () => {
    const r = rs();
    const b = banner();
    expect(r.run('rd -o 0x10 linux_banner 2')).toBe(crashRd(b + 16n, bytes(b + 16n, 16), 8));
    expect(r.run(`rd -32 -e ${hex(b + 20n)} linux_banner`)).toBe(crashRd(b, bytes(b, 20), 4));
    expect(r.run(`rd -e ${hex(b + 20n)} linux_banner`)).toBe(crashRd(b, bytes(b, 16), 8));
    expect(r.run(`rd -e ${hex(b + 64n)} linux_banner 1`)).toBe('WARNING: ending address ignored when count is specified\n' + crashRd(b, bytes(b, 8), 8));
    expect(r.run('rd -R linux_banner 3')).toBe(crashRd(b - 16n, bytes(b - 16n, 24), 8));
    expect(r.run('rd -R -8 linux_banner 5')).toBe(crashRd(b - 4n, bytes(b - 4n, 5), 1));
  });

  it('-a prints the string, 60 characters a line, stopping at a NUL; a count limits it', () => {
    const r = rs();
    const b = banner();
    const text = r.kernel.readCString(b, 512);
    expect(text.startsWith('Linux version 6.1.0-56-amd64')).toBe(true);
    const want: string[] = [];
    for (let i = 0; i < text.length; i += 60) want.push(`${hex(b + BigInt(i)).padStart(16)}:  ${text.slice(i, i + 60)}`);
    // crash stops at the first non-printable byte without ending the line (the banner ends in "\n")
    const printable = text.replace(/[^\x20-\x7e][\s\S]*$/, '');
    const wantLines = want.map((l, i) => l.slice(0, 19 + Math.max(0, Math.min(60, printable.length - i * 60)))).filter((l) => l.length > 19);
    expect(r.run('rd -a linux_banner')).toBe(wantLines.join('\n'));
    expect(r.run('rd -a linux_banner 10')).toBe(`${hex(b)}:  Linux vers\n`);
  });

  it('-r copies raw bytes to a file: the count (or the -e range) is in bytes', () => {
    const r = rs();
    const b = banner();
    const f = join(tmp, 'raw.bin');
    expect(r.run(`rd -r ${f} linux_banner 300`)).toBe(`300 bytes copied from 0x${hex(b)} to ${f}\n`);
    expect(new Uint8Array(readFileSync(f))).toEqual(bytes(b, 300));
    expect(r.run(`rd -r ${f} -e ${hex(b + 5n)} linux_banner`)).toBe(`5 bytes copied from 0x${hex(b)} to ${f}\n`);
    expect(readFileSync(f, 'latin1')).toBe('Linux');
    expect(r.run(`rd -r ${f} linux_banner`)).toBe('rd: -r option requires either a count argument or the -e option\n');
  });

  it('errors: bad count, -s with a small unit, an address outside the dump, an unknown symbol', () => {
    const r = rs();
    expect(r.run('rd jiffies 0')).toBe('rd: invalid count request: 0\n');
    expect(r.run('rd -32 -s jiffies')).toMatch(/^rd: -s option is only allowed with 64-bit display\n/);
    expect(r.run('rd -p 7fffffff000')).toBe('rd: seek error: physical address: 7fffffff000  type: "64-bit PHYSADDR"\n');
    expect(r.run('rd no_such_symbol_xyz')).toMatch(/^symbol not found: no_such_symbol_xyz\npossible alternatives:\n/);
  });
});

describe.skipIf(!!skip)('rd -u: user memory of the panic task (init, pid 1)', () => {
  const consoleLog = () => readFileSync(join(rs().ref.dir, 'console.log'), 'latin1');
  /** x86-64 4-level walk of mm->pgd from the raw dump; undefined when a level is not present. */
  function uvtop(va: bigint): bigint | undefined {
    const r = rs();
    const mm = r.u64(TASK + BigInt(r.kernel.offsetOf('struct task_struct', 'mm')));
    const pgd = r.u64(mm + BigInt(r.kernel.offsetOf('struct mm_struct', 'pgd')));
    let table = pgd - r.u64(r.mapAddr('page_offset_base'));
    const raw = (pa: bigint) => new DataView(r.kernel.dump.readPhys(pa, 8).slice().buffer).getBigUint64(0, true);
    for (const [shift, large] of [[39n, false], [30n, true], [21n, true], [12n, false]] as const) {
      const e = raw(table + ((va >> shift) & 511n) * 8n);
      if (!(e & 1n)) return undefined;
      const base = e & 0x000ffffffffff000n;
      if (large && e & 0x80n) return (base & ~((1n << shift) - 1n)) | (va & ((1n << shift) - 1n));
      table = base;
    }
    return table | (va & 0xfffn);
  }

  it('reads the instruction bytes at the user RIP that console.log shows in its Code: line', () => {
    const r = rs();
    const log = consoleLog();
    const rip = BigInt('0x' + /RIP: 0033:0x([0-9a-f]+)/.exec(log)![1]);
    const code = /Code: (.*)$/m.exec(log)![1].trim().split(' ');
    const at = code.findIndex((c) => c.startsWith('<'));
    const all = Uint8Array.from(code.map((c) => parseInt(c.replace(/[<>]/g, ''), 16)));
    const start = rip - BigInt(at);
    expect(r.run(`rd -u -8 ${hex(start)} ${all.length}`)).toBe(crashRd(start, all, 1));
    expect(r.run(`rd -u -8 ${hex(rip - 2n)} 2`).startsWith(`${hex(rip - 2n).padStart(16)}:  0f 05 `)).toBe(true); // syscall
  });

  it('reads the user stack at RSP: the same bytes as a page-table walk of mm->pgd finds', () => {
    const r = rs();
    const rsp = BigInt('0x' + /RSP: 002b:([0-9a-f]+)/.exec(consoleLog())![1]);
    const pa = uvtop(rsp);
    expect(pa, 'RSP is mapped').toBeDefined();
    const want = r.kernel.dump.readPhys(pa!, 32);
    expect(r.run(`rd -u ${hex(rsp)} 4`)).toBe(crashRd(rsp, want, 8));
    // an address below the kernel's range is read as a user address without -u
    expect(r.run(`rd ${hex(rsp)} 4`)).toBe(r.run(`rd -u ${hex(rsp)} 4`));
  });

  it('an unmapped user address gives crash\'s invalid user virtual address message', () => {
    const r = rs();
    expect(uvtop(0x1000n)).toBeUndefined();
    expect(r.run('rd -u 1000')).toBe('rd: invalid user virtual address: 1000  type: "64-bit UVADDR"\n');
    expect(r.run('rd -u -32 1000 2')).toBe('rd: invalid user virtual address: 1000  type: "32-bit UVADDR"\n');
  });
});

describe.skipIf(!!skip)('whatis (symbols.c cmd_whatis)', () => {
  const NOTE = "  (type from crash-tui's table of well-known globals: BTF describes no global variables but per-cpu ones)\n";

  it('a struct, with or without the keyword, and -o', () => {
    const r = rs();
    const decl = 'struct list_head {\n    struct list_head *next;\n    struct list_head *prev;\n}\nSIZE: 16\n';
    expect(r.run('whatis list_head')).toBe(decl);
    expect(r.run('whatis struct list_head')).toBe(decl);
    expect(r.run('whatis -o list_head')).toBe('struct list_head {\n   [0] struct list_head *next;\n   [8] struct list_head *prev;\n}\nSIZE: 16\n');
    const btf = r.kernel.btf!;
    expect(r.run('whatis task_struct')).toMatch(new RegExp(`^struct task_struct {\\n[\\s\\S]*\\n}\\nSIZE: ${btf.sizeof(btf.findType('task_struct', 'struct')!)}\\n$`));
  });

  it('typedefs of primitives', () => {
    const r = rs();
    expect(r.run('whatis u64')).toBe('typedef long long unsigned int u64;\nSIZE: 8\n');
    expect(r.run('whatis pid_t')).toBe('typedef int pid_t;\nSIZE: 4\n');
  });

  it('a function: its prototype from BTF, no note', () => {
    expect(rs().run('whatis vfs_read')).toBe('ssize_t vfs_read(struct file *, char *, size_t, loff_t *);\n');
  });

  it('symbols: per-cpu variables typed by BTF carry no note; globals from the table say so', () => {
    const r = rs();
    expect(r.kernel.btf!.findVar('in_kernel_fpu')).toBeDefined();
    expect(r.kernel.btf!.findVar('jiffies')).toBeUndefined();
    expect(r.run('whatis in_kernel_fpu')).toBe('bool in_kernel_fpu;\n');
    expect(r.run('whatis __preempt_count')).toBe('int __preempt_count;\n');
    expect(r.run('whatis jiffies')).toBe('volatile long unsigned int jiffies;\n' + NOTE);
    expect(r.run('whatis init_task')).toBe('struct task_struct init_task;\n' + NOTE);
  });
});
