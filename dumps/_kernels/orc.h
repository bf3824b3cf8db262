/*
 * x86_64 ORC unwinder (CONFIG_UNWINDER_ORC, arch/x86/include/asm/orc_types.h, v4.14 ee9f8fce9964
 * to v6.2): the 6-byte entry with the `end` bit (6.3 added `signal`, 6.4 reworked the types).
 * The scenario builder generates the kernel's and each module's tables in this layout
 * (src/synth/place-orc.ts); module.h gives struct module the mod_arch_specific that holds a
 * module's tables. List before module.h.
 */
#define CONFIG_UNWINDER_ORC 1
struct orc_entry {
	s16 sp_offset;
	s16 bp_offset;
	unsigned sp_reg:4;
	unsigned bp_reg:4;
	unsigned type:2;
	unsigned end:1;
} __packed;
struct mod_arch_specific {
	unsigned int num_orcs;
	int *orc_unwind_ip;
	struct orc_entry *orc_unwind;
};
