import { defineCommand, flag, type CommandContext } from './types.js';
import { err, type CommandResult } from './result.js';
import type { DevResult } from './proc-results.js';
import type { DevDiskResult, DevIoResult, DevPciResult } from './dev-results.js';
import { blkdevs, chrdevs } from '../kernel/helpers/devices.js';
import { ioResources } from '../kernel/helpers/resource.js';
import { pciTree } from '../kernel/helpers/pci.js';
import { diskIoTable } from '../kernel/helpers/blockdev.js';
import { CrashError } from '../util/errors.js';

export const dev = defineCommand({
  name: 'dev',
  summary: 'device data',
  synopsis: '[-i | -p | -d | -D ]',
  description: [
    'If no argument is entered, this command dumps the contents of the chrdevs and major_names',
    'arrays: each character device major with its name, cdev and file_operations (found through',
    'cdev_map when the char_device_struct has no cdev), and each block device major with its name,',
    'and the gendisk and block_device_operations found among the block device inodes.',
    '',
    '-i walks the ioport_resource tree, then the iomem_resource tree: each struct resource, its range',
    'and its name.  -p walks pci_root_buses: each root bus, its devices with their domain:bus:slot.fn,',
    'class, vendor:device and PCIe port type, and its child buses.  -d lists each gendisk of block_class',
    'with its request queue and its in-progress I/O requests:',
    '   TOTAL: total number of allocated in-progress I/O requests',
    '    SYNC: I/O requests that are synchronous',
    '   ASYNC: I/O requests that are asynchronous',
    '    READ: I/O requests that are reads (older kernels)',
    '   WRITE: I/O requests that are writes (older kernels)',
    '     DRV: I/O requests that are in-flight in the device driver.  If the device driver uses the',
    '          blk-mq interface, this field shows N/A(MQ).  If not available, this column is not shown.',
    'On blk-mq queues the in-progress requests are the busy tags of every hardware context that are',
    'in flight on the queue.  ram and loop devices are left out.  -D filters out disks with none.',
  ],
  options: {
    i: flag('display I/O port and I/O memory usage'),
    p: flag('display PCI device data'),
    d: flag('display disk I/O statistics'),
    D: flag('same as -d, but filter out disks with no in-progress I/O requests'),
  },
  examples: [{ command: 'dev' }, { command: 'dev -i' }, { command: 'dev -p' }, { command: 'dev -d' }, { command: 'dev -D' }],
  run(ctx, a): CommandResult | CommandResult[] {
    const k = ctx.kernel;
    if (a.args.length) return err(`invalid argument: ${a.args[0]}`);
    // cmd_dev(): the first of -d, -D, -i, -p given runs and the command returns
    const opt = [...a.flags.keys()].find((c) => 'dDip'.includes(c));
    try {
      if (opt === 'i') return devIo(ctx);
      if (opt === 'p') return devPci(ctx);
      if (opt === 'd' || opt === 'D') return devDisk(ctx, opt === 'D');
      return devList(ctx);
    } catch (e) {
      if (e instanceof CrashError) return err(e.message);
      throw e;
    }
    function devList(c: CommandContext): CommandResult {
      const sym = (v: bigint | undefined) => {
        if (!v) return undefined;
        const hit = k.symbols.containing(v);
        if (!hit) return v.toString(16);
        return hit.offset ? `${hit.sym.name}+${c.settings.radix === 16 ? '0x' + hit.offset.toString(16) : hit.offset}` : hit.sym.name;
      };
      const r: DevResult = {
        kind: 'dev',
        chr: chrdevs(k).map((x) => ({ major: x.major, name: x.name, cdev: x.fops ? x.cdev : undefined, ops: sym(x.fops) })),
        blk: blkdevs(k).map((b) => ({ major: b.major, name: b.name, gendisk: b.fops ? b.gendisk : undefined, ops: sym(b.fops) })),
      };
      return r;
    }
  },
});

/** The text printed so far, then the error that stopped the walk (crash's FAULT_ON_ERROR). */
const withError = (r: CommandResult, error: string | undefined): CommandResult | CommandResult[] => (error ? [r, err(error)] : r);

function devIo(ctx: CommandContext): CommandResult | CommandResult[] {
  const trees = ioResources(ctx.kernel);
  const r: DevIoResult = { kind: 'dev-io', trees: trees.map(({ root, rootEnd, entries }) => ({ root, rootEnd, entries })) };
  return withError(r, trees.find((t) => t.error)?.error);
}

function devPci(ctx: CommandContext): CommandResult | CommandResult[] {
  const t = pciTree(ctx.kernel);
  const r: DevPciResult = { kind: 'dev-pci', roots: t.roots, hasType: t.hasType };
  return withError(r, t.error);
}

function devDisk(ctx: CommandContext, nonzero: boolean): CommandResult | CommandResult[] {
  const t = diskIoTable(ctx.kernel, nonzero);
  const r: DevDiskResult = { kind: 'dev-disk', syncCount: t.syncCount, hasDrv: t.hasDrv, disks: t.disks };
  return withError(r, t.error);
}
