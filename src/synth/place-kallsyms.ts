import type { BuildContext } from './infra.js';
import { encodeKallsyms, layoutKallsyms } from './kallsyms-encode.js';

/**
 * Encode every symbol of the build as the kernel's kallsyms tables (scripts/kallsyms.c), place
 * them in the image's data and return the VMCOREINFO lines naming them. x86_64 kernels before
 * 6.15 store per-cpu symbols as absolute values (absolute-percpu encoding).
 */
export function placeKallsyms(c: BuildContext, x86: boolean): string[] {
  const end = c.syms.get('__per_cpu_end')?.address ?? 0n;
  const enc = encodeKallsyms(
    c.syms.list.map((s) => ({ name: s.name, address: s.address, type: s.type, percpu: x86 && s.type === 'A' && s.address <= end })),
    { mode: x86 ? 'absolute-percpu' : 'base-relative', percpuRange: { start: 0n, end }, bigSymbols: true, seqsOfNames: 3 },
  );
  const size = enc.tables.reduce((a, t) => a + t.bytes.length + t.align, 0);
  const base = c.mem.allocData(size, 256);
  const laid = layoutKallsyms(enc, base);
  c.mem.write(laid.base, laid.bytes);
  return laid.vmcoreinfo.split('\n').filter(Boolean);
}
