/* task_struct before 5.14: `volatile long state`. */
/* x86 THREAD_INFO_IN_TASK (4.9+): thread_info is the first member of task_struct. */
struct thread_info { unsigned long flags; unsigned long syscall_work; u32 status; };

struct task_struct {
	struct thread_info thread_info;
	volatile long state;
	void *stack;
	u32 flags;
	int on_cpu;
	unsigned int cpu;
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
