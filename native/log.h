/* The container's log file, in the CRI logging format kubelet and containerd use:
 *   <RFC 3339 time with nanoseconds> <stdout|stderr> <F|P> <bytes>\n
 * one record per line of output; P marks a partial line (output that did not end in a newline
 * yet). Rotated by size: log -> log.1 -> ... -> log.(max_files-1). See native/README.md. */
#ifndef TDOCKER_LOG_H
#define TDOCKER_LOG_H

#include <stddef.h>

struct log_file {
	const char *path;
	long long max_size;
	int max_files;
	int fd;
	long long size;
};

int log_open(struct log_file *l, const char *path, long long max_size, int max_files);
/* Appends a chunk of a stream's output; never blocks the container for long (regular file). */
void log_write(struct log_file *l, const char *stream, const char *buf, size_t len);
/* Formats the current time as RFC 3339 with nanoseconds into out (at least 40 bytes). */
void log_time(char *out, size_t len);

#endif
