/* 4.19's LSM hook list entries (include/linux/lsm_hooks.h). */
union security_list_options { int (*binder_set_context_mgr)(void *mgr); void *generic; };
struct security_hook_list {
	struct hlist_node list;
	struct hlist_head *head;
	union security_list_options hook;
	char *lsm;
};
