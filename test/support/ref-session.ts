/**
 * One crash-tui session over the real reference dump, opened in-process (openKernel + Session),
 * plus the facts tests need to compute expectations on their own: System.map (link-time addresses
 * moved by the dump's KERNELOFFSET) and raw little-endian reads.
 */
import { readFileSync } from 'node:fs';
import { openKernel } from '../../src/kernel/open.js';
import { Session } from '../../src/session/session.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { refdump, type RefDump } from './refdump.js';

export interface MapSym {
  name: string;
  type: string;
  /** run-time address: link-time address + KERNELOFFSET (per-cpu and absolute symbols stay put) */
  addr: bigint;
}

export interface RefSession {
  ref: RefDump;
  kernel: Kernel;
  session: Session;
  /** Run one line in the shared session; the text the batch CLI would print. */
  run(line: string): string;
  /** A new session over the same kernel (fresh radix, aliases and $N). */
  fresh(): Session;
  kernelOffset: bigint;
  /** System.map, in file order (sorted by address). */
  map: MapSym[];
  /** Exactly one System.map symbol of that name (throws otherwise). */
  mapAddr(name: string): bigint;
  u64(addr: bigint): bigint;
  u32(addr: bigint): number;
  /** The per-cpu copy of a per-cpu symbol: symbol value + __per_cpu_offset[cpu]. */
  perCpu(name: string, cpu: number): bigint;
}

let cached: RefSession | string | undefined;

export function refSession(): RefSession | string {
  cached ??= open();
  return cached;
}

function open(): RefSession | string {
  const ref = refdump();
  if (typeof ref === 'string') return ref;
  const kernel = openKernel(ref.elf);
  const vmcoreinfo = kernel.dump.vmcoreinfo ?? '';
  const m = /^KERNELOFFSET=([0-9a-f]+)$/m.exec(vmcoreinfo);
  const kernelOffset = m ? BigInt('0x' + m[1]) : 0n;
  const map: MapSym[] = readFileSync(ref.systemMap, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [a, type, name] = l.split(' ');
      const link = BigInt('0x' + a);
      return { name, type, addr: link >= 0xffffffff80000000n ? link + kernelOffset : link };
    });
  const byName = new Map<string, MapSym[]>();
  for (const s of map) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  const fresh = () => new Session(kernel, { dumpPath: ref.elf, silent: true });
  const session = fresh();
  const u64 = (addr: bigint): bigint => new DataView(kernel.readBytes(addr, 8, 'test').slice().buffer).getBigUint64(0, true);
  const mapAddr = (name: string): bigint => {
    const hits = byName.get(name) ?? [];
    if (hits.length !== 1) throw new Error(`System.map has ${hits.length} symbols named ${name}`);
    return hits[0].addr;
  };
  return {
    ref,
    kernel,
    session,
    run: (line) => session.runLine(line).text,
    fresh,
    kernelOffset,
    map,
    mapAddr,
    u64,
    u32: (addr) => new DataView(kernel.readBytes(addr, 4, 'test').slice().buffer).getUint32(0, true),
    perCpu: (name, cpu) => mapAddr(name) + u64(mapAddr('__per_cpu_offset') + BigInt(8 * cpu)),
  };
}

/** `describe.skipIf` helper: the reason the reference dump is unavailable (printed once), or undefined. */
export function skipReason(what: string): string | undefined {
  const r = refSession();
  if (typeof r === 'string') {
    console.log(`${what} skipped: ${r}`);
    return r;
  }
  return undefined;
}

/** The session, for use inside tests that only run when skipReason() was undefined. */
export function rs(): RefSession {
  const r = refSession();
  if (typeof r === 'string') throw new Error(r);
  return r;
}

export const hex = (v: bigint): string => v.toString(16);

/** gdb's rendering of a char array: the bytes up to the last NUL, NULs as \000. */
export function gdbCharArray(bytes: Uint8Array): string {
  let end = bytes.length;
  if (bytes[end - 1] === 0) end--;
  let s = '';
  for (const b of bytes.subarray(0, end)) s += b === 0 ? '\\000' : String.fromCharCode(b);
  return `"${s}"`;
}

/**
 * gdb's pointer value: `0x...`, plus `<sym+off>` when it points into the kernel image (the nearest
 * System.map symbol at or below it; decimal offset, bare name at offset 0).
 */
export function gdbPointer(r: RefSession, v: bigint): string {
  if (v < 0xffffffff80000000n) return `0x${hex(v)}`;
  let best: MapSym | undefined;
  for (const m of r.map) if (m.addr <= v && m.addr >= 0xffffffff80000000n && (!best || m.addr > best.addr)) best = m;
  if (!best) return `0x${hex(v)}`;
  return `0x${hex(v)} <${best.name}${v === best.addr ? '' : `+${v - best.addr}`}>`;
}
