/**
 * A real 5-level-paging (LA57) x86_64 vmcore, captured with QEMU by scripts/capture-5level.sh
 * (same Debian 6.1 kernel as the reference dump, new KASLR layout each capture). The test
 * generates it when CRASH_TUI_CAPTURE=1 and QEMU is installed; otherwise it skips with the reason.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { CACHE_DIR } from '../support/refdump.js';
import { runCli } from '../support/run-cli.js';
import { openKernel } from '../../src/kernel/open.js';

const DIR = join(CACHE_DIR, 'x86_64-5level');
const DUMP = join(DIR, 'vmcore.elf');

function ensureDump(): string | undefined {
  if (existsSync(DUMP)) return undefined;
  if (process.env.CRASH_TUI_CAPTURE !== '1') return `${DUMP} absent (run scripts/capture-5level.sh, or set CRASH_TUI_CAPTURE=1)`;
  try {
    execFileSync('bash', [resolve('scripts/capture-5level.sh')], { stdio: 'inherit', timeout: 15 * 60_000 });
  } catch (e) {
    return `capture failed: ${(e as Error).message.split('\n')[0]}`;
  }
  return existsSync(DUMP) ? undefined : 'capture produced no dump';
}

const skip = ensureDump();
if (skip) console.log(`5-level paging tests skipped: ${skip}`);

describe.skipIf(!!skip)('5-level paging vmcore (QEMU -cpu max)', () => {
  const vmcoreinfo = () => readFileSync(join(DIR, 'vmcoreinfo.txt'), 'utf8');
  const vi = (key: string) => new RegExp(`^${key.replace(/[()]/g, '\\$&')}=(.*)$`, 'm').exec(vmcoreinfo())?.[1];

  it('is really a 5-level dump, and translation walks five levels', () => {
    expect(vi('NUMBER(pgtable_l5_enabled)')).toBe('1');
    const k = openKernel(DUMP);
    const pob = k.readU64(k.symbolAddress('page_offset_base'));
    expect(pob >= 0xff00000000000000n).toBe(true); // the LA57 direct map lives in the top 1/512
    expect(k.arch.layout.pageOffset).toBe(pob);
    const w = k.arch.walk(pob + 0x1234000n);
    expect(w.steps.map((s) => s.level).slice(0, 2)).toEqual(['PGD', 'P4D']);
    expect(w.paddr).toBe(0x1234000n);
    // vmalloc'd memory only translates through the tables: the per-cpu area of cpu 1
    const pcpu1 = k.readU64(k.symbolAddress('__per_cpu_offset') + 8n);
    expect(k.mem.kvtop(pcpu1)).toBe(k.arch.walk(pcpu1).paddr);
    k.dump.close();
  });

  it('kallsyms agree with System.map plus KERNELOFFSET', () => {
    const k = openKernel(DUMP);
    const off = BigInt('0x' + vi('KERNELOFFSET'));
    const map = new Map(
      readFileSync(join(DIR, 'System.map'), 'latin1')
        .split('\n')
        .map((l) => l.split(' '))
        .filter((f) => f.length === 3)
        .map((f) => [f[2], BigInt('0x' + f[0])] as const),
    );
    for (const name of ['linux_banner', 'init_task', 'page_offset_base', 'panic', 'sysrq_handle_crash', '__start_BTF']) {
      expect(k.symbolAddress(name), name).toBe(map.get(name)! + off);
    }
    k.dump.close();
  });

  it('answers sys, rd, struct and per-cpu p through the CLI', () => {
    const { stdout } = runCli(['-s', DUMP], 'sys\nrd -a linux_banner\n\nstruct task_struct.comm init_task\np __preempt_count\n');
    expect(stdout).toMatch(new RegExp(`^     RELEASE: ${vi('OSRELEASE')}$`, 'm'));
    expect(stdout).toMatch(/^        CPUS: 2$/m);
    expect(stdout).toMatch(/^       PANIC: "Kernel panic - not syncing: sysrq triggered crash"$/m);
    expect(stdout).toMatch(/^ffffffff[0-9a-f]{8}:  Linux version 6\.1\.0/m);
    expect(stdout).toContain('  comm = "swapper/0\\000\\000\\000\\000\\000\\000",');
    expect(stdout).toMatch(/^  \[1\]: ff[0-9a-f]{14}$/m);
  });
});
