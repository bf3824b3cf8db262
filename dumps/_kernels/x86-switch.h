/*
 * x86_64 context switch (arch/x86/include/asm/switch_to.h, v4.9 0100301bfdf5): __switch_to_asm
 * pushes this frame on the outgoing task's stack and saves its address in task->thread.sp;
 * ret_addr is the return into __schedule (ret_from_fork for a new task).
 */
struct inactive_task_frame {
	unsigned long r15;
	unsigned long r14;
	unsigned long r13;
	unsigned long r12;
	unsigned long bx;
	unsigned long bp;
	unsigned long ret_addr;
};
