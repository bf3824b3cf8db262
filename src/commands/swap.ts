import { defineCommand } from './types.js';
import { err, type CommandResult } from './result.js';
import type { SwapResult } from './proc-results.js';
import { swapAreas } from '../kernel/helpers/devices.js';
import { CrashError } from '../util/errors.js';

export const swap = defineCommand({
  name: 'swap',
  summary: 'swap device information',
  synopsis: '',
  description: [
    'This command displays information for each configured swap device: its swap_info_struct,',
    'whether it is a partition or a file, its size and usage in kilobytes, the percentage used,',
    'its priority and its path.',
  ],
  options: {},
  examples: [{ command: 'swap' }],
  run(ctx): CommandResult {
    const k = ctx.kernel;
    try {
      const kb = (pages: bigint) => (pages << BigInt(k.arch.pageShift)) >> 10n;
      const r: SwapResult = {
        kind: 'swap',
        rows: swapAreas(k).map((a) => ({
          addr: a.addr,
          type: a.partition ? 'PARTITION' : '  FILE   ',
          sizeK: kb(a.pages),
          usedK: kb(a.inuse),
          pct: a.pages ? Number((kb(a.inuse) * 100n) / kb(a.pages)) : 0,
          prio: a.prio,
          file: a.file,
        })),
      };
      return r;
    } catch (e) {
      if (e instanceof CrashError) return err(e.message);
      throw e;
    }
  },
});
