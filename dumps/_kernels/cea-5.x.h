/*
 * x86_64 IST exception stacks in the cpu entry area (arch/x86/include/asm/cpu_entry_area.h,
 * v5.2 019b17b3ffe4; the VC stacks v5.10): per-cpu `cea_exception_stacks` points at each cpu's.
 * 4K pages, EXCEPTION_STKSZ 4096, a guard page below each stack. With it the scenario builder
 * puts the crash NMI's frames of each cpu it stopped in its idle loop on that cpu's NMI stack
 * (src/synth/idle-stacks.ts).
 */
struct cea_exception_stacks {
	char DF_stack_guard[4096];
	char DF_stack[4096];
	char NMI_stack_guard[4096];
	char NMI_stack[4096];
	char DB_stack_guard[4096];
	char DB_stack[4096];
	char MCE_stack_guard[4096];
	char MCE_stack[4096];
	char VC_stack_guard[4096];
	char VC_stack[4096];
	char VC2_stack_guard[4096];
	char VC2_stack[4096];
	char IST_top_guard[4096];
};
