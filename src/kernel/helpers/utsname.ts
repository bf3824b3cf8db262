import type { Kernel } from '../kernel.js';
import { NEW_UTSNAME_SIZE, parseNewUtsname, type UtsName } from '../../util/utsname.js';

export type { UtsName };

/** init_uts_ns.name (struct new_utsname): located through VMCOREINFO, laid out by the UAPI. */
export function initUtsname(k: Kernel): UtsName {
  return k.memo('utsname', () => {
    const ns = k.vmcoreinfo.symbol('init_uts_ns') ?? k.symbolAddress('init_uts_ns');
    const off = k.vmcoreinfo.offset('uts_namespace.name') ?? k.offsetOf('struct uts_namespace', 'name');
    return parseNewUtsname(k.readBytes(ns + BigInt(off), NEW_UTSNAME_SIZE, 'init_uts_ns'));
  });
}
