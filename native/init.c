#define _GNU_SOURCE
#include "init.h"

#include "caps.h"
#include "cgroup_join.h"
#include "json.h"
#include "payload.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>


static void expect(char want)
{
	char m;
	ssize_t n = recv(chan, &m, 1, 0);
	if (n != 1 || m != want)
		_exit(125); /* the shim went away or broke the protocol: nothing to report to */
}

static void say(char msg)
{
	if (send(chan, &msg, 1, MSG_NOSIGNAL) != 1)
		_exit(125);
}

static void do_mount(const char *src, const char *dst, const char *type, unsigned long flags, const char *data)
{
	if (mount(src, dst, type, flags, data) < 0)
		fail(125, type && *type ? "mount" : "mount(bind)", dst, errno, NULL);
}

/* A mount point under the new root named by the init itself (proc, dev, sys): must be a real
 * directory, never a symlink an image planted to redirect the mount onto the host. */
static void mount_point(const char *path)
{
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			fail(125, "mount point", path, ENOTDIR, NULL);
		return;
	}
	if (errno != ENOENT || mkdir(path, 0755) < 0)
		fail(125, "mkdir", path, errno, NULL);
}

static void make_dev(const char *dev, long long shm_size)
{
	static const struct {
		const char *name;
		unsigned maj, min;
	} nodes[] = { { "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 },
		      { "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 } };
	static const struct {
		const char *name, *target;
	} links[] = { { "ptmx", "pts/ptmx" }, { "fd", "/proc/self/fd" }, { "stdin", "/proc/self/fd/0" },
		      { "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" } };
	char p[PATH_MAX];

	PATHF(p, "%s", dev);
	mount_point(p);
	do_mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		PATHF(p, "%s/%s", dev, nodes[i].name);
		if (mknod(p, S_IFCHR | 0666, makedev(nodes[i].maj, nodes[i].min)) < 0)
			fail(125, "mknod", p, errno, NULL);
	}
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		PATHF(p, "%s/%s", dev, links[i].name);
		if (symlink(links[i].target, p) < 0)
			fail(125, "symlink", p, errno, NULL);
	}
	PATHF(p, "%s/pts", dev);
	mount_point(p);
	do_mount("devpts", p, "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5");
	PATHF(p, "%s/shm", dev);
	mount_point(p);
	char shm_opts[64];
	snprintf(shm_opts, sizeof(shm_opts), "mode=1777,size=%lld", shm_size);
	do_mount("shm", p, "tmpfs", MS_NOSUID | MS_NOEXEC | MS_NODEV, shm_opts);
	PATHF(p, "%s/mqueue", dev);
	mount_point(p);
	do_mount("mqueue", p, "mqueue", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL);
}

static void mount_rootfs(const struct config *c)
{
	char p[PATH_MAX];

	/* Nothing mounted from here on may propagate back to the host, and the host's later
	 * unmounts of the rootfs and volumes must not reach into a running container. */
	do_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	/* pivot_root needs the new root to be a mount point of its own. */
	do_mount(c->rootfs, c->rootfs, NULL, MS_BIND | MS_REC, NULL);

	PATHF(p, "%s/proc", c->rootfs);
	mount_point(p);
	do_mount("proc", p, "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL);

	PATHF(p, "%s/dev", c->rootfs);
	make_dev(p, c->shm_size);

	PATHF(p, "%s/sys", c->rootfs);
	mount_point(p);
	/* A fresh sysfs shows the network namespace of the mounter; in the host's network namespace
	 * the kernel may refuse a new instance, and a read-only bind of the host's is what runc does. */
	if (mount("sysfs", p, "sysfs", MS_RDONLY | MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL) < 0) {
		if (errno != EPERM && errno != EBUSY)
			fail(125, "mount", p, errno, NULL);
		do_mount("/sys", p, NULL, MS_BIND | MS_REC, NULL);
		do_mount(NULL, p, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL);
	}
}

static void pivot(const char *rootfs)
{
	if (chdir(rootfs) < 0)
		fail(125, "chdir", rootfs, errno, NULL);
	/* pivot_root(".", ".") stacks the old root on top of the new one; detaching "." then
	 * drops the old root without needing a directory for it inside the container. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		fail(125, "pivot_root", rootfs, errno, NULL);
	if (umount2(".", MNT_DETACH) < 0)
		fail(125, "umount2", "old root", errno, NULL);
	if (chdir("/") < 0)
		fail(125, "chdir", "/", errno, NULL);
}

static unsigned long mount_flags_of(const char *path)
{
	struct statvfs sv;
	unsigned long f = 0;
	if (statvfs(path, &sv) < 0)
		return 0;
	if (sv.f_flag & ST_NOSUID) f |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV) f |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
	return f;
}

static void mask_paths(char **paths)
{
	for (; paths && *paths; paths++) {
		struct stat st;
		if (stat(*paths, &st) < 0) {
			if (errno == ENOENT)
				continue;
			fail(125, "stat", *paths, errno, NULL);
		}
		if (S_ISDIR(st.st_mode))
			do_mount("tmpfs", *paths, "tmpfs", MS_RDONLY, "size=0");
		else
			do_mount("/dev/null", *paths, NULL, MS_BIND, NULL);
	}
}

static void readonly_paths(char **paths)
{
	for (; paths && *paths; paths++) {
		if (mount(*paths, *paths, NULL, MS_BIND | MS_REC, NULL) < 0) {
			if (errno == ENOENT)
				continue;
			fail(125, "mount(bind)", *paths, errno, NULL);
		}
		/* A bind remount keeps nothing it is not told: carry the flags the mount already has. */
		do_mount(NULL, *paths, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC | mount_flags_of(*paths), NULL);
	}
}

/* --init: pid 1 stays a tiny reaper that forwards every signal to the payload and exits with
 * its status, so orphans inside are reaped and SIGTERM reaches a payload that is not pid 1. */
static noreturn void reaper(char **argv, char **env, int terminal)
{
	sigset_t all;
	pid_t child;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	child = fork();
	if (child < 0)
		fail(125, "fork", NULL, errno, NULL);
	if (child == 0) {
		sigprocmask(SIG_UNBLOCK, &all, NULL);
		if (terminal) {
			setpgid(0, 0);
			/* The payload, not the reaper, must be the terminal's foreground group for
			 * Ctrl-C and job control to reach it. */
			signal(SIGTTOU, SIG_IGN);
			tcsetpgrp(0, getpid());
			signal(SIGTTOU, SIG_DFL);
		}
		exec_payload(argv, env);
	}
	close(chan);
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&all, &si);
		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			kill(child, sig);
			continue;
		}
		for (;;) {
			int status;
			pid_t p = waitpid(-1, &status, WNOHANG);
			if (p <= 0)
				break;
			if (p == child)
				_exit(WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status));
		}
	}
}

static void setup_stdio(int chan_in, const struct init_stdio *io, int terminal)
{
	int fds[3] = { io->in, io->out, io->err }, high[3];
	/* Move everything out of the way first: the pipe ends may sit on 0..3 themselves. */
	chan = fcntl(chan_in, F_DUPFD_CLOEXEC, 10);
	if (!terminal) {
		for (int i = 0; i < 3; i++)
			high[i] = fcntl(fds[i], F_DUPFD, 10);
		for (int i = 0; i < 3; i++)
			if (high[i] < 0 || dup2(high[i], i) < 0)
				fail(125, "dup2", NULL, errno, NULL);
	}
	if (dup3(chan, 3, O_CLOEXEC) < 0)
		fail(125, "dup3", NULL, errno, NULL);
	chan = 3;
	if (io->netns_fd >= 0 && dup2(io->netns_fd, 4) < 0)
		fail(125, "dup2", NULL, errno, NULL);
	/* Nothing of the shim's may leak into the container. */
	if (syscall(SYS_close_range, io->netns_fd >= 0 ? 5 : 4, ~0U, 0) < 0)
		fail(125, "close_range", NULL, errno, NULL);
}

static void send_fd(int fd)
{
	char m = INIT_MSG_PTY;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { &m, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	if (sendmsg(chan, &msg, MSG_NOSIGNAL) < 0)
		fail(125, "sendmsg", "pty master", errno, NULL);
}

/* The terminal comes from the container's own devpts, so that inside it is /dev/pts/0 and
 * /dev/console, as with runc's console socket: the master goes to the shim, the slave becomes the
 * controlling terminal and stdio of the init. Runs after pivot_root. */
static void setup_terminal(const struct config *c)
{
	char slave[64];
	int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		fail(125, "open", "/dev/ptmx", errno, NULL);
	if (unlockpt(master) < 0 || ptsname_r(master, slave, sizeof(slave)) != 0)
		fail(125, "unlockpt", "/dev/ptmx", errno, NULL);
	int tty = open(slave, O_RDWR | O_NOCTTY);
	if (tty < 0)
		fail(125, "open", slave, errno, NULL);
	struct winsize ws = { .ws_row = c->rows, .ws_col = c->cols };
	ioctl(tty, TIOCSWINSZ, &ws);
	int console = open("/dev/console", O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (console < 0)
		fail(125, "create", "/dev/console", errno, NULL);
	close(console);
	do_mount(slave, "/dev/console", NULL, MS_BIND, NULL);
	send_fd(master);
	close(master);
	if (setsid() < 0)
		fail(125, "setsid", NULL, errno, NULL);
	if (ioctl(tty, TIOCSCTTY, 0) < 0)
		fail(125, "ioctl(TIOCSCTTY)", slave, errno, NULL);
	for (int i = 0; i < 3; i++)
		if (dup2(tty, i) < 0)
			fail(125, "dup2", slave, errno, NULL);
	if (tty > 2)
		close(tty);
}

noreturn void init_main(const struct config *c, int chan_in, const struct init_stdio *io)
{
	struct user u;
	char **env;
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	setup_stdio(chan_in, io, c->terminal);
	umask(0);
	const char *failed = NULL;
	int err = cgroup_join_self(c->cgroup_procs, io->cgroup2_joined, &failed);
	if (err != 0)
		fail(125, "write", failed, err, NULL);

	/* Only now that this process is in the container's cgroups does a cgroup namespace rooted
	 * there make sense. */
	if ((c->clone_flags & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0 && errno != EINVAL)
		fail(125, "unshare(CLONE_NEWCGROUP)", NULL, errno, NULL);
	if (io->netns_fd >= 0) {
		if (setns(4, CLONE_NEWNET) < 0)
			fail(125, "setns(net)", c->netns_path, errno, NULL);
		close(4);
	}

	mount_rootfs(c);
	pivot(c->rootfs);
	if (c->terminal)
		setup_terminal(c);
	mask_paths(c->masked_paths);
	readonly_paths(c->readonly_paths);
	if (c->rootfs_readonly)
		do_mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL);
	if (c->hostname && (c->clone_flags & CLONE_NEWUTS) && sethostname(c->hostname, strlen(c->hostname)) < 0)
		fail(125, "sethostname", NULL, errno, NULL);

	resolve_user(c, &u);
	make_cwd(c->cwd, 1);
	set_rlimits(c);
	env = build_env(c, &u);
	umask(022);
	become_user(c, &u);

	say(INIT_MSG_READY);
	expect(INIT_MSG_START);
	if (c->init)
		reaper(c->args, env, c->terminal);
	exec_payload(c->args, env);
}
