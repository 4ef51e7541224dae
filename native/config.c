#define _GNU_SOURCE
#include "config.h"

#include "caps.h"
#include "json.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
	{ "RLIMIT_AS", RLIMIT_AS }, { "RLIMIT_CORE", RLIMIT_CORE }, { "RLIMIT_CPU", RLIMIT_CPU },
	{ "RLIMIT_DATA", RLIMIT_DATA }, { "RLIMIT_FSIZE", RLIMIT_FSIZE },
	{ "RLIMIT_LOCKS", RLIMIT_LOCKS }, { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
	{ "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE }, { "RLIMIT_NICE", RLIMIT_NICE },
	{ "RLIMIT_NOFILE", RLIMIT_NOFILE }, { "RLIMIT_NPROC", RLIMIT_NPROC },
	{ "RLIMIT_RSS", RLIMIT_RSS }, { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
	{ "RLIMIT_RTTIME", RLIMIT_RTTIME }, { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
	{ "RLIMIT_STACK", RLIMIT_STACK },
};

static const struct {
	const char *name;
	int flag;
} ns_names[] = {
	{ "pid", CLONE_NEWPID }, { "mount", CLONE_NEWNS }, { "uts", CLONE_NEWUTS },
	{ "ipc", CLONE_NEWIPC }, { "network", CLONE_NEWNET }, { "cgroup", CLONE_NEWCGROUP },
};

static char *read_file(const char *path, char *err, size_t errlen)
{
	struct stat st;
	char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errlen, "open %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf || read(fd, buf, (size_t)st.st_size) != st.st_size) {
		snprintf(err, errlen, "read %s: %s", path, strerror(errno ? errno : EIO));
		close(fd);
		free(buf);
		return NULL;
	}
	buf[st.st_size] = 0;
	close(fd);
	return buf;
}

static int load_namespaces(const struct json *linux_, struct config *c, char *err, size_t errlen)
{
	struct json *nss = json_get(linux_, "namespaces");
	for (struct json *ns = nss ? nss->child : NULL; ns; ns = ns->next) {
		const char *type = json_str(ns, "type", "");
		const char *path = json_str(ns, "path", NULL);
		size_t i;
		for (i = 0; i < sizeof(ns_names) / sizeof(ns_names[0]); i++)
			if (strcmp(type, ns_names[i].name) == 0)
				break;
		if (i == sizeof(ns_names) / sizeof(ns_names[0])) {
			snprintf(err, errlen, "config: unknown namespace type '%s'", type);
			return -1;
		}
		if (path && ns_names[i].flag == CLONE_NEWNET) {
			c->netns_path = path;
		} else if (path) {
			snprintf(err, errlen, "config: joining an existing %s namespace is not supported", type);
			return -1;
		} else {
			c->clone_flags |= ns_names[i].flag;
		}
	}
	if (!(c->clone_flags & CLONE_NEWPID) || !(c->clone_flags & CLONE_NEWNS)) {
		snprintf(err, errlen, "config: pid and mount namespaces are required");
		return -1;
	}
	return 0;
}

static int load_rlimits(const struct json *process, struct config *c, char *err, size_t errlen)
{
	struct json *arr = json_get(process, "rlimits");
	size_t n = 0;
	for (struct json *r = arr ? arr->child : NULL; r; r = r->next)
		n++;
	c->rlimits = calloc(n ? n : 1, sizeof(*c->rlimits));
	for (struct json *r = arr ? arr->child : NULL; r; r = r->next) {
		const char *type = json_str(r, "type", "");
		size_t i;
		for (i = 0; i < sizeof(rlimit_names) / sizeof(rlimit_names[0]); i++)
			if (strcmp(type, rlimit_names[i].name) == 0)
				break;
		if (i == sizeof(rlimit_names) / sizeof(rlimit_names[0])) {
			snprintf(err, errlen, "config: unknown rlimit '%s'", type);
			return -1;
		}
		c->rlimits[c->n_rlimits].name = rlimit_names[i].name;
		c->rlimits[c->n_rlimits].resource = rlimit_names[i].resource;
		c->rlimits[c->n_rlimits].soft = (unsigned long long)json_int(r, "soft", 0);
		c->rlimits[c->n_rlimits].hard = (unsigned long long)json_int(r, "hard", 0);
		c->n_rlimits++;
	}
	return 0;
}

int config_load_process(const struct json *process, struct config *c, char *err, size_t errlen)
{
	struct json *user = json_get(process, "user"), *caps, *gids;
	size_t n;

	c->args = json_strv(json_get(process, "args"), &n);
	if (n == 0) {
		snprintf(err, errlen, "config: process.args is empty");
		return -1;
	}
	c->env = json_strv(json_get(process, "env"), NULL);
	c->cwd = json_str(process, "cwd", "/");
	c->terminal = json_bool(process, "terminal", 0);
	c->rows = (unsigned short)json_int(json_get(process, "consoleSize"), "height", 24);
	c->cols = (unsigned short)json_int(json_get(process, "consoleSize"), "width", 80);
	c->no_new_privs = json_bool(process, "noNewPrivileges", 1);
	c->uid = (uid_t)json_int(user, "uid", 0);
	c->gid = (gid_t)json_int(user, "gid", 0);
	c->username = json_str(user, "username", NULL);
	gids = json_get(user, "additionalGids");
	n = 0;
	for (struct json *g = gids ? gids->child : NULL; g; g = g->next)
		n++;
	c->additional_gids = calloc(n ? n : 1, sizeof(gid_t));
	for (struct json *g = gids ? gids->child : NULL; g; g = g->next)
		c->additional_gids[c->n_additional_gids++] = (gid_t)g->num;
	c->additional_groups = json_strv(json_get(user, "additionalGroups"), NULL);

	caps = json_get(json_get(process, "capabilities"), "bounding");
	if (caps_from_names(caps, &c->caps, err, errlen) < 0)
		return -1;
	if (load_rlimits(process, c, err, errlen) < 0)
		return -1;
	return 0;
}

int config_load(const char *path, struct config *c, char *err, size_t errlen)
{
	size_t at = 0;
	char *text = read_file(path, err, errlen);
	struct json *root, *process, *linux_, *td, *log;
	if (!text)
		return -1;
	if (!(root = json_parse(text, &at))) {
		snprintf(err, errlen, "config: %s: invalid JSON at byte %zu", path, at);
		return -1;
	}
	memset(c, 0, sizeof(*c));
	process = json_get(root, "process");
	linux_ = json_get(root, "linux");
	td = json_get(root, "tdocker");
	log = json_get(td, "log");

	if (config_load_process(process, c, err, errlen) < 0)
		return -1;

	c->rootfs = json_str(json_get(root, "root"), "path", NULL);
	c->rootfs_readonly = json_bool(json_get(root, "root"), "readonly", 0);
	if (!c->rootfs || c->rootfs[0] != '/') {
		snprintf(err, errlen, "config: root.path must be an absolute path");
		return -1;
	}
	c->hostname = json_str(root, "hostname", NULL);
	if (load_namespaces(linux_, c, err, errlen) < 0)
		return -1;
	c->masked_paths = json_strv(json_get(linux_, "maskedPaths"), NULL);
	c->readonly_paths = json_strv(json_get(linux_, "readonlyPaths"), NULL);
	c->shm_size = json_int(td, "shmSize", 64LL << 20);
	if (c->shm_size <= 0) {
		snprintf(err, errlen, "config: tdocker.shmSize must be more than 0");
		return -1;
	}

	c->init = json_bool(td, "init", 0);
	c->stdin_open = json_bool(td, "openStdin", 0);
	c->socket = json_str(td, "socket", NULL);
	c->exit_file = json_str(td, "exitFile", NULL);
	c->log_path = json_str(log, "path", NULL);
	c->log_max_size = json_int(log, "maxSize", 0);
	c->log_max_files = (int)json_int(log, "maxFiles", 1);
	c->cgroup_procs = json_strv(json_get(td, "cgroupProcs"), NULL);
	c->oom_file = json_str(td, "oomFile", NULL);
	if (!c->socket || !c->exit_file || !c->log_path) {
		snprintf(err, errlen, "config: tdocker.socket, tdocker.exitFile and tdocker.log.path are required");
		return -1;
	}
	if (c->log_max_files < 1)
		c->log_max_files = 1;
	return 0;
}
