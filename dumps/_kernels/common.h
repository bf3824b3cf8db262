/*
 * The core kernel types crash-tui's general code reads, common to Linux 3.10-6.1 (LP64): member
 * names and types follow the kernel headers; only members the tools read or that a scenario sets
 * are kept (so offsets are those of this reduced layout, not of a distro build). The task_struct
 * and the printk buffer differ by era: see task-*.h and printk-*.h.
 */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed char s8;
typedef short s16;
typedef int s32;
typedef long long s64;
typedef _Bool bool;
typedef int pid_t;
typedef long long time64_t;
typedef s64 ktime_t;
typedef unsigned long pgdval_t;
typedef struct { pgdval_t pgd; } pgd_t;
typedef struct { int counter; } atomic_t;
typedef struct { long counter; } atomic_long_t;
typedef struct { unsigned int sequence; } seqcount_t;
typedef struct { seqcount_t seqcount; } seqcount_raw_spinlock_t;
typedef struct { unsigned int val; } arch_spinlock_t;
typedef struct { arch_spinlock_t raw_lock; } raw_spinlock_t;
typedef struct { raw_spinlock_t rlock; } spinlock_t;

struct list_head { struct list_head *next; struct list_head *prev; };
struct hlist_node { struct hlist_node *next; struct hlist_node **pprev; };
struct hlist_head { struct hlist_node *first; };
struct rb_node { unsigned long __rb_parent_color; struct rb_node *rb_right; struct rb_node *rb_left; };
struct cpumask { unsigned long bits[1]; };
typedef struct cpumask cpumask_t;
struct kref { atomic_t refcount; };

#define __NEW_UTS_LEN 64
struct new_utsname {
	char sysname[__NEW_UTS_LEN + 1];
	char nodename[__NEW_UTS_LEN + 1];
	char release[__NEW_UTS_LEN + 1];
	char version[__NEW_UTS_LEN + 1];
	char machine[__NEW_UTS_LEN + 1];
	char domainname[__NEW_UTS_LEN + 1];
};
struct uts_namespace {
	struct kref kref;
	struct new_utsname name;
	void *user_ns;
	void *ucounts;
	unsigned int inum;
};

struct timespec64 { time64_t tv_sec; long tv_nsec; };
struct tk_read_base { void *clock; u64 mask; u64 cycle_last; u32 mult; u32 shift; u64 xtime_nsec; ktime_t base; u64 base_real; };
struct timekeeper {
	struct tk_read_base tkr_mono;
	struct tk_read_base tkr_raw;
	u64 xtime_sec;
	unsigned long ktime_sec;
	struct timespec64 wall_to_monotonic;
	ktime_t offs_real;
	ktime_t offs_boot;
	ktime_t offs_tai;
	s32 tai_offset;
};

struct file;
struct mm_struct;
struct vm_area_struct {
	unsigned long vm_start;
	unsigned long vm_end;
#ifndef MM_MAPLE_TREE
	struct vm_area_struct *vm_next;
	struct vm_area_struct *vm_prev;
#endif
	struct mm_struct *vm_mm;
	unsigned long vm_page_prot;
	unsigned long vm_flags;
	void *anon_vma;
	unsigned long vm_pgoff;
	struct file *vm_file;
	void *vm_private_data;
};
struct maple_tree { spinlock_t ma_lock; unsigned int ma_flags; void *ma_root; };
struct mm_rss_stat { atomic_long_t count[4]; };
struct mm_struct {
#ifdef MM_MAPLE_TREE
	struct maple_tree mm_mt;	/* 6.1+: VMAs in a maple tree (d4af56c5c7c6) */
#else
	struct vm_area_struct *mmap;	/* the VMA list before 6.1 */
#endif
	unsigned long mmap_base;
	unsigned long task_size;
	pgd_t *pgd;
	atomic_t mm_users;
	atomic_t mm_count;
	unsigned long total_vm;
	unsigned long start_stack;
	struct mm_rss_stat rss_stat;
};


struct thread_struct { unsigned long sp; unsigned short es; unsigned short ds; unsigned long fsbase; unsigned long gsbase; };

struct signal_struct { atomic_t sigcnt; atomic_t live; int nr_threads; struct list_head thread_head; };



enum cpuhp_state {
	CPUHP_INVALID = -1,
	CPUHP_OFFLINE = 0,
	CPUHP_CREATE_THREADS,
	CPUHP_BRINGUP_CPU,
	CPUHP_AP_ONLINE,
	CPUHP_AP_ACTIVE,
	CPUHP_ONLINE,
};
struct cpuhp_cpu_state { enum cpuhp_state state; enum cpuhp_state target; enum cpuhp_state fail; };

struct rq {
	raw_spinlock_t __lock;
	unsigned int nr_running;
	u64 nr_switches;
	struct task_struct *curr;
	struct task_struct *idle;
	struct task_struct *stop;
	unsigned long next_balance;
	int cpu;
	int online;
	u64 clock;
};

struct pglist_data {
	int nr_zones;
	unsigned long node_start_pfn;
	unsigned long node_present_pages;
	unsigned long node_spanned_pages;
	int node_id;
};
typedef struct pglist_data pg_data_t;

