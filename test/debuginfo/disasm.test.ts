/**
 * The objdump-backed disassembler: listing parsing, the text fixes that give gdb 10.2's (crash
 * 8.0.2's) spelling, and a clear error when no objdump can be run. The x86 cases need binutils'
 * objdump, the arm64 ones binutils-aarch64-linux-gnu's; each skips, saying so, when it is absent.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { disassemble, DisassemblerMissing, parseListing } from '../../src/debuginfo/disasm.js';

const has = (prog: string, machine: string) => {
  const r = spawnSync(prog, ['-D', '-b', 'binary', '-m', machine, '/dev/null'], { encoding: 'utf8' });
  return !r.error && !/supplied machine/.test(r.stderr ?? '');
};
const noX86 = has('objdump', 'i386:x86-64') ? undefined : 'objdump (binutils) absent';
const noArm = has('aarch64-linux-gnu-objdump', 'aarch64') || has('objdump', 'aarch64') ? undefined : 'aarch64-linux-gnu-objdump (binutils-aarch64-linux-gnu) absent';
if (noX86) console.log(`x86 disassembly tests skipped: ${noX86}`);
if (noArm) console.log(`arm64 disassembly tests skipped: ${noArm}`);

const bytes = (hex: string) => Uint8Array.from(hex.match(/../g)!.map((b) => parseInt(b, 16)));

describe('parseListing', () => {
  it('reads address, length and text; pads operandless x86 mnemonics as gdb 10.2 did', () => {
    const listing = [
      '',
      'text.bin:     file format binary',
      'ffffffff8c052e4f:\t5d                                              \tpop    %rbp',
      'ffffffff8c052e50:\tc3                                              \tret',
      'ffffffff8c052e51:\t90                                              \tnop',
      'ffffffff8c052e52:\t66 2e 0f 1f 84 00 00 00 00 00                   \tcs nopw 0x0(%rax,%rax,1)',
      'ffffffff8c052e5c:\t66 66 2e 0f 1f 84 00 00 00 00 00                \tdata16 cs nopw 0x0(%rax,%rax,1)',
      'ffffffff8c052e67:\t06                                              \t(bad)',
    ].join('\n');
    expect(parseListing('x86_64', listing)).toEqual([
      { addr: 0xffffffff8c052e4fn, length: 1, text: 'pop    %rbp' },
      { addr: 0xffffffff8c052e50n, length: 1, text: 'ret    ' },
      { addr: 0xffffffff8c052e51n, length: 1, text: 'nop' },
      { addr: 0xffffffff8c052e52n, length: 10, text: 'nopw   %cs:0x0(%rax,%rax,1)' },
      { addr: 0xffffffff8c052e5cn, length: 11, text: 'data16 nopw %cs:0x0(%rax,%rax,1)' },
      { addr: 0xffffffff8c052e67n, length: 1, text: '(bad)  ' },
    ]);
  });
  it('arm64 words are four bytes, text as printed', () => {
    expect(parseListing('arm64', 'ffff800008010004:\ta9bf7bfd \tstp\tx29, x30, [sp, #-16]!\nffff800008010014:\td65f03c0 \tret')).toEqual([
      { addr: 0xffff800008010004n, length: 4, text: 'stp\tx29, x30, [sp, #-16]!' },
      { addr: 0xffff800008010014n, length: 4, text: 'ret' },
    ]);
  });
});

describe.skipIf(!!noX86)('disassemble (x86_64)', () => {
  it('sysrq_handle_crash\'s bytes, at its address', () => {
    const insns = disassemble('x86_64', bytes('0f1f440000e8566daaff48c7c709b69d8ce88a133700'), 0xffffffff8bc90910n);
    expect(insns.map((i) => [i.addr.toString(16), i.length, i.text])).toEqual([
      ['ffffffff8bc90910', 5, 'nopl   0x0(%rax,%rax,1)'],
      ['ffffffff8bc90915', 5, 'call   0xffffffff8b737670'],
      ['ffffffff8bc9091a', 7, 'mov    $0xffffffff8c9db609,%rdi'],
      ['ffffffff8bc90921', 5, 'call   0xffffffff8c001cb0'],
    ]);
  });
  it('no objdump on PATH: a clear error naming the package', () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(() => disassemble('x86_64', bytes('90'), 0n)).toThrow(DisassemblerMissing);
      expect(() => disassemble('x86_64', bytes('90'), 0n)).toThrow('objdump not found: install binutils');
      expect(() => disassemble('arm64', bytes('1f2003d5'), 0n)).toThrow('aarch64-linux-gnu-objdump not found: install binutils-aarch64-linux-gnu');
    } finally {
      process.env.PATH = path;
    }
    expect(disassemble('x86_64', bytes('90'), 0n)[0]?.text).toBe('nop');
  });
});

describe.skipIf(!!noArm)('disassemble (arm64)', () => {
  it('branch targets as bare addresses, comments kept', () => {
    const insns = disassemble('arm64', bytes('1f2003d5fd7bbfa90000009441000054' + '00000000c0035fd6'), 0xffff800008010000n);
    expect(insns.map((i) => i.text)).toEqual(['nop', 'stp\tx29, x30, [sp, #-16]!', 'bl\t0xffff800008010008', 'b.ne\t0xffff800008010014  // b.any', 'udf\t#0', 'ret']);
  });
});
