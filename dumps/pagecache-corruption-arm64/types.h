/* The data this investigation reads are pages and page tables: nothing beyond the core types. */
