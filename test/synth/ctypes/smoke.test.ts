import { it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseCDeclarations } from '../../../src/synth/ctypes/index.js';
import { gccLayout, ourLayout } from './gcc-probe.js';
it('smoke', () => {
  const src = readFileSync('test/synth/ctypes/fixtures/layouts.h', 'utf8');
  const set = parseCDeclarations(src, 'layouts.h');
  const g = gccLayout(src, set);
  const o = ourLayout(set);
  console.log([...g.sizes].map(([k, v]) => `${k}=${v}`).join(' '));
  expect(Object.fromEntries(o.sizes)).toEqual(Object.fromEntries(g.sizes));
  expect(Object.fromEntries(o.members)).toEqual(Object.fromEntries(g.members));
});
