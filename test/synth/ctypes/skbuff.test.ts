/**
 * A realistic excerpt: RHEL 7's struct sk_buff, skb_shared_info and skb_frag_t (3.10.0-*.el7,
 * see fixtures/skbuff-3.10.h), as the usercopy-kmalloc512 scenario needs them: `end`/`tail`
 * are sk_buff_data_t offsets, skb_shared_info lives at head + end, frags are skb_frag_t.
 * Offsets are gcc's (layout.test.ts recompiles the fixture when gcc is present); ptype texts
 * are gdb's for the fixture compiled with gcc -g.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Btf } from '../../../src/debuginfo/btf/index.js';
import { ptypeLines, typeName } from '../../../src/format/ctype.js';
import { encodeBtf, parseCDeclarations } from '../../../src/synth/ctypes/index.js';

const set = parseCDeclarations(readFileSync(new URL('./fixtures/skbuff-3.10.h', import.meta.url), 'utf8'), 'skbuff-3.10.h');
const btf = Btf.fromBytes(encodeBtf(set));
const skb = btf.findType('struct sk_buff')!;
const shinfo = btf.findType('struct skb_shared_info')!;

describe('3.10 sk_buff through BTF', () => {
  it('has the sizes of the RHEL 7 x86_64 build', () => {
    expect([btf.sizeof(skb), btf.sizeof(shinfo), btf.sizeof(btf.findType('skb_frag_t')!)]).toEqual([248, 320, 16]);
    expect(set.constants.get('MAX_SKB_FRAGS')).toBe(17n);
  });

  it('puts the members the investigation reads where gcc does', () => {
    const off = (path: string): number | undefined => btf.offsetof(skb, path);
    expect({
      next: off('next'), tstamp: off('tstamp'), rbnode: off('rbnode'), sk: off('sk'), dev: off('dev'), cb: off('cb'),
      len: off('len'), data_len: off('data_len'), protocol: off('protocol'), destructor: off('destructor'), hash: off('hash'),
      tail: off('tail'), end: off('end'), head: off('head'), data: off('data'), truesize: off('truesize'), users: off('users'),
    }).toEqual({
      next: 0, tstamp: 16, rbnode: 0, sk: 24, dev: 32, cb: 40, len: 104, data_len: 108, protocol: 126, destructor: 128,
      hash: 156, tail: 216, end: 220, head: 224, data: 232, truesize: 240, users: 244,
    });
    expect(btf.member(skb, 'cloned')).toMatchObject({ bitOffset: 124 * 8 + 1, bitSize: 1 });
    expect(btf.member(skb, 'pkt_type')).toMatchObject({ bitOffset: 125 * 8, bitSize: 3 });
    expect(typeName(btf.member(skb, 'end')!.type)).toBe('sk_buff_data_t');
    expect(btf.resolve(btf.member(skb, 'end')!.type)).toMatchObject({ kind: 'int', name: 'unsigned int' });
  });

  it('lays out skb_shared_info so that a 704-byte head ends its kmalloc-1024 buffer', () => {
    expect(btf.offsetof(shinfo, 'nr_frags')).toBe(0);
    expect(btf.offsetof(shinfo, 'frags')).toBe(48);
    expect(btf.offsetof(shinfo, 'frags[0].page.p')).toBe(48);
    expect(btf.offsetof(shinfo, 'frags[0].page_offset')).toBe(56);
    expect(btf.offsetof(shinfo, 'frags[1].size')).toBe(48 + 16 + 12);
    expect(0x2c0 + btf.sizeof(shinfo)).toBe(1024);
  });

  it('prints ptype struct skb_shared_info and skb_frag_t as gdb', () => {
    expect(ptypeLines(shinfo)).toEqual([
      'struct skb_shared_info {',
      '    unsigned char nr_frags;',
      '    __u8 tx_flags;',
      '    short unsigned int gso_size;',
      '    short unsigned int gso_segs;',
      '    short unsigned int gso_type;',
      '    struct sk_buff *frag_list;',
      '    struct skb_shared_hwtstamps hwtstamps;',
      '    __be32 ip6_frag_id;',
      '    atomic_t dataref;',
      '    void *destructor_arg;',
      '    skb_frag_t frags[17];',
      '}',
    ]);
    expect(ptypeLines(btf.findType('skb_frag_t')!)).toEqual([
      'struct skb_frag_struct {',
      '    struct {',
      '        struct page *p;',
      '    } page;',
      '    __u32 page_offset;',
      '    __u32 size;',
      '}',
    ]);
    expect(ptypeLines(btf.findType('struct ubuf_info')!)[1]).toBe('    void (*callback)(struct ubuf_info *, bool);');
  });

  it('prints ptype struct sk_buff as gdb', () => {
    // gdb prints the zero-length markers as `headers_start[0]`; BTF cannot tell `[0]` from `[]`
    // (both are nelems 0), and the formatter prints `[]`.
    const gdb = SK_BUFF_PTYPE.replace(/\[0\]/g, '[]');
    expect(ptypeLines(skb).join('\n')).toBe(gdb);
  });
});

const SK_BUFF_PTYPE = `struct sk_buff {
    union {
        struct {...};
        struct rb_node rbnode;
    };
    struct sock *sk;
    struct net_device *dev;
    char cb[48];
    long unsigned int _skb_refdst;
    struct sec_path *sp;
    unsigned int len;
    unsigned int data_len;
    __u16 mac_len;
    __u16 hdr_len;
    union {
        __wsum csum;
        struct {...};
    };
    __u32 priority;
    __u8 ignore_df : 1;
    __u8 cloned : 1;
    __u8 ip_summed : 2;
    __u8 nohdr : 1;
    __u8 nfctinfo : 3;
    __u8 pkt_type : 3;
    __u8 fclone : 2;
    __u8 ipvs_property : 1;
    __u8 peeked : 1;
    __u8 nf_trace : 1;
    __be16 protocol;
    void (*destructor)(struct sk_buff *);
    struct nf_conntrack *nfct;
    struct nf_bridge_info *nf_bridge;
    __u32 headers_start[0];
    int skb_iif;
    union {
        __u32 hash;
        struct {...} __UNIQUE_ID_rh_kabi_hide27;
    };
    __be16 vlan_proto;
    __u16 vlan_tci;
    __u16 tc_index;
    __u16 tc_verd;
    __u16 queue_mapping;
    __u8 ndisc_nodetype : 2;
    __u8 pfmemalloc : 1;
    __u8 ooo_okay : 1;
    __u8 l4_hash : 1;
    __u8 wifi_acked_valid : 1;
    __u8 wifi_acked : 1;
    __u8 no_fcs : 1;
    __u8 head_frag : 1;
    __u8 encapsulation : 1;
    __u8 encap_hdr_csum : 1;
    __u8 csum_valid : 1;
    __u8 csum_complete_sw : 1;
    __u8 xmit_more : 1;
    __u8 inner_protocol_type : 1;
    __u8 remcsum_offload : 1;
    union {
        unsigned int napi_id;
        unsigned int sender_cpu;
        dma_cookie_t rh_reserved_dma_cookie;
    };
    __u32 secmark;
    union {
        __u32 mark;
        __u32 dropcount;
        __u32 reserved_tailroom;
    };
    union {
        __be16 inner_protocol;
        __u8 inner_ipproto;
    };
    __u16 inner_transport_header;
    __u16 inner_network_header;
    __u16 inner_mac_header;
    __u16 transport_header;
    __u16 network_header;
    __u16 mac_header;
    __u8 csum_level : 2;
    __u8 rh_csum_pad : 1;
    __u8 rh_csum_bad_unused : 1;
    __u8 offload_fwd_mark : 1;
    __u8 sw_hash : 1;
    __u8 csum_not_inet : 1;
    __u8 dst_pending_confirm : 1;
    __u8 offload_mr_fwd_mark : 1;
    __u32 headers_end[0];
    u32 rh_reserved1;
    u32 rh_reserved2;
    u32 rh_reserved3;
    u32 rh_reserved4;
    sk_buff_data_t tail;
    sk_buff_data_t end;
    unsigned char *head;
    unsigned char *data;
    unsigned int truesize;
    atomic_t users;
}`;
