import type { Kernel } from '../kernel.js';
import { listForEach } from './list.js';

/**
 * Memory blocks (drivers/base/memory.c): the devices on the "memory" bus, found as crash's
 * init_memory_block finds them — memory_subsys.p (subsys_private; since v6.3 "driver core:
 * remove private pointer from struct bus_type" the bus_kset entry named "memory") → its
 * klist_devices → device_private.knode_bus → device → container memory_block.
 */
export interface MemoryBlock {
  addr: bigint;
  name: string;
  startSection: bigint;
  /** memory_block.end_section_nr, when the kernel has it */
  endSection?: bigint;
  state: bigint;
  nid?: number;
}

function memorySubsysPrivate(k: Kernel): bigint | undefined {
  const p = k.memberByteOffset('struct bus_type', 'p');
  const subsys = k.symbol('memory_subsys');
  if (p !== undefined) return subsys ? k.readPtr(subsys.address + BigInt(p), 'memory_subsys.private') : undefined;
  // v6.3+: walk bus_kset's kobjects for the subsys_private whose subsys.kobj is "memory"
  const kset = k.symbol('bus_kset');
  const entry = k.memberByteOffset('struct kobject', 'entry');
  const name = k.memberByteOffset('struct kobject', 'name');
  const list = k.memberByteOffset('struct kset', 'list');
  const sub = k.memberByteOffset('struct subsys_private', 'subsys');
  const kobj = k.memberByteOffset('struct kset', 'kobj');
  if (!kset || entry === undefined || name === undefined || list === undefined || sub === undefined || kobj === undefined) return undefined;
  const head = k.readPtr(kset.address, 'bus_kset') + BigInt(list);
  for (const n of listForEach(k, head, 'kset list')) {
    const ko = n - BigInt(entry);
    if (k.readCString(k.readPtr(ko + BigInt(name), 'kobject name'), 64) === 'memory') return ko - BigInt(kobj) - BigInt(sub);
  }
  return undefined;
}

/** The memory blocks in klist order; undefined when the kernel has none (no memory_block type). */
export function memoryBlocks(k: Kernel): MemoryBlock[] | undefined {
  if (!k.btf || !k.hasType('struct memory_block') || !k.symbol('memory_subsys')) return undefined;
  const off = (s: string, m: string) => k.offsetOf(s, m);
  const priv = memorySubsysPrivate(k);
  if (!priv) return undefined;
  const head = priv + BigInt(off('struct subsys_private', 'klist_devices') + off('struct klist', 'k_list'));
  const link = BigInt(off('struct klist_node', 'n_node') + off('struct device_private', 'knode_bus'));
  const devOff = BigInt(off('struct device_private', 'device'));
  const dev = BigInt(off('struct memory_block', 'dev'));
  const kname = BigInt(off('struct device', 'kobj') + off('struct kobject', 'name'));
  const start = BigInt(off('struct memory_block', 'start_section_nr'));
  const state = BigInt(off('struct memory_block', 'state'));
  const end = k.memberByteOffset('struct memory_block', 'end_section_nr');
  const nid = k.memberByteOffset('struct memory_block', 'nid');
  const out: MemoryBlock[] = [];
  for (const n of listForEach(k, head, 'klist klist')) {
    const mb = k.readPtr(n - link + devOff, 'device_private device') - dev;
    let name = '';
    try {
      name = k.readCString(k.readPtr(mb + dev + kname, 'kobject name'), 64);
    } catch {
      /* crash prints an empty name */
    }
    out.push({
      addr: mb,
      name,
      startSection: k.readU64(mb + start, 'memory_block start_section_nr'),
      endSection: end === undefined ? undefined : k.readU64(mb + BigInt(end), 'memory_block end_section_nr'),
      state: k.readU64(mb + state, 'memory_block state'),
      nid: nid === undefined ? undefined : k.readS32(mb + BigInt(nid), 'memory_block nid'),
    });
  }
  return out;
}
