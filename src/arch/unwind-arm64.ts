/**
 * arm64 frame-record unwinding (AAPCS64: x29 points at {caller's x29, x30}) and struct pt_regs,
 * the way crash's arm64.c walks them (arm64_unwind_frame, arm64_is_kernel_exception_frame).
 */
import type { StackReader } from './unwind-orc.js';

/** crash's struct arm64_stackframe: the frame pointer, the stack pointer and the pc of a frame. */
export interface Arm64Frame {
  fp: bigint;
  sp: bigint;
  pc: bigint;
}

/** struct pt_regs (arch/arm64/include/asm/ptrace.h): regs[31], sp, pc, pstate, orig_x0, syscallno. */
export interface Arm64Regs {
  x: bigint[];
  sp: bigint;
  pc: bigint;
  pstate: bigint;
  orig_x0: bigint;
  syscallno: bigint;
}

/** Bytes of struct pt_regs up to syscallno (stable since v3.7). */
export const ARM64_PT_REGS_MIN = 35 * 8 + 4;

export function decodeArm64PtRegs(b: Uint8Array): Arm64Regs {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const u = (i: number) => dv.getBigUint64(i * 8, true);
  return {
    x: Array.from({ length: 31 }, (_, i) => u(i)),
    sp: u(31),
    pc: u(32),
    pstate: u(33),
    orig_x0: u(34),
    syscallno: BigInt(dv.getInt32(35 * 8, true)),
  };
}

/** NT_PRSTATUS's user_pt_regs names (x0..x30, sp, pc, pstate) to pt_regs. */
export function arm64RegsFromPrstatus(m: Record<string, bigint>): Arm64Regs {
  const g = (k: string) => m[k] ?? 0n;
  return { x: Array.from({ length: 31 }, (_, i) => g(`x${i}`)), sp: g('sp'), pc: g('pc'), pstate: g('pstate'), orig_x0: 0n, syscallno: 0n };
}

/** PSR_MODE_EL0t: the saved state is a user one. */
export const arm64UserMode = (pstate: bigint): boolean => (pstate & 0xfn) === 0n;

/**
 * One step of arm64_unwind_frame(): the frame record at fp gives the caller's fp and the return
 * address. The record must lie between sp and the end of sp's THREAD_SIZE-aligned stack, 16-byte
 * aligned; a record of two zeros ends the chain (the one kernel_entry leaves for EL0).
 */
export function arm64Unwind(f: Arm64Frame, mem: StackReader, stackSize: bigint, inStack: (a: bigint) => boolean): Arm64Frame | undefined {
  const high = (f.sp + stackSize - 1n) & ~(stackSize - 1n);
  if (f.fp < f.sp || f.fp > high || (f.fp & 0xfn) !== 0n || !inStack(f.fp)) return undefined;
  const fp = mem.u64(f.fp);
  const pc = mem.u64(f.fp + 8n);
  if (fp === undefined || pc === undefined || (fp === 0n && pc === 0n)) return undefined;
  return { sp: f.fp + 16n, fp, pc };
}
