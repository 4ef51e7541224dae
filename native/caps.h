/* Capability names and the one call that leaves a process with exactly a given set. */
#ifndef TDOCKER_CAPS_H
#define TDOCKER_CAPS_H

#include <stddef.h>
#include <stdint.h>

struct json;

int caps_from_names(const struct json *arr, uint64_t *mask, char *err, size_t errlen);
/* Drops every capability outside mask from the bounding set. Needs CAP_SETPCAP: call it
 * before changing uid. */
int caps_drop_bounding(uint64_t mask, const char **call);
/* Sets effective, permitted and inheritable to mask and clears the ambient set. */
int caps_set(uint64_t mask, const char **call);

#endif
