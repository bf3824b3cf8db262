import type { Kernel } from '../kernel.js';
import { OrcTable, orcVersionFromHeader, orcVersionFromLayout, ORC_ENTRY_SIZE, ORC_HEADER_SIZE, type OrcEntry, type OrcVersion } from '../../arch/unwind-orc.js';
import { loadedModules } from './module.js';
import { isKernelText } from './stack.js';

/**
 * The kernel image's ORC tables as they sit in memory (arch/x86/kernel/unwind_orc.c): the
 * `.orc_unwind_ip`/`.orc_unwind` sections between their linker symbols, and the `orc_lookup[]`
 * index unwind_init() builds over _stext.._etext. Undefined when the kernel has no ORC
 * (CONFIG_UNWINDER_FRAME_POINTER) or an `.orc_header` we do not recognise.
 */
export function kernelOrcTable(k: Kernel): OrcTable | undefined {
  return k.memo('orc-table', () => {
    const addr = (n: string) => k.symbol(n)?.address;
    const ipStart = addr('__start_orc_unwind_ip');
    const ipStop = addr('__stop_orc_unwind_ip');
    const uStart = addr('__start_orc_unwind');
    const uStop = addr('__stop_orc_unwind');
    if (ipStart === undefined || ipStop === undefined || uStart === undefined || ipStop <= ipStart) return undefined;
    const count = Number((ipStop - ipStart) / 4n);
    if (uStop !== undefined && Number((uStop - uStart) / BigInt(ORC_ENTRY_SIZE)) !== count) return undefined;
    const version = orcVersion(k);
    if (version === undefined) return undefined;
    const lookup = orcLookup(k);
    return new OrcTable({ ipTable: ipStart, entries: uStart, count, version, lookup, read: (a, n) => k.readBytes(a, n, 'orc table') });
  });
}

/**
 * Which entry format: the `.orc_header` hash when the kernel has one (v6.4, b9f174c811e3; also
 * 6.3.10), else the layout of the kernel's own `struct orc_entry` in BTF, else the original one.
 */
export function orcVersion(k: Kernel): OrcVersion | undefined {
  const hdr = k.symbol('__start_orc_header');
  if (hdr) {
    try {
      return orcVersionFromHeader(k.readBytes(hdr.address, ORC_HEADER_SIZE, 'orc header'));
    } catch {
      return undefined;
    }
  }
  if (k.hasType('struct orc_entry')) return orcVersionFromLayout(k.hasMember('struct orc_entry', 'end'), k.hasMember('struct orc_entry', 'signal'));
  return 1;
}

function orcLookup(k: Kernel) {
  const table = k.symbol('orc_lookup')?.address;
  const end = k.symbol('orc_lookup_end')?.address;
  const startIp = k.symbol('_stext')?.address;
  const stopIp = k.symbol('_etext')?.address;
  if (table === undefined || end === undefined || startIp === undefined || stopIp === undefined || end <= table) return undefined;
  let blocks = Number((end - table) / 4n);
  const n = k.symbol('lookup_num_blocks');
  if (n) {
    try {
      const v = k.readU32(n.address, 'lookup_num_blocks');
      if (v > 0 && v <= blocks) blocks = v;
    } catch {
      /* keep the extent */
    }
  }
  return { table, blocks, startIp, stopIp };
}

/**
 * The ORC entry for an address: the kernel image's tables for kernel text, a module's own tables
 * (mod->arch.orc_unwind_ip / orc_unwind / num_orcs, set by module_finalize(); orc_module_find()
 * in unwind_orc.c) for module text. Undefined where neither describes the address.
 */
export function orcEntryFor(k: Kernel, ip: bigint): OrcEntry | undefined {
  if (isKernelText(k, ip)) return kernelOrcTable(k)?.find(ip);
  return moduleOrcTable(k, ip)?.find(ip);
}

function moduleOrcTable(k: Kernel, ip: bigint): OrcTable | undefined {
  const m = loadedModules(k).find((x) => ip >= x.base && ip < x.base + x.size);
  if (!m) return undefined;
  return k.memo(`orc-module-${m.addr.toString(16)}`, () => {
    const off = (member: string) => k.memberByteOffset('struct module', member);
    const n = off('arch.num_orcs');
    const ips = off('arch.orc_unwind_ip');
    const entries = off('arch.orc_unwind');
    if (n === undefined || ips === undefined || entries === undefined) return undefined;
    try {
      const count = k.readU32(m.addr + BigInt(n), 'module num_orcs');
      const ipTable = k.readPtr(m.addr + BigInt(ips), 'module orc_unwind_ip');
      const table = k.readPtr(m.addr + BigInt(entries), 'module orc_unwind');
      const version = orcVersion(k);
      if (!count || !ipTable || !table || version === undefined || count > 1 << 20) return undefined;
      return new OrcTable({ ipTable, entries: table, count, version, read: (a, len) => k.readBytes(a, len, 'module orc table') });
    } catch {
      return undefined;
    }
  });
}
