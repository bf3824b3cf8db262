/**
 * The project's own error types. Every decoder and command either succeeds or throws one of
 * these; the command engine turns them into crash-style messages and the session goes on.
 */
export class CrashError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CrashError';
  }
}

/** A malformed or unsupported dump file (truncated headers, bad magic, wild lengths). */
export class DumpFormatError extends CrashError {
  constructor(message: string) {
    super(message);
    this.name = 'DumpFormatError';
  }
}

/** Malformed debug information (kallsyms tables, BTF, VMCOREINFO). */
export class DebugInfoError extends CrashError {
  constructor(message: string) {
    super(message);
    this.name = 'DebugInfoError';
  }
}

/** Why a physical read failed, in crash's vocabulary (memory.c readmem error strings). */
export type PhysFault = 'seek' | 'read' | 'excluded' | 'incomplete';

/** Raised by a DumpFile when a physical address cannot be read. */
export class PhysReadError extends CrashError {
  constructor(readonly fault: PhysFault, readonly paddr: bigint) {
    super(`${fault} error: physical address: ${paddr.toString(16)}`);
    this.name = 'PhysReadError';
  }
}
