/*
 * Sockets of 3.10 (include/linux/net.h, include/net/sock.h, include/net/inet_sock.h): struct
 * socket inside socket_alloc with its inode, sock_common's address and port pairs, sk_type as a
 * 16-bit bitfield (a plain u16 since 5.6, bf9765145b85), inet_sock with inet_sport (the other
 * inet_* names are #defines of the sock_common members). Reduced to what crash's `net -s`
 * reads and a scenario sets. Lists after fs.h and skbuff.h (its __be16/__be32/__u16 typedefs).
 */
typedef enum {
	SS_FREE = 0,
	SS_UNCONNECTED,
	SS_CONNECTING,
	SS_CONNECTED,
	SS_DISCONNECTING,
} socket_state;

struct socket_wq;
struct proto_ops;
struct sock;
struct socket {
	socket_state state;
	short type;
	unsigned long flags;
	struct socket_wq *wq;
	struct file *file;
	struct sock *sk;
	const struct proto_ops *ops;
};

struct socket_alloc {
	struct socket socket;
	struct inode vfs_inode;
};

typedef short __s16;
typedef __u32 __portpair;
typedef __u64 __addrpair;
struct proto;
struct net;
struct sock_common {
	union {
		__addrpair skc_addrpair;
		struct {
			__be32 skc_daddr;
			__be32 skc_rcv_saddr;
		};
	};
	union {
		unsigned int skc_hash;
		__u16 skc_u16hashes[2];
	};
	union {
		__portpair skc_portpair;
		struct {
			__be16 skc_dport;
			__u16 skc_num;
		};
	};
	unsigned short skc_family;
	volatile unsigned char skc_state;
	unsigned char skc_reuse:4;
	unsigned char skc_reuseport:4;
	int skc_bound_dev_if;
	struct hlist_node skc_bind_node;
	struct proto *skc_prot;
	struct net *skc_net;
	struct hlist_node skc_node;
	int skc_tx_queue_mapping;
	atomic_t skc_refcnt;
};

struct sock {
	struct sock_common __sk_common;
	int sk_forward_alloc;
	__u32 sk_rxhash;
	atomic_t sk_drops;
	int sk_rcvbuf;
	struct socket_wq *sk_wq;
	unsigned long sk_flags;
	atomic_t sk_wmem_alloc;
	int sk_sndbuf;
	unsigned int sk_shutdown:2;
	unsigned int sk_no_check:2;
	unsigned int sk_userlocks:4;
	unsigned int sk_protocol:8;
	unsigned int sk_type:16;
	int sk_wmem_queued;
	gfp_t sk_allocation;
	struct socket *sk_socket;
	void *sk_user_data;
};

struct ipv6_pinfo;
struct inet_sock {
	struct sock sk;
	struct ipv6_pinfo *pinet6;
	__be32 inet_saddr;
	__s16 uc_ttl;
	__u16 cmsg_flags;
	__be16 inet_sport;
	__u16 inet_id;
	__u8 tos;
	__u8 min_ttl;
	__u8 mc_ttl;
	__u8 pmtudisc;
	int uc_index;
	int mc_index;
	__be32 mc_addr;
};
