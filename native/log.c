#define _GNU_SOURCE
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

void log_time(char *out, size_t len)
{
	struct timespec ts;
	struct tm tm;
	char sec[32];
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(sec, sizeof(sec), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, len, "%s.%09ldZ", sec, ts.tv_nsec);
}

int log_open(struct log_file *l, const char *path, long long max_size, int max_files)
{
	struct stat st;
	l->path = path;
	l->max_size = max_size;
	l->max_files = max_files;
	l->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (l->fd < 0)
		return -1;
	l->size = fstat(l->fd, &st) == 0 ? st.st_size : 0;
	return 0;
}

static void rotate(struct log_file *l)
{
	char from[4096], to[4096];
	if (l->max_files <= 1) {
		/* One file allowed: start it over, as Docker's json-file does with max-file=1. */
		if (ftruncate(l->fd, 0) == 0)
			l->size = 0;
		return;
	}
	for (int i = l->max_files - 1; i >= 1; i--) {
		if (i == 1)
			snprintf(from, sizeof(from), "%s", l->path);
		else
			snprintf(from, sizeof(from), "%s.%d", l->path, i - 1);
		snprintf(to, sizeof(to), "%s.%d", l->path, i);
		rename(from, to); /* a missing older file is fine */
	}
	close(l->fd);
	l->fd = open(l->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	l->size = 0;
}

static void record(struct log_file *l, const char *stream, const char *tag, const char *ts,
		   const char *buf, size_t len)
{
	char head[80];
	int hl = snprintf(head, sizeof(head), "%s %s %s ", ts, stream, tag);
	struct iovec iov[3] = { { head, (size_t)hl }, { (void *)buf, len }, { "\n", 1 } };
	size_t total = (size_t)hl + len + 1;
	if (l->max_size > 0 && l->size > 0 && l->size + (long long)total > l->max_size)
		rotate(l);
	if (l->fd < 0)
		return;
	ssize_t w = writev(l->fd, iov, 3);
	if (w > 0)
		l->size += w;
}

void log_write(struct log_file *l, const char *stream, const char *buf, size_t len)
{
	char ts[40];
	log_time(ts, sizeof(ts));
	while (len > 0) {
		const char *nl = memchr(buf, '\n', len);
		if (!nl) {
			record(l, stream, "P", ts, buf, len);
			return;
		}
		record(l, stream, "F", ts, buf, (size_t)(nl - buf));
		len -= (size_t)(nl - buf) + 1;
		buf = nl + 1;
	}
}
