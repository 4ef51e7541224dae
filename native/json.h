/* A small JSON reader for config.json: enough of RFC 8259 for the OCI-shaped config the daemon
 * writes (objects, arrays, strings with escapes, numbers, true/false/null). The tree is built in
 * place of the input buffer where possible and lives until the process execs or exits. */
#ifndef TDOCKER_JSON_H
#define TDOCKER_JSON_H

#include <stddef.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
	enum json_type type;
	const char *key;      /* member name when the parent is an object */
	const char *str;      /* JSON_STRING */
	double num;           /* JSON_NUMBER, JSON_BOOL (0/1) */
	struct json *child;   /* first element or member */
	struct json *next;    /* next sibling */
};

/* Parses text (modified in place). Returns NULL and sets *err_at to the byte offset on error. */
struct json *json_parse(char *text, size_t *err_at);

struct json *json_get(const struct json *obj, const char *key);
const char *json_str(const struct json *obj, const char *key, const char *dflt);
long long json_int(const struct json *obj, const char *key, long long dflt);
int json_bool(const struct json *obj, const char *key, int dflt);
/* Array of strings as a NULL-terminated vector (malloc'd); *n gets the count. */
char **json_strv(const struct json *arr, size_t *n);



/* Writes s as a quoted JSON string into dst (always NUL-terminated, truncated to fit). */
size_t json_quote(char *dst, size_t len, const char *s);
/* The error object of native/README.md into dst, without a newline:
 * {"message": msg or "<call> <path>: <strerror(err)>", "call", "path", "errno", "exitCode"}. */
int json_error(char *dst, size_t len, const char *call, const char *path, int err, const char *msg, int exit_code);
#endif
