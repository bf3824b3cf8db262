/** What `dis` and `mach` return (rendered by format/dis.ts and format/mach.ts). */

/** One disassembled instruction. */
export interface DisLine {
  addr: bigint;
  /** `sym+off` for the address; '' when no symbol holds it */
  label: string;
  /** the instruction text, operands symbolized */
  text: string;
}

export interface DisResult {
  kind: 'dis';
  lines: DisLine[];
  /**
   * gdb's own `x/i` layout (`   0x...:\t...`), which crash passes through unfiltered for -u and
   * for addresses no kernel symbol holds; else crash's `0x... <sym+off>:\t...`.
   */
  raw: boolean;
}

/** `mach`: label/value rows, and per-cpu stack tables. */
export interface MachResult {
  kind: 'mach';
  arch: 'x86_64' | 'arm64';
  fields: [label: string, value: string][];
  /** IRQ and exception stacks (x86_64) or IRQ and overflow stacks (arm64), in crash's order */
  stacks: { name: string; size: number; cpus: { cpu: number; base: bigint; unavailable?: boolean }[] }[];
}

/** `mach -m` on x86_64: the BIOS-provided e820 map. */
export interface E820Result {
  kind: 'e820';
  entries: { addr: bigint; size: bigint; type: number }[];
}
