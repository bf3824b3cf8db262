/* The variable-length record log as 3.5-3.10 named it (`struct log`, kernel/printk.c). */
struct log {
	u64 ts_nsec;
	u16 len;
	u16 text_len;
	u16 dict_len;
	u8 facility;
	u8 flags:5;
	u8 level:3;
};
