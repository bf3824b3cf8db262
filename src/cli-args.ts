/** Command line: crash-tui [vmlinux] DUMPFILE [-s] [-i CMDFILE] (files in any order, as crash). */
export interface CliArgs {
  files: string[];
  silent: boolean;
  inputFile?: string;
  help: boolean;
  version: boolean;
}

export const USAGE = `
Usage:

  crash-tui [OPTION]... [NAMELIST] MEMORY-IMAGE

  NAMELIST      optional vmlinux (ELF .symtab and .BTF are used; no DWARF needed)
  MEMORY-IMAGE  a vmcore (ELF)
  -s            silent: no banner, no sys block, no command echo
  -i FILE       run the commands in FILE, then read commands from stdin
  -h, --help    this text
  -v, --version print the version

Enter "crash-tui -h" for details.
`;

export function parseArgv(argv: string[]): CliArgs | { error: string } {
  const a: CliArgs = { files: [], silent: false, help: false, version: false };
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i];
    if (w === '-s') a.silent = true;
    else if (w === '-i') {
      if (i + 1 >= argv.length) return { error: 'option requires an argument -- i' };
      a.inputFile = argv[++i];
    } else if (w === '-h' || w === '--help') a.help = true;
    else if (w === '-v' || w === '--version') a.version = true;
    else if (w.startsWith('-')) return { error: `invalid option: ${w}` };
    else a.files.push(w);
  }
  return a;
}
