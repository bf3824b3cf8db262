/**
 * Ask gcc where it puts things: compile the same declarations with a generated main() that
 * prints the size of every struct/union and the bit offset and width of every member (bitfields
 * found by setting them to all ones in a zeroed object), so layout tests can compare the
 * synthetic layout against the compiler itself. Used only when gcc is installed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveType, type CType, type StructType } from '../../../src/debuginfo/btf/types.js';
import type { CTypeSet } from '../../../src/synth/ctypes/index.js';

/** What the kernel's headers define and the synthetic parser knows built in. */
export const GCC_PRELUDE = `
#define __user
#define __rcu
#define __percpu
#define __iomem
#define __bitwise
#define __aligned(x) __attribute__((__aligned__(x)))
#define __packed __attribute__((__packed__))
#define ____cacheline_aligned __attribute__((__aligned__(64)))
#define ____cacheline_aligned_in_smp ____cacheline_aligned
`;

export function haveGcc(): boolean {
  try {
    execFileSync('gcc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface GccLayout {
  /** 'struct x' → sizeof */
  sizes: Map<string, number>;
  /** 'struct x.a.b' → [bit offset, bit width] */
  members: Map<string, [number, number]>;
}

/** The layout `set` claims for the same keys gccLayout reports. */
export function ourLayout(set: CTypeSet): GccLayout {
  const out: GccLayout = { sizes: new Map(), members: new Map() };
  for (const [key, t] of roots(set)) {
    out.sizes.set(key, t.size);
    walk(t, 0, key, (k, off, width) => out.members.set(k, [off, width]));
  }
  return out;
}

function roots(set: CTypeSet): [string, StructType][] {
  const out: [string, StructType][] = [];
  for (const [key, t] of set.types) {
    const r = resolveType(t);
    if ((r.kind !== 'struct' && r.kind !== 'union') || (t.kind === 'typedef' && r.name !== '')) continue;
    out.push([key, r]);
  }
  return out;
}

function walk(s: StructType, base: number, key: string, emit: (key: string, off: number, width: number, path: string) => void, path = 'v'): void {
  for (const m of s.members) {
    const r = resolveType(m.type);
    const anonAgg = (r.kind === 'struct' || r.kind === 'union') && r.name === '';
    if (m.name === '') {
      if (anonAgg) walk(r, base + m.bitOffset, key, emit, path);
      continue;
    }
    const p = `${path}.${m.name}`;
    const k = `${key}.${p.slice(2)}`;
    const width = m.bitSize || sizeBits(m.type);
    emit(k, base + m.bitOffset, m.bitSize ? width : -1, p);
    if (anonAgg) walk(r, base + m.bitOffset, key, emit, p);
  }
}

function sizeBits(t: CType): number {
  const r = resolveType(t);
  if (r.kind === 'array') return r.length * sizeBits(r.elem);
  if (r.kind === 'ptr') return 64;
  return 'size' in r ? r.size * 8 : 0;
}

/** Compile `source` with gcc and read back the layout of every struct/union `set` knows. */
export function gccLayout(source: string, set: CTypeSet): GccLayout {
  const lines: string[] = [
    '#include <stdio.h>', '#include <string.h>', '#include <stddef.h>', GCC_PRELUDE, source,
    'static long firstbit(const unsigned char *p, size_t n) { for (size_t i = 0; i < n * 8; i++) if (p[i / 8] >> (i % 8) & 1) return (long)i; return -1; }',
    'static int nbits(const unsigned char *p, size_t n) { int c = 0; for (size_t i = 0; i < n; i++) c += __builtin_popcount(p[i]); return c; }',
    'int main(void) {',
  ];
  for (const [key, t] of roots(set)) {
    const ctype = key;
    lines.push(`{ static ${ctype} v; printf("S|%s|%zu\\n", "${key}", sizeof v);`);
    walk(t, 0, key, (k, _off, width, path) => {
      if (width >= 0) {
        lines.push(`memset(&v, 0, sizeof v); ${path} = ~0ULL; printf("M|%s|%ld|%d\\n", "${k}", firstbit((void *)&v, sizeof v), nbits((void *)&v, sizeof v));`);
      } else {
        lines.push(`printf("M|%s|%ld|-1\\n", "${k}", (long)((char *)&${path} - (char *)&v) * 8);`);
      }
    });
    lines.push('}');
  }
  lines.push('return 0; }');
  const dir = mkdtempSync(join(tmpdir(), 'ctypes-gcc-'));
  try {
    writeFileSync(join(dir, 'probe.c'), lines.join('\n'));
    execFileSync('gcc', ['-w', '-std=gnu11', '-O0', '-o', join(dir, 'probe'), join(dir, 'probe.c')], { stdio: 'pipe' });
    const text = execFileSync(join(dir, 'probe'), { encoding: 'utf8' });
    const out: GccLayout = { sizes: new Map(), members: new Map() };
    for (const l of text.trim().split('\n')) {
      const [kind, k, a, b] = l.split('|');
      if (kind === 'S') out.sizes.set(k!, Number(a));
      else out.members.set(k!, [Number(a), Number(b)]);
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
