/* Becoming the payload, shared by the container init and tdocker-exec. Errors are reported as one
 * INIT_MSG_ERROR packet on `chan` (see native/README.md) and the process exits with Docker's code. */
#ifndef TDOCKER_PAYLOAD_H
#define TDOCKER_PAYLOAD_H

#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdnoreturn.h>
#include <sys/types.h>

#ifndef INIT_MSG_ERROR
#define INIT_MSG_ERROR 'E'
#endif

/* Where fail() reports: the init channel, or tdocker-exec's status socket. */
extern int chan;

/* Builds a path into a PATH_MAX buffer; a path that does not fit is an error, never truncated. */
#define PATHF(buf, ...)                                                                  \
	do {                                                                                 \
		if (snprintf(buf, sizeof(buf), __VA_ARGS__) >= (int)sizeof(buf))               \
			fail(125, "path", NULL, ENAMETOOLONG, NULL);                              \
	} while (0)

struct user {
	uid_t uid;
	gid_t gid;
	gid_t groups[NGROUPS_MAX > 256 ? 256 : NGROUPS_MAX];
	size_t ngroups;
	char home[PATH_MAX];
	char name[256];
};

noreturn void fail(int exit_code, const char *call, const char *path, int err, const char *msg);
int all_digits(const char *s);
void resolve_user(const struct config *c, struct user *u);
void become_user(const struct config *c, const struct user *u);
void set_rlimits(const struct config *c);
/* Enters cwd; when create is set, makes the missing components first (as Docker does at run). */
void make_cwd(const char *cwd, int create);
char **build_env(const struct config *c, const struct user *u);
const char *env_get(char **env, const char *name);
noreturn void exec_payload(char **argv, char **env);

#endif
