import { defineCommand, type CommandContext } from './types.js';
import type { SysResult } from './result.js';
import { initUtsname } from '../kernel/helpers/utsname.js';
import { cpuState, allTasks } from '../kernel/helpers/sched.js';
import { xtimeSec, kernelHz, jiffies64, sinceBoot, formatUptime, loadAverage } from '../kernel/helpers/time.js';
import { memorySizeText } from '../kernel/helpers/mm.js';
import { panicMessage } from '../kernel/helpers/panic.js';
import { formatCtime } from '../util/time.js';

export const sys = defineCommand({
  name: 'sys',
  summary: 'system data',
  synopsis: '[-c [name|number]] [-t] [-i] config',
  description: [
    'This command displays system-specific data.  If no arguments are entered, the same system data',
    'shown during crash invocation is shown.',
  ],
  options: {},
  run: (ctx) => sysInfo(ctx),
});

/** The block crash prints at startup and for `sys`; each field computed from the dump. */
export function sysInfo(ctx: CommandContext): SysResult {
  const k = ctx.kernel;
  const fields: [string, string][] = [];
  const tryField = (label: string, f: () => string) => {
    try {
      fields.push([label, f()]);
    } catch (e) {
      fields.push([label, `(unknown: ${(e as Error).message})`]);
    }
  };
  tryField('KERNEL', () => ctx.vmlinuxPath ?? "(none: symbols from the dump's kallsyms, types from its BTF)");
  tryField('DUMPFILE', () => ctx.dumpPath + dumpfileMarks(k.dump));
  tryField('CPUS', () => {
    const c = cpuState(k);
    const off = c.present - c.online.length;
    return `${c.present}${off > 0 ? ` [OFFLINE: ${off}]` : ''}`;
  });
  tryField('DATE', () => {
    const t = xtimeSec(k);
    return t === undefined ? '(unknown)' : formatCtime(t);
  });
  tryField('UPTIME', () => {
    const hz = kernelHz(k);
    const j = jiffies64(k);
    return hz === undefined || j === undefined ? '(cannot calculate: unknown HZ value)' : formatUptime(sinceBoot(j, hz), hz);
  });
  tryField('LOAD AVERAGE', () => loadAverage(k));
  tryField('TASKS', () => String(allTasks(k).length));
  const uts = initUtsname(k);
  fields.push(['NODENAME', uts.nodename], ['RELEASE', uts.release], ['VERSION', uts.version]);
  tryField('MACHINE', () => {
    const s = k.symbol('cpu_khz');
    const khz = s ? k.readU32(s.address, 'cpu_khz') : 0;
    return `${uts.machine}  ${khz ? `(${Math.floor(khz / 1000)} Mhz)` : '(unknown Mhz)'}`;
  });
  tryField('MEMORY', () => memorySizeText(k));
  tryField('PANIC', () => {
    const m = panicMessage(k);
    return `"${m}"${m.includes('Oops: ') ? ' (check log for details)' : ''}`;
  });
  return { kind: 'sys', fields };
}

/**
 * kernel.c display_sys_stats: an ELF kdump that lost pages is "  [INCOMPLETE]"; a compressed
 * kdump gets " %s%s%s" of " [PARTIAL DUMP]" (diskdump.c is_partial_diskdump: the sub-header's
 * dump_level > 0, header version 1+), " [INCOMPLETE]" (DUMP_DH_COMPRESSED_INCOMPLETE) and
 * " [EXCLUDED VMEMMAP]" (DUMP_DH_EXCLUDED_VMEMMAP) — so two blanks before the first mark.
 */
export function dumpfileMarks(dump: { format: string }): string {
  const d = dump as { format: string; incomplete?: boolean; partial?: boolean; excludedVmemmap?: boolean };
  if (d.format === 'ELF') return d.incomplete ? '  [INCOMPLETE]' : '';
  if (d.format !== 'KDUMP' && d.format !== 'DISKDUMP') return '';
  const marks = `${d.partial ? ' [PARTIAL DUMP]' : ''}${d.incomplete ? ' [INCOMPLETE]' : ''}${d.excludedVmemmap ? ' [EXCLUDED VMEMMAP]' : ''}`;
  return marks ? ` ${marks}` : '';
}
