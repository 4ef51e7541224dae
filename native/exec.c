/* tdocker-exec: runs one more process in a running container (docker exec).
 *
 *   tdocker-exec EXEC_JSON        (fd 3: a stream socket to the daemon)
 *
 * EXEC_JSON is {"pid": <container init pid>, "cgroupProcs": [...], "process": {OCI process}}.
 * The helper joins the container's cgroups and namespaces, forks (a pid namespace applies to
 * children only), and the child becomes the payload as the init does (payload.c). The helper stays
 * as the payload's parent: it relays a terminal when asked, takes `resize ROWS COLS` and
 * `kill SIGNUM` lines on fd 3, and reports there, one JSON line each: {"pid":N} once the payload
 * runs or the error object, then {"exitCode":N,"signal":N?} when it exits. It exits with the same
 * code. Protocol: native/README.md "tdocker-exec". */
#define _GNU_SOURCE
#include "cgroup_join.h"
#include "config.h"
#include "json.h"
#include "payload.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define CONTROL_FD 3

static void report(const char *line)
{
	size_t len = strlen(line);
	if (write(CONTROL_FD, line, len) < 0)
		(void)0; /* the daemon is gone: the exit code still tells */
}

/* Before the fork, errors go straight to the daemon; fail() in the child uses the channel. */
static noreturn void die(const char *call, const char *path, int err, int exit_code)
{
	char line[8192];
	int n = json_error(line, sizeof(line) - 1, call, path, err, NULL, exit_code);
	if (n > 0 && (size_t)n < sizeof(line) - 1) {
		line[n] = '\n';
		line[n + 1] = 0;
		report(line);
	}
	_exit(exit_code);
}

static void join(pid_t pid, char **cgroup_procs)
{
	static const struct {
		const char *name;
		int type;
	} order[] = { { "cgroup", CLONE_NEWCGROUP }, { "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS },
		      { "net", CLONE_NEWNET }, { "pid", CLONE_NEWPID }, { "mnt", CLONE_NEWNS } };
	int fds[6];
	char p[64];
	/* Open every namespace first: once in the container's mount namespace, /proc is its own. */
	for (int i = 0; i < 6; i++) {
		snprintf(p, sizeof(p), "/proc/%d/ns/%s", pid, order[i].name);
		fds[i] = open(p, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0)
			die("open", p, errno, errno == ENOENT ? 125 : 125);
	}
	const char *failed = NULL;
	int err = cgroup_join_self(cgroup_procs, 0, &failed);
	if (err != 0)
		die("write", failed, err, 125);
	for (int i = 0; i < 6; i++) {
		if (setns(fds[i], order[i].type) < 0 && !(order[i].type == CLONE_NEWCGROUP && errno == EINVAL))
			die("setns", order[i].name, errno, 125);
		close(fds[i]);
	}
	if (chdir("/") < 0)
		die("chdir", "/", errno, 125);
}

static noreturn void child(const struct config *c, int tty_master, const char *slave)
{
	struct user u;
	char **env;
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (tty_master >= 0) {
		close(tty_master);
		if (setsid() < 0)
			fail(125, "setsid", NULL, errno, NULL);
		int tty = open(slave, O_RDWR);
		if (tty < 0 || ioctl(tty, TIOCSCTTY, 0) < 0)
			fail(125, "open", slave, errno, NULL);
		for (int i = 0; i < 3; i++)
			if (dup2(tty, i) < 0)
				fail(125, "dup2", slave, errno, NULL);
		if (tty > 2)
			close(tty);
	}
	close(CONTROL_FD);
	resolve_user(c, &u);
	make_cwd(c->cwd, 0);
	set_rlimits(c);
	env = build_env(c, &u);
	become_user(c, &u);
	exec_payload(c->args, env);
}

static void relay(int from, int to)
{
	char buf[65536];
	ssize_t n = read(from, buf, sizeof(buf));
	for (ssize_t off = 0; n > 0 && off < n;) {
		ssize_t w = write(to, buf + off, (size_t)(n - off));
		if (w <= 0)
			break;
		off += w;
	}
}

int main(int argc, char **argv)
{
	char err[1024], line[512], slave[64] = "";
	struct config c;
	size_t at = 0;
	struct json *root;
	int ch[2], master = -1;

	if (argc != 2) {
		fprintf(stderr, "usage: tdocker-exec EXEC_JSON (fd 3: control socket)\n");
		return 2;
	}
	memset(&c, 0, sizeof(c));
	/* Only stdio and the control socket belong to the payload's side; nothing else leaks in. */
	syscall(SYS_close_range, CONTROL_FD + 1, ~0U, 0);
	if (!(root = json_parse(argv[1], &at)))
		die("parse", "exec config", EINVAL, 125);
	if (config_load_process(json_get(root, "process"), &c, err, sizeof(err)) < 0)
		die("config", err, EINVAL, 125);
	pid_t target = (pid_t)json_int(root, "pid", 0);
	if (target <= 0)
		die("config", "pid", EINVAL, 125);
	join(target, json_strv(json_get(root, "cgroupProcs"), NULL));

	if (c.terminal) {
		/* Inside the container's mount namespace now: this is its devpts. */
		master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (master < 0 || unlockpt(master) < 0 || ptsname_r(master, slave, sizeof(slave)) != 0)
			die("open", "/dev/ptmx", errno, 125);
		struct winsize ws = { .ws_row = c.rows, .ws_col = c.cols };
		ioctl(master, TIOCSWINSZ, &ws);
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ch) < 0)
		die("socketpair", NULL, errno, 125);

	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	int sfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
	signal(SIGPIPE, SIG_IGN);

	pid_t pid = fork();
	if (pid < 0)
		die("fork", NULL, errno, 125);
	if (pid == 0) {
		close(ch[0]);
		chan = ch[1];
		child(&c, master, slave);
	}
	close(ch[1]);
	/* Close-on-exec: EOF means the payload runs; a packet is its error. */
	char buf[4096];
	ssize_t n = recv(ch[0], buf, sizeof(buf) - 2, 0);
	close(ch[0]);
	if (n > 1 && buf[0] == INIT_MSG_ERROR) {
		buf[n] = '\n';
		buf[n + 1] = 0;
		report(buf + 1);
		int status;
		waitpid(pid, &status, 0);
		return WIFEXITED(status) ? WEXITSTATUS(status) : 125;
	}
	snprintf(line, sizeof(line), "{\"pid\":%d}\n", pid);
	report(line);

	size_t clen = 0;
	char cbuf[512];
	for (;;) {
		struct pollfd pfd[4] = { { sfd, POLLIN, 0 }, { CONTROL_FD, POLLIN, 0 }, { -1, 0, 0 }, { -1, 0, 0 } };
		if (master >= 0) {
			pfd[2] = (struct pollfd){ 0, POLLIN, 0 };
			pfd[3] = (struct pollfd){ master, POLLIN, 0 };
		}
		if (poll(pfd, 4, -1) < 0 && errno != EINTR)
			break;
		if (pfd[2].revents & (POLLIN | POLLHUP)) {
			if (pfd[2].revents & POLLIN)
				relay(0, master);
			else
				pfd[2].fd = -1;
		}
		if (pfd[3].revents & POLLIN)
			relay(master, 1);
		if (pfd[1].revents & POLLIN) {
			ssize_t r = read(CONTROL_FD, cbuf + clen, sizeof(cbuf) - 1 - clen);
			if (r > 0) {
				clen += (size_t)r;
				cbuf[clen] = 0;
				char *nl;
				while ((nl = strchr(cbuf, '\n'))) {
					unsigned a = 0, b = 0;
					*nl = 0;
					if (sscanf(cbuf, "resize %u %u", &a, &b) == 2 && master >= 0) {
						struct winsize ws = { .ws_row = (unsigned short)a, .ws_col = (unsigned short)b };
						ioctl(master, TIOCSWINSZ, &ws);
					} else if (sscanf(cbuf, "kill %u", &a) == 1) {
						kill(pid, (int)a);
					}
					clen -= (size_t)(nl + 1 - cbuf);
					memmove(cbuf, nl + 1, clen + 1);
				}
			}
		}
		if (pfd[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == sizeof(si))
				;
			int status;
			if (waitpid(pid, &status, WNOHANG) == pid) {
				/* What the payload wrote last is still in the terminal: pass it on. */
				if (master >= 0) {
					int fl = fcntl(master, F_GETFL);
					fcntl(master, F_SETFL, fl | O_NONBLOCK);
					relay(master, 1);
				}
				int code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
				if (WIFSIGNALED(status))
					snprintf(line, sizeof(line), "{\"exitCode\":%d,\"signal\":%d}\n", code, WTERMSIG(status));
				else
					snprintf(line, sizeof(line), "{\"exitCode\":%d}\n", code);
				report(line);
				return code;
			}
		}
	}
	return 125;
}
