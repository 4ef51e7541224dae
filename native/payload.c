/* What the init and tdocker-exec share to become the payload: errors back to the shim, the user
 * resolved in the container's files, working directory, rlimits, environment, capabilities and
 * the execve with Docker's exit codes. */
#define _GNU_SOURCE
#include "payload.h"

#include "caps.h"
#include "json.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

int chan = -1;


/* Reports the failing step to the shim and exits with the code Docker would show. */
noreturn void fail(int exit_code, const char *call, const char *path, int err, const char *msg)
{
	char buf[8192];
	buf[0] = INIT_MSG_ERROR;
	int n = json_error(buf + 1, sizeof(buf) - 1, call, path, err, msg, exit_code);
	if (n > 0 && send(chan, buf, (size_t)n + 1, MSG_NOSIGNAL) < 0)
		(void)0; /* the shim is gone: nobody left to tell */
	_exit(exit_code);
}

int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}


/* Resolves the user the way Docker does: "uid", "name", "uid:gid", "name:group", looked up in
 * the container's own /etc/passwd and /etc/group (read after pivot_root, so the image's files). */
void resolve_user(const struct config *c, struct user *u)
{
	char spec[512], *user_part, *group_part;
	struct passwd *pw = NULL;
	FILE *f;

	u->uid = c->uid;
	u->gid = c->gid;
	u->ngroups = 0;
	snprintf(u->home, sizeof(u->home), "/");
	u->name[0] = 0;
	snprintf(spec, sizeof(spec), "%s", c->username ? c->username : "");
	user_part = spec;
	group_part = strchr(spec, ':');
	if (group_part)
		*group_part++ = 0;

	f = fopen("/etc/passwd", "re");
	if (*user_part && !all_digits(user_part)) {
		while (f && (pw = fgetpwent(f)))
			if (strcmp(pw->pw_name, user_part) == 0)
				break;
		if (!pw) {
			char msg[600];
			snprintf(msg, sizeof(msg), "unable to find user %s: no matching entries in passwd file", user_part);
			fail(125, "getpwnam", NULL, ENOENT, msg);
		}
	} else {
		if (*user_part)
			u->uid = (uid_t)strtoul(user_part, NULL, 10);
		while (f && (pw = fgetpwent(f)))
			if (pw->pw_uid == u->uid)
				break;
	}
	if (pw) {
		u->uid = pw->pw_uid;
		u->gid = pw->pw_gid;
		snprintf(u->home, sizeof(u->home), "%s", pw->pw_dir);
		snprintf(u->name, sizeof(u->name), "%s", pw->pw_name);
	} else if (u->uid == 0) {
		snprintf(u->home, sizeof(u->home), "/root");
	}
	if (f)
		fclose(f);

	f = fopen("/etc/group", "re");
	if (group_part && *group_part) {
		struct group *gr = NULL;
		if (all_digits(group_part)) {
			u->gid = (gid_t)strtoul(group_part, NULL, 10);
		} else {
			while (f && (gr = fgetgrent(f)))
				if (strcmp(gr->gr_name, group_part) == 0)
					break;
			if (!gr) {
				char msg[600];
				snprintf(msg, sizeof(msg), "unable to find group %s: no matching entries in group file", group_part);
				fail(125, "getgrnam", NULL, ENOENT, msg);
			}
			u->gid = gr->gr_gid;
		}
	}
	/* Supplementary groups as initgroups(3) makes them: the primary group, then every group
	 * that lists the user by name. */
	u->groups[u->ngroups++] = u->gid;
	if (f && u->name[0]) {
		struct group *gr;
		rewind(f);
		while ((gr = fgetgrent(f)) && u->ngroups < sizeof(u->groups) / sizeof(u->groups[0]))
			for (char **m = gr->gr_mem; m && *m; m++)
				if (strcmp(*m, u->name) == 0 && gr->gr_gid != u->gid)
					u->groups[u->ngroups++] = gr->gr_gid;
	}
	if (f)
		fclose(f);
	for (size_t i = 0; i < c->n_additional_gids && u->ngroups < sizeof(u->groups) / sizeof(u->groups[0]); i++)
		u->groups[u->ngroups++] = c->additional_gids[i];
	/* --group-add by name: the image's groups, as Docker looks them up. */
	for (char **name = c->additional_groups; name && *name; name++) {
		struct group *gr = NULL;
		f = fopen("/etc/group", "re");
		while (f && (gr = fgetgrent(f)))
			if (strcmp(gr->gr_name, *name) == 0)
				break;
		if (!gr) {
			char msg[600];
			snprintf(msg, sizeof(msg), "unable to find group %s: no matching entries in group file", *name);
			fail(125, "getgrnam", NULL, ENOENT, msg);
		}
		if (u->ngroups < sizeof(u->groups) / sizeof(u->groups[0]))
			u->groups[u->ngroups++] = gr->gr_gid;
		fclose(f);
	}
}

void become_user(const struct config *c, const struct user *u)
{
	const char *call = NULL;
	if (caps_drop_bounding(c->caps, &call) < 0)
		fail(125, call, NULL, errno, NULL);
	/* Keep the permitted set across the uid change so capset below can still raise them. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		fail(125, "prctl(PR_SET_KEEPCAPS)", NULL, errno, NULL);
	if (setgroups(u->ngroups, u->groups) < 0)
		fail(125, "setgroups", NULL, errno, NULL);
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		fail(125, "setresgid", NULL, errno, NULL);
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		fail(125, "setresuid", NULL, errno, NULL);
	if (caps_set(c->caps, &call) < 0)
		fail(125, call, NULL, errno, NULL);
	if (c->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		fail(125, "prctl(PR_SET_NO_NEW_PRIVS)", NULL, errno, NULL);
}

void set_rlimits(const struct config *c)
{
	for (size_t i = 0; i < c->n_rlimits; i++) {
		const struct rlimit_spec *r = &c->rlimits[i];
		struct rlimit rl = { r->soft, r->hard }, cur;
		if (setrlimit(r->resource, &rl) == 0)
			continue;
		/* Raising a hard limit needs CAP_SYS_RESOURCE, which a host may not have: say so. */
		int err = errno;
		char msg[256];
		if (getrlimit(r->resource, &cur) == 0 && err == EPERM && r->hard > cur.rlim_max)
			snprintf(msg, sizeof(msg), "setrlimit %s %llu:%llu: the hard limit here is %llu and cannot be raised: %s",
				 r->name, r->soft, r->hard, (unsigned long long)cur.rlim_max, strerror(err));
		else
			snprintf(msg, sizeof(msg), "setrlimit %s %llu:%llu: %s", r->name, r->soft, r->hard, strerror(err));
		fail(125, "setrlimit", NULL, err, msg);
	}
}

void make_cwd(const char *cwd, int create)
{
	char p[PATH_MAX];
	PATHF(p, "%s", cwd);
	if (!create) {
		if (chdir(p) < 0)
			fail(125, "chdir", p, errno, NULL);
		return;
	}
	/* Docker creates a missing working directory; each component is made as needed. */
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			fail(125, "mkdir", p, errno, NULL);
		*s = '/';
	}
	if (mkdir(p, 0755) < 0 && errno != EEXIST)
		fail(125, "mkdir", p, errno, NULL);
	if (chdir(p) < 0)
		fail(125, "chdir", p, errno, NULL);
}

char **build_env(const struct config *c, const struct user *u)
{
	size_t n = 0;
	int have_home = 0, have_path = 0;
	char **env;
	for (char **e = c->env; e && *e; e++, n++) {
		have_home |= strncmp(*e, "HOME=", 5) == 0;
		have_path |= strncmp(*e, "PATH=", 5) == 0;
	}
	env = calloc(n + 3, sizeof(char *));
	if (!env)
		fail(125, "malloc", NULL, ENOMEM, NULL);
	n = 0;
	for (char **e = c->env; e && *e; e++)
		env[n++] = *e;
	if (!have_path)
		env[n++] = "PATH=" DEFAULT_PATH;
	if (!have_home) {
		size_t len = strlen(u->home) + 6;
		env[n] = malloc(len);
		if (!env[n])
			fail(125, "malloc", NULL, ENOMEM, NULL);
		snprintf(env[n++], len, "HOME=%s", u->home);
	}
	return env;
}

const char *env_get(char **env, const char *name)
{
	size_t len = strlen(name);
	for (; env && *env; env++)
		if (strncmp(*env, name, len) == 0 && (*env)[len] == '=')
			return *env + len + 1;
	return NULL;
}

/* execvpe with Docker's error mapping: not found anywhere on PATH -> 127, found but cannot be
 * run -> 126. Searches the container's PATH, not the shim's. */
noreturn void exec_payload(char **argv, char **env)
{
	char msg[PATH_MAX + 128];
	const char *path = env_get(env, "PATH");
	int saw_eacces = 0;

	if (strchr(argv[0], '/')) {
		execve(argv[0], argv, env);
		int err = errno;
		snprintf(msg, sizeof(msg), "exec: \"%s\": %s", argv[0], strerror(err));
		fail(err == ENOENT ? 127 : 126, "execve", argv[0], err, msg);
	}
	for (const char *p = path ? path : DEFAULT_PATH; ; ) {
		const char *end = strchrnul(p, ':');
		char full[PATH_MAX];
		int n = snprintf(full, sizeof(full), "%.*s/%s", (int)(end - p), end == p ? "." : p, argv[0]);
		if (n > 0 && (size_t)n < sizeof(full)) {
			execve(full, argv, env);
			if (errno == EACCES)
				saw_eacces = 1;
			else if (errno != ENOENT && errno != ENOTDIR) {
				int err = errno;
				snprintf(msg, sizeof(msg), "exec: \"%s\": %s", full, strerror(err));
				fail(126, "execve", full, err, msg);
			}
		}
		if (!*end)
			break;
		p = end + 1;
	}
	if (saw_eacces) {
		snprintf(msg, sizeof(msg), "exec: \"%s\": permission denied", argv[0]);
		fail(126, "execve", argv[0], EACCES, msg);
	}
	snprintf(msg, sizeof(msg), "exec: \"%s\": executable file not found in $PATH", argv[0]);
	fail(127, "execve", argv[0], ENOENT, msg);
}

