import { cstring } from './bytes.js';

/** struct new_utsname (include/uapi/linux/utsname.h): six NUL-padded char[65] fields. */
export interface UtsName {
  sysname: string;
  nodename: string;
  release: string;
  version: string;
  machine: string;
  domainname: string;
}

export const UTS_FIELD_LEN = 65; // __NEW_UTS_LEN + 1
const FIELDS = ['sysname', 'nodename', 'release', 'version', 'machine', 'domainname'] as const;
export const NEW_UTSNAME_SIZE = UTS_FIELD_LEN * FIELDS.length;

/** Decode a struct new_utsname found at `off` in `b` (kernel memory or a kdump header). */
export function parseNewUtsname(b: Uint8Array, off = 0): UtsName {
  const u = {} as UtsName;
  FIELDS.forEach((f, i) => (u[f] = cstring(b, off + i * UTS_FIELD_LEN, UTS_FIELD_LEN)));
  return u;
}
