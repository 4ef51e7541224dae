/* tdocker-shim: supervises one container and outlives the daemon that started it.
 *
 *   tdocker-shim CONFIG_JSON
 *
 * Reads the container's config.json, detaches (its own session; run by hand it also forks, so it is
 * reparented away from its caller), becomes a child subreaper, clones the container init into new namespaces (the init
 * is in every cgroup before it runs anything of the user's), and prints one JSON
 * line on stdout: {"pid":N} once the container is created, or an error object. The first process
 * exits then (0 or 1); the shim goes on serving its control socket. Protocol: native/README.md. */
#define _GNU_SOURCE
#include "cgroup_join.h"
#include "config.h"
#include "init.h"
#include "json.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* Attach stream frames: 1 byte type, 4 bytes big-endian length, payload. */
enum frame { F_STDIN = 0, F_STDOUT = 1, F_STDERR = 2, F_EXIT = 3, F_STDIN_EOF = 4, F_RESIZE = 5 };

#define MAX_CLIENT_QUEUE (8 << 20) /* a reader this far behind is dropped, never the container */
#define MAX_STDIN_PENDING (1 << 20)
#define MAX_FRAME (1 << 20)

enum client_mode { C_REQUEST, C_ATTACH, C_WAIT, C_CLOSING };

struct client {
	int fd;
	enum client_mode mode;
	int stdin_attached;
	char *in;
	size_t in_len, in_cap;
	char *out;
	size_t out_len, out_cap;
	struct client *next;
};

enum status { S_CREATED, S_RUNNING, S_EXITED };

static struct {
	struct config cfg;
	pid_t pid;
	enum status status;
	int exit_code, signal, oom_killed;
	long long oom_base;
	char started_at[40], finished_at[40];
	int chan;
	int out_fd, err_fd, in_fd; /* with a terminal: out_fd = in_fd = pty master, err_fd = -1 */
	int listen_fd, sig_fd;
	char *stdin_buf;
	size_t stdin_len;
	int stdin_eof_pending;
	struct log_file log;
	struct client *clients;
	int released;
	long long release_deadline_ms; /* set when the release begins */
	dev_t socket_dev; /* the socket file this shim bound */
	ino_t socket_ino;
} S = { .out_fd = -1, .err_fd = -1, .in_fd = -1, .chan = -1, .listen_fd = -1, .sig_fd = -1 };

static int ready_fd = -1;
/* Where the one reply line goes before the shim detaches: stdout, or the spawner's socket with
 * the request's tag in front (see serve_spawns). */
static int reply_fd = 1;
static const char *reply_tag;

static void reply_line(const char *line, size_t len)
{
	char buf[8400];
	if (reply_tag) {
		/* One write per reply: the spawner's children share its socket. */
		int n = snprintf(buf, sizeof(buf), "%s %.*s", reply_tag, (int)len, line);
		if (n > 0 && (size_t)n < sizeof(buf) && write(reply_fd, buf, (size_t)n) < 0)
			(void)0;
	} else if (write(reply_fd, line, len) < 0) {
		(void)0;
	}
}

/* Before the container exists, errors go back to the daemon on the ready pipe as one JSON line. */
static void report_error(const char *call, const char *path, int err, const char *msg, int exit_code)
{
	char line[8192];
	int n = json_error(line, sizeof(line) - 1, call, path, err, msg, exit_code);
	if (n < 0 || (size_t)n >= sizeof(line) - 1)
		return;
	line[n++] = '\n';
	if (ready_fd >= 0) {
		if (write(ready_fd, line, (size_t)n) < 0)
			(void)0;
	} else {
		reply_line(line, (size_t)n);
	}
}

static void die(const char *call, const char *path, int err)
{
	report_error(call, path, err, NULL, 125);
	if (S.pid > 0)
		kill(S.pid, SIGKILL);
	if (S.listen_fd >= 0)
		unlink(S.cfg.socket);
	_exit(1);
}

/* The one reply line, after which the shim holds nothing of its starter's: through the relaying
 * first process, or tagged on the spawner's socket. */
static void send_ready(const char *line, size_t len)
{
	if (ready_fd >= 0) {
		if (write(ready_fd, line, len) != (ssize_t)len)
			die("write", "ready pipe", errno);
		close(ready_fd);
		ready_fd = -1;
	} else {
		reply_line(line, len);
		if (reply_tag) {
			close(reply_fd);
			reply_tag = NULL;
			reply_fd = -1;
		}
	}
}

static void set_nonblock(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* ---- clients ---- */

static int grow(char **buf, size_t *cap, size_t need)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap : 4096;
	while (n < need)
		n *= 2;
	char *p = realloc(*buf, n);
	if (!p)
		return -1;
	*buf = p;
	*cap = n;
	return 0;
}

static void client_queue(struct client *c, const void *data, size_t len)
{
	if (c->mode == C_CLOSING && c->out_len == 0)
		return;
	if (c->out_len + len > MAX_CLIENT_QUEUE || grow(&c->out, &c->out_cap, c->out_len + len) < 0) {
		c->mode = C_CLOSING; /* too slow: drop it */
		c->out_len = 0;
		return;
	}
	memcpy(c->out + c->out_len, data, len);
	c->out_len += len;
}

static void client_frame(struct client *c, enum frame type, const void *data, size_t len)
{
	unsigned char h[5] = { (unsigned char)type, (unsigned char)(len >> 24), (unsigned char)(len >> 16),
			       (unsigned char)(len >> 8), (unsigned char)len };
	client_queue(c, h, 5);
	client_queue(c, data, len);
}

static void client_reply(struct client *c, const char *line)
{
	client_queue(c, line, strlen(line));
	c->mode = C_CLOSING;
}

static void client_free(struct client *c)
{
	close(c->fd);
	free(c->in);
	free(c->out);
	free(c);
}

static int exit_json(char *buf, size_t len)
{
	char sig[32] = "";
	if (S.signal)
		snprintf(sig, sizeof(sig), ",\"signal\":%d", S.signal);
	return snprintf(buf, len,
			"{\"status\":\"exited\",\"pid\":%d,\"exitCode\":%d%s,\"oomKilled\":%s,\"startedAt\":\"%s\",\"finishedAt\":\"%s\"}",
			S.pid, S.exit_code, sig, S.oom_killed ? "true" : "false", S.started_at, S.finished_at);
}

static void state_json(char *buf, size_t len)
{
	if (S.status == S_EXITED)
		exit_json(buf, len);
	else
		snprintf(buf, len, "{\"status\":\"%s\",\"pid\":%d,\"startedAt\":\"%s\",\"shimPid\":%d}",
			 S.status == S_CREATED ? "created" : "running", S.pid, S.started_at, getpid());
}

/* ---- container output and input ---- */

static void broadcast(enum frame type, const char *buf, size_t len)
{
	for (struct client *c = S.clients; c; c = c->next)
		if (c->mode == C_ATTACH)
			client_frame(c, type, buf, len);
}

/* Returns 0 at EOF (the descriptor is closed), 1 otherwise. */
static int pump_output(int *fd, enum frame type)
{
	char buf[65536];
	for (;;) {
		ssize_t n = read(*fd, buf, sizeof(buf));
		if (n > 0) {
			log_write(&S.log, type == F_STDERR ? "stderr" : "stdout", buf, (size_t)n);
			broadcast(type, buf, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 1;
		/* EOF, or EIO on a pty master once the last slave is closed. */
		if (*fd == S.in_fd)
			S.in_fd = -1;
		close(*fd);
		*fd = -1;
		return 0;
	}
}

static void close_stdin(void)
{
	if (S.cfg.terminal || S.in_fd < 0)
		return; /* a terminal has no EOF of its own; the pty stays */
	close(S.in_fd);
	S.in_fd = -1;
}

static void flush_stdin(void)
{
	while (S.stdin_len > 0 && S.in_fd >= 0) {
		ssize_t n = write(S.in_fd, S.stdin_buf, S.stdin_len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				S.stdin_len = 0; /* reader gone (EPIPE): the input has nowhere to go */
			break;
		}
		memmove(S.stdin_buf, S.stdin_buf + n, S.stdin_len - (size_t)n);
		S.stdin_len -= (size_t)n;
	}
	if (S.stdin_len == 0 && S.stdin_eof_pending) {
		S.stdin_eof_pending = 0;
		close_stdin();
	}
}

static void resize(unsigned rows, unsigned cols)
{
	struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };
	if (S.cfg.terminal && S.out_fd >= 0)
		ioctl(S.out_fd, TIOCSWINSZ, &ws);
}

/* ---- exit ---- */

static long long read_oom_kills(void)
{
	char buf[4096];
	long long v = 0;
	if (!S.cfg.oom_file)
		return 0;
	int fd = open(S.cfg.oom_file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (strncmp(line, "oom_kill ", 9) == 0)
			v = strtoll(line + 9, NULL, 10);
	return v;
}

static void write_exit_file(void)
{
	char buf[1024], tmp[4200];
	int n = exit_json(buf, sizeof(buf));
	buf[n++] = '\n';
	snprintf(tmp, sizeof(tmp), "%s.tmp", S.cfg.exit_file);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	/* Written whole, then renamed: a restarted daemon sees the old state or the new, never half.
	 * No fsync: the page cache outlives any process that dies, and a host crash takes the
	 * container with it anyway. */
	if (write(fd, buf, (size_t)n) == n)
		rename(tmp, S.cfg.exit_file);
	close(fd);
}

static void container_exited(int status)
{
	char buf[1024];
	if (WIFSIGNALED(status)) {
		S.signal = WTERMSIG(status);
		S.exit_code = 128 + S.signal;
	} else {
		S.exit_code = WEXITSTATUS(status);
	}
	log_time(S.finished_at, sizeof(S.finished_at));
	S.oom_killed = read_oom_kills() > S.oom_base;
	S.status = S_EXITED;
	/* Output written just before the exit is still in the pipes: log it before the status. */
	if (S.out_fd >= 0)
		pump_output(&S.out_fd, F_STDOUT);
	if (S.err_fd >= 0)
		pump_output(&S.err_fd, F_STDERR);
	write_exit_file();
	exit_json(buf, sizeof(buf));
	for (struct client *c = S.clients; c; c = c->next) {
		if (c->mode == C_ATTACH) {
			client_frame(c, F_EXIT, buf, strlen(buf));
			c->mode = C_CLOSING;
		} else if (c->mode == C_WAIT) {
			client_queue(c, buf, strlen(buf));
			client_queue(c, "\n", 1);
			c->mode = C_CLOSING;
		}
	}
}

static void reap(void)
{
	struct signalfd_siginfo si;
	while (read(S.sig_fd, &si, sizeof(si)) == sizeof(si))
		;
	for (;;) {
		int status;
		pid_t p = waitpid(-1, &status, WNOHANG);
		if (p <= 0)
			return;
		if (p == S.pid && S.status != S_EXITED)
			container_exited(status);
	}
}

/* ---- requests ---- */

/* Lets the init exec the payload. Returns the reply line: the running state, or the error
 * object when exec failed (the init then exits with 126 or 127). */
static void start_payload(char *out, size_t len)
{
	char m = INIT_MSG_START, buf[4200];
	log_time(S.started_at, sizeof(S.started_at));
	if (send(S.chan, &m, 1, MSG_NOSIGNAL) != 1) {
		snprintf(out, len, "{\"message\":\"container init is gone\",\"exitCode\":125}\n");
		return;
	}
	/* The init's end of the channel is close-on-exec: EOF means the payload is running; an
	 * error packet means exec failed. */
	ssize_t n = recv(S.chan, buf, sizeof(buf) - 1, 0);
	close(S.chan);
	S.chan = -1;
	S.status = S_RUNNING;
	if (n > 1 && buf[0] == INIT_MSG_ERROR) {
		buf[n] = 0;
		snprintf(out, len, "%s\n", buf + 1);
		return;
	}
	snprintf(out, len, "{\"status\":\"running\",\"pid\":%d,\"startedAt\":\"%s\"}\n", S.pid, S.started_at);
}

static void do_start(struct client *c)
{
	char buf[4300];
	if (S.status != S_CREATED) {
		client_reply(c, "{\"message\":\"container already started\",\"exitCode\":125}\n");
		return;
	}
	start_payload(buf, sizeof(buf));
	client_reply(c, buf);
}

static void handle_request(struct client *c, char *line)
{
	char buf[1024];
	if (strcmp(line, "state") == 0) {
		state_json(buf, sizeof(buf));
		strcat(buf, "\n");
		client_reply(c, buf);
	} else if (strcmp(line, "start") == 0) {
		do_start(c);
	} else if (strncmp(line, "kill ", 5) == 0) {
		int sig = atoi(line + 5);
		if (S.status == S_EXITED)
			client_reply(c, "{\"message\":\"container is not running\"}\n");
		else if (sig <= 0 || sig >= NSIG || kill(S.pid, sig) < 0)
			client_reply(c, "{\"message\":\"invalid signal\"}\n");
		else
			client_reply(c, "{\"ok\":true}\n");
	} else if (strncmp(line, "resize ", 7) == 0) {
		unsigned rows = 0, cols = 0;
		sscanf(line + 7, "%u %u", &rows, &cols);
		resize(rows, cols);
		client_reply(c, "{\"ok\":true}\n");
	} else if (strcmp(line, "attach") == 0 || strcmp(line, "attach stdin") == 0) {
		c->mode = C_ATTACH;
		c->stdin_attached = strcmp(line, "attach stdin") == 0;
		client_queue(c, "{\"ok\":true}\n", 12);
		if (S.status == S_EXITED) {
			exit_json(buf, sizeof(buf));
			client_frame(c, F_EXIT, buf, strlen(buf));
			c->mode = C_CLOSING;
		}
	} else if (strcmp(line, "wait") == 0) {
		c->mode = C_WAIT;
		if (S.status == S_EXITED) {
			exit_json(buf, sizeof(buf));
			strcat(buf, "\n");
			client_reply(c, buf);
		}
	} else if (strcmp(line, "close-stdin") == 0) {
		S.stdin_eof_pending = 1;
		flush_stdin();
		client_reply(c, "{\"ok\":true}\n");
	} else if (strcmp(line, "release") == 0) {
		if (S.status != S_EXITED) {
			client_reply(c, "{\"message\":\"container is running\"}\n");
		} else {
			client_reply(c, "{\"ok\":true}\n");
			S.released = 1;
		}
	} else {
		client_reply(c, "{\"message\":\"unknown request\"}\n");
	}
}

static void handle_frames(struct client *c)
{
	while (c->in_len >= 5) {
		unsigned char *h = (unsigned char *)c->in;
		size_t len = ((size_t)h[1] << 24) | ((size_t)h[2] << 16) | ((size_t)h[3] << 8) | h[4];
		if (len > MAX_FRAME) {
			c->mode = C_CLOSING;
			c->out_len = 0;
			return;
		}
		if (c->in_len < 5 + len)
			return;
		if (h[0] == F_STDIN && c->stdin_attached && S.in_fd >= 0) {
			char *p = realloc(S.stdin_buf, S.stdin_len + len);
			if (p) {
				S.stdin_buf = p;
				memcpy(S.stdin_buf + S.stdin_len, c->in + 5, len);
				S.stdin_len += len;
			}
		} else if (h[0] == F_STDIN_EOF && c->stdin_attached) {
			S.stdin_eof_pending = 1;
		} else if (h[0] == F_RESIZE && len == 4) {
			resize(((unsigned)h[5] << 8) | h[6], ((unsigned)h[7] << 8) | h[8]);
		}
		memmove(c->in, c->in + 5 + len, c->in_len - 5 - len);
		c->in_len -= 5 + len;
	}
	flush_stdin();
}

static void client_read(struct client *c)
{
	if (grow(&c->in, &c->in_cap, c->in_len + 65536) < 0) {
		c->mode = C_CLOSING;
		return;
	}
	ssize_t n = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		c->mode = C_CLOSING;
		c->out_len = 0;
		return;
	}
	if (n < 0)
		return;
	c->in_len += (size_t)n;
	if (c->mode == C_REQUEST) {
		char *nl = memchr(c->in, '\n', c->in_len);
		if (!nl) {
			if (c->in_len > 1024)
				client_reply(c, "{\"message\":\"request too long\"}\n");
			return;
		}
		*nl = 0;
		size_t rest = c->in_len - (size_t)(nl + 1 - c->in);
		char line[1025];
		snprintf(line, sizeof(line), "%s", c->in);
		memmove(c->in, nl + 1, rest);
		c->in_len = rest;
		handle_request(c, line);
	}
	if (c->mode == C_ATTACH)
		handle_frames(c);
}

static void client_write(struct client *c)
{
	while (c->out_len > 0) {
		ssize_t n = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			c->out_len = 0;
			c->mode = C_CLOSING;
			return;
		}
		memmove(c->out, c->out + n, c->out_len - (size_t)n);
		c->out_len -= (size_t)n;
	}
}

static void accept_clients(void)
{
	for (;;) {
		int fd = accept4(S.listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		struct client *c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			return;
		}
		c->fd = fd;
		c->next = S.clients;
		S.clients = c;
	}
}

/* ---- main loop ---- */

static long long monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Whether some client still has bytes queued: an attach's last frames, a reply. */
static int output_pending(void)
{
	for (struct client *c = S.clients; c; c = c->next)
		if (c->out_len)
			return 1;
	return 0;
}

#define RELEASE_FLUSH_MS 5000

/* Released, with the output pipes drained: the socket goes at once (a container restarted on the
 * same path binds it anew, and must not lose it to this shim's exit), then the shim goes once
 * every client has what was queued for it, or after RELEASE_FLUSH_MS: a client that stopped
 * reading cannot keep it. */
static void leave_when_flushed(void)
{
	if (!S.release_deadline_ms) {
		/* Only if the path is still this shim's socket, not a successor's. */
		struct stat st;
		if (lstat(S.cfg.socket, &st) == 0 && st.st_dev == S.socket_dev && st.st_ino == S.socket_ino)
			unlink(S.cfg.socket);
		S.release_deadline_ms = monotonic_ms() + RELEASE_FLUSH_MS;
	}
	for (struct client *c = S.clients; c; c = c->next)
		client_write(c);
	if (!output_pending() || monotonic_ms() >= S.release_deadline_ms)
		_exit(0);
}

static void serve(void)
{
	struct pollfd pfd[256];
	struct client *slot[256];

	for (;;) {
		int n = 0, i_listen, i_sig, i_out = -1, i_err = -1, i_in = -1;
		int draining = S.out_fd >= 0 || S.err_fd >= 0;
		if (S.released && !draining)
			leave_when_flushed();
		i_listen = n;
		pfd[n++] = (struct pollfd){ S.listen_fd, POLLIN, 0 };
		i_sig = n;
		pfd[n++] = (struct pollfd){ S.sig_fd, POLLIN, 0 };
		if (S.out_fd >= 0) {
			i_out = n;
			pfd[n++] = (struct pollfd){ S.out_fd, POLLIN, 0 };
		}
		if (S.err_fd >= 0) {
			i_err = n;
			pfd[n++] = (struct pollfd){ S.err_fd, POLLIN, 0 };
		}
		if (S.in_fd >= 0 && S.stdin_len > 0 && !S.cfg.terminal) {
			i_in = n;
			pfd[n++] = (struct pollfd){ S.in_fd, POLLOUT, 0 };
		}
		int first_client = n;
		for (struct client *c = S.clients; c && n < 256; c = c->next) {
			short ev = 0;
			if (c->mode != C_CLOSING && S.stdin_len < MAX_STDIN_PENDING)
				ev |= POLLIN;
			if (c->out_len)
				ev |= POLLOUT;
			slot[n] = c;
			pfd[n++] = (struct pollfd){ c->fd, ev, 0 };
		}
		int timeout = S.release_deadline_ms ? 100 : S.cfg.terminal && S.stdin_len ? 10 : -1;
		if (poll(pfd, (nfds_t)n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (pfd[i_sig].revents)
			reap();
		if (i_out >= 0 && pfd[i_out].revents)
			pump_output(&S.out_fd, F_STDOUT);
		if (i_err >= 0 && pfd[i_err].revents)
			pump_output(&S.err_fd, F_STDERR);
		if ((i_in >= 0 && pfd[i_in].revents) || (S.cfg.terminal && S.stdin_len))
			flush_stdin();
		for (int i = first_client; i < n; i++) {
			struct client *c = slot[i];
			if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
				client_read(c);
			if (c->out_len)
				client_write(c);
		}
		/* Drop clients that are done: closing with nothing left to send. */
		for (struct client **pp = &S.clients; *pp;) {
			struct client *c = *pp;
			if (c->mode == C_CLOSING && c->out_len == 0) {
				*pp = c->next;
				client_free(c);
			} else {
				pp = &c->next;
			}
		}
		if (pfd[i_listen].revents)
			accept_clients();
	}
}

/* ---- start-up ---- */

static int listen_on(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	unlink(path);
	/* Only root may talk to the shim: bind with a umask that leaves the socket 0600. */
	mode_t old = umask(0177);
	int r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	struct stat st;
	if (r < 0 || listen(fd, 64) < 0 || lstat(path, &st) < 0) {
		close(fd);
		return -1;
	}
	S.socket_dev = st.st_dev;
	S.socket_ino = st.st_ino;
	return fd;
}

static void ignore_signals(void)
{
	/* Terminal and hang-up signals must never take the shim down with a container in it: the
	 * shim has its own session, and ignores them should one be sent to it anyway. */
	static const int sigs[] = { SIGINT, SIGHUP, SIGQUIT, SIGTERM, SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE, SIGUSR1, SIGUSR2 };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_IGN);
}

static void open_stdio(struct init_stdio *io)
{
	int p[2];
	io->in = io->out = io->err = -1;
	if (S.cfg.terminal)
		return; /* the init makes the pty in the container's devpts and sends the master */
	if (S.cfg.stdin_open) {
		if (pipe2(p, O_CLOEXEC) < 0)
			die("pipe2", NULL, errno);
		io->in = p[0];
		S.in_fd = p[1];
		set_nonblock(S.in_fd);
	} else {
		io->in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	}
	if (pipe2(p, O_CLOEXEC) < 0)
		die("pipe2", NULL, errno);
	S.out_fd = p[0];
	io->out = p[1];
	if (pipe2(p, O_CLOEXEC) < 0)
		die("pipe2", NULL, errno);
	S.err_fd = p[0];
	io->err = p[1];
	set_nonblock(S.out_fd);
	set_nonblock(S.err_fd);
}

/* Receives one init packet into buf; a pty master passed along with it lands in *fd. */
static ssize_t recv_init(char *buf, size_t len, int *fd)
{
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { buf, len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof(u.b) };
	ssize_t n = recvmsg(S.chan, &msg, MSG_CMSG_CLOEXEC);
	struct cmsghdr *cm = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
	if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
		memcpy(fd, CMSG_DATA(cm), sizeof(int));
	return n;
}

/* Its own session, stdio on /dev/null: nothing ties the shim to a terminal or to the daemon's
 * pipes. */
static void become_session(void)
{
	if (setsid() < 0)
		die("setsid", NULL, errno);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
		die("open", "/dev/null", errno);
	close(null);
}

/* Run by hand (`tdocker-shim CONFIG_JSON`), the shim forks: the first process relays the one
 * reply line on stdout and exits, so the shim is reparented away from its caller. A shim forked
 * by the spawner needs no second process: the spawner is not the daemon, and the shim writes its
 * reply to the spawner's socket itself. */
static void detach(void)
{
	int ready[2];
	if (reply_tag) {
		become_session();
		return;
	}
	if (pipe2(ready, O_CLOEXEC) < 0) {
		report_error("pipe2", NULL, errno, NULL, 125);
		_exit(1);
	}
	pid_t child = fork();
	if (child < 0) {
		report_error("fork", NULL, errno, NULL, 125);
		_exit(1);
	}
	if (child > 0) {
		/* The daemon's child: relay the shim's one line, then exit so the shim is reparented. */
		char buf[8192];
		size_t len = 0;
		ssize_t n;
		close(ready[1]);
		while (len < sizeof(buf) && (n = read(ready[0], buf + len, sizeof(buf) - len)) != 0) {
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				break;
			len += (size_t)n;
		}
		if (len == 0) {
			report_error("shim", NULL, EPIPE, "shim exited before the container was created", 125);
			_exit(1);
		}
		reply_line(buf, len);
		_exit(strncmp(buf, "{\"status\"", 9) == 0 ? 0 : 1);
	}
	close(ready[0]);
	ready_fd = ready[1];
	become_session();
}

static int run_shim(const char *config_path, int start_now);

static uint64_t remove_mnt_id;

/* The mount an entry is on, by id: a bind mount of the same filesystem has the same st_dev. */
static int mount_id(const char *path, uint64_t *id)
{
	struct statx stx;
	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0)
		return errno;
	if (!(stx.stx_mask & STATX_MNT_ID))
		return ENOTSUP;
	*id = stx.stx_mnt_id;
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	uint64_t id;
	int err;
	(void)st;
	(void)ftw;
	if ((err = mount_id(path, &id)) != 0)
		return err;
	if (id != remove_mnt_id)
		return EXDEV; /* something is mounted inside: its files are not ours to delete */
	return (type == FTW_DP ? rmdir(path) : unlink(path)) < 0 ? errno : 0;
}

/* "TAG --remove PATH": deletes the tree at PATH (a removed container's folder) in a child of the
 * spawner, so the daemon's event loop pays one line for it instead of a hop per entry. Never
 * follows a symlink, and deletes nothing on another mount than PATH's (a bind mount left inside,
 * even of the same filesystem, makes the removal fail with EXDEV before any of its files goes). */
static void remove_tree(const char *tag, const char *path)
{
	char line[8400], body[8192];
	int n;
	int err = path[0] == '/' ? mount_id(path, &remove_mnt_id) : EINVAL;
	/* The top dir is held open across its rmdir. Otherwise its inode is freed inside the rmdir,
	 * with the trash dir locked, and freeing blocks on a file system mounted with -o discard
	 * (and no journal to defer it) waits for the disk's discard: every rename into the trash,
	 * and the lookups and mkdirs in the containers dir that the rename locks in turn, would wait
	 * too. Held open, the inode goes at the close, after the kernel let go of the trash dir. */
	int top = err == 0 ? open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
	if (err == 0 && (err = nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT)) < 0)
		err = errno; /* nftw's own failure */
	if (top >= 0)
		close(top);
	if (err == 0 || err == ENOENT)
		n = snprintf(line, sizeof(line), "%s {\"status\":\"removed\"}\n", tag);
	else if (json_error(body, sizeof(body), "remove", path, err, NULL, 125) > 0)
		n = snprintf(line, sizeof(line), "%s %s\n", tag, body);
	else
		n = snprintf(line, sizeof(line), "%s {\"message\":\"remove failed\",\"errno\":%d,\"exitCode\":125}\n", tag, err);
	if (n > 0 && (size_t)n < sizeof(line) && write(3, line, (size_t)n) < 0)
		(void)0;
}

/* tdocker-shim --serve: a small, long-lived process the daemon starts once and asks for shims
 * over fd 3 (one line each: "TAG [--start] CONFIG_JSON"). Forking this tiny process costs a
 * fraction of forking the daemon's. Each forked child is the shim; its reply is "TAG " + the line
 * the shim would print. */
static int serve_spawns(void)
{
	char buf[16384];
	size_t len = 0;
	/* Children (the shims) are reaped by the kernel when they end. */
	signal(SIGCHLD, SIG_IGN);
	for (;;) {
		ssize_t n = read(3, buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0; /* the daemon has gone; shims never depended on this process */
		len += (size_t)n;
		char *nl;
		while ((nl = memchr(buf, '\n', len))) {
			*nl = 0;
			char *tag = buf, *rest = strchr(buf, ' ');
			if (rest) {
				*rest++ = 0;
				int start = strncmp(rest, "--start ", 8) == 0;
				int remove = strncmp(rest, "--remove ", 9) == 0;
				const char *path = start ? rest + 8 : remove ? rest + 9 : rest;
				pid_t p = fork();
				if (p == 0 && remove) {
					remove_tree(tag, path);
					_exit(0);
				}
				if (p == 0) {
					/* The shim runs in the forked child as it is: an exec would cost more
					 * than the rest of the shim's start (a static binary's start-up runs
					 * cpuid, which a VM traps). The spawner holds no state to shed but
					 * this buffer and its SIGCHLD disposition. */
					signal(SIGCHLD, SIG_DFL);
					reply_fd = 3;
					reply_tag = tag;
					_exit(run_shim(path, start));
				}
				if (p < 0) {
					char line[256];
					int m = snprintf(line, sizeof(line), "%s {\"message\":\"fork: %s\",\"call\":\"fork\",\"errno\":%d,\"exitCode\":125}\n",
							 tag, strerror(errno), errno);
					if (write(3, line, (size_t)m) < 0)
						return 1;
				}
			}
			len -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, len);
		}
		if (len == sizeof(buf) - 1)
			len = 0; /* a line longer than any request: drop it */
	}
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--serve") == 0)
		return serve_spawns();
	int i = 1;
	int start_now = i < argc && strcmp(argv[i], "--start") == 0;
	i += start_now;
	if (i != argc - 1) {
		fprintf(stderr, "usage: tdocker-shim [--start] CONFIG_JSON | tdocker-shim --serve\n");
		return 2;
	}
	return run_shim(argv[i], start_now);
}

static int run_shim(const char *config_path, int start_now)
{
	char err[1024];
	struct init_stdio io;
	sigset_t chld;
	int chan[2], netns = -1;

	if (config_load(config_path, &S.cfg, err, sizeof(err)) < 0) {
		report_error("config", config_path, EINVAL, err, 125);
		return 1;
	}
	detach();
	ignore_signals();
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		die("prctl(PR_SET_CHILD_SUBREAPER)", NULL, errno);
	if (chdir("/") < 0)
		die("chdir", "/", errno);
	if (log_open(&S.log, S.cfg.log_path, S.cfg.log_max_size, S.cfg.log_max_files) < 0)
		die("open", S.cfg.log_path, errno);
	if ((S.listen_fd = listen_on(S.cfg.socket)) < 0)
		die("listen", S.cfg.socket, errno);
	open_stdio(&io);
	if (S.cfg.netns_path && (netns = open(S.cfg.netns_path, O_RDONLY | O_CLOEXEC)) < 0)
		die("open", S.cfg.netns_path, errno);
	io.netns_fd = netns;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, chan) < 0)
		die("socketpair", NULL, errno);

	/* SIGCHLD is blocked before the clone so no exit can slip past the signalfd. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	if ((S.sig_fd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC)) < 0)
		die("signalfd", NULL, errno);

	/* The init starts in the cgroup2 cgroup and joins the v1 ones itself (cgroup_join.c says
	 * why not the shim). The cgroup namespace is unshared later by the init, once it is in
	 * every cgroup. */
	const char *cg2 = NULL;
	int cgfd = cgroup2_dir_fd(S.cfg.cgroup_procs, &cg2);
	S.oom_base = read_oom_kills();
	int flags = S.cfg.clone_flags & ~CLONE_NEWCGROUP;
	const char *call;
	pid_t pid = clone_into_cgroup((unsigned long)flags, cgfd, &io.cgroup2_joined, &call);
	if (pid < 0)
		die(call, strcmp(call, "clone3") == 0 ? cg2 : NULL, errno);
	if (pid == 0) {
		close(chan[0]);
		init_main(&S.cfg, chan[1], &io);
	}
	if (cgfd >= 0)
		close(cgfd);
	S.pid = pid;
	close(chan[1]);
	S.chan = chan[0];
	if (io.in >= 0)
		close(io.in);
	if (io.out >= 0)
		close(io.out);
	if (io.err >= 0)
		close(io.err);
	if (netns >= 0)
		close(netns);

	char buf[4200];
	int master = -1;
	ssize_t n = recv_init(buf, sizeof(buf) - 2, &master);
	if (n == 1 && buf[0] == INIT_MSG_PTY && master >= 0) {
		S.out_fd = S.in_fd = master;
		set_nonblock(master);
		n = recv_init(buf, sizeof(buf) - 2, &master);
	}
	if (n != 1 || buf[0] != INIT_MSG_READY) {
		if (n > 1 && buf[0] == INIT_MSG_ERROR) {
			buf[n] = '\n';
			send_ready(buf + 1, (size_t)n);
		} else {
			report_error("init", NULL, EPIPE, "container init exited during set-up", 125);
		}
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		unlink(S.cfg.socket);
		_exit(1);
	}
	if (start_now)
		start_payload(buf, sizeof(buf));
	else
		snprintf(buf, sizeof(buf), "{\"status\":\"created\",\"pid\":%d}\n", pid);
	send_ready(buf, strlen(buf));
	serve();
	return 0;
}
