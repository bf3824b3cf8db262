/*
 * arm64 struct pt_regs of 6.1 (arch/arm64/include/asm/ptrace.h): sdei_ttbr1 replaced
 * orig_addr_limit (5.11), lockdep_hardirqs and exit_rcu follow the stackframe[] record (5.12),
 * so the record is no longer the last 16 bytes. The union with struct user_pt_regs is flattened.
 */
struct pt_regs {
	u64 regs[31];
	u64 sp;
	u64 pc;
	u64 pstate;
	u64 orig_x0;
	s32 syscallno;
	u32 unused2;
	u64 sdei_ttbr1;
	u64 pmr_save;
	u64 stackframe[2];
	u64 lockdep_hardirqs;
	u64 exit_rcu;
};
