/** Every fuzz target, in the order `npm run fuzz` runs them. */
import type { FuzzTarget } from '../lib/engine.js';
import { btfTarget } from './btf.js';
import { cdeclTarget } from './cdecl.js';
import { cexprTarget } from './cexpr.js';
import { cmdlineTarget } from './cmdline.js';
import { codecsTarget } from './codecs.js';
import { elfTarget } from './elf.js';
import { flattenedTarget } from './flattened.js';
import { intexprTarget } from './intexpr.js';
import { kallsymsTarget } from './kallsyms.js';
import { kdumpTarget } from './kdump.js';
import { orcTarget } from './orc.js';
import { pagetablesTarget } from './pagetables.js';
import { vmcoreinfoTarget } from './vmcoreinfo.js';

export const TARGETS: FuzzTarget[] = [
  elfTarget, vmcoreinfoTarget, kallsymsTarget, btfTarget, orcTarget, pagetablesTarget,
  cmdlineTarget, intexprTarget, cexprTarget, cdeclTarget,
  // dump/ formats finished last (kdump.ts, flattened.ts, codecs/)
  kdumpTarget, flattenedTarget, codecsTarget,
];
