import type { BuildContext } from './infra.js';
import { placeStacksX86 } from './stacks.js';
import { placeOrc } from './place-orc.js';
import { placeStacksArm64 } from './stacks-arm64.js';
import { idleStacks } from './idle-stacks.js';

/**
 * The declared kernel stacks (stacks.ts, stacks-arm64.ts), the idle stacks of the cpus the crash
 * stopped in their idle loop (idle-stacks.ts), and what the kernel carries to unwind them: x86_64
 * ORC tables (place-orc.ts) when the kernel is an ORC one, _etext in any case.
 * Runs after tasks, modules and objects are written, before BTF and kallsyms are placed.
 */
export function buildStacks(c: BuildContext): void {
  const declared = c.s.stacks ?? [];
  const stacks = [...declared, ...idleStacks(c, declared)];
  if (c.s.arch === 'arm64') {
    placeStacksArm64(c, stacks);
    placeOrc(c, []);
    return;
  }
  placeOrc(c, placeStacksX86(c, stacks));
}
