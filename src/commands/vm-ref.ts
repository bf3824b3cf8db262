import type { CommandContext } from './types.js';
import { lines, type CommandResult } from './result.js';
import type { VmDataResult, VmPage, VmaRow, VmRefBlock } from './proc-results.js';
import { headerOf } from './task-context.js';
import { initMm, vmaPages } from './vm-pages.js';
import type { TaskContext } from '../kernel/helpers/task.js';
import { mmVmas } from '../kernel/helpers/vma-walk.js';
import { filePath } from '../kernel/helpers/vma.js';

/**
 * `vm -R reference` and `foreach vm -R reference` (memory.c vm_area_dump with a struct reference,
 * the VM_REF_* flags): print only what leads to the reference. A number is looked for as the
 * mm_struct or pgd address (then only the task header and its vm data), a vm_area_struct address
 * or vm_flags value (its VMA line), a page's virtual or physical address, a file offset (hex) or
 * a swap offset (decimal) (the VMA line, then the matching pages from the first one on); any
 * string as part of a VMA's file name or a swap device's name. Nothing for a task with no match.
 */

interface Ref {
  str: string;
  /** htol() of a number reference */
  hex?: bigint;
  /** dtol() of a decimal one */
  dec?: bigint;
}

/** IS_A_NUMBER(): decimal digits, or hex digits with an optional 0x. */
function parseRef(str: string): Ref {
  const ref: Ref = { str };
  if (/^(0[xX])?[0-9a-fA-F]+$/.test(str)) ref.hex = BigInt('0x' + str.replace(/^0[xX]/, ''));
  if (/^[0-9]+$/.test(str)) ref.dec = BigInt(str);
  return ref;
}

/** FILENAME_COMPONENT(path, ref): "/" only matches "/"; anything else a substring of the path. */
const nameMatch = (path: string, ref: Ref) => (path === '/' && ref.str === '/') || (ref.str !== '/' && path.includes(ref.str));

/** One page of vm_area_page_dump() against the reference (VM_REF_CHECK_HEXVAL/DECVAL/STRING). */
function pageMatches(p: VmPage, ref: Ref): boolean {
  if (ref.hex !== undefined && (p.vaddr === ref.hex || p.paddr === ref.hex)) return true;
  if (p.paddr !== undefined) return false;
  if (p.swap) {
    const [dev, off] = p.swap.split('  OFFSET: ');
    return (ref.dec !== undefined && off !== undefined && BigInt(off) === ref.dec) || nameMatch(dev, ref);
  }
  if (p.file && ref.hex !== undefined) {
    const off = p.file.slice(p.file.lastIndexOf('  OFFSET: ') + 10);
    return /^[0-9a-f]+$/.test(off) && BigInt('0x' + off) === ref.hex;
  }
  return false;
}

export function vmRefResults(ctx: CommandContext, tc: TaskContext, data: VmDataResult, refStr: string): CommandResult[] {
  const k = ctx.kernel;
  const ref = parseRef(refStr);
  const head: CommandResult[] = [{ kind: 'taskheader', header: headerOf(tc), newline: false }, data];
  if (ref.hex !== undefined && (ref.hex === data.mm || ref.hex === data.pgd)) return [...head, lines([''])];
  if (!data.mm) return [];
  const root = data.pgd ? k.mem.kvtop(data.pgd) : undefined;
  const walkPages = root !== undefined && data.mm !== initMm(ctx);
  const blocks: VmRefBlock[] = [];
  let vmaShown = false; // VM_REF_VMA
  let afterPages = false; // VM_REF_PAGE
  let lastVma: bigint | undefined; // ref1
  for (const v of mmVmas(k, data.mm)) {
    const row: VmaRow = { vma: v.addr, start: v.start, end: v.end, flags: v.flags, file: v.file ? filePath(k, v.file) : '' };
    if ((ref.hex !== undefined && (ref.hex === v.addr || ref.hex === v.flags)) || nameMatch(row.file, ref)) {
      // a new run of VMA lines (the first, or after a page list) starts with the VMA header
      const header = !vmaShown || afterPages;
      blocks.push({ header, row });
      if (header) {
        vmaShown = true;
        afterPages = false;
        lastVma = v.addr;
      }
    }
    if (!walkPages) continue;
    const pages = vmaPages(ctx, v, root, row.file, (p) => pageMatches(p, ref));
    if (!pages.length) continue;
    afterPages = true;
    const block: VmRefBlock = { header: false, pages };
    if (!vmaShown || lastVma !== v.addr) {
      block.header = true;
      block.row = row;
      vmaShown = true;
      lastVma = v.addr;
    }
    blocks.push(block);
  }
  if (!blocks.length) return [];
  return [...head, { kind: 'vma-table', rows: [], phys: false, ref: blocks }, lines([''])];
}
