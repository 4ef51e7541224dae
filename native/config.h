/* The container's config.json as the shim and init read it. The format is written down in
 * native/README.md ("config.json"); services/runtime/shim-config.ts writes it. */
#ifndef TDOCKER_CONFIG_H
#define TDOCKER_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct rlimit_spec {
	const char *name; /* RLIMIT_NOFILE, … */
	int resource;
	unsigned long long soft, hard;
};

struct config {
	char **args;
	char **env;
	const char *cwd;
	uid_t uid;
	gid_t gid;
	gid_t *additional_gids;
	size_t n_additional_gids;
	char **additional_groups; /* names (--group-add): resolved in the rootfs's /etc/group */
	const char *username;   /* Docker's -u when it names a user or group: resolved in the rootfs */
	int terminal;
	int stdin_open;
	int init;               /* run a minimal reaper as pid 1 */
	unsigned short rows, cols;

	const char *rootfs;
	int rootfs_readonly;
	const char *hostname;
	int clone_flags;        /* CLONE_NEW* to create */
	const char *netns_path; /* join this network namespace instead of creating one */
	char **masked_paths;
	char **readonly_paths;
	long long shm_size;     /* bytes of /dev/shm */
	uint64_t caps;          /* bounding = effective = permitted = inheritable */
	int no_new_privs;
	struct rlimit_spec *rlimits;
	size_t n_rlimits;

	const char *socket;     /* control socket to listen on */
	const char *exit_file;  /* exit.json */
	const char *log_path;
	long long log_max_size; /* bytes; 0 = never rotate */
	int log_max_files;
	char **cgroup_procs;    /* every cgroup.procs the init's pid goes into */
	const char *oom_file;   /* memory.oom_control or memory.events: has "oom_kill N" */
};

struct json;

/* Reads the OCI-shaped "process" object (args, env, cwd, user, capabilities, rlimits, terminal). */
int config_load_process(const struct json *process, struct config *c, char *err, size_t errlen);

/* Reads and checks path; on error returns -1 with a message in err. */
int config_load(const char *path, struct config *c, char *err, size_t errlen);

#endif
