/* 3.10: thread_info at the bottom of the stack, `volatile long state`. Lists before task.h. */
