import type { Kernel } from '../kernel.js';
import { listForEach } from './list.js';
import { CrashError } from '../../util/errors.js';
import { rethrowInterrupt } from '../../util/interrupt.js';

/**
 * PCI buses and devices as drivers/pci/probe.c links them: the pci_root_buses list of root
 * pci_bus (pci_bus.node), each bus's devices (pci_dev.bus_list on pci_bus.devices) and child
 * buses (pci_bus.node on pci_bus.children), read as crash's do_pci2() / walk_buses() do.
 */

// include/uapi/linux/pci_regs.h
const PCI_EXP_FLAGS_TYPE = 0x00f0;
const PCI_HEADER_TYPE_BRIDGE = 1;
const PCI_HEADER_TYPE_CARDBUS = 2;
const PCIE_TYPES: Record<number, string> = {
  0x0: 'ENDPOINT',
  0x1: 'LEG_END',
  0x4: 'ROOT_PORT',
  0x5: 'UPSTREAM',
  0x6: 'DOWNSTREAM',
  0x7: 'PCI_BRIDGE',
  0x8: 'PCIE_BRIDGE',
  0x9: 'RC_END',
  0xa: 'RC_EC',
};
/** PCI allows 256 buses per domain; deeper nesting than that is corruption. */
const BUS_DEPTH_LIMIT = 256;
const NAME_MAX = 1499;

export interface PciDevice {
  addr: bigint;
  /** the device's kobject name, DO:BU:SL.FN */
  name: string;
  /** pci_dev.class >> 8, as %04x */
  cls: string;
  /** vendor:device, as %x:%x */
  id: string;
  /** PCIe port type (and " [BRIDGE]"), only when pci_dev has pcie_flags_reg */
  type?: string;
}

export interface PciBus {
  addr: bigint;
  parent: bigint;
  name: string;
  /** the bridge device that leads to this bus (pci_bus.self), none for a root bus */
  self?: PciDevice;
  devices: PciDevice[];
  children: PciBus[];
  /** the device list was read to its end (crash then prints a blank line after a child bus's devices) */
  devicesDone?: boolean;
  /** the devices and all child buses were read (crash then prints a blank line after a root bus) */
  done?: boolean;
}

export interface PciTree {
  roots: PciBus[];
  /** pci_dev has pcie_flags_reg (v3.4+): crash adds the TYPE column */
  hasType: boolean;
  /** the walk stopped here; what was read before it is good */
  error?: string;
}

const off = (k: Kernel, s: string, m: string) => BigInt(k.offsetOf(s, m));

function kobjName(k: Kernel, dev: bigint, what: string): string {
  const p = k.readPtr(dev + off(k, 'struct device', 'kobj') + off(k, 'struct kobject', 'name'), 'kobject name');
  if (!p) return '';
  try {
    return k.readCString(p, NAME_MAX, what);
  } catch (e) {
    rethrowInterrupt(e);
    return '';
  }
}

function pciDevice(k: Kernel, d: bigint, hasType: boolean): PciDevice {
  const D = 'struct pci_dev';
  const name = kobjName(k, d + off(k, D, 'dev'), 'pci dev name');
  const cls = (k.readU32(d + off(k, D, 'class'), 'pci class') >>> 8).toString(16).padStart(4, '0');
  const device = k.readU16(d + off(k, D, 'device'), 'pci dev device');
  const vendor = k.readU16(d + off(k, D, 'vendor'), 'pci dev vendor');
  const dev: PciDevice = { addr: d, name, cls, id: `${vendor.toString(16)}:${device.toString(16)}` };
  if (hasType) {
    // fill_pcie_type(): the port type from the PCIe capability flags, then the header type
    const hdr = k.readU8(d + off(k, D, 'hdr_type'), 'pci dev hdr_type');
    const flags = k.readU16(d + off(k, D, 'pcie_flags_reg'), 'pci dev pcie_flags_reg');
    let t = PCIE_TYPES[(flags & PCI_EXP_FLAGS_TYPE) >> 4] ?? '';
    if (hdr === PCI_HEADER_TYPE_BRIDGE || hdr === PCI_HEADER_TYPE_CARDBUS) t += ' [BRIDGE]';
    dev.type = t;
  }
  return dev;
}

/** `dev -p` on kernels with pci_root_buses (v2.6.0+); throws crash's messages when it cannot start. */
export function pciTree(k: Kernel): PciTree {
  const sym = k.symbol('pci_root_buses');
  if (!sym || !k.hasType('struct pci_bus')) throw new CrashError('-p option not supported or applicable on this architecture or kernel');
  const first = k.readPtr(sym.address, 'pci_root_buses');
  if (first === sym.address) throw new CrashError('no PCI devices found on this system.');
  const B = 'struct pci_bus';
  const hasType = k.hasMember('struct pci_dev', 'pcie_flags_reg');
  const tree: PciTree = { roots: [], hasType };
  const seen = new Set<bigint>();
  const nodeOff = off(k, B, 'node');
  const busOff = off(k, 'struct pci_dev', 'bus_list');

  const fillBus = (bus: PciBus, depth: number) => {
    if (depth > BUS_DEPTH_LIMIT) throw new CrashError(`pci bus ${bus.addr.toString(16)}: buses nested more than ${BUS_DEPTH_LIMIT} deep`);
    const self = k.readPtr(bus.addr + off(k, B, 'self'), 'pci bus self');
    if (self) bus.self = pciDevice(k, self, hasType);
    for (const n of listForEach(k, bus.addr + off(k, B, 'devices'), 'pci bus devices')) bus.devices.push(pciDevice(k, n - busOff, hasType));
    bus.devicesDone = true;
    for (const n of listForEach(k, bus.addr + off(k, B, 'children'), 'pci bus children')) {
      const child = newBus(n - nodeOff, false);
      bus.children.push(child);
      fillBus(child, depth + 1);
    }
    bus.done = true;
  };
  const newBus = (addr: bigint, root: boolean): PciBus => {
    if (seen.has(addr)) throw new CrashError(`duplicate pci_bus entry: ${addr.toString(16)}`);
    seen.add(addr);
    const parent = k.readPtr(addr + off(k, B, 'parent'), 'pci bus parent');
    const name = root ? kobjName(k, addr + off(k, B, 'dev'), 'pci bus name') : '';
    return { addr, parent, name, devices: [], children: [] };
  };

  try {
    for (const n of listForEach(k, sym.address, 'pci_root_buses')) {
      const root = newBus(n - nodeOff, true);
      tree.roots.push(root);
      fillBus(root, 0);
    }
  } catch (e) {
    rethrowInterrupt(e);
    if (!(e instanceof CrashError)) throw e;
    tree.error = e.message;
  }
  return tree;
}
