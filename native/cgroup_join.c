/* Putting a container's first process into its cgroups.
 *
 * A pid written to a `cgroup.procs` file moves a whole thread group, so the kernel takes its global
 * cgroup_threadgroup_rwsem for writing, inside cgroup_mutex. That rwsem is a percpu one: a writer
 * after a quiet spell waits for a full RCU grace period (several ms here), and every cgroup mkdir,
 * rmdir and attach on the host queues behind cgroup_mutex meanwhile. With containers started side
 * by side that wait became most of the idle time of a batch. Two ways in skip the lock:
 *  - v1: a single-threaded process writes "0" to `tasks`. Moving the current thread alone needs no
 *    threadgroup lock (kernel/cgroup/cgroup.c, cgroup_procs_write_start), and a process with one
 *    thread is all of it.
 *  - cgroup2 refuses to move one thread of a domain cgroup, but clone3(CLONE_INTO_CGROUP) starts
 *    the child in it, under the read side of that lock only.
 * Children forked later inherit every cgroup. */
#define _GNU_SOURCE
#include "cgroup_join.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

static int is_cgroup2(const char *path)
{
	struct statfs fs;
	return statfs(path, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

/* `dir` of ".../dir/cgroup.procs" into buf (with a trailing slash); -1 when it does not fit. */
static int dir_of(const char *procs, char *buf, size_t size)
{
	const char *slash = strrchr(procs, '/');
	size_t n = slash ? (size_t)(slash - procs) + 1 : 0;
	if (n >= size)
		return -1;
	memcpy(buf, procs, n);
	buf[n] = 0;
	return (int)n;
}

int cgroup2_dir_fd(char **procs, const char **path)
{
	char dir[4096];
	for (char **p = procs; p && *p; p++) {
		if (!is_cgroup2(*p) || dir_of(*p, dir, sizeof(dir)) < 0)
			continue;
		/* Unopenable, it is left to the child's own write of cgroup.procs, which says why. */
		int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0)
			*path = *p;
		return fd;
	}
	return -1;
}

pid_t clone_into_cgroup(unsigned long flags, int cgfd, int *placed, const char **call)
{
	*placed = 0;
	if (cgfd >= 0) {
		*call = "clone3";
		/* No stack: as with fork, the child runs on a copy of this one. */
		struct clone_args args = {
			.flags = flags | CLONE_INTO_CGROUP,
			.exit_signal = SIGCHLD,
			.cgroup = (uint64_t)cgfd,
		};
		long pid = syscall(SYS_clone3, &args, sizeof(args));
		if (pid >= 0) {
			*placed = 1;
			return (pid_t)pid;
		}
		/* A kernel without clone3 (ENOSYS) or without CLONE_INTO_CGROUP (E2BIG, EINVAL):
		 * the plain clone below, and the child writes its cgroup.procs. Any other error
		 * (the cgroup refusing the child, a limit) is the caller's to report. */
		if (errno != ENOSYS && errno != E2BIG && errno != EINVAL)
			return -1;
	}
	*call = "clone";
	return (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

static int write_zero(const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	int err = write(fd, "0", 1) == 1 ? 0 : errno;
	close(fd);
	return err;
}

int cgroup_join_self(char **procs, int skip_v2, const char **failed)
{
	static char tasks[4096];
	for (char **p = procs; p && *p; p++) {
		const char *target = *p; /* cgroup2: the thread group, under the global lock */
		if (is_cgroup2(*p)) {
			if (skip_v2)
				continue;
		} else {
			int n = dir_of(*p, tasks, sizeof(tasks) - sizeof("tasks"));
			if (n < 0) {
				*failed = *p;
				return ENAMETOOLONG;
			}
			memcpy(tasks + n, "tasks", sizeof("tasks"));
			target = tasks;
		}
		int err = write_zero(target);
		if (err != 0) {
			*failed = target;
			return err;
		}
	}
	return 0;
}
