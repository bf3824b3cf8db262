/*
 * task_struct (include/linux/sched.h), the members the tools read, for 3.10-6.1. Which era is
 * chosen by the defines of task-<era>.h, listed before this file:
 *   THREAD_INFO_IN_TASK  thread_info is task_struct's first member and the cpu is task->cpu
 *                        (x86 since 4.9, arm64 since 4.10); otherwise thread_info sits at the
 *                        bottom of the stack (task->stack) and holds the cpu.
 *   TASK_STATE_UINT      the state word is `unsigned int __state` (5.14, 2f064a59a11f); before,
 *                        `volatile long state`.
 */
struct task_struct;
struct fs_struct;
struct files_struct;
struct nsproxy;
#ifdef THREAD_INFO_IN_TASK
struct thread_info { unsigned long flags; unsigned long syscall_work; u32 status; };
#else
struct thread_info {
	struct task_struct *task;
	void *exec_domain;
	u32 flags;
	u32 status;
	u32 cpu;
	int saved_preempt_count;
	unsigned long addr_limit;
	void *restart_block_fn;
	void *sysenter_return;
	unsigned int sig_on_uaccess_error:1;
	unsigned int uaccess_err:1;
};
#endif

struct task_struct {
#ifdef THREAD_INFO_IN_TASK
	struct thread_info thread_info;
#endif
#ifdef TASK_STATE_UINT
	unsigned int __state;
#else
	volatile long state;
#endif
	void *stack;
	u32 flags;
	int on_cpu;
#ifdef THREAD_INFO_IN_TASK
	unsigned int cpu;
#endif
	int prio;
	int static_prio;
	unsigned int policy;
	struct list_head tasks;
	struct mm_struct *mm;
	struct mm_struct *active_mm;
	int exit_state;
	int exit_code;
	pid_t pid;
	pid_t tgid;
	struct task_struct *real_parent;
	struct task_struct *parent;
	struct list_head children;
	struct list_head sibling;
	struct task_struct *group_leader;
	struct list_head thread_group;
	struct list_head thread_node;
	u64 utime;
	u64 stime;
	u64 start_time;
	char comm[16];
	struct signal_struct *signal;
	struct thread_struct thread;
	struct fs_struct *fs;		/* crash's files/net -s: open files, root and cwd */
	struct files_struct *files;
	struct nsproxy *nsproxy;
};
