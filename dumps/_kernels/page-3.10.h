/*
 * struct page and enum pageflags of RHEL 7's 3.10 x86_64 (include/linux/mm_types.h with SLUB,
 * CONFIG_HAVE_ALIGNED_STRUCT_PAGE: 64 bytes; include/linux/page-flags.h with PG_tail).
 */
struct address_space;
struct kmem_cache;
struct page {
	unsigned long flags;
	struct address_space *mapping;
	union {
		unsigned long index;
		void *freelist;
		bool pfmemalloc;
	};
	union {
		unsigned long counters;
		struct {
			union {
				atomic_t _mapcount;
				struct {
					unsigned int inuse:16;
					unsigned int objects:15;
					unsigned int frozen:1;
				};
				int units;
			};
			atomic_t _count;
		};
	};
	union {
		struct list_head lru;
		struct {
			struct page *next;
			int pages;
			int pobjects;
		};
	};
	union {
		unsigned long private;
		struct kmem_cache *slab_cache;
		struct page *first_page;
	};
} __attribute__((aligned(16)));

enum pageflags {
	PG_locked,
	PG_error,
	PG_referenced,
	PG_uptodate,
	PG_dirty,
	PG_lru,
	PG_active,
	PG_slab,
	PG_owner_priv_1,
	PG_arch_1,
	PG_reserved,
	PG_private,
	PG_private_2,
	PG_writeback,
	PG_head,
	PG_tail,
	PG_swapcache,
	PG_mappedtodisk,
	PG_reclaim,
	PG_swapbacked,
	PG_unevictable,
	PG_mlocked,
	PG_uncached,
	PG_hwpoison,
	PG_compound_lock,
	__NR_PAGEFLAGS,
};

/* SLUB (include/linux/slub_def.h, 3.10) */
struct kmem_cache_order_objects { unsigned long x; };
struct kmem_cache_cpu {
	void **freelist;
	unsigned long tid;
	struct page *page;
	struct page *partial;
};
struct kmem_cache_node {
	spinlock_t list_lock;
	unsigned long nr_partial;
	struct list_head partial;
	atomic_long_t nr_slabs;
	atomic_long_t total_objects;
	struct list_head full;
};
struct kmem_cache {
	struct kmem_cache_cpu *cpu_slab;
	unsigned long flags;
	unsigned long min_partial;
	int size;
	int object_size;
	int offset;
	int cpu_partial;
	struct kmem_cache_order_objects oo;
	struct kmem_cache_order_objects max;
	struct kmem_cache_order_objects min;
	unsigned int allocflags;
	int refcount;
	void (*ctor)(void *);
	int inuse;
	int align;
	int reserved;
	const char *name;
	struct list_head list;
	int remote_node_defrag_ratio;
	struct kmem_cache_node *node[1024];
};
