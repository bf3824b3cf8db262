/**
 * Every fuzz target (fuzz/targets) for a few hundred inputs, in-process: its seeds must decode
 * and no mutation may escape as anything but the project's own errors. `npm run fuzz` runs the
 * same targets for longer, in workers with a hang watchdog.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { fuzzInProcess } from '../../fuzz/lib/engine.js';
import { uninstallAllocGuard } from '../../fuzz/lib/alloc-guard.js';
import { TARGETS } from '../../fuzz/targets/index.js';

const INPUTS = Number(process.env.FUZZ_SMOKE_INPUTS ?? 200);

describe('fuzz targets (smoke)', () => {
  afterAll(() => uninstallAllocGuard());
  for (const target of TARGETS) {
    it(`${target.name}: ${INPUTS} inputs without a failure`, () => {
      const s = fuzzInProcess(target, 'smoke', { count: INPUTS });
      const failures = Object.entries(s.bySignature).map(([sig, b]) => `${sig} (inputs ${b.indexes.join(', ')}; repro: npm run fuzz -- --repro ${target.name}:smoke:${b.indexes[0]})`);
      expect(failures).toEqual([]);
      expect(s.inputs).toBe(INPUTS);
      expect(s.ok + s.rejected).toBe(INPUTS);
    });
  }
});
