import { defineCommand, flag } from './types.js';
import { err, type CommandResult } from './result.js';
import type { DevResult } from './proc-results.js';
import { blkdevs, chrdevs } from '../kernel/helpers/devices.js';
import { CrashError } from '../util/errors.js';

export const dev = defineCommand({
  name: 'dev',
  summary: 'device data',
  synopsis: '',
  description: [
    'If no argument is entered, this command dumps the contents of the chrdevs and major_names',
    'arrays: each character device major with its name, cdev and file_operations (found through',
    'cdev_map when the char_device_struct has no cdev), and each block device major with its name,',
    'and the gendisk and block_device_operations found among the block device inodes.',
  ],
  options: {
    d: flag('display disk I/O statistics (not supported)'),
  },
  examples: [{ command: 'dev' }],
  run(ctx, a): CommandResult {
    const k = ctx.kernel;
    if (a.flags.has('d')) return err('-d option not supported');
    if (a.args.length) return err(`invalid argument: ${a.args[0]}`);
    const sym = (v: bigint | undefined) => {
      if (!v) return undefined;
      const hit = k.symbols.containing(v);
      if (!hit) return v.toString(16);
      return hit.offset ? `${hit.sym.name}+${ctx.settings.radix === 16 ? '0x' + hit.offset.toString(16) : hit.offset}` : hit.sym.name;
    };
    try {
      const r: DevResult = {
        kind: 'dev',
        chr: chrdevs(k).map((c) => ({ major: c.major, name: c.name, cdev: c.fops ? c.cdev : undefined, ops: sym(c.fops) })),
        blk: blkdevs(k).map((b) => ({ major: b.major, name: b.name, gendisk: b.fops ? b.gendisk : undefined, ops: sym(b.fops) })),
      };
      return r;
    } catch (e) {
      if (e instanceof CrashError) return err(e.message);
      throw e;
    }
  },
});
