/*
 * The VFS objects crash's `files` and `net -s` read (include/linux/fs.h, dcache.h, fdtable.h,
 * fs_struct.h, mount.h, path.h, xarray.h, radix-tree.h), 3.10-6.1, members named as the kernel
 * names them; only members the tools read or a scenario sets are kept (so offsets are those of
 * this reduced layout). Era, by defines listed before this file (fs-3.10.h):
 *   FS_RADIX_PAGE_TREE  address_space.page_tree is a radix tree with the height in its root
 *                       (before 4.7); otherwise address_space.i_pages is an xarray (4.20,
 *                       f6bb2a2c0b81 "xarray: add the xa_lock to the radix_tree_root")
 *   INODE_I_MUTEX       inode.i_mutex (before 4.7, 9902af79c01a "parallel lookups"), else i_rwsem
 */
typedef unsigned short umode_t;
typedef long long loff_t;
typedef unsigned int dev_t;
typedef unsigned int gfp_t;
typedef unsigned long long blkcnt_t;
typedef unsigned long pgoff_t;

struct callback_head { struct callback_head *next; void (*func)(struct callback_head *head); };
struct hlist_bl_node { struct hlist_bl_node *next; struct hlist_bl_node **pprev; };
struct mutex { atomic_long_t owner; spinlock_t wait_lock; struct list_head wait_list; };
struct rw_semaphore { atomic_long_t count; atomic_long_t owner; spinlock_t wait_lock; struct list_head wait_list; };

#ifdef FS_RADIX_PAGE_TREE
#define RADIX_TREE_MAP_SIZE 64
struct radix_tree_node {
	unsigned int height;
	unsigned int count;
	union {
		struct radix_tree_node *parent;
		struct callback_head rcu_head;
	};
	void *slots[RADIX_TREE_MAP_SIZE];
	unsigned long tags[3][1];
};
struct radix_tree_root {
	unsigned int height;
	gfp_t gfp_mask;
	struct radix_tree_node *rnode;
};
#else
#define XA_CHUNK_SIZE 64
struct xarray {
	spinlock_t xa_lock;
	gfp_t xa_flags;
	void *xa_head;
};
struct xa_node {
	unsigned char shift;
	unsigned char offset;
	unsigned char count;
	unsigned char nr_values;
	struct xa_node *parent;
	struct xarray *array;
	union {
		struct list_head private_list;
		struct callback_head rcu_head;
	};
	void *slots[XA_CHUNK_SIZE];
	union {
		unsigned long tags[3][1];
		unsigned long marks[3][1];
	};
};
#endif

struct inode;
struct address_space_operations;
struct address_space {
	struct inode *host;
#ifdef FS_RADIX_PAGE_TREE
	struct radix_tree_root page_tree;
	spinlock_t tree_lock;
#else
	struct xarray i_pages;
#endif
	gfp_t gfp_mask;
	atomic_t i_mmap_writable;
	unsigned long nrpages;
	pgoff_t writeback_index;
	const struct address_space_operations *a_ops;
	unsigned long flags;
	void *private_data;
};

struct inode_operations;
struct file_operations;
struct super_block;
struct inode {
	umode_t i_mode;
	unsigned short i_opflags;
	unsigned int i_uid;
	unsigned int i_gid;
	unsigned int i_flags;
	const struct inode_operations *i_op;
	struct super_block *i_sb;
	struct address_space *i_mapping;
	unsigned long i_ino;
	unsigned int i_nlink;
	dev_t i_rdev;
	loff_t i_size;
	struct timespec64 i_atime;
	struct timespec64 i_mtime;
	struct timespec64 i_ctime;
	spinlock_t i_lock;
	unsigned short i_bytes;
	blkcnt_t i_blocks;
	unsigned long i_state;
#ifdef INODE_I_MUTEX
	struct mutex i_mutex;
#else
	struct rw_semaphore i_rwsem;
#endif
	struct hlist_node i_hash;
	struct list_head i_lru;
	struct list_head i_sb_list;
	struct hlist_head i_dentry;
	atomic_t i_count;
	atomic_t i_writecount;
	const struct file_operations *i_fop;
	struct address_space i_data;
	void *i_private;
};

struct qstr {
	union {
		struct {
			u32 hash;
			u32 len;
		};
		u64 hash_len;
	};
	const unsigned char *name;
};

#define DNAME_INLINE_LEN 32
struct dentry {
	unsigned int d_flags;
	seqcount_t d_seq;
	struct hlist_bl_node d_hash;
	struct dentry *d_parent;
	struct qstr d_name;
	struct inode *d_inode;
	unsigned char d_iname[DNAME_INLINE_LEN];
	unsigned int d_count;
	const void *d_op;
	struct super_block *d_sb;
	unsigned long d_time;
	void *d_fsdata;
	struct list_head d_lru;
	struct list_head d_child;
	struct list_head d_subdirs;
};

struct super_block {
	struct list_head s_list;
	dev_t s_dev;
	unsigned long s_blocksize;
	loff_t s_maxbytes;
	struct dentry *s_root;
	struct list_head s_inodes;
	char s_id[32];
};

struct vfsmount {
	struct dentry *mnt_root;
	struct super_block *mnt_sb;
	int mnt_flags;
};
struct mnt_namespace;
struct mount {
	struct hlist_node mnt_hash;
	struct mount *mnt_parent;
	struct dentry *mnt_mountpoint;
	struct vfsmount mnt;
	struct list_head mnt_mounts;
	struct list_head mnt_child;
	struct list_head mnt_instance;
	const char *mnt_devname;
	struct list_head mnt_list;
	struct mnt_namespace *mnt_ns;
	int mnt_id;
};

struct path {
	struct vfsmount *mnt;
	struct dentry *dentry;
};

struct fs_struct {
	int users;
	spinlock_t lock;
	seqcount_t seq;
	int umask;
	int in_exec;
	struct path root;
	struct path pwd;
};

typedef unsigned int fmode_t;
struct file {
	union {
		struct list_head fu_list;
		struct callback_head fu_rcuhead;
	} f_u;
	struct path f_path;
	struct inode *f_inode;
	const struct file_operations *f_op;
	spinlock_t f_lock;
	atomic_long_t f_count;
	unsigned int f_flags;
	fmode_t f_mode;
	loff_t f_pos;
	void *private_data;
	struct address_space *f_mapping;
};

#define NR_OPEN_DEFAULT 64
struct fdtable {
	unsigned int max_fds;
	struct file **fd;
	unsigned long *close_on_exec;
	unsigned long *open_fds;
	struct callback_head rcu;
};
struct files_struct {
	atomic_t count;
	struct fdtable *fdt;
	struct fdtable fdtab;
	spinlock_t file_lock;
	int next_fd;
	unsigned long close_on_exec_init[1];
	unsigned long open_fds_init[1];
	struct file *fd_array[NR_OPEN_DEFAULT];
};
