import type { FileRow, FilesInodeResult, FilesNodesResult, FilesResult, PageSumsResult } from '../commands/fs-results.js';
import { mkstring, hex } from './mkstring.js';

const col = (v: bigint) => mkstring(hex(v), 16, 'center-rjust');

/** file_dump(): `%3d` fd, the addresses CENTER|RJUST in 16, TYPE and PATH; `?` for a missing dentry/inode. */
function fileRow(r: FileRow, nrpages: boolean): string {
  const fd = String(r.fd).padStart(3);
  if (!r.dentry) return `${fd} ${col(r.file)} ${'0'.repeat(16)} ${mkstring('?', 16, 'center')} ?    ?\n`;
  if (!r.inode) return `${fd} ${col(r.file)} ${col(r.dentry)} ${'0'.repeat(16)} ?    ?\n`;
  if (nrpages) return `${fd} ${col(r.inode)} ${col(r.mapping ?? 0n)} ${String(r.nrpages ?? 0n).padStart(7)} ${r.type} ${r.path}\n`;
  return `${fd} ${col(r.file)} ${col(r.dentry)} ${col(r.inode)} ${r.type} ${r.path}\n`;
}

/** open_files_dump(): `ROOT: %s    CWD: %s`, the header (with -c: INODE I_MAPPING NRPAGES) and rows. */
export function formatFiles(r: FilesResult): string {
  let s = r.rootPwd ? `ROOT: ${r.rootPwd.root}    CWD: ${r.rootPwd.pwd}\n` : '';
  const c = (t: string) => mkstring(t, 16, 'center-ljust');
  if (!r.rows.length) s += 'No open files\n';
  else {
    s += r.nrpagesColumns ? ` FD ${c('INODE')} ${c('I_MAPPING')} NRPAGES TYPE PATH\n` : ` FD ${c('FILE')} ${c('DENTRY')} ${c('INODE')} TYPE PATH\n`;
    for (const row of r.rows) s += fileRow(row, r.nrpagesColumns);
  }
  return s + (r.blankAfter ? '\n' : '');
}

/** dump_inode_page_cache_info(): INODE and NRPAGES, then a blank line. */
export function formatFilesInode(r: FilesInodeResult): string {
  return `${mkstring('INODE', 16, 'center-ljust')}  NRPAGES\n${col(r.inode)}  ${String(r.nrpages).padStart(7)}\n\n`;
}

/** print_inode_summary_info(). */
export function formatFilesNodes(r: FilesNodesResult): string {
  return '     NODE           PAGES\n' + r.pages.map((n, i) => `     ${String(i).padStart(2)}          ${String(n).padStart(8)}\n`).join('');
}

/**
 * `files -p INODE -M ALG` (crash-tui): one line per cached page, INDEX (hex, as kmem -p), PFN,
 * PAGE, PHYSICAL and the digest of the page's bytes; then the whole file's digest when all of it
 * is cached, so two dumps (or two moments) can be compared page by page and with md5sum.
 */
export function formatPageSums(r: PageSumsResult): string {
  const w = r.physWidth;
  const alg = r.algorithm.toUpperCase();
  let s = `${mkstring('INDEX', 8, 'rjust')} ${mkstring('PFN', w, 'rjust')} ${mkstring('PAGE', 16, 'center')} ${mkstring('PHYSICAL', w, 'rjust')} ${alg}\n`;
  for (const x of r.rows) {
    const pfn = x.pfn === undefined ? '?' : hex(x.pfn);
    const phys = x.phys === undefined ? '?' : hex(x.phys);
    s += `${hex(x.index).padStart(8)} ${pfn.padStart(w)} ${hex(x.page).padEnd(16)} ${phys.padStart(w)} ${x.digest ?? '(page not in the dump)'}\n`;
  }
  if (r.file && 'digest' in r.file) s += `\nFILE ${alg}: ${r.file.digest}  (${r.file.pages} pages, ${r.file.size} bytes)\n`;
  else if (r.file) s += `\nFILE ${alg}: none (${r.file.cached} of the file's ${r.file.pages} pages are cached)\n`;
  return s;
}
