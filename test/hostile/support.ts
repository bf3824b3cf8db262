/**
 * Hostile dumps for the session tests: a scenario dump built once, then damaged by an overlay
 * (PatchedDump) that changes chosen bytes of its physical memory — or its VMCOREINFO — without
 * touching the original, so every case starts from the intact kernel. `open()` brings a session up
 * the way the command line does (a refusal is the CrashError text it would print); `run()` runs a
 * line and fails the test on an internal error (an exception that escaped a command).
 * `refDamaged()` does the same on the real reference dump, for walkers a scenario lacks data for.
 */
import { expect } from 'vitest';
import { join } from 'node:path';
import type { DumpFile, ElfNote, PhysRange } from '../../src/dump/types.js';
import { buildScenarioDump } from '../../src/synth/build.js';
import type { SynthDump } from '../../src/synth/elf-writer.js';
import { kernelFromDump, openKernel } from '../../src/kernel/open.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { Session } from '../../src/session/session.js';
import { CrashError } from '../../src/util/errors.js';
import { openDumpFile } from '../../src/dump/open.js';
import { refdump } from '../support/refdump.js';

export const DUMPS = join(import.meta.dirname, '../../dumps');

const built = new Map<string, SynthDump>();
/** The scenario's dump (built once per test file) and a kernel over the intact dump. */
export function scenario(name: string): { dump: SynthDump; k: Kernel } {
  let d = built.get(name);
  if (!d) built.set(name, (d = buildScenarioDump(join(DUMPS, name)) as SynthDump));
  return { dump: d, k: kernelFromDump(d) };
}

/** A DumpFile whose physical memory (and VMCOREINFO) differ from the one beneath where patched. */
export class PatchedDump implements DumpFile {
  readonly format: string;
  readonly path: string;
  readonly machine: DumpFile['machine'];
  readonly notes: readonly ElfNote[];
  readonly ranges: readonly PhysRange[];
  readonly warnings: readonly string[];
  vmcoreinfo: string | undefined;
  private readonly patches: { at: bigint; bytes: Uint8Array }[] = [];

  constructor(private readonly base: DumpFile) {
    this.format = base.format;
    this.path = base.path;
    this.machine = base.machine;
    this.notes = base.notes;
    this.ranges = base.ranges;
    this.warnings = base.warnings;
    this.vmcoreinfo = base.vmcoreinfo;
  }

  writePhys(at: bigint, bytes: Uint8Array): this {
    this.patches.push({ at, bytes });
    return this;
  }

  writeU64(at: bigint, v: bigint): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
    return this.writePhys(at, b);
  }

  readPhys(addr: bigint, len: number): Uint8Array {
    const out = this.base.readPhys(addr, len);
    const end = addr + BigInt(len);
    for (const p of this.patches) {
      const pEnd = p.at + BigInt(p.bytes.length);
      if (pEnd <= addr || p.at >= end) continue;
      const from = p.at > addr ? p.at : addr;
      const to = pEnd < end ? pEnd : end;
      out.set(p.bytes.subarray(Number(from - p.at), Number(to - p.at)), Number(from - addr));
    }
    return out;
  }

  close(): void {
    /* the base stays open for the next case */
  }
}

/** Kernel-virtual writes through the intact kernel's page tables. */
export class Damage {
  readonly dump: PatchedDump;
  constructor(readonly k: Kernel, base: DumpFile) {
    this.dump = new PatchedDump(base);
  }
  pa(va: bigint): bigint {
    return this.k.mem.kvtop(va);
  }
  u64(va: bigint, v: bigint): this {
    this.dump.writeU64(this.pa(va), v);
    return this;
  }
  bytes(va: bigint, b: Uint8Array): this {
    this.dump.writePhys(this.pa(va), b);
    return this;
  }
  sym(name: string): bigint {
    return this.k.symbolAddress(name);
  }
  off(struct: string, member: string): bigint {
    return BigInt(this.k.offsetOf(struct, member));
  }
}

/** Damage a scenario's dump, then open a session on it. */
export function damaged(name: string, f: (d: Damage) => void): Opened {
  const { dump, k } = scenario(name);
  const d = new Damage(k, dump);
  f(d);
  return openDump(d.dump);
}

let refBase: { dump: DumpFile; k: Kernel } | string | undefined;
/**
 * The reference dump (a real Debian 6.1 vmcore) and a kernel over it, opened once per test file;
 * a string says why it is unavailable (tests skip, printing it).
 */
export function reference(): { dump: DumpFile; k: Kernel } | string {
  if (refBase !== undefined) return refBase;
  const ref = refdump();
  if (typeof ref === 'string') return (refBase = ref);
  const dump = openDumpFile(ref.elf);
  return (refBase = { dump, k: kernelFromDump(dump) });
}

/** Damage the reference dump's memory, then open a session on it (the reference must be present). */
export function refDamaged(f: (d: Damage) => void): Opened {
  const r = reference();
  if (typeof r === 'string') throw new Error(r);
  const d = new Damage(r.k, r.dump);
  f(d);
  return openDump(d.dump);
}

export type Opened = { session: Session; refused?: undefined; warnings: string[] } | { session?: undefined; refused: string; warnings?: undefined };

/** Bring a session up as the command line does: a CrashError at open is its refusal message. */
export function openDump(dump: DumpFile | string): Opened {
  try {
    const kernel = typeof dump === 'string' ? openKernel(dump) : kernelFromDump(dump);
    return { session: new Session(kernel, { dumpPath: kernel.dump.path, silent: true }), warnings: [...kernel.dump.warnings] };
  } catch (e) {
    if (e instanceof CrashError) return { refused: e.message };
    throw e;
  }
}

/** Run one line; an exception that escaped the command ("internal error") fails the test. */
export function run(s: Session, line: string): string {
  const text = s.runLine(line).text;
  expect(text, `${line}: an exception escaped the command`).not.toMatch(/internal error/);
  return text;
}

/** The prompt returns: a plain command after the hostile one still answers. */
export function promptReturns(s: Session, probe = 'sym jiffies'): void {
  expect(run(s, probe)).toMatch(/^[0-9a-f]{16} \(\w\) jiffies\n$/);
}

const BTF_KIND_EXTRA: Record<number, (vlen: number) => number> = {
  1: () => 4, 3: () => 12, 4: (v) => 12 * v, 5: (v) => 12 * v, 6: (v) => 8 * v, 13: (v) => 8 * v,
  14: () => 4, 15: (v) => 12 * v, 17: () => 4, 19: (v) => 12 * v,
};

export interface BtfTypeRecord {
  id: number;
  kind: number;
  name: string;
  /** kernel-virtual address of the record (name_off, info, size/type, then its members) */
  at: bigint;
  vlen: number;
}

/** The BTF type records of the dump's .BTF (between __start_BTF and __stop_BTF), for damaging. */
export function btfRecords(k: Kernel): BtfTypeRecord[] {
  const start = k.symbolAddress('__start_BTF');
  const hdr = new DataView(k.readBytes(start, 24).buffer);
  const hdrLen = hdr.getUint32(4, true);
  const typeOff = hdr.getUint32(8, true);
  const typeLen = hdr.getUint32(12, true);
  const strOff = hdr.getUint32(16, true);
  const strLen = hdr.getUint32(20, true);
  const types = k.readBytes(start + BigInt(hdrLen + typeOff), typeLen);
  const strs = k.readBytes(start + BigInt(hdrLen + strOff), strLen);
  const dv = new DataView(types.buffer, types.byteOffset, types.byteLength);
  const out: BtfTypeRecord[] = [];
  for (let o = 0, id = 1; o + 12 <= typeLen; id++) {
    const nameOff = dv.getUint32(o, true);
    const info = dv.getUint32(o + 4, true);
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    const z = strs.indexOf(0, nameOff);
    out.push({ id, kind, vlen, name: Buffer.from(strs.subarray(nameOff, z)).toString('latin1'), at: start + BigInt(hdrLen + typeOff + o) });
    o += 12 + (BTF_KIND_EXTRA[kind]?.(vlen) ?? 0);
  }
  return out;
}
