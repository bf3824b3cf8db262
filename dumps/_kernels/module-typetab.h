/* mod_kallsyms.typetab exists since 5.2 (1c7651f43777 "kallsyms: store type information in its own array"). */
#define MOD_KALLSYMS_TYPETAB 1
