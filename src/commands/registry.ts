import type { CommandDef } from './types.js';
import { rd } from './rd.js';
import { sym } from './sym.js';
import { sys } from './sys.js';
import { evalCmd } from './eval.js';
import { help } from './help.js';
import { set } from './set.js';
import { alias } from './alias.js';
import { quit } from './quit.js';

/** Every command, once. Help, completion and argument errors all come from these declarations. */
export const COMMANDS: readonly CommandDef[] = [alias, evalCmd, help, rd, set, sym, sys, quit];
