import { DebugInfoError } from '../util/errors.js';

/**
 * VMCOREINFO: KEY=VALUE lines. Value encodings vary by key (kernel vmcore_info.h):
 * SYMBOL()/KERNELOFFSET are hex without 0x; SIZE/OFFSET/LENGTH unsigned decimal; NUMBER() signed
 * decimal, except arch keys written as 0x-prefixed hex. `num()` accepts all of them.
 */
export class VmcoreInfo {
  private readonly map = new Map<string, string>();

  constructor(readonly text: string) {
    for (const line of text.split('\n')) {
      const eq = line.indexOf('=');
      if (eq <= 0) continue;
      this.map.set(line.slice(0, eq), line.slice(eq + 1).trim());
    }
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  str(key: string): string | undefined {
    return this.map.get(key);
  }

  keys(): string[] {
    return [...this.map.keys()];
  }

  /** Parse a value by its key's convention. Undefined when absent; DebugInfoError when garbled. */
  num(key: string): bigint | undefined {
    const v = this.map.get(key);
    if (v === undefined) return undefined;
    const hexKey = key.startsWith('SYMBOL(') || key === 'KERNELOFFSET';
    return parseVmcoreinfoNumber(v, hexKey, key);
  }

  symbol(name: string): bigint | undefined {
    return this.num(`SYMBOL(${name})`);
  }
  number(name: string): bigint | undefined {
    return this.num(`NUMBER(${name})`);
  }
  offset(member: string): number | undefined {
    const v = this.num(`OFFSET(${member})`);
    return v === undefined ? undefined : Number(v);
  }
  size(name: string): number | undefined {
    const v = this.num(`SIZE(${name})`);
    return v === undefined ? undefined : Number(v);
  }
  length(name: string): number | undefined {
    const v = this.num(`LENGTH(${name})`);
    return v === undefined ? undefined : Number(v);
  }
}

export function parseVmcoreinfoNumber(v: string, hexByDefault: boolean, key = '?'): bigint {
  const s = v.trim();
  let m: RegExpMatchArray | null;
  if ((m = s.match(/^(-?)0[xX]([0-9a-fA-F]+)$/))) {
    const n = BigInt('0x' + m[2]);
    return m[1] ? -n : n;
  }
  if (hexByDefault && /^[0-9a-fA-F]+$/.test(s)) return BigInt('0x' + s);
  if (/^-?[0-9]+$/.test(s)) return BigInt(s);
  throw new DebugInfoError(`VMCOREINFO: cannot parse ${key}=${v}`);
}
