/** Every fuzz target, in the order `npm run fuzz` runs them. */
import type { FuzzTarget } from '../lib/engine.js';
import { btfTarget } from './btf.js';
import { elfTarget } from './elf.js';
import { kallsymsTarget } from './kallsyms.js';
import { vmcoreinfoTarget } from './vmcoreinfo.js';

export const TARGETS: FuzzTarget[] = [elfTarget, vmcoreinfoTarget, kallsymsTarget, btfTarget];
