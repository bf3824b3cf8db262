/* task_struct of 3.10: `volatile long state`; thread_info lives at the bottom of the stack (task->stack), holding the cpu. */
struct task_struct;
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

struct task_struct {
	volatile long state;
	void *stack;
	u32 flags;
	int on_cpu;
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
};
