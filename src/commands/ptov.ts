import { defineCommand } from './types.js';
import { err, type CommandResult } from './result.js';
import { UsageError } from './getopt.js';
import type { PtovItem } from './memory-results.js';
import { parseCpuSpec } from './cpuspec.js';
import { perCpuInfo } from '../kernel/helpers/percpu.js';
import { cpuState } from '../kernel/helpers/sched.js';

const MASK = (1n << 64n) - 1n;

/** crash htoll(): hex, optional 0x, at most 16 digits. */
function htoll(s: string): bigint | undefined {
  const t = s.replace(/^0[xX]/, '');
  return /^[0-9a-fA-F]{1,16}$/.test(t) ? BigInt('0x' + t) : undefined;
}

/** crash stoll(): decimal when every character is a decimal digit, else hex. */
function stoll(s: string): bigint | undefined {
  return /^\d+$/.test(s) ? BigInt(s) & MASK : htoll(s);
}

/** tools.c: htoll() says `invalid input: "s"`, stoll() `not a valid number: s`. */
const notNumber = (s: string): CommandResult => err(`not a valid number: ${s}`);
const invalidInput = (s: string): CommandResult => err(`invalid input: "${s.replace(/^0[xX]/, '')}"`);

export const ptov = defineCommand({
  name: 'ptov',
  summary: 'physical to virtual',
  synopsis: '[address | offset:cpuspec]',
  description: [
    'This command translates a hexadecimal physical address into a kernel virtual address.',
    'Alternatively, a hexadecimal per-cpu offset and cpu specifier will be translated into',
    'kernel virtual addresses for each cpu specified: "offset:3", "offset:1,3-5", "offset:a",',
    'or "offset:" for the cpu of the current context.',
  ],
  options: {},
  examples: [{ command: 'ptov 56e000' }, { command: 'ptov b0c0:a' }],
  run(ctx, a) {
    if (!a.args.length) throw new UsageError('address required');
    const k = ctx.kernel;
    const items: PtovItem[] = [];
    for (const w of a.args) {
      const colon = w.indexOf(':');
      const num = colon >= 0 ? w.slice(0, colon) : w;
      const v = htoll(num);
      if (v === undefined) return [{ kind: 'ptov', items }, invalidInput(num)];
      if (colon < 0) {
        items.push({ type: 'phys', paddr: v, vaddr: k.arch.physToDirect(v) & MASK });
        continue;
      }
      const pc = perCpuInfo(k);
      const ncpus = cpuState(k).present;
      if (!pc) return [{ kind: 'ptov', items }, err('per-cpu offsets are not available')];
      const online = new Set(cpuState(k).online);
      const cpus = parseCpuSpec(w.slice(colon + 1), ncpus, ctx.currentCpu);
      items.push({ type: 'percpu', offset: v, ncpus, cpus: cpus.map((c) => ({ cpu: c, vaddr: (v + pc.offsets[c]) & MASK, offline: !online.has(c) })) });
    }
    return [{ kind: 'ptov', items }];
  },
});

export const btop = defineCommand({
  name: 'btop',
  summary: 'bytes to page',
  synopsis: 'address ...',
  description: ['This command translates a hexadecimal address to its page number.'],
  options: {},
  examples: [{ command: 'btop 512a000' }],
  rawArgs: true,
  run(ctx, a) {
    if (!a.args.length) throw new UsageError('address required');
    const pairs: [bigint, bigint][] = [];
    for (const w of a.args) {
      const v = htoll(w);
      if (v === undefined) return [{ kind: 'num-pairs', pairs }, invalidInput(w)];
      pairs.push([v, v >> BigInt(ctx.kernel.arch.pageShift)]);
    }
    return [{ kind: 'num-pairs', pairs }];
  },
});

export const ptob = defineCommand({
  name: 'ptob',
  summary: 'page to bytes',
  synopsis: 'page_number ...',
  description: ['This command translates a page frame number to its byte value.'],
  options: {},
  examples: [{ command: 'ptob 512a' }],
  rawArgs: true,
  run(ctx, a) {
    if (!a.args.length) throw new UsageError('page number required');
    const pairs: [bigint, bigint][] = [];
    for (const w of a.args) {
      const v = stoll(w);
      if (v === undefined) return [{ kind: 'num-pairs', pairs }, notNumber(w)];
      pairs.push([v, (v << BigInt(ctx.kernel.arch.pageShift)) & MASK]);
    }
    return [{ kind: 'num-pairs', pairs }];
  },
});
