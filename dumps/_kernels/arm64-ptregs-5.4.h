/*
 * arm64 struct pt_regs of 5.4 (arch/arm64/include/asm/ptrace.h): user_pt_regs' regs[31], sp, pc,
 * pstate, then the kernel's own fields; kernel_entry links stackframe[] (x29, elr) into the frame
 * chain (v4.10 7326749801396). The union with struct user_pt_regs is flattened: same layout.
 */
struct pt_regs {
	u64 regs[31];
	u64 sp;
	u64 pc;
	u64 pstate;
	u64 orig_x0;
	s32 syscallno;
	u32 unused2;
	u64 orig_addr_limit;
	u64 pmr_save;
	u64 stackframe[2];
};
