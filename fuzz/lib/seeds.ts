/**
 * Where seeds come from: the reference dump's real bytes (../shared/refdumps, located by
 * test/support/refdump.ts; absent on some machines, then targets fall back to synthetic seeds and
 * say so) and the scenario exports in dumps/ (built in memory by the scenario builder).
 */
import { closeSync, existsSync, mkdirSync, openSync, readSync, renameSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openKernel, kernelFromDump } from '../../src/kernel/open.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { buildScenarioDump } from '../../src/synth/build.js';
import { concatBytes as concat } from '../../src/util/bytes.js';

/** The repository root, from this file (fuzz/lib/ in the sources, fuzz/.build/fuzz/lib/ compiled). */
export const ROOT = (() => {
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, 'package.json')) || !existsSync(join(d, 'dumps'))) {
    const up = resolve(d, '..');
    if (up === d) throw new Error('fuzz: cannot find the repository root');
    d = up;
  }
  return d;
})();

export const SCENARIOS = ['kprobe-nmi-fpu', 'lsm-ro-write', 'usercopy-kmalloc512', 'page-table-check-arm64', 'pagecache-corruption-arm64'];

export interface RefDump {
  dir: string;
  /** the decompressed ELF vmcore */
  elf: string;
  kdump: string;
}

/**
 * The reference dump, as test/support/refdump.ts finds it (../shared beside the repository, the
 * ELF decompressed once into CRASH_TUI_CACHE or ~/.cache/crash-tui), from wherever this runs.
 */
function locateRefdump(): RefDump | string {
  const dir = join(ROOT, '..', 'shared', 'refdumps', 'x86_64-debian12-sysrq');
  const zst = join(dir, 'vmcore.elf.zst');
  if (!existsSync(zst)) return `reference dump not found at ${zst}`;
  const cache = process.env.CRASH_TUI_CACHE ?? join(homedir(), '.cache/crash-tui');
  const elf = join(cache, 'x86_64-debian12-sysrq.vmcore.elf');
  if (!existsSync(elf) || statSync(elf).size !== 553784615) {
    mkdirSync(cache, { recursive: true });
    const tmp = `${elf}.tmp${process.pid}`;
    try {
      execFileSync('zstd', ['-q', '-d', '-f', '--long=27', '-o', tmp, zst], { stdio: 'pipe' });
    } catch (e) {
      return `cannot decompress ${zst}: ${(e as Error).message.split('\n')[0]}`;
    }
    renameSync(tmp, elf);
  }
  return { dir, elf, kdump: join(dir, 'vmcore.kdump-zlib') };
}

let ref: { dump: RefDump; kernel: Kernel } | string | undefined;

/** The reference dump and a kernel over it, or why not. */
export function refKernel(): { dump: RefDump; kernel: Kernel } | string {
  if (ref !== undefined) return ref;
  if (process.env.FUZZ_NO_REFDUMP === '1') return (ref = 'FUZZ_NO_REFDUMP=1');
  const d = locateRefdump();
  if (typeof d === 'string') return (ref = d);
  try {
    ref = { dump: d, kernel: openKernel(d.elf) };
  } catch (e) {
    ref = `cannot open ${d.elf}: ${(e as Error).message}`;
  }
  return ref;
}

const scenarioKernels = new Map<string, Kernel>();

/** A kernel over a scenario of dumps/ (built in memory). */
export function scenarioKernel(name: string): Kernel {
  let k = scenarioKernels.get(name);
  if (!k) {
    k = kernelFromDump(buildScenarioDump(join(ROOT, 'dumps', name)));
    scenarioKernels.set(name, k);
  }
  return k;
}

/** `len` bytes of a file from `off` (fewer at its end). */
export function readFilePart(path: string, off: number, len: number): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const b = new Uint8Array(len);
    const n = readSync(fd, b, 0, len, off);
    return b.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** A note for targets whose real-dump seeds are missing. */
export function refNote(): string | undefined {
  const r = refKernel();
  return typeof r === 'string' ? `reference dump unavailable (${r}): synthetic seeds only` : undefined;
}

export const enc = new TextEncoder();
export const dec = new TextDecoder('latin1');

export function u64le(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  return b;
}

export { concat };
