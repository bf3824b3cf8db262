/** Results of `dev -i`, `dev -p` and `dev -d`/`-D`; rendered by format/devices.ts. */
import type { ResourceTree } from '../kernel/helpers/resource.js';
import type { PciBus } from '../kernel/helpers/pci.js';
import type { DiskIo } from '../kernel/helpers/blockdev.js';

/** `dev -i`: the ioport_resource tree, then the iomem_resource tree (entries in walk order). */
export interface DevIoResult {
  kind: 'dev-io';
  trees: Omit<ResourceTree, 'error'>[];
}

/** `dev -p`: the PCI root buses with their devices and child buses. */
export interface DevPciResult {
  kind: 'dev-pci';
  roots: PciBus[];
  hasType: boolean;
}

/** `dev -d` / `dev -D`: one line per disk with its in-flight requests. */
export interface DevDiskResult {
  kind: 'dev-disk';
  syncCount: boolean;
  hasDrv: boolean;
  disks: DiskIo[];
}

export type DevCommandResult = DevIoResult | DevPciResult | DevDiskResult;
