import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkVmlinuxMatch, readVmlinux } from '../../src/debuginfo/vmlinux-elf.js';
import { DebugInfoError } from '../../src/util/errors.js';
import { buildMiniVmlinux } from '../builders/elf-builder.js';

const dir = mkdtempSync(join(tmpdir(), 'crash-tui-vmlinux-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, bytes: Uint8Array) => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};

const BASE = 0xffffffff81000000n;
const BANNER = 'Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2\n';
const BUILD_ID = Uint8Array.from([0xeb, 0x4f, 0xbc, 0xd0, 0x37, 0xe7, 0x25, 0x37, 0x17, 0x95, 0x0b, 0xf2, 0xb9, 0x3b, 0xd5, 0x56, 0x6f, 0x47, 0xc5, 0x6f]);
const BTF = Uint8Array.from([0x9f, 0xeb, 1, 0, 24, 0, 0, 0, 1, 2, 3, 4]);

describe('readVmlinux', () => {
  const path = write('vmlinux', buildMiniVmlinux({ banner: BANNER, buildId: BUILD_ID, btf: BTF }));
  const v = readVmlinux(path);
  const type = (n: string) => v.symbols.filter((s) => s.name === n).map((s) => s.type).join();

  it('reads .symtab with nm type letters', () => {
    expect(type('_stext')).toBe('T');
    expect(type('panic')).toBe('T');
    expect(type('local_fn')).toBe('t');
    expect(type('weak_fn')).toBe('W');
    expect(type('weak_obj')).toBe('V');
    expect(type('linux_banner')).toBe('R');
    expect(type('local_ro')).toBe('r');
    expect(type('init_task')).toBe('D');
    expect(type('local_data')).toBe('d');
    expect(type('big_bss')).toBe('B');
    expect(type('local_bss')).toBe('b');
    expect(type('kexec_size')).toBe('A');
    expect(type('undef_sym')).toBe('U');
    expect(v.symbols.find((s) => s.name === 'panic')!.address).toBe(BASE + 0x100n);
  });

  it('skips file and section symbols and empty names', () => {
    expect(v.symbols.some((s) => s.name === 'vmlinux.o' || s.name === '')).toBe(false);
    expect(v.symbols.length).toBe(14);
  });

  it('reads .BTF, the build-id and linux_banner', () => {
    expect(v.btf).toEqual(BTF);
    expect(v.buildId).toBe('eb4fbcd037e7253717950bf2b93bd5566f47c56f');
    expect(v.banner).toBe(BANNER);
  });

  it('rejects what is not a 64-bit LE ELF', () => {
    expect(() => readVmlinux(write('junk', new TextEncoder().encode('not an elf file at all, just text padding.......................')))).toThrow(DebugInfoError);
    const be = buildMiniVmlinux({});
    be[5] = 2;
    expect(() => readVmlinux(write('be', be))).toThrow(/little-endian/);
    const truncated = buildMiniVmlinux({}).subarray(0, 200);
    expect(() => readVmlinux(write('trunc', truncated))).toThrow(DebugInfoError);
  });

  it('survives garbled bytes with DebugInfoError or a result, never another error', () => {
    const good = buildMiniVmlinux({ banner: BANNER });
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / (1 << 24);
    for (let i = 0; i < 100; i++) {
      const b = good.slice();
      for (let k = 0; k < 4; k++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      const p = write(`fuzz${i}`, b);
      try {
        readVmlinux(p);
      } catch (e) {
        expect(e).toBeInstanceOf(DebugInfoError);
      }
    }
  });
});

describe('checkVmlinuxMatch', () => {
  const v = { buildId: 'eb4fbcd037e7253717950bf2b93bd5566f47c56f', banner: BANNER };
  it('matches by build-id, banner or release', () => {
    expect(checkVmlinuxMatch(v, { buildId: 'EB4FBCD037E7253717950BF2B93BD5566F47C56F' })).toBeUndefined();
    expect(checkVmlinuxMatch({ banner: BANNER }, { banner: BANNER.trimEnd() })).toBeUndefined();
    expect(checkVmlinuxMatch({ banner: BANNER }, { osrelease: '6.1.0-56-amd64' })).toBeUndefined();
    expect(checkVmlinuxMatch({}, { osrelease: '6.1.0-56-amd64' })).toBeUndefined();
  });
  it("refuses in crash's words", () => {
    expect(checkVmlinuxMatch(v, { buildId: '00'.repeat(20) }, '/boot/vmlinux', 'vmcore')).toBe('/boot/vmlinux and vmcore do not match!');
    expect(checkVmlinuxMatch({ banner: BANNER }, { banner: 'Linux version 6.1.0-55-amd64 ...' }, 'vmlinux', 'dump')).toBe('vmlinux and dump do not match!');
    expect(checkVmlinuxMatch({ banner: BANNER }, { osrelease: '6.12.0' }, 'a', 'b')).toBe('a and b do not match!');
  });
});
