/**
 * VMCOREINFO text: KEY=VALUE parsing, every value read by its key's convention, and the
 * architecture set up from it (arch-setup.ts: x86_64 and arm64 parameters, page-table roots)
 * with a first walk over empty memory. Seeds: the reference dump's VMCOREINFO and every scenario's.
 */
import { VmcoreInfo } from '../../src/debuginfo/vmcoreinfo.js';
import { archSetup } from '../../src/kernel/arch-setup.js';
import { attempt, type FuzzTarget } from '../lib/engine.js';
import { PagesDump } from '../lib/sources.js';
import { refKernel, refNote, SCENARIOS, scenarioKernel } from '../lib/seeds.js';

const PROBES = ['PAGESIZE', 'KERNELOFFSET', 'SYMBOL(_stext)', 'SYMBOL(init_top_pgt)', 'NUMBER(phys_base)', 'NUMBER(VA_BITS)', 'NUMBER(kimage_voffset)', 'OFFSET(list_head.next)', 'SIZE(page)', 'LENGTH(zone.free_area)'];

export const vmcoreinfoTarget: FuzzTarget = {
  name: 'vmcoreinfo',
  description: 'VMCOREINFO text, its numbers, and the architecture set up from it',
  kind: 'text',
  setup() {
    const r = refKernel();
    const seeds = [...(typeof r === 'string' ? [] : [r.kernel.vmcoreinfo.text]), ...SCENARIOS.map((s) => scenarioKernel(s).vmcoreinfo.text)];
    const keys = new Set<string>();
    for (const s of seeds) for (const l of s.split('\n')) if (l.includes('=')) keys.add(l.slice(0, l.indexOf('=') + 1));
    return {
      seeds,
      note: refNote(),
      dict: { tokens: [...keys, '\n', '=', '0x', '-', '-0x', 'ffffffffffffffff', '18446744073709551616', '999999999999999999999999', 'NUMBER(VA_BITS)=', 'PAGESIZE=', 'NUMBER(pgtable_l5_enabled)=1\n'] },
      run(text) {
        const vi = new VmcoreInfo(text);
        for (const k of vi.keys()) attempt(() => vi.num(k));
        for (const k of PROBES) attempt(() => vi.num(k));
        attempt(() => [vi.symbol('_stext'), vi.number('phys_base'), vi.offset('page.flags'), vi.size('page'), vi.length('free_area')]);
        for (const machine of ['x86_64', 'arm64'] as const) {
          const setup = attempt(() => archSetup(new PagesDump(machine, text), vi));
          if (!setup) continue;
          const a = setup.initial;
          for (const va of [a.layout.pageOffset, a.layout.kernelStart + 0x1000n, a.layout.vmallocStart, 0xffffffffff600000n]) {
            a.isKernelAddr(va);
            a.linearToPhys(va);
            attempt(() => a.walk(va));
          }
          a.physToDirect(0x1000n);
        }
      },
    };
  },
};
