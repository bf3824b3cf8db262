/** The one interface every dump source (ELF, kdump, synthetic scenario) presents upward. */

export interface ElfNote {
  name: string;
  type: number;
  desc: Uint8Array;
}

export type Machine = 'x86_64' | 'arm64';

export interface PhysRange {
  start: bigint;
  end: bigint; // exclusive
}

export interface DumpFile {
  /** 'ELF', 'KDUMP', 'SYNTH' ... for `help -D`-style diagnostics, never for behaviour. */
  readonly format: string;
  readonly path: string;
  readonly machine: Machine;
  /** All ELF-style notes the dump carries (NT_PRSTATUS, VMCOREINFO, QEMU, ...). */
  readonly notes: readonly ElfNote[];
  /** The VMCOREINFO text, if the dump carries one. */
  readonly vmcoreinfo: string | undefined;
  /** Physical memory present in the dump. */
  readonly ranges: readonly PhysRange[];
  /**
   * Read `len` bytes of physical memory. Throws PhysReadError ('seek' when the address is not
   * in the dump, 'excluded'/'incomplete' for kdump pages that are not there).
   */
  readPhys(addr: bigint, len: number): Uint8Array;
  /**
   * Where the run of memory starting at `paddr` that is known to read as all zeros ends (at most
   * `limit`): pages a synthetic image never wrote, kdump pages stored as the shared zero page,
   * ELF p_filesz < p_memsz tails. `paddr` itself when its page is not known to be zero. Optional:
   * only a fast path for long scans (`search`), never needed for correct answers.
   */
  zeroRunEnd?(paddr: bigint, limit: bigint): bigint;
  /**
   * Where the run of memory starting at `paddr` that is known not to be in the dump ends (at most
   * `limit`): every read in it would throw (kdump: holes and pages makedumpfile excluded; ELF:
   * addresses outside every PT_LOAD). `paddr` itself when its page is there. Optional, a fast path
   * for long scans (search, the mem_map pass): answers must not change with or without it.
   */
  absentRunEnd?(paddr: bigint, limit: bigint): bigint;
  /** Problems found at open that do not stop the session (truncation, incomplete flag). */
  readonly warnings: readonly string[];
  close(): void;
}
