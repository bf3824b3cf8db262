/**
 * dumps/usercopy-kmalloc512/skbuff.h is fixtures/skbuff-3.10.h (gcc-checked by layout.test.ts) minus
 * the typedefs the scenario takes from dumps/_kernels/common.h. This test turns that copy into a check:
 * every struct and typedef both define must have the same size and the same member offsets, bit
 * fields included, in the scenario's full type set as in the fixture.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Btf } from '../../../src/debuginfo/btf/index.js';
import { loadScenario } from '../../../src/synth/scenario.js';
import { encodeBtf, parseCDeclarations } from '../../../src/synth/ctypes/index.js';

const fixture = Btf.fromBytes(encodeBtf(parseCDeclarations(readFileSync(new URL('./fixtures/skbuff-3.10.h', import.meta.url), 'utf8'), 'skbuff-3.10.h')));
const scenario = loadScenario(fileURLToPath(new URL('../../../dumps/usercopy-kmalloc512', import.meta.url)));
const scenarioBtf = Btf.fromBytes(encodeBtf(parseCDeclarations(scenario.typeSources.map((s) => s.text).join('\n'), 'usercopy-kmalloc512')));

/**
 * The layout of a type as member path → [bit offset, bit size], descending into the anonymous structs
 * and unions that are part of its own definition (a named member of another type, e.g. a spinlock_t
 * that common.h defines differently at the same size, is compared by offset and size only).
 */
function layout(btf: Btf, name: string): { size: number; members: Record<string, [number, number]> } {
  const t = btf.findType(name)!;
  const members: Record<string, [number, number]> = {};
  const walk = (type: ReturnType<Btf['resolve']>, prefix: string, base: number, depth: number) => {
    const r = btf.resolve(type);
    if (depth > 8 || (r.kind !== 'struct' && r.kind !== 'union')) return;
    (r.members ?? []).forEach((m, i) => {
      const path = prefix + (m.name || `<anon${i}>`);
      members[path] = [base + m.bitOffset, m.bitSize || btf.sizeof(m.type) * 8];
      if (!m.name) walk(m.type, path + '.', base + m.bitOffset, depth + 1);
    });
  };
  if (btf.resolve(t) === t || name.startsWith('struct ')) walk(t, '', 0, 0);
  return { size: btf.sizeof(t), members };
}

/** The types both define (the scenario has no sk_buff_head: nothing in it queues skbs). */
const shared = ['struct sk_buff', 'struct skb_shared_info', 'skb_frag_t', 'struct skb_shared_hwtstamps', 'struct ubuf_info', 'ktime_t', 'sk_buff_data_t'];

describe('the usercopy scenario\'s sk_buff is the gcc-checked 3.10 fixture', () => {
  it.each(shared)('%s has the same size and member offsets', (name) => {
    expect(fixture.findType(name), `${name} in the fixture`).toBeDefined();
    expect(scenarioBtf.findType(name), `${name} in the scenario`).toBeDefined();
    expect(layout(scenarioBtf, name)).toEqual(layout(fixture, name));
  });
});
