import type { Kernel } from '../kernel.js';
import { OrcTable, orcVersionFromHeader, orcVersionFromLayout, ORC_ENTRY_SIZE, ORC_HEADER_SIZE, type OrcVersion } from '../../arch/unwind-orc.js';

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
