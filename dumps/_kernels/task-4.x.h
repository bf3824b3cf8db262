/* 4.9-5.13: thread_info in the task, `volatile long state`. Lists before task.h. */
#define THREAD_INFO_IN_TASK 1
