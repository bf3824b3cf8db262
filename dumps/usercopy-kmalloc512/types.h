/* sk_buff and friends are in skbuff.h (RHEL 7); nothing else is needed. */
