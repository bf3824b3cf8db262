import { CrashError } from '../util/errors.js';

/**
 * crash's cpuspec: `3`, `1,3-5`, `a`/`all`, or '' (the current context's cpu). crash builds a
 * cpumask (tools.c make_cpumask), so the cpus come back once each, in ascending order.
 */
export function parseCpuSpec(spec: string, ncpus: number, current: number): number[] {
  if (spec === '') return [current];
  if (spec === 'a' || spec === 'all') return [...Array(ncpus).keys()];
  const out: number[] = [];
  for (const part of spec.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new CrashError(`invalid cpu specification: ${spec}`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    for (let c = a; c <= b; c++) {
      if (c >= ncpus) throw new CrashError(`invalid cpu specification: ${spec}`);
      if (!out.includes(c)) out.push(c);
    }
  }
  return out.sort((x, y) => x - y);
}
