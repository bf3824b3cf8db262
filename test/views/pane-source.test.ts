/**
 * The TUI's PaneSource over a real Session: the usercopy scenario (always) and the reference dump
 * (when ../shared/refdumps is there), checked against what the batch commands print.
 */
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/session/session.js';
import { kernelFromDump } from '../../src/kernel/open.js';
import { buildScenarioDump } from '../../src/synth/build.js';
import { sessionPaneSource } from '../../src/tui.js';
import { rs, skipReason } from '../support/ref-session.js';

const XAGF = 0xffff9cba0bf75400n; // an XFS AGF header in a kmalloc-512 object (dumps/usercopy-kmalloc512/README.md)
let session: Session | undefined;
const scenario = (): Session => (session ??= new Session(kernelFromDump(buildScenarioDump('dumps/usercopy-kmalloc512')), { dumpPath: 'usercopy', silent: true }));

describe('sessionPaneSource on the usercopy scenario', () => {
  it('reads memory through the kernel, with crash wording when it cannot', () => {
    const src = sessionPaneSource(scenario());
    const r = src.readMemory(XAGF, 16, 'kvaddr');
    expect(String.fromCharCode(...r.bytes!.subarray(0, 4))).toBe('XAGF');
    expect(src.readMemory(0xffffc90000000000n, 16, 'kvaddr')).toEqual({ error: 'invalid kernel virtual address: ffffc90000000000  type: "64-bit KVADDR"' });
    // the same text rd prints after "rd: "
    expect(scenario().runLine('rd ffffc90000000000').text).toBe(`rd: ${src.readMemory(0xffffc90000000000n, 16, 'kvaddr').error}\n`);
  });

  it('symbolizes kernel text/data like rd -s, nothing else', () => {
    const s = scenario();
    const src = sessionPaneSource(s);
    const init = s.kernel.symbol('init_task')!.address;
    expect(src.symbolize(init)).toBe('init_task');
    expect(src.symbolize(init + 0x28n)).toBe('init_task+0x28');
    expect(src.symbolize(XAGF)).toBeUndefined();
    expect(src.symbolize(0x1234n)).toBeUndefined();
    expect(src.isKernelAddress(XAGF)).toBe(true);
    expect(src.resolveSymbol?.('init_task')).toBe(init);
  });

  it('gives the PTE of an address as vtop shows it', () => {
    const info = sessionPaneSource(scenario()).pageInfo!(XAGF, 'kvaddr')!;
    expect(info.phys).toBe(0x190bf75400n);
    expect(info.pageSize).toBe('1GB');
    expect(info.pte?.flags).toEqual(['PRESENT', 'RW', 'ACCESSED', 'DIRTY', 'PSE', 'GLOBAL', 'NX']);
    expect(scenario().runLine(`vtop ${XAGF.toString(16)}`).text).toContain('(PRESENT|RW|ACCESSED|DIRTY|PSE|GLOBAL|NX)');
  });

  it('gives the backtrace lines bt prints', () => {
    const frames = sessionPaneSource(scenario()).backtrace!()!;
    const bt = scenario().runLine('bt').text.trimEnd().split('\n');
    expect(frames.map((f) => f.text)).toEqual(bt);
  });
});

const skip = skipReason('pane source on the reference dump');
describe.skipIf(!!skip)('sessionPaneSource on the reference dump', () => {
  it('frames carry their stack slots, and the text is bt\'s', () => {
    const src = sessionPaneSource(rs().fresh());
    const frames = src.backtrace!()!;
    expect(frames.map((f) => f.text)).toEqual(rs().fresh().runLine('bt').text.trimEnd().split('\n'));
    const f0 = frames.find((f) => f.level === 0)!;
    expect(f0.text).toContain(`[${f0.sp!.toString(16)}] panic at`);
    expect(src.readMemory(f0.sp!, 8, 'kvaddr').bytes).toHaveLength(8);
  });

  it('gives the struct page of a stack address as kmem -p shows it', () => {
    const s = rs().fresh();
    const src = sessionPaneSource(s);
    const sp = src.backtrace!()!.find((f) => f.level === 0)!.sp!;
    const info = src.pageInfo!(sp, 'kvaddr')!;
    expect(info.row).toBeDefined();
    const kmem = s.runLine(`kmem -p ${info.phys!.toString(16)}`).text;
    expect(kmem).toContain(info.row!.page.toString(16));
  });
});
