/**
 * Access to the real reference dumps in ../shared/refdumps. The 553 MB ELF is decompressed once
 * into a cache folder outside the repository (CRASH_TUI_CACHE, default ~/.cache/crash-tui).
 * Tests that need it call `refdumpOrSkip()` and skip, with a printed reason, when it is absent.
 */
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const SHARED = resolve(HERE, '../../../shared');
export const REFDUMP_DIR = join(SHARED, 'refdumps/x86_64-debian12-sysrq');
export const CACHE_DIR = process.env.CRASH_TUI_CACHE ?? join(homedir(), '.cache/crash-tui');

export interface RefDump {
  dir: string;
  elf: string;
  kdump: string;
  systemMap: string;
  goldenDir: string;
}

let cached: RefDump | string | undefined;

/** The reference dump, decompressing the ELF if needed; a string says why it is unavailable. */
export function refdump(): RefDump | string {
  if (cached !== undefined) return cached;
  cached = locate();
  return cached;
}

function locate(): RefDump | string {
  const zst = join(REFDUMP_DIR, 'vmcore.elf.zst');
  if (!existsSync(zst)) return `reference dump not found at ${zst} (../shared absent)`;
  const elf = join(CACHE_DIR, 'x86_64-debian12-sysrq.vmcore.elf');
  if (!existsSync(elf) || statSync(elf).size !== 553784615) {
    mkdirSync(CACHE_DIR, { recursive: true });
    const tmp = `${elf}.tmp${process.pid}`;
    try {
      execFileSync('zstd', ['-q', '-d', '-f', '--long=27', '-o', tmp, zst], { stdio: 'pipe' });
    } catch (e) {
      return `cannot decompress ${zst}: ${(e as Error).message.split('\n')[0]} (install Debian's zstd)`;
    }
    renameSync(tmp, elf);
  }
  return {
    dir: REFDUMP_DIR,
    elf,
    kdump: join(REFDUMP_DIR, 'vmcore.kdump-zlib'),
    systemMap: join(REFDUMP_DIR, 'System.map'),
    goldenDir: join(REFDUMP_DIR, 'crash-8.0.2'),
  };
}
