/* Joining a container's cgroups without the kernel's global threadgroup lock; see cgroup_join.c. */
#ifndef TDOCKER_CGROUP_JOIN_H
#define TDOCKER_CGROUP_JOIN_H

#include <sys/types.h>

/* An O_PATH descriptor of the first cgroup2 dir among `procs` (cgroup.procs paths), for
 * clone3(CLONE_INTO_CGROUP); -1 when none is cgroup2. Sets *path to that entry. */
int cgroup2_dir_fd(char **procs, const char **path);

/* clone(2) with `flags` (namespaces; SIGCHLD is added), the child starting in the cgroup2 dir
 * `cgfd` when it is >= 0 and the kernel can (clone3, Linux 5.7). *placed says whether it did.
 * Returns as fork does; -1 with errno on failure, *call then naming the call that failed
 * ("clone3", or "clone" when the kernel could not take clone3 and the fallback failed). */
pid_t clone_into_cgroup(unsigned long flags, int cgfd, int *placed, const char **call);

/* Moves the calling process, which must be single-threaded, into every cgroup of `procs`; the
 * cgroup2 ones are skipped when `skip_v2` (clone_into_cgroup placed it there). Returns 0, or an
 * errno with *failed set to the file that refused. */
int cgroup_join_self(char **procs, int skip_v2, const char **failed);

#endif
