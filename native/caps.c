#define _GNU_SOURCE
#include "caps.h"

#include "json.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *const cap_names[] = {
	"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID",
	"SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST",
	"NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO",
	"SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
	"SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE",
	"AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM",
	"BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
};
#define NCAPS ((int)(sizeof(cap_names) / sizeof(cap_names[0])))

int caps_from_names(const struct json *arr, uint64_t *mask, char *err, size_t errlen)
{
	*mask = 0;
	for (struct json *c = arr ? arr->child : NULL; c; c = c->next) {
		const char *name = c->type == JSON_STRING ? c->str : "";
		int i;
		if (strncmp(name, "CAP_", 4) == 0)
			name += 4;
		for (i = 0; i < NCAPS; i++)
			if (strcmp(name, cap_names[i]) == 0)
				break;
		if (i == NCAPS) {
			snprintf(err, errlen, "config: unknown capability '%s'", c->type == JSON_STRING ? c->str : "?");
			return -1;
		}
		*mask |= 1ULL << i;
	}
	return 0;
}

int caps_drop_bounding(uint64_t mask, const char **call)
{
	/* The kernel may know capabilities this table does not: drop up to the kernel's last. */
	for (int i = 0; i < 64; i++) {
		if (mask & (1ULL << i))
			continue;
		if (prctl(PR_CAPBSET_DROP, i, 0, 0, 0) < 0) {
			if (errno == EINVAL)
				break; /* past CAP_LAST_CAP */
			*call = "prctl(PR_CAPBSET_DROP)";
			return -1;
		}
	}
	return 0;
}

int caps_set(uint64_t mask, const char **call)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	for (int i = 0; i < 2; i++) {
		uint32_t v = (uint32_t)(mask >> (32 * i));
		data[i].effective = data[i].permitted = data[i].inheritable = v;
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) {
		*call = "prctl(PR_CAP_AMBIENT_CLEAR_ALL)";
		return -1;
	}
	if (syscall(SYS_capset, &hdr, data) < 0) {
		*call = "capset";
		return -1;
	}
	return 0;
}
