#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parser {
	char *p;
	char *start;
	int depth;
};

static struct json *parse_value(struct parser *ps);

static void skip_ws(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
		ps->p++;
}

static struct json *node(enum json_type t)
{
	struct json *j = calloc(1, sizeof(*j));
	if (j)
		j->type = t;
	return j;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

static int hex4(const char *s)
{
	int v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hexval(s[i]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* Decodes the string at ps->p (just past the opening quote) in place; returns its start. */
static char *parse_string(struct parser *ps)
{
	char *out = ps->p, *w = ps->p;
	for (;;) {
		unsigned char c = (unsigned char)*ps->p++;
		if (c == '"')
			break;
		if (c == 0 || c < 0x20)
			return NULL;
		if (c != '\\') {
			*w++ = (char)c;
			continue;
		}
		c = (unsigned char)*ps->p++;
		switch (c) {
		case '"': *w++ = '"'; break;
		case '\\': *w++ = '\\'; break;
		case '/': *w++ = '/'; break;
		case 'b': *w++ = '\b'; break;
		case 'f': *w++ = '\f'; break;
		case 'n': *w++ = '\n'; break;
		case 'r': *w++ = '\r'; break;
		case 't': *w++ = '\t'; break;
		case 'u': {
			int cp = hex4(ps->p);
			if (cp < 0)
				return NULL;
			ps->p += 4;
			if (cp >= 0xd800 && cp <= 0xdbff && ps->p[0] == '\\' && ps->p[1] == 'u') {
				int lo = hex4(ps->p + 2);
				if (lo >= 0xdc00 && lo <= 0xdfff) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					ps->p += 6;
				}
			}
			/* The UTF-8 form is never longer than the escape it replaces. */
			if (cp < 0x80) {
				*w++ = (char)cp;
			} else if (cp < 0x800) {
				*w++ = (char)(0xc0 | (cp >> 6));
				*w++ = (char)(0x80 | (cp & 0x3f));
			} else if (cp < 0x10000) {
				*w++ = (char)(0xe0 | (cp >> 12));
				*w++ = (char)(0x80 | ((cp >> 6) & 0x3f));
				*w++ = (char)(0x80 | (cp & 0x3f));
			} else {
				*w++ = (char)(0xf0 | (cp >> 18));
				*w++ = (char)(0x80 | ((cp >> 12) & 0x3f));
				*w++ = (char)(0x80 | ((cp >> 6) & 0x3f));
				*w++ = (char)(0x80 | (cp & 0x3f));
			}
			break;
		}
		default:
			return NULL;
		}
	}
	*w = 0;
	return out;
}

static struct json *parse_container(struct parser *ps, enum json_type t, char close)
{
	struct json *j = node(t), **tail;
	if (!j || ++ps->depth > 64)
		return NULL;
	tail = &j->child;
	skip_ws(ps);
	if (*ps->p == close) {
		ps->p++;
		ps->depth--;
		return j;
	}
	for (;;) {
		const char *key = NULL;
		struct json *v;
		skip_ws(ps);
		if (t == JSON_OBJECT) {
			if (*ps->p++ != '"' || !(key = parse_string(ps)))
				return NULL;
			skip_ws(ps);
			if (*ps->p++ != ':')
				return NULL;
		}
		if (!(v = parse_value(ps)))
			return NULL;
		v->key = key;
		*tail = v;
		tail = &v->next;
		skip_ws(ps);
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p++ != close)
			return NULL;
		ps->depth--;
		return j;
	}
}

static struct json *parse_value(struct parser *ps)
{
	struct json *j;
	skip_ws(ps);
	switch (*ps->p) {
	case '{':
		ps->p++;
		return parse_container(ps, JSON_OBJECT, '}');
	case '[':
		ps->p++;
		return parse_container(ps, JSON_ARRAY, ']');
	case '"':
		ps->p++;
		if (!(j = node(JSON_STRING)) || !(j->str = parse_string(ps)))
			return NULL;
		return j;
	case 't':
		if (strncmp(ps->p, "true", 4) || !(j = node(JSON_BOOL)))
			return NULL;
		ps->p += 4;
		j->num = 1;
		return j;
	case 'f':
		if (strncmp(ps->p, "false", 5) || !(j = node(JSON_BOOL)))
			return NULL;
		ps->p += 5;
		return j;
	case 'n':
		if (strncmp(ps->p, "null", 4) || !(j = node(JSON_NULL)))
			return NULL;
		ps->p += 4;
		return j;
	default: {
		char *end;
		double d = strtod(ps->p, &end);
		if (end == ps->p || !(j = node(JSON_NUMBER)))
			return NULL;
		ps->p = end;
		j->num = d;
		return j;
	}
	}
}

struct json *json_parse(char *text, size_t *err_at)
{
	struct parser ps = { text, text, 0 };
	struct json *j = parse_value(&ps);
	if (j) {
		skip_ws(&ps);
		if (*ps.p == 0)
			return j;
	}
	*err_at = (size_t)(ps.p - ps.start);
	return NULL;
}

struct json *json_get(const struct json *obj, const char *key)
{
	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (struct json *c = obj->child; c; c = c->next)
		if (strcmp(c->key, key) == 0)
			return c;
	return NULL;
}

const char *json_str(const struct json *obj, const char *key, const char *dflt)
{
	struct json *v = json_get(obj, key);
	return v && v->type == JSON_STRING ? v->str : dflt;
}

long long json_int(const struct json *obj, const char *key, long long dflt)
{
	struct json *v = json_get(obj, key);
	return v && v->type == JSON_NUMBER ? (long long)v->num : dflt;
}

int json_bool(const struct json *obj, const char *key, int dflt)
{
	struct json *v = json_get(obj, key);
	return v && v->type == JSON_BOOL ? (int)v->num : dflt;
}

char **json_strv(const struct json *arr, size_t *n)
{
	size_t count = 0, i = 0;
	char **v;
	if (arr && arr->type == JSON_ARRAY)
		for (struct json *c = arr->child; c; c = c->next)
			count++;
	v = calloc(count + 1, sizeof(char *));
	if (!v)
		return NULL;
	if (arr && arr->type == JSON_ARRAY)
		for (struct json *c = arr->child; c; c = c->next)
			if (c->type == JSON_STRING)
				v[i++] = (char *)c->str;
	if (n)
		*n = i;
	return v;
}

size_t json_quote(char *dst, size_t len, const char *s)
{
	size_t w = 0;
#define PUT(ch) do { if (w + 1 < len) dst[w++] = (ch); } while (0)
	PUT('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			PUT('\\');
			PUT((char)c);
		} else if (c < 0x20) {
			static const char hex[] = "0123456789abcdef";
			PUT('\\'); PUT('u'); PUT('0'); PUT('0');
			PUT(hex[c >> 4]); PUT(hex[c & 15]);
		} else {
			PUT((char)c);
		}
	}
	PUT('"');
#undef PUT
	if (len)
		dst[w < len ? w : len - 1] = 0;
	return w;
}

int json_error(char *dst, size_t len, const char *call, const char *path, int err, const char *msg, int exit_code)
{
	char text[1024], q[2100], qc[160], qp[4200];
	if (msg)
		snprintf(text, sizeof(text), "%s", msg);
	else if (path)
		snprintf(text, sizeof(text), "%s %s: %s", call, path, strerror(err));
	else
		snprintf(text, sizeof(text), "%s: %s", call, strerror(err));
	json_quote(q, sizeof(q), text);
	json_quote(qc, sizeof(qc), call);
	json_quote(qp, sizeof(qp), path ? path : "");
	return snprintf(dst, len, "{\"message\":%s,\"call\":%s,\"path\":%s,\"errno\":%d,\"exitCode\":%d}",
			q, qc, qp, err, exit_code);
}
