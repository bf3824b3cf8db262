/* mm/page_ext.c and mm/page_table_check.c (6.1): the per-page counters page_table_check keeps. */
struct page_ext { unsigned long flags; };
struct page_table_check { atomic_t anon_map_count; atomic_t file_map_count; };
struct anon_vma { struct anon_vma *root; atomic_t refcount; };
