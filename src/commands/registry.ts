import type { CommandDef } from './types.js';
import { rd } from './rd.js';
import { sym } from './sym.js';
import { sys } from './sys.js';
import { evalCmd } from './eval.js';
import { help } from './help.js';
import { set } from './set.js';
import { alias } from './alias.js';
import { quit } from './quit.js';
import { p } from './p.js';
import { struct, union, pointerTo } from './struct.js';
import { whatis } from './whatis.js';
import { log } from './log.js';
import { list } from './list.js';
import { mod } from './mod.js';
import { vtop } from './vtop.js';
import { kmem } from './kmem/index.js';
import { ptov, btop, ptob } from './ptov.js';
import { ps } from './ps.js';
import { bt } from './bt.js';
import { task } from './task.js';
import { net } from './net.js';
import { files } from './files.js';

/** Every command, once. Help, completion and argument errors all come from these declarations. */
export const COMMANDS: readonly CommandDef[] = [pointerTo, alias, evalCmd, help, list, log, mod, p, rd, set, struct, sym, sys, union, whatis, quit, vtop, kmem, ptov, btop, ptob, ps, bt, task, net, files];
