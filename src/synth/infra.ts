import type { CType } from '../debuginfo/btf/types.js';
import { findMember, sizeofType } from '../debuginfo/btf/types.js';
import { CrashError } from '../util/errors.js';
import type { Scenario } from './scenario.js';
import type { SynthMemory } from './synth-memory.js';
import type { SymbolSink } from './symbols.js';
import { encodeObject } from './values.js';

/** What the infrastructure writers share while a scenario is built. */
export interface BuildContext {
  s: Scenario;
  mem: SynthMemory;
  syms: SymbolSink;
  type(name: string): CType;
  hasType(name: string): boolean;
  offsetOf(type: string, member: string): number;
  offsetOfOptional(type: string, member: string): number | undefined;
  /** VMCOREINFO lines the kernel would publish. */
  vmcoreinfo: string[];
  /** BTF VARs for per-cpu variables (name, type, section offset). */
  percpuVars: { name: string; type: CType; offset: number }[];
}

export function typeHelpers(types: Map<string, CType>, scenario: string) {
  const type = (name: string): CType => {
    const t = types.get(name);
    if (!t) throw new CrashError(`scenario ${scenario}: type ${name} is not declared`);
    return t;
  };
  return {
    type,
    hasType: (name: string) => types.has(name),
    offsetOfOptional(t: string, member: string): number | undefined {
      const ty = types.get(t);
      const m = ty && findMember(ty, member);
      return m ? m.bitOffset / 8 : undefined;
    },
    offsetOf(t: string, member: string): number {
      const m = findMember(type(t), member);
      if (!m) throw new CrashError(`scenario ${scenario}: ${t} has no member ${member}`);
      return m.bitOffset / 8;
    },
  };
}

/** Write an object of a declared type at `va`, from scenario values. */
export function writeObject(c: BuildContext, va: bigint, typeName: string, values: Record<string, unknown>): void {
  const t = c.type(typeName);
  const buf = c.mem.read(va, sizeofType(t));
  c.mem.write(va, encodeObject(t, values, buf));
}

/** Allocate and write a global variable in kernel data, and name it. */
export function defineGlobal(c: BuildContext, name: string, typeName: string, values: Record<string, unknown> = {}, symType = 'D'): bigint {
  const t = c.type(typeName);
  const size = sizeofType(t);
  const va = c.syms.get(name)?.address ?? c.mem.allocData(size, Math.min(64, Math.max(8, size >= 64 ? 64 : 8)));
  c.mem.write(va, encodeObject(t, values, new Uint8Array(size)));
  c.syms.add(name, va, symType);
  return va;
}

/** Bytes of a NUL-terminated string in kernel data, named. */
export function defineString(c: BuildContext, name: string, text: string, symType = 'D'): bigint {
  const bytes = Buffer.from(text + '\0', 'latin1');
  const va = c.syms.get(name)?.address ?? c.mem.allocData(bytes.length, 32);
  c.mem.write(va, bytes);
  c.syms.add(name, va, symType);
  return va;
}
