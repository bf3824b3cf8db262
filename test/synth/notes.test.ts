import { describe, expect, it } from 'vitest';
import { findVmcoreinfo, parseNotes } from '../../src/dump/elf-notes.js';
import {
  ARM64_PRSTATUS_REGS,
  NT_PRSTATUS,
  PRSTATUS_SIZE,
  X86_64_PRSTATUS_REGS,
  decodePrstatus,
  encodeNotes,
  encodePrstatus,
  prstatusNote,
  vmcoreinfoNote,
} from '../../src/synth/notes.js';

describe('ELF notes', () => {
  it('VMCOREINFO and CORE notes parse back through dump/elf-notes.ts', () => {
    const text = 'OSRELEASE=6.1.0-18-amd64\nPAGESIZE=4096\nSYMBOL(_stext)=ffffffff8b600000\n';
    const pr = prstatusNote('x86_64', { pid: 1234, regs: { rip: 0xffffffff8c001cb0n, rsp: 0xffffb1e1c0013e38n } });
    const bytes = encodeNotes([pr, vmcoreinfoNote(text), pr]);
    expect(bytes.length % 4).toBe(0);
    const notes = parseNotes(bytes);
    expect(notes.map((n) => [n.name, n.type, n.desc.length])).toEqual([
      ['CORE', NT_PRSTATUS, 336],
      ['VMCOREINFO', 0, text.length],
      ['CORE', NT_PRSTATUS, 336],
    ]);
    expect(findVmcoreinfo(notes)).toBe(text);
    // the name field is "CORE\0" (namesz 5) padded to 8, desc at 20
    const dv = new DataView(bytes.buffer);
    expect([dv.getUint32(0, true), dv.getUint32(4, true), dv.getUint32(8, true)]).toEqual([5, 336, 1]);
  });

  it('x86_64 NT_PRSTATUS: 336 bytes, pr_pid at 32, pr_reg at 112 in user_regs_struct order', () => {
    const regs = Object.fromEntries(X86_64_PRSTATUS_REGS.map((r, i) => [r, 0x1000n + BigInt(i)]));
    regs.rip = 0xffffffff8c001cb0n;
    regs.eflags = 0x246n;
    const d = encodePrstatus('x86_64', { pid: 4321, ppid: 2, regs, cursig: 0 });
    expect(d.length).toBe(PRSTATUS_SIZE.x86_64);
    const dv = new DataView(d.buffer);
    expect(dv.getInt32(32, true)).toBe(4321);
    expect(dv.getBigUint64(112, true)).toBe(0x1000n); // r15
    expect(dv.getBigUint64(112 + 16 * 8, true)).toBe(0xffffffff8c001cb0n); // rip
    expect(dv.getBigUint64(112 + 19 * 8, true)).toBe(0x1013n); // rsp
    expect(dv.getBigUint64(112 + 26 * 8, true)).toBe(0x101an); // gs
    const back = decodePrstatus('x86_64', d);
    expect(back.pid).toBe(4321);
    expect(back.ppid).toBe(2);
    expect(back.regs).toEqual(regs);
  });

  it('arm64 NT_PRSTATUS: 392 bytes, x0..x30, sp, pc, pstate; fp/lr aliases; missing registers are 0', () => {
    const d = encodePrstatus('arm64', { pid: 77, regs: { x0: 1n, fp: 0xffff80000a1b3d50n, lr: 0xffff800008012345n, sp: 0xffff80000a1b3d40n, pc: 0xffff800008abcdefn, pstate: 0x60400005n } });
    expect(d.length).toBe(PRSTATUS_SIZE.arm64);
    const dv = new DataView(d.buffer);
    expect(dv.getBigUint64(112 + 29 * 8, true)).toBe(0xffff80000a1b3d50n);
    expect(dv.getBigUint64(112 + 32 * 8, true)).toBe(0xffff800008abcdefn);
    const back = decodePrstatus('arm64', d);
    expect(Object.keys(back.regs)).toEqual([...ARM64_PRSTATUS_REGS]);
    expect(back.regs.x30).toBe(0xffff800008012345n);
    expect(back.regs.pstate).toBe(0x60400005n);
    expect(back.regs.x5).toBe(0n);
    expect(back.pid).toBe(77);
  });

  it('rejects unknown registers and short descriptors', () => {
    expect(() => encodePrstatus('x86_64', { pid: 0, regs: { pc: 1n } })).toThrow(/no register "pc"/);
    expect(() => decodePrstatus('arm64', new Uint8Array(336))).toThrow(/too short/);
  });
});
