/* The variable-length record log, v3.11-v5.9 (kernel/printk/printk.c); CONFIG_PRINTK_CALLER off. */
struct printk_log {
	u64 ts_nsec;
	u16 len;
	u16 text_len;
	u16 dict_len;
	u8 facility;
	u8 flags:5;
	u8 level:3;
};
