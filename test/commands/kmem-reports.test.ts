/**
 * kmem's whole-system reports on every scenario dump: the synthetic kernels lay out no zones'
 * free lists, vm_stat counters or vmap areas, so each report must end in crash's words (or its
 * table) — never an internal error, a throw or a hang.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildScenarioDump } from '../../src/synth/build.js';
import { kernelFromDump } from '../../src/kernel/open.js';
import { Session } from '../../src/session/session.js';
import { dumpsDir } from '../../src/synth/bundled.js';

const scenarios = readdirSync(dumpsDir()).filter((d) => existsSync(join(dumpsDir(), d, 'scenario.yaml')));

const COMMANDS: [string, RegExp][] = [
  ['kmem -f', /^(ZONE  NAME|NODE\n|kmem: neither free_area_struct or free_area structures exist\n$|kmem: cannot determine pgdat list)/],
  ['kmem -F', /^(ZONE  NAME|NODE\n|kmem: neither free_area_struct or free_area structures exist\n$|kmem: cannot determine pgdat list)/],
  ['kmem -v', /^( {3}VMAP_AREA {9}VM_STRUCT|kmem: cannot resolve: "vmlist"\n$|$)/],
  ['kmem -V', /^( {2}VM_(ZONE_)?STAT:\n|\n {2}VM_EVENT_STATES:\n|kmem: vm_stat not available in this kernel\n$)/],
  ['kmem -z', /^(NODE: 0  ZONE: 0 |kmem: cannot determine pgdat list for this kernel\/architecture\n$)/],
  ['kmem -n', /^(NODE {4}SIZE|kmem: cannot determine pgdat list for this kernel\/architecture\n$)/],
  ['kmem -o', /^PER-CPU OFFSET VALUES:\n {2}CPU 0: [0-9a-f]+\n/],
  ['kmem -h', /^( {5}HSTATE|kmem: hstates\[\] array does not exist\nkmem: -h option not supported)/],
  ['kmem -g', /^(PAGE-FLAG +BIT  VALUE\nPG_locked +0  0+1\n|kmem: enum pageflags does not exist in this kernel\n$)/],
  ['kmem -g 10200', /^(FLAGS: 10200\n {2}PAGE-FLAG|kmem: enum pageflags does not exist in this kernel\n$)/],
  ['kmem -f 1000', /^(ZONE|kmem: cannot determine page for 1000\n$|$)/],
  ['kmem -l a', /^kmem: active_list does not exist in this kernel\n$/],
  ['kmem -C', /^kmem: -C option not supported or applicable on this architecture or kernel\n$/],
];

describe.each(scenarios)('kmem reports on the %s scenario', (name) => {
  const dir = join(dumpsDir(), name);
  const session = new Session(kernelFromDump(buildScenarioDump(dir)), { dumpPath: dir, silent: true });
  it.each(COMMANDS)('%s', (command, expected) => {
    const out = session.runLine(command).text;
    expect(out).not.toMatch(/internal error/);
    expect(out).toMatch(expected);
  });
});
