/**
 * `sys` DUMPFILE marks (kernel.c display_sys_stats): a compressed kdump whose sub-header dump_level
 * is above 0 (diskdump.c get_dump_level/is_partial_diskdump, header version 1+) is
 * "<path>  [PARTIAL DUMP]", with " [INCOMPLETE]" and " [EXCLUDED VMEMMAP]" after it from the
 * header status; an ELF kdump only gets "  [INCOMPLETE]". Checked on kdumps written by the test
 * builder, and on the reference dump's makedumpfile output (flattened, dump_level 1), where crash
 * 8.0.2 prints `    DUMPFILE: .../vmcore.kdump-zlib  [PARTIAL DUMP]` (run by hand with its vmlinux).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openDumpFile } from '../../src/dump/open.js';
import { dumpfileMarks } from '../../src/commands/sys.js';
import { openKernel } from '../../src/kernel/open.js';
import { Session } from '../../src/session/session.js';
import { pattern, prstatusNote, tempDumpDir, vmcoreinfoNote } from '../builders/core-elf.js';
import { buildKdump, flatten, FLAG_EXCLUDED_VMEMMAP, FLAG_INCOMPLETE, type KdumpSpec } from '../builders/kdump-builder.js';
import { refdump } from '../support/refdump.js';

const tmp = tempDumpDir('crash-tui-sys-partial-');
afterAll(() => tmp.cleanup());

const VMCI = 'OSRELEASE=6.1.0-test\nPAGESIZE=4096\n';
function spec(over: Partial<KdumpSpec>): KdumpSpec {
  return {
    maxMapnr: 8,
    pages: [
      { pfn: 0, data: pattern(0n, 4096) },
      { pfn: 1, excluded: true },
      { pfn: 2, data: pattern(0x2000n, 4096) },
    ],
    dumpLevel: 31,
    notes: [prstatusNote(1), vmcoreinfoNote(VMCI)],
    vmcoreinfo: VMCI,
    ...over,
  };
}
let n = 0;
const marks = (s: KdumpSpec, flat = false) => {
  const bytes = buildKdump(s).bytes;
  return dumpfileMarks(openDumpFile(tmp.write(`k${n++}`, flat ? flatten(bytes) : bytes)));
};

describe('sys DUMPFILE marks', () => {
  it('a filtered kdump (dump_level 31, pages excluded) is a partial dump', () => {
    expect(marks(spec({}))).toBe('  [PARTIAL DUMP]');
    expect(marks(spec({}), true)).toBe('  [PARTIAL DUMP]'); // makedumpfile -F
  });
  it('dump_level 0 (everything dumped, as QEMU writes it) has no mark', () => {
    expect(marks(spec({ dumpLevel: 0, pages: [{ pfn: 0, data: pattern(0n, 4096) }] }))).toBe('');
  });
  it('a version-0 header has no dump_level (get_dump_level returns -1)', () => {
    expect(marks(spec({ headerVersion: 0 }))).toBe('');
  });
  it('incomplete and excluded-vmemmap marks follow, one blank apart', () => {
    expect(marks(spec({ status: FLAG_INCOMPLETE }))).toBe('  [PARTIAL DUMP] [INCOMPLETE]');
    expect(marks(spec({ status: FLAG_EXCLUDED_VMEMMAP }))).toBe('  [PARTIAL DUMP] [EXCLUDED VMEMMAP]');
    expect(marks(spec({ dumpLevel: 0, status: FLAG_INCOMPLETE }))).toBe('  [INCOMPLETE]');
  });
});

const r = refdump();
const skip = typeof r === 'string' ? r : undefined;
if (skip) console.log(`sys [PARTIAL DUMP] refdump test skipped: ${skip}`);

describe.skipIf(!!skip)('sys on the reference dump', () => {
  const dumpfileLine = (path: string) => {
    const s = new Session(openKernel(path), { dumpPath: path, silent: true });
    const line = s.runLine('sys').text.split('\n').find((l) => l.includes('DUMPFILE:'));
    s.kernel.dump.close();
    return line;
  };
  it('vmcore.kdump-zlib (makedumpfile, dump_level 1): [PARTIAL DUMP], as crash 8.0.2 prints it', () => {
    const { kdump } = r as Exclude<typeof r, string>;
    expect(dumpfileLine(kdump)).toBe(`    DUMPFILE: ${kdump}  [PARTIAL DUMP]`);
  });
  it('the ELF vmcore (QEMU dump-guest-memory, unfiltered): no mark', () => {
    const { elf } = r as Exclude<typeof r, string>;
    expect(dumpfileLine(elf)).toBe(`    DUMPFILE: ${elf}`);
  });
});
