/**
 * BTF describes types, functions and per-cpu variables, but no other global variables
 * (pahole emits VARs only for .data..percpu; see reference/dump-formats.md). To print
 * `p jiffies` or `struct uts_namespace init_uts_ns` we must know a few globals' types. This is
 * that explicit, small table: declarations copied from the kernel headers, resolved against the
 * dump's own BTF (so layouts still come from the dump). `whatis` says when a type came from here.
 * `[]` arrays take their length from the symbol's extent in the symbol table.
 */
export const WELL_KNOWN_GLOBALS: readonly string[] = [
  'struct task_struct init_task',
  'struct mm_struct init_mm',
  'struct uts_namespace init_uts_ns',
  'struct pid_namespace init_pid_ns',
  'struct nsproxy init_nsproxy',
  'struct files_struct init_files',
  'struct net init_net',
  'volatile unsigned long jiffies',
  'u64 jiffies_64',
  'const char linux_banner[]',
  'const char linux_proc_banner[]',
  'char *saved_command_line',
  'unsigned long __per_cpu_offset[]',
  'unsigned long page_offset_base',
  'unsigned long vmalloc_base',
  'unsigned long vmemmap_base',
  'unsigned long phys_base',
  'unsigned long max_pfn',
  'unsigned long avenrun[3]',
  'unsigned int cpu_khz',
  'unsigned int tsc_khz',
  'unsigned long tainted_mask',
  'atomic_long_t _totalram_pages',
  'unsigned long totalreserve_pages',
  'unsigned int nr_cpu_ids',
  'struct cpumask __cpu_online_mask',
  'struct cpumask __cpu_present_mask',
  'struct cpumask __cpu_possible_mask',
  'struct cpumask __cpu_active_mask',
  'atomic_t panic_cpu',
  'int crashing_cpu',
  'int panic_on_oops',
  'int pid_max',
  'struct pglist_data *node_data[]',
  'struct mem_section **mem_section',
  'struct list_head slab_caches',
  'struct list_head modules',
  'struct printk_ringbuffer *prb',
  'struct printk_ringbuffer printk_rb_static',
  'pgd_t init_top_pgt[]',
  'struct kmem_cache *task_struct_cachep',
  'struct super_block *blockdev_superblock',
  'struct timezone sys_tz',
  'nodemask_t node_states[]',
];
