/* struct module as 4.5-6.3 lay it out (include/linux/module.h): the members crash reads. */
enum module_state { MODULE_STATE_LIVE, MODULE_STATE_COMING, MODULE_STATE_GOING, MODULE_STATE_UNFORMED };
struct module_layout {
	void *base;
	unsigned int size;
	unsigned int text_size;
	unsigned int ro_size;
	unsigned int ro_after_init_size;
};
typedef struct {
	u32 st_name;
	unsigned char st_info;
	unsigned char st_other;
	u16 st_shndx;
	u64 st_value;
	u64 st_size;
} Elf64_Sym;
#ifdef MOD_KALLSYMS_TYPETAB
struct mod_kallsyms { Elf64_Sym *symtab; unsigned int num_symtab; char *strtab; char *typetab; };
#else
struct mod_kallsyms { Elf64_Sym *symtab; unsigned int num_symtab; char *strtab; };
#endif
struct module {
	enum module_state state;
	struct list_head list;
	char name[56];
	const char *version;
	const char *srcversion;
	unsigned int num_syms;
	bool sig_ok;
	struct module_layout core_layout;
	struct module_layout init_layout;
	unsigned int taints;
	struct mod_kallsyms *kallsyms;
	struct mod_kallsyms core_kallsyms;
#ifdef CONFIG_UNWINDER_ORC
	struct mod_arch_specific arch;	/* x86 ORC: the module's unwind tables (orc.h) */
#endif
	struct list_head source_list;
	struct list_head target_list;
	atomic_t refcnt;
};
