/*
 * struct sk_buff, skb_shared_info and skb_frag_t of the RHEL 7 kernel (3.10.0-*.el7.x86_64),
 * from include/linux/skbuff.h with the x86_64 config RHEL ships (CONFIG_XFRM, NF_CONNTRACK,
 * BRIDGE_NETFILTER, NET_SCHED, NET_CLS_ACT, IPV6_NDISC_NODETYPE, NET_RX_BUSY_POLL, XPS,
 * NETWORK_SECMARK; no KMEMCHECK) and the RH_KABI_* macros expanded as a non-genksyms build
 * expands them (RH_KABI_RENAME → the new name, RH_KABI_EXTEND(x) → x;, RH_KABI_REPLACE →
 * an anonymous union holding the new member and the old one in a __UNIQUE_ID struct,
 * CONFIG_RH_KABI_SIZE_ALIGN_CHECKS off). On 64-bit, NET_SKBUFF_DATA_USES_OFFSET makes
 * sk_buff_data_t an unsigned int: `tail` and `end` are offsets from `head`.
 */
#define BITS_PER_LONG 64
#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)

#define CONFIG_XFRM 1
#define CONFIG_NF_CONNTRACK_MODULE 1
#define CONFIG_BRIDGE_NETFILTER 1
#define CONFIG_NET_SCHED 1
#define CONFIG_NET_CLS_ACT 1
#define CONFIG_IPV6_NDISC_NODETYPE 1
#define CONFIG_NET_RX_BUSY_POLL 1
#define CONFIG_XPS 1
#define CONFIG_NETWORK_SECMARK 1

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef int __s32;
typedef unsigned int __u32;
typedef long long __s64;
typedef unsigned long long __u64;
typedef __u16 __bitwise __be16;
typedef __u32 __bitwise __be32;
typedef __u32 __bitwise __wsum;
typedef s32 dma_cookie_t;


typedef u16 __ticket_t;
typedef u32 __ticketpair_t;

/* arch_spinlock_t: see ../_kernels/common.h (same size as 3.10's ticket lock) */

/* raw_spinlock_t: see ../_kernels/common.h (same size as 3.10's ticket lock) */

/* spinlock_t: see ../_kernels/common.h (same size as 3.10's ticket lock) */

union ktime {
	s64	tv64;
};
/* 3.10's ktime_t is `union ktime`; common.h's s64 has the same size */		/* Kill this */

/* struct rb_node: see ../_kernels/common.h */

struct sk_buff;

#if (65536/PAGE_SIZE + 1) < 16
#define MAX_SKB_FRAGS 16UL
#else
#define MAX_SKB_FRAGS (65536/PAGE_SIZE + 1)
#endif

typedef struct skb_frag_struct skb_frag_t;

struct skb_frag_struct {
	struct {
		struct page *p;
	} page;
#if (BITS_PER_LONG > 32) || (PAGE_SIZE >= 65536)
	__u32 page_offset;
	__u32 size;
#else
	__u16 page_offset;
	__u16 size;
#endif
};

struct skb_shared_hwtstamps {
	ktime_t	hwtstamp;
	ktime_t	syststamp;
};

struct ubuf_info {
	void (*callback)(struct ubuf_info *, bool zerocopy_success);
	void *ctx;
	unsigned long desc;
};

/* This data is invariant across clones and lives at
 * the end of the header data, ie. at skb->end.
 */
struct skb_shared_info {
	unsigned char	nr_frags;
	__u8		tx_flags;
	unsigned short	gso_size;
	/* Warning: this field is not always filled in (UFO)! */
	unsigned short	gso_segs;
	unsigned short  gso_type;
	struct sk_buff	*frag_list;
	struct skb_shared_hwtstamps hwtstamps;
	__be32          ip6_frag_id;

	/*
	 * Warning : all fields before dataref are cleared in __alloc_skb()
	 */
	atomic_t	dataref;

	/* Intermediate layers must ensure that destructor_arg
	 * remains valid until skb destructor */
	void *		destructor_arg;

	/* must be last field, see pskb_expand_head() */
	skb_frag_t	frags[MAX_SKB_FRAGS];
};

enum {
	SKB_FCLONE_UNAVAILABLE,
	SKB_FCLONE_ORIG,
	SKB_FCLONE_CLONE,
};

enum {
	SKB_GSO_TCPV4 = 1 << 0,
	SKB_GSO_UDP = 1 << 1,
	SKB_GSO_DODGY = 1 << 2,
	SKB_GSO_TCP_ECN = 1 << 3,
	SKB_GSO_TCPV6 = 1 << 4,
	SKB_GSO_FCOE = 1 << 5,
	SKB_GSO_GRE = 1 << 6,
	SKB_GSO_IPIP = 1 << 7,
	SKB_GSO_SIT = 1 << 8,
	SKB_GSO_UDP_TUNNEL = 1 << 9,
	SKB_GSO_GRE_CSUM = 1 << 11,
	SKB_GSO_UDP_TUNNEL_CSUM = 1 << 12,
	SKB_GSO_PARTIAL = 1 << 13,
	SKB_GSO_SCTP = 1 << 14,
	SKB_GSO_TCP_FIXEDID = 1 << 15,
};

#if BITS_PER_LONG > 32
#define NET_SKBUFF_DATA_USES_OFFSET 1
#endif

#ifdef NET_SKBUFF_DATA_USES_OFFSET
typedef unsigned int sk_buff_data_t;
#else
typedef unsigned char *sk_buff_data_t;
#endif

struct skb_mstamp {
	union {
		u64		v64;
		struct {
			u32	stamp_us;
			u32	stamp_jiffies;
		};
	};
};

struct sk_buff {
	union {
		struct {
			/* These two members must be first. */
			struct sk_buff		*next;
			struct sk_buff		*prev;

			union {
				ktime_t		tstamp;
				struct skb_mstamp skb_mstamp;
			};
		};
		struct rb_node	rbnode; /* used in netem, ip4 defrag, and tcp stack */
	};
	struct sock		*sk;
	struct net_device	*dev;

	/*
	 * This is the control buffer. It is free to use for every
	 * layer. Please put your private variables there.
	 */
	char			cb[48] __aligned(8);

	unsigned long		_skb_refdst;
#ifdef CONFIG_XFRM
	struct	sec_path	*sp;
#endif
	unsigned int		len,
				data_len;
	__u16			mac_len,
				hdr_len;
	union {
		__wsum		csum;
		struct {
			__u16	csum_start;
			__u16	csum_offset;
		};
	};
	__u32			priority;
	__u8			ignore_df:1,
				cloned:1,
				ip_summed:2,
				nohdr:1,
				nfctinfo:3;
	__u8			pkt_type:3,
				fclone:2,
				ipvs_property:1,
				peeked:1,
				nf_trace:1;
	__be16			protocol;

	void			(*destructor)(struct sk_buff *skb);
#if defined(CONFIG_NF_CONNTRACK) || defined(CONFIG_NF_CONNTRACK_MODULE)
	struct nf_conntrack	*nfct;
#endif
#ifdef CONFIG_BRIDGE_NETFILTER
	struct nf_bridge_info	*nf_bridge;
#endif

	/* fields enclosed in headers_start/headers_end are copied
	 * using a single memcpy() in __copy_skb_header()
	 */
	__u32	headers_start[0];

	int			skb_iif;

	union {
		__u32	hash;
		struct {
			__u32	rxhash;
		} __UNIQUE_ID_rh_kabi_hide27;
	};

	__be16			vlan_proto;
	__u16			vlan_tci;

#ifdef CONFIG_NET_SCHED
	__u16			tc_index;	/* traffic control index */
#ifdef CONFIG_NET_CLS_ACT
	__u16			tc_verd;	/* traffic control verdict */
#endif
#endif

	__u16			queue_mapping;
#ifdef CONFIG_IPV6_NDISC_NODETYPE
	__u8			ndisc_nodetype:2;
#endif
	__u8			pfmemalloc:1;
	__u8			ooo_okay:1;
	__u8			l4_hash:1;
	__u8			wifi_acked_valid:1;
	__u8			wifi_acked:1;
	__u8			no_fcs:1;
	__u8			head_frag:1;
	/* Indicates the inner headers are valid in the skbuff. */
	__u8			encapsulation:1;
	__u8			encap_hdr_csum:1;
	__u8			csum_valid:1;
	__u8			csum_complete_sw:1;
	__u8			xmit_more:1;
	__u8			inner_protocol_type:1;
	__u8			remcsum_offload:1;
	/* 0/2 bit hole (depending on ndisc_nodetype presence) */

#if defined CONFIG_NET_DMA_RH_KABI || defined CONFIG_NET_RX_BUSY_POLL || defined CONFIG_XPS
	union {
		unsigned int	napi_id;
		unsigned int	sender_cpu;
		dma_cookie_t	rh_reserved_dma_cookie;
	};
#endif
#ifdef CONFIG_NETWORK_SECMARK
	__u32			secmark;
#endif
	union {
		__u32		mark;
		__u32		dropcount;
		__u32		reserved_tailroom;
	};

	union {
		__be16		inner_protocol;
		__u8		inner_ipproto;
	};

	__u16			inner_transport_header;
	__u16			inner_network_header;
	__u16			inner_mac_header;
	__u16			transport_header;
	__u16			network_header;
	__u16			mac_header;

	__u8	csum_level:2;
	__u8	rh_csum_pad:1;
	__u8	rh_csum_bad_unused:1; /* one bit hole */
	__u8	offload_fwd_mark:1;
	__u8	sw_hash:1;
	__u8     csum_not_inet:1;
	__u8	dst_pending_confirm:1;
	__u8	offload_mr_fwd_mark:1;
	/* 7 bit hole */

	__u32	headers_end[0];

	/* RHEL SPECIFIC: padding inserted before the ABI freeze. */
	u32			rh_reserved1;
	u32			rh_reserved2;
	u32			rh_reserved3;
	u32			rh_reserved4;

	/* These elements must be at the end, see alloc_skb() for details.  */
	sk_buff_data_t		tail;
	sk_buff_data_t		end;
	unsigned char		*head,
				*data;
	unsigned int		truesize;
	atomic_t		users;
};
