/**
 * The scenario builder's kernel stacks (src/synth/stacks.ts, stacks-arm64.ts) and the ORC tables
 * generated for them (place-orc.ts), read back through the general readers.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { dumpsDir } from '../../src/synth/bundled.js';
import { loadScenario } from '../../src/synth/scenario.js';
import { buildScenarioDump } from '../../src/synth/build.js';
import { encodeOrcEntry } from '../../src/synth/place-orc.js';
import { kernelFromDump } from '../../src/kernel/open.js';
import { kernelOrcTable, orcEntryFor } from '../../src/kernel/helpers/orc.js';
import { OrcTable, decodeOrcEntry } from '../../src/arch/unwind-orc.js';
import { prstatusNotes } from '../../src/dump/prstatus.js';

const dir = (n: string) => join(dumpsDir(), n);
const kernelOf = (n: string) => kernelFromDump(buildScenarioDump(dir(n)));

describe('ORC entries the builder writes decode as the kernel defines them', () => {
  for (const v of [1, 2, 3] as const) {
    it(`v${v}: call, regs, iret regs, end of stack, undefined`, () => {
      const d = (t: Parameters<typeof encodeOrcEntry>[0], sp: number) => decodeOrcEntry(encodeOrcEntry(t, sp, v), 0, v);
      expect(d('call', 0x58)).toMatchObject({ type: 'call', spReg: 'sp', spOffset: 0x58, bpReg: 'undefined', signal: false });
      expect(d('regs', 0)).toMatchObject({ type: 'regs', spReg: 'sp', spOffset: 0, signal: true });
      expect(d('regs_partial', 0)).toMatchObject({ type: 'regs_partial', spReg: 'sp', signal: true });
      expect(d('end', 0)).toMatchObject({ type: 'end_of_stack' });
      expect(d('undefined', 0)).toMatchObject({ type: 'undefined' });
    });
  }
});

describe('x86_64 stacks of an ORC kernel (kprobe-nmi-fpu)', () => {
  const k = kernelOf('kprobe-nmi-fpu');
  const at = (name: string, off: bigint) => k.symbol(name)!.address + off;

  it('each return site tells its frame size; entry code its pt_regs; the module its own table', () => {
    expect(orcEntryFor(k, at('machine_kexec', 0x106n))).toMatchObject({ type: 'call', spOffset: 0x58 });
    expect(orcEntryFor(k, at('machine_kexec', 0n))).toMatchObject({ type: 'call', spOffset: 8 });
    expect(orcEntryFor(k, at('asm_exc_invalid_op', 0x15n))).toMatchObject({ type: 'regs', spOffset: 0 });
    expect(orcEntryFor(k, at('asm_exc_invalid_op', 0n))).toMatchObject({ type: 'regs_partial' });
    // the interrupted instruction: irq_fpu_usable had pushed nothing
    expect(orcEntryFor(k, at('irq_fpu_usable', 0x39n))).toMatchObject({ type: 'call', spOffset: 8 });
    // hot_file_update_file_status+0x84 is module text: mod->arch.orc_unwind
    expect(orcEntryFor(k, 0xffffffffc0dd9d23n)).toMatchObject({ type: 'call', spOffset: 0x60 });
  });

  it('orc_lookup[] finds what a full search finds', () => {
    const orc = kernelOrcTable(k)!;
    const plain = new OrcTable({ ...orc.spec, lookup: undefined });
    expect(orc.spec.lookup).toBeDefined();
    const text = k.symbols.search('').filter((s) => s.type === 'T' || s.type === 't');
    expect(text.length).toBeGreaterThan(30);
    for (const s of text) {
      for (const off of [0n, 1n, 0x40n, 0x107n]) expect(orc.find(s.address + off), s.name).toEqual(plain.find(s.address + off));
    }
  });

  it('the stack holds the return addresses, the pt_regs and the int3 gap; NT_PRSTATUS comes from the stack', () => {
    expect(k.readU64(0xffffb6fe00907400n, 'x')).toBe(0xffffffffa126c237n);
    expect(k.readU64(0xffffb6fe00907638n + 16n * 8n, 'x')).toBe(0xffffffffa1232d29n); // pt_regs.ip
    expect(k.readU64(0xffffb6fe00907bc8n, 'x')).toBe(0xffffffffa1764d32n); // the cpu's own iret frame
    expect(k.readU64(0xffffb6fe00908000n - 21n * 8n + 17n * 8n, 'x')).toBe(0x33n); // user pt_regs.cs
    const cpu3 = prstatusNotes('x86_64', k.dump.notes)[3];
    expect(cpu3.pid).toBe(3347);
    expect(cpu3.regs.rsp).toBe(0xffffb6fe00907460n);
  });

  it('rejects a frame whose return address is not in the function it names', () => {
    const s = loadScenario(dir('kprobe-nmi-fpu'));
    s.stacks![0].frames[1] = { ...s.stacks![0].frames[1], fn: 'panic' };
    expect(() => buildScenarioDump(s)).toThrow(/is in __crash_kexec, not panic/);
  });
});

describe('x86_64 stacks of a frame-pointer kernel (usercopy-kmalloc512)', () => {
  const k = kernelOf('usercopy-kmalloc512');
  it('has no ORC tables; each frame saved its caller\'s %rbp below its return address', () => {
    expect(kernelOrcTable(k)).toBeUndefined();
    expect(k.readU64(0xffff9cb124227bb8n, 'x')).toBe(0xffff9cb124227bf0n); // __check_object_size's record
    expect(k.readU64(0xffff9cb124227bc0n, 'x')).toBe(0xffffffff9818dd9dn);
    expect(k.readU64(0xffff9cb124227ad8n, 'x')).toBe(0xffff9cb124227bb8n); // do_invalid_op saved the interrupted rbp
  });
});

describe('arm64 stacks (page-table-check-arm64)', () => {
  const k = kernelOf('page-table-check-arm64');
  it('frame records chain to the el0 entry\'s zero record; pt_regs sit under their stackframe', () => {
    const rec = (fp: bigint) => [k.readU64(fp, 'x'), k.readU64(fp + 8n, 'x')];
    expect(rec(0xffffffc03094b670n)).toEqual([0xffffffc03094b690n, 0xffffffe31b043b18n]); // machine_kexec's callee
    expect(rec(0xffffffc03094baf0n)).toEqual([0xffffffc03094bb10n, 0xffffffe31c2b0b24n]); // pt_regs.stackframe
    expect(rec(0xffffffc03094bfe0n)).toEqual([0n, 0n]);
    const stackframe = BigInt(k.offsetOf('struct pt_regs', 'stackframe'));
    expect(k.readU64(0xffffffc03094baf0n - stackframe + 31n * 8n, 'x')).toBe(0xffffffc03094bb10n); // sp
    expect(k.readU64(0xffffffc03094c000n - BigInt(k.sizeOf('struct pt_regs')) + 8n * 8n, 'x')).toBe(0x40n); // user x8
  });
});
