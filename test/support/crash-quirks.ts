/**
 * Where crash 8.0.2's captured output differs from the truth for reasons of crash's own, and how
 * the golden tests put the truth back (each case says why).
 */

/**
 * goldens.sh runs crash with `-i CMDFILE`. Commands from an input file run without
 * restore_sanity() between them (cmdline.c exec_input_file() calls restore_ifile_sanity(), which
 * leaves pc->curcmd_flags alone), so the HEADER_PRINTED flag set by one vtop's kmem -p table
 * survives into the next vtop, whose table then lacks its header. Run one at a time (or from a
 * terminal or a pipe), crash prints the header every time; so do we. `header` is the mem_map
 * header line of the same dump (kmem -p prints it).
 */
export function restoreVtopPageHeader(text: string, header: string): string {
  const lines = text.split('\n');
  // the page row is the last non-empty line; the header belongs right above it
  let i = lines.length - 1;
  while (i > 0 && lines[i] === '') i--;
  if (!/^[0-9a-f]{16} /.test(lines[i]) || lines[i - 1] === header) return text;
  lines.splice(i, 0, header);
  return lines.join('\n');
}

/**
 * crash 8.0.2's kmem -i SLAB line: dump_vm_stat() matches vm_stat item names exactly, so on
 * v5.9+ kernels (NR_SLAB_RECLAIMABLE_B / NR_SLAB_UNRECLAIMABLE_B) it finds neither counter and
 * falls back to counting pages with PG_slab, i.e. slab heads only, not the pages of
 * multi-page slabs. crash 8.0.3 fixed it ("Fix for kmem -i to display correct SLAB statistics
 * on Linux 5.9 and later"), reading the counters as /proc/meminfo does. We print the counters:
 * on the Debian 6.1 reference dump, KMEM_I_SLAB_TRUTH (NR_SLAB_RECLAIMABLE_B +
 * NR_SLAB_UNRECLAIMABLE_B = 3925 pages, checked against the counters in refdump-memory.test.ts).
 */
export const KMEM_I_SLAB_TRUTH = '         SLAB     3925      15.3 MB    3% of TOTAL MEM';

export function replaceKmemiSlabLine(text: string, truth: string): string {
  return text.replace(/^ {9}SLAB .*$/m, truth);
}
