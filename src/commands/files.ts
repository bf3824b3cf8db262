import { createHash, getHashes } from 'node:crypto';
import { defineCommand, flag, withArg, type CommandContext } from './types.js';
import { err, type CommandResult } from './result.js';
import type { ParsedArgs } from './getopt.js';
import type { FileRow, FilesResult, PageSumsResult } from './fs-results.js';
import type { KmemPagesResult } from './memory-results.js';
import { currentContext, headerOf } from './task-context.js';
import { pageRowForAddress, physColumnWidth } from './kmem/pages.js';
import { resolveTaskArg, type TaskContext } from '../kernel/helpers/task.js';
import { dentryInode, fileDentry, filePathname, inodeMapping, inodeSize, inodeType, mappingNrpages, mappingPages, taskOpenFiles, taskRootPwd } from '../kernel/helpers/fs.js';
import { pageToPfn, pfnToPhys } from '../kernel/helpers/mm-page.js';
import { compoundOrder, isHeadPage, readPage } from '../kernel/helpers/page.js';
import { memoryNodes, pfnToNid } from '../kernel/helpers/mm.js';
import { CrashError } from '../util/errors.js';

export const files = defineCommand({
  name: 'files',
  summary: 'open files',
  synopsis: '[-p inode [-M md5|sha1|sha256]] | [-n inode] | [-c] [pid | taskp] ...',
  description: [
    'This command displays information about open files of a context.  It prints the context\'s',
    'current root directory and current working directory, and then for each open file descriptor',
    'it prints a pointer to its file struct, a pointer to its dentry struct, a pointer to the inode,',
    'the file type, and the pathname.  If no arguments are entered, the current context is used.',
    'With -p, the pages of an inode that are in the page cache are listed; adding -M (a crash-tui',
    'extension) prints a digest of each cached page instead, and of the whole file when all of it',
    'is cached, so that two dumps, or two moments, can be compared page by page.',
  ],
  options: {
    p: withArg('given a hexadecimal inode address, dump all of its pages that are in the page cache'),
    M: withArg('with -p: print the md5 (or sha1, sha256) of each page-cache page: index, pfn, page, physical address and digest'),
    n: withArg('given a hexadecimal inode address, check all the pages in the page cache, and display a NUMA node distribution'),
    c: flag('for each open file descriptor, print its inode, the i_mapping address_space, its number of cached pages, type and path'),
  },
  examples: [{ command: 'files' }, { command: 'files 1' }, { command: 'files -c 1' }, { command: 'files -p ffff888103b3c5f8' }, { command: 'files -p ffff888103b3c5f8 -M md5' }],
  run: (ctx, a) => runFiles(ctx, a),
});

const hexArg = (s: string): bigint => {
  const h = s.replace(/^0x/i, '');
  if (!/^[0-9a-f]{1,16}$/i.test(h)) throw new CrashError(`invalid address: ${s}`);
  return BigInt('0x' + h);
};

function runFiles(ctx: CommandContext, a: ParsedArgs): CommandResult | CommandResult[] {
  const out: CommandResult[] = [];
  try {
    if (a.values.has('p')) return pageCache(ctx, hexArg(a.values.get('p')![0]), a.values.get('M')?.[0]);
    if (a.values.has('M')) return err('-M requires -p inode');
    if (a.values.has('n')) return nodeSummary(ctx, hexArg(a.values.get('n')![0]));
    const c = a.flags.has('c');
    if (!a.args.length) {
      const tc = currentContext(ctx);
      return [{ kind: 'taskheader', header: headerOf(tc) }, openFiles(ctx, tc, c, false)];
    }
    a.args.forEach((arg, i) => {
      try {
        const r = resolveTaskArg(ctx.kernel, arg);
        for (const tc of r.tasks) out.push({ kind: 'taskheader', header: headerOf(tc), newline: i > 0 }, openFiles(ctx, tc, c, r.kind === 'pid'));
      } catch (e) {
        if (!(e instanceof CrashError)) throw e;
        out.push(err(e.message));
      }
    });
  } catch (e) {
    if (e instanceof CrashError) return [...out, err(e.message)];
    throw e;
  }
  return out;
}

/** open_files_dump() of one task. */
function openFiles(ctx: CommandContext, tc: TaskContext, nrpages: boolean, blankAfter: boolean): FilesResult {
  const k = ctx.kernel;
  const rows: FileRow[] = [];
  for (const { fd, file } of taskOpenFiles(k, tc.task) ?? []) {
    const { dentry, vfsmnt } = fileDentry(k, file);
    const inode = dentry ? dentryInode(k, dentry) : 0n;
    const row: FileRow = { fd, file, dentry, inode, type: '?   ', path: '?' };
    if (inode) {
      Object.assign(row, inodeType(k, inode, filePathname(k, dentry, vfsmnt)));
      if (nrpages) {
        row.mapping = inodeMapping(k, inode);
        row.nrpages = mappingNrpages(k, row.mapping);
      }
    }
    rows.push(row);
  }
  return { kind: 'files', rootPwd: taskRootPwd(k, tc.task), nrpagesColumns: nrpages, rows, blankAfter };
}

/** An entry's page count: 1 << folio order for a compound head (crash's folio_update_count). */
function entryPages(ctx: CommandContext, page: bigint): number {
  try {
    const info = readPage(ctx.kernel, page);
    return isHeadPage(ctx.kernel, info) ? 1 << (compoundOrder(ctx.kernel, page) ?? 0) : 1;
  } catch {
    return 1;
  }
}

/** dump_inode_page_cache_info(): the inode line, then each cached page as kmem -p prints it. */
function pageCache(ctx: CommandContext, inode: bigint, algorithm?: string): CommandResult[] {
  const k = ctx.kernel;
  if (algorithm !== undefined && !getHashes().includes(algorithm.toLowerCase())) return [err(`-M: unknown digest: ${algorithm} (md5, sha1, sha256 ...)`)];
  const mapping = inodeMapping(k, inode);
  const nrpages = mappingNrpages(k, mapping);
  const out: CommandResult[] = [{ kind: 'files-inode', inode, nrpages }];
  if (!nrpages) return out;
  const entries = [...mappingPages(k, mapping)];
  const count = entries.reduce((n, e) => n + entryPages(ctx, e.page), 0);
  if (algorithm !== undefined) out.push(pageSums(ctx, inode, entries, algorithm.toLowerCase()));
  else {
    const pages: KmemPagesResult = { kind: 'kmem-pages', physWidth: physColumnWidth(k), header: true, rows: [] };
    for (const e of entries) {
      const row = pageRowForAddress(k, e.page, false, false);
      if (row) pages.rows.push(row);
    }
    pages.header = pages.rows.length > 0;
    out.push(pages);
  }
  const tree = k.hasMember('struct address_space', 'i_pages') && k.hasType('struct xarray') ? 'xarray' : 'radix tree';
  if (BigInt(count) !== nrpages) out.push(err(`${tree} page count: ${count}  nrpages: ${nrpages}`));
  return out;
}

/** Digests of every cached page (each page of a folio), and of the file when wholly cached. */
function pageSums(ctx: CommandContext, inode: bigint, entries: { index: bigint; page: bigint }[], algorithm: string): PageSumsResult {
  const k = ctx.kernel;
  const ps = k.arch.pageSize;
  const pageSize = BigInt(k.sizeOf('struct page'));
  const r: PageSumsResult = { kind: 'page-sums', algorithm, physWidth: physColumnWidth(k), rows: [] };
  const whole = createHash(algorithm);
  let next = 0n;
  let complete = true;
  const size = inodeSize(k, inode);
  for (const e of entries) {
    const n = entryPages(ctx, e.page);
    const pfn0 = pageToPfn(k, e.page);
    for (let i = 0; i < n; i++) {
      const index = e.index + BigInt(i);
      const pfn = pfn0 === undefined ? undefined : pfn0 + BigInt(i);
      const phys = pfn === undefined ? undefined : pfnToPhys(k, pfn);
      let digest: string | undefined;
      try {
        if (phys !== undefined) {
          const bytes = k.mem.readPhys(phys, ps, 'page cache page');
          digest = createHash(algorithm).update(bytes).digest('hex');
          if (index === next && complete && index * BigInt(ps) < size) {
            const keep = size - index * BigInt(ps);
            whole.update(keep < BigInt(ps) ? bytes.subarray(0, Number(keep)) : bytes);
          }
        }
      } catch {
        digest = undefined;
      }
      if (index !== next || digest === undefined) complete = false;
      next = index + 1n;
      r.rows.push({ index, pfn, page: e.page + BigInt(i) * pageSize, phys, digest });
    }
  }
  const filePages = (size + BigInt(ps) - 1n) / BigInt(ps);
  r.file = complete && next >= filePages ? { digest: whole.digest('hex'), size, pages: Number(filePages) } : { cached: r.rows.length, pages: filePages };
  return r;
}

/** files -n: the inode's cached pages per NUMA node (summary_inode_page). */
function nodeSummary(ctx: CommandContext, inode: bigint): CommandResult[] {
  const k = ctx.kernel;
  const mapping = inodeMapping(k, inode);
  const nrpages = mappingNrpages(k, mapping);
  const out: CommandResult[] = [{ kind: 'files-inode', inode, nrpages }];
  if (!nrpages) return out;
  const pages = memoryNodes(k).map(() => 0n);
  if (!pages.length) pages.push(0n);
  for (const e of mappingPages(k, mapping)) {
    const pfn = pageToPfn(k, e.page);
    if (pfn === undefined) return [...out, err(`Invalid inode page(0x${e.page.toString(16)})`)];
    const nid = pfnToNid(k, pfn) ?? 0;
    if (nid < 0 || nid >= pages.length) return [...out, err(`Invalid node(${nid}) for page(0x${e.page.toString(16)})`)];
    pages[nid] += BigInt(entryPages(ctx, e.page));
  }
  out.push({ kind: 'files-nodes', pages });
  return out;
}
