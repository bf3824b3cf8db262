/* 5.14-6.1: thread_info in the task, `unsigned int __state`. Lists before task.h. */
#define THREAD_INFO_IN_TASK 1
#define TASK_STATE_UINT 1
