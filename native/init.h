/* The container init: runs in the child the shim cloned into new namespaces, turns it into the
 * container (cgroup namespace, mounts, pivot_root, hostname, user, rlimits, capabilities) and execs
 * the payload. It talks to the shim over a SOCK_SEQPACKET pair; see native/README.md "init". */
#ifndef TDOCKER_INIT_H
#define TDOCKER_INIT_H

#include "config.h"

#include <stdnoreturn.h>

/* Messages on the init <-> shim channel, one packet each. */
#define INIT_MSG_READY 'R' /* init -> shim: set up, waiting to exec */
#define INIT_MSG_START 'S' /* shim -> init: exec the payload now */
#define INIT_MSG_ERROR 'E' /* init -> shim: followed by a JSON error object */
#define INIT_MSG_PTY 'T'   /* init -> shim: carries the pty master (SCM_RIGHTS) */

struct init_stdio {
	int in, out, err;          /* pipe ends for the payload, or -1 with a terminal */
	int netns_fd;              /* network namespace to join, or -1 */
	int cgroup2_joined;        /* the clone started the init in its cgroup2 cgroup already */
};

noreturn void init_main(const struct config *c, int chan, const struct init_stdio *io);

#endif
