/**
 * The seam between the REPL and the command engine. The REPL never knows how a line is parsed
 * or executed; it only streams the text a runner produces into its scrollback.
 */
export interface LineRunner {
  /** Run one command line; output text (may contain many lines) is passed to `out` as it is produced. Resolves 'quit' when the line asked to leave (q/exit/quit). */
  run(line: string, out: (text: string) => void, signal?: AbortSignal): Promise<'continue' | 'quit'>;
  /** Words for Tab completion at the given position (command names, symbols, struct names...); may be empty. */
  complete?(line: string): string[];
}

export interface StatusInfo { dump: string; task?: string; pid?: string; cpu?: string; radix: number }
