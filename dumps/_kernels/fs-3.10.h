/* 3.10's VFS: the page cache is a radix tree with the height in its root, inodes have i_mutex. Lists before fs.h. */
#define FS_RADIX_PAGE_TREE 1
#define INODE_I_MUTEX 1
