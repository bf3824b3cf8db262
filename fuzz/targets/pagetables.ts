/**
 * Page-table walks (arch/x86-64.ts 4/5-level, arch/arm64.ts) over mutated page tables, with the
 * architecture set up from a mutated VMCOREINFO, and kernel virtual reads through Memory.
 * An input is [machine byte + VMCOREINFO][addresses to walk][pages: u64 paddr + 4096 bytes ...].
 * Entries are overwritten with the addresses of the input's own pages (the dictionary), so
 * tables that point at themselves or at each other in a cycle are common: every walk must still
 * stop after one read per level. Seeds: the pages the reference dump's and the scenarios' real
 * walks read (recorded), for kernel text, data, the direct map, vmalloc and user addresses.
 */
import type { DumpFile } from '../../src/dump/types.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { VmcoreInfo } from '../../src/debuginfo/vmcoreinfo.js';
import { archSetup } from '../../src/kernel/arch-setup.js';
import { Memory } from '../../src/memory/memory.js';
import { attempt, type FuzzTarget } from '../lib/engine.js';
import { pack, u64At, unpack } from '../lib/container.js';
import { PagesDump } from '../lib/sources.js';
import { concat, dec, enc, refKernel, refNote, SCENARIOS, scenarioKernel, u64le } from '../lib/seeds.js';

const PAGE = 4096;
const MAX_PAGES = 256;
const MAX_ADDRS = 16;

/** Walk `addrs` on a kernel's own dump, recording every page the walks read. */
function record(k: Kernel, addrs: bigint[]): Uint8Array {
  const seen = new Map<bigint, Uint8Array>();
  const dump = k.dump;
  const rec: DumpFile = Object.create(dump, {
    readPhys: {
      value: (p: bigint, n: number) => {
        const page = p & ~BigInt(PAGE - 1);
        if (!seen.has(page)) seen.set(page, dump.readPhys(page, PAGE));
        return dump.readPhys(p, n);
      },
    },
  });
  const arch = archSetup(rec, k.vmcoreinfo).initial;
  for (const a of addrs) attempt(() => arch.walk(a));
  const head = concat([new Uint8Array([dump.machine === 'arm64' ? 1 : 0]), enc.encode(k.vmcoreinfo.text)]);
  const pages = [...seen].map(([p, b]) => concat([u64le(p), b]));
  return pack([head, concat(addrs.map(u64le)), concat(pages)]);
}

function addressesOf(k: Kernel): bigint[] {
  const l = k.arch.layout;
  const sym = (n: string) => k.symbol(n)?.address;
  const tasks = k.symbols.all().filter((s) => s.address >= l.vmallocStart && s.address < l.vmallocEnd).slice(0, 2).map((s) => s.address);
  return [sym('_stext'), sym('linux_banner'), sym('init_task'), l.pageOffset + 0x1000000n, l.vmemmapStart, l.vmallocStart + 0x10000n, ...tasks, 0x400000n, 0x7ffffffff000n, 0xffffffffff600000n]
    .filter((a): a is bigint => a !== undefined)
    .slice(0, MAX_ADDRS);
}

export const pagetablesTarget: FuzzTarget = {
  name: 'pagetables',
  description: 'x86_64 and arm64 page-table walks over mutated (and cyclic) tables',
  kind: 'bytes',
  setup() {
    const r = refKernel();
    const kernels = [...(typeof r === 'string' ? [] : [r.kernel]), ...SCENARIOS.map(scenarioKernel)];
    const extra = [0xffff8b3e81210000n, 0xffffffff8c761900n]; // the reference dump's golden vtops
    const seeds = kernels.map((k, i) => record(k, [...(i === 0 && typeof r !== 'string' ? extra : []), ...addressesOf(k)]));
    const ints: bigint[] = [];
    for (const s of seeds) {
      const pages = unpack(s, 3)[2]!;
      for (let o = 0; o + 8 <= pages.length && ints.length < 512; o += 8 + PAGE) {
        const p = u64At(pages, o);
        ints.push(p | 0x67n, p | 0x3n, p | 0xe3n, p | 0x8000000000000063n);
      }
    }
    return {
      seeds,
      note: refNote(),
      dict: { ints, tokens: ['NUMBER(pgtable_l5_enabled)=1\n', 'NUMBER(VA_BITS)=52\n', 'NUMBER(sme_mask)=8000000000000\n'] },
      run(input) {
        const [head, addrBytes, pageBytes] = unpack(input, 3) as [Uint8Array, Uint8Array, Uint8Array];
        const machine = (head[0] ?? 0) & 1 ? 'arm64' : 'x86_64';
        const text = dec.decode(head.subarray(1));
        const dump = new PagesDump(machine, text);
        for (let o = 0, n = 0; o + 8 + PAGE <= pageBytes.length && n < MAX_PAGES; o += 8 + PAGE, n++) {
          dump.pages.set(u64At(pageBytes, o) & ~BigInt(PAGE - 1), pageBytes.subarray(o + 8, o + 8 + PAGE));
        }
        const arch = archSetup(dump, new VmcoreInfo(text)).initial;
        const mem = new Memory(dump, arch);
        const roots = [undefined, ...[...dump.pages.keys()].slice(0, 2)];
        for (let o = 0; o + 8 <= addrBytes.length && o < MAX_ADDRS * 8; o += 8) {
          const va = u64At(addrBytes, o);
          for (const root of roots) {
            dump.reads = 0;
            const w = attempt(() => arch.walk(va, root));
            if (dump.reads > 5 || (w && w.steps.length > 5)) throw new Error(`walk of ${va.toString(16)} read ${dump.reads} entries`);
          }
          attempt(() => mem.readKv(va, 64, 'fuzz'));
          attempt(() => mem.readKv(va + 4090n, 16, 'fuzz'));
          arch.linearToPhys(va);
          arch.isKernelAddr(va);
        }
      },
    };
  },
};
