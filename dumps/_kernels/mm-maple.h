/* 6.1+: mm_struct keeps its VMAs in a maple tree (mm_mt), no mmap list. */
#define MM_MAPLE_TREE 1
/* lib/maple_tree.c: a 64-bit range node (256 bytes, 256-aligned); leaves hold the VMA pointers. */
struct maple_range_64 {
	void *parent;
	unsigned long pivot[15];
	void *slot[16];
};
