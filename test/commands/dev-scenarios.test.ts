/**
 * `dev -i`, `dev -p`, `dev -d` and `dev -D` on every bundled scenario dump: each answers with
 * crash's layout or a crash-worded error, never an internal error. (The scenarios lay out no
 * resource trees, PCI buses or block_class: crash's do_io() then prints nothing, and -p/-d say
 * the option is not supported on this kernel.)
 */
import { describe, expect, it } from 'vitest';
import { bundledScenarios } from '../../src/synth/bundled.js';
import { buildScenarioDump } from '../../src/synth/build.js';
import { kernelFromDump } from '../../src/kernel/open.js';
import { Session } from '../../src/session/session.js';

describe('dev -i/-p/-d/-D on the scenario dumps', () => {
  for (const sc of bundledScenarios()) {
    it(`${sc.name}: crash's layout or a crash-style error`, () => {
      const k = kernelFromDump(buildScenarioDump(sc.dir));
      const s = new Session(k, { dumpPath: sc.dir, silent: true });
      const outs: Record<string, string> = {};
      for (const c of ['dev -i', 'dev -p', 'dev -d', 'dev -D']) {
        const out = (outs[c] = s.runLine(c).text);
        expect(out, `${sc.name}: ${c}`).not.toMatch(/internal error|TypeError|undefined|NaN/);
      }
      // what each option can find is decided by the dump's own symbols
      const has = (sym: string) => k.hasSymbol(sym);
      const unsupported = (o: string) => `dev: ${o} option not supported or applicable on this architecture or kernel\n`;
      // -i prints nothing without the resource trees (crash's do_io() returns), else the two headers
      if (has('ioport_resource') && has('iomem_resource')) expect(outs['dev -i']).toMatch(/^ {4}RESOURCE {8}RANGE {4}NAME\n/);
      else expect(outs['dev -i']).toBe('');
      if (has('pci_root_buses')) expect(outs['dev -p']).toMatch(/^ {4}ROOT BUS {5}BUSNAME\n/);
      else expect(outs['dev -p']).toBe(unsupported('-p'));
      for (const c of ['dev -d', 'dev -D']) {
        if (has('block_class') && has('disk_type')) expect(outs[c]).toMatch(/^MAJOR GENDISK {12}NAME {7}REQUEST_QUEUE {6}TOTAL {2}(READ|ASYNC) (WRITE| SYNC) /);
        else expect(outs[c]).toBe(unsupported('-d'));
      }
    }, 300_000);
  }
});
