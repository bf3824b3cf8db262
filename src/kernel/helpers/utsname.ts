import type { Kernel } from '../kernel.js';
import { cstring } from '../../util/bytes.js';

export interface UtsName {
  sysname: string;
  nodename: string;
  release: string;
  version: string;
  machine: string;
  domainname: string;
}

const FIELD = 65; // __NEW_UTS_LEN + 1 (include/uapi/linux/utsname.h)
const FIELDS = ['sysname', 'nodename', 'release', 'version', 'machine', 'domainname'] as const;

/** init_uts_ns.name (struct new_utsname): located through VMCOREINFO, laid out by the UAPI. */
export function initUtsname(k: Kernel): UtsName {
  return k.memo('utsname', () => {
    const ns = k.vmcoreinfo.symbol('init_uts_ns') ?? k.symbolAddress('init_uts_ns');
    const off = k.vmcoreinfo.offset('uts_namespace.name') ?? k.offsetOf('struct uts_namespace', 'name');
    const b = k.readBytes(ns + BigInt(off), FIELD * FIELDS.length, 'init_uts_ns');
    const u = {} as UtsName;
    FIELDS.forEach((f, i) => (u[f] = cstring(b, i * FIELD, FIELD)));
    return u;
  });
}
