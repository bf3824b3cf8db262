/**
 * Issue "Scenario dumps": no command, kernel helper or formatter may special-case a scenario.
 * Neither a scenario's name nor any address it declares may appear in src/commands, src/kernel
 * or src/format.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { bundledScenarios } from '../../src/synth/bundled.js';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

describe('no scenario special cases in the general code', () => {
  const sources = ['src/commands', 'src/kernel', 'src/format'].flatMap(files).map((f) => ({ f, text: readFileSync(f, 'utf8').toLowerCase() }));
  for (const sc of bundledScenarios()) {
    it(sc.name, () => {
      // addresses the scenario declares (comments, which cite architectural constants, excluded)
      const yaml = readFileSync(join(sc.dir, 'scenario.yaml'), 'utf8').toLowerCase().replace(/#.*$/gm, '');
      const addresses = new Set(yaml.match(/\b(?:0x)?[0-9a-f]{10,16}\b/g)?.map((a) => a.replace(/^0x/, '').replace(/^0+/, '')).filter((a) => a.length >= 9) ?? []);
      expect(addresses.size).toBeGreaterThan(3);
      for (const { f, text } of sources) {
        expect(text.includes(sc.name), `${f} mentions ${sc.name}`).toBe(false);
        for (const a of addresses) expect(text.includes(a), `${f} mentions ${a} from ${sc.name}`).toBe(false);
      }
    });
  }
});
