// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostcfg_udev.c - udev rules that set ENV{NM_UNMANAGED} for a netdev, for
 * NetworkManager's claim (hostcfg_nm.c): the rules files in udev's order,
 * the last fitting assignment wins. Only simple rules are trusted; which ones
 * are is said in hostcfg.h.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "enrich/hostcfg.h"
#include "enrich/hostcfg_internal.h"
#include "enrich/sysfs.h"
#include "lib/util.h"

static const char *const udev_dirs[] = {
	"/etc/udev/rules.d",	 "/run/udev/rules.d", "/usr/local/lib/udev/rules.d",
	"/usr/lib/udev/rules.d", "/lib/udev/rules.d",
};

/* udev's match of a value with '|' alternatives. */
static bool udev_pattern(const char *value, const char *subject)
{
	char alt[WORD_LEN];
	const char *p = value;
	size_t n;

	for (;;) {
		n = strcspn(p, "|");
		if (n < sizeof(alt)) {
			memcpy(alt, p, n);
			alt[n] = '\0';
			if (!fnmatch(alt, subject, 0))
				return true;
		}
		if (!p[n])
			return false;
		p += n + 1;
	}
}

/* One KEY{attr}OP"value" of a udev rule. */
struct udev_token {
	char key[32];
	char attr[64];
	char op[3];
	char value[WORD_LEN];
};

/*
 * The next token of a rule at *@p. Returns 1, 0 at the end of the line, or
 * -EINVAL for anything udev's simple syntax does not cover here.
 */
static int udev_next_token(const char **p, struct udev_token *t)
{
	const char *s = *p;
	size_t n;

	while (isspace((unsigned char)*s) || *s == ',')
		s++;
	if (!*s || *s == '#')
		return 0;
	for (n = 0; isalnum((unsigned char)*s) || *s == '_'; s++) {
		if (n + 1 >= sizeof(t->key))
			return -EINVAL;
		t->key[n++] = *s;
	}
	t->key[n] = '\0';
	if (!n)
		return -EINVAL;
	t->attr[0] = '\0';
	if (*s == '{') {
		for (n = 0, s++; *s && *s != '}'; s++) {
			if (n + 1 >= sizeof(t->attr))
				return -EINVAL;
			t->attr[n++] = *s;
		}
		if (*s != '}')
			return -EINVAL;
		t->attr[n] = '\0';
		s++;
	}
	while (isspace((unsigned char)*s))
		s++;
	if ((s[0] == '=' || s[0] == '!' || s[0] == '+' || s[0] == '-' || s[0] == ':') &&
	    s[1] == '=') {
		t->op[0] = s[0];
		t->op[1] = '=';
		t->op[2] = '\0';
		s += 2;
	} else if (s[0] == '=') {
		strcpy(t->op, "=");
		s++;
	} else {
		return -EINVAL;
	}
	while (isspace((unsigned char)*s))
		s++;
	if (*s != '"')
		return -EINVAL; /* e"..." and r"..." strings are not read here */
	for (n = 0, s++; *s && *s != '"'; s++) {
		if (*s == '\\' && s[1] == '"')
			s++;
		if (n + 1 >= sizeof(t->value))
			return -EINVAL;
		t->value[n++] = *s;
	}
	if (*s != '"')
		return -EINVAL;
	t->value[n] = '\0';
	s++;
	if (*s && *s != ',' && !isspace((unsigned char)*s))
		return -EINVAL;
	*p = s;
	return 1;
}

/* Keys that udev assigns to; any other key takes only == and !=. */
static bool udev_assignable(const char *key)
{
	static const char *const keys[] = {
		"NAME",	  "SYMLINK", "OWNER", "GROUP", "MODE",	 "TAG",	    "ENV",	"ATTR",
		"SYSCTL", "RUN",     "LABEL", "GOTO",  "IMPORT", "OPTIONS", "SECLABEL",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keys); i++)
		if (!strcmp(key, keys[i]))
			return true;
	return false;
}

/*
 * One rule line: 1 (with *@value) when it assigns ENV{NM_UNMANAGED} and fits
 * the netdev, 0 when it does not, -EINVAL when it sets NM_UNMANAGED but cannot
 * be trusted (@why says why).
 */
/*
 * ATTRS{@attr} of the netdev @ifname as udev would match it, from its
 * device (the PCI function: vendor, device, subsystem_vendor and
 * subsystem_device, which the SR-IOV operators' rules match). Writes the value
 * to @buf and returns it, or NULL when it cannot be read (the rule is then
 * not trusted). Only the device itself is read, not the bridges above it.
 */
static const char *udev_attrs(const char *root, const char *ifname, const char *attr, char *buf,
			      size_t size)
{
	static const char *const known[] = { "vendor", "device", "subsystem_vendor",
					     "subsystem_device" };
	char path[128];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(known) && strcmp(attr, known[i]); i++)
		;
	if (i == ARRAY_SIZE(known))
		return NULL;
	snprintf(path, sizeof(path), "/sys/class/net/%s/device/%s", ifname, attr);
	return vft_sysfs__read(root, path, buf, size) < 0 ? NULL : buf;
}

static int udev_rule(const char *root, const char *line, const char *ifname, const char *driver,
		     int *value, char *why, size_t wsize)
{
	struct udev_token t;
	char attrbuf[64];
	const char *p = line, *subject;
	bool assigns = false, fits = true, untrusted = false, neg;
	int r, v = -1;

	why[0] = '\0';
	while ((r = udev_next_token(&p, &t)) == 1) {
		if (!strcmp(t.key, "ENV") && !strcmp(t.attr, "NM_UNMANAGED") &&
		    (!strcmp(t.op, "=") || !strcmp(t.op, ":=") || !strcmp(t.op, "+="))) {
			assigns = true;
			v = strcmp(t.op, "+=") ? hostcfg_parse_bool(t.value) : -1;
			if (v < 0 && !untrusted) {
				hostcfg_fmt(why, wsize, "ENV{NM_UNMANAGED}%s\"%.32s\"", t.op,
					    t.value);
				untrusted = true;
			}
			continue;
		}
		if (strcmp(t.op, "==") && strcmp(t.op, "!=")) {
			if (udev_assignable(t.key))
				continue; /* another assignment */
			if (!untrusted)
				hostcfg_fmt(why, wsize, "%s%s, no assignment", t.key, t.op);
			untrusted = true;
			continue;
		}
		neg = t.op[0] == '!';
		if (!strcmp(t.key, "ATTRS"))
			subject = udev_attrs(root, ifname, t.attr, attrbuf, sizeof(attrbuf));
		else if (t.attr[0])
			subject = NULL;
		else if (!strcmp(t.key, "KERNEL") || !strcmp(t.key, "NAME"))
			subject = ifname;
		else if (!strcmp(t.key, "SUBSYSTEM"))
			subject = "net";
		else if (!strcmp(t.key, "ACTION"))
			subject = "add";
		else if (!strcmp(t.key, "DRIVER"))
			subject = ""; /* a netdev has no driver of its own */
		else if (!strcmp(t.key, "DRIVERS"))
			subject = driver && *driver ? driver : NULL;
		else
			subject = NULL;
		if (!subject) {
			if (!untrusted)
				hostcfg_fmt(why, wsize, "the match %s%s%s%s", t.key,
					    t.attr[0] ? "{" : "", t.attr, t.attr[0] ? "}" : "");
			untrusted = true;
			continue;
		}
		if (udev_pattern(t.value, subject) == neg)
			fits = false;
	}
	if (r < 0 && strstr(line, "NM_UNMANAGED")) {
		hostcfg_fmt(why, wsize, "a token that does not parse");
		return -EINVAL;
	}
	if (!assigns || r < 0)
		return 0;
	if (untrusted)
		return -EINVAL;
	*value = v;
	return fits ? 1 : 0;
}

/* Reads one rules file into @ev. Returns 0, 1 if masked, or -errno. */
static int udev_read(const char *root, const char *path, const char *ifname, const char *driver,
		     struct hostcfg_udev *ev)
{
	char *buf = NULL, *line, why[96];
	bool continued = false, cont;
	unsigned int lineno = 0;
	FILE *f = NULL;
	size_t len;
	int err, r, v;

	err = hostcfg_open(root, path, &f);
	if (err)
		goto out;
	buf = malloc(LINE_LEN);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	while ((r = hostcfg_next_line(f, buf)) != 0) {
		lineno++;
		if (r == -EIO) {
			err = r;
			goto out;
		}
		if (r == -EOVERFLOW) {
			vft_debug("hostcfg: %s:%u: a line over %d bytes, skipped\n", path, lineno,
				  LINE_LEN - 1);
			continued = false;
			continue;
		}
		line = hostcfg_strip(buf);
		if (!continued && (!*line || *line == '#'))
			continue;
		len = strlen(line);
		cont = len && line[len - 1] == '\\';
		if (continued || cont) {
			if (strstr(line, "NM_UNMANAGED"))
				vft_debug("hostcfg: %s:%u: a rule on several lines, ignored\n",
					  path, lineno);
			continued = cont;
			continue;
		}
		r = udev_rule(root, line, ifname, driver, &v, why, sizeof(why));
		if (r < 0) {
			vft_debug("hostcfg: %s:%u: NM_UNMANAGED rule not trusted: %s\n", path,
				  lineno, why);
			continue;
		}
		if (r == 1) {
			ev->unmanaged = v;
			hostcfg_fmt(ev->source, sizeof(ev->source), "%s", path);
			ev->line = lineno;
		}
	}
out:
	free(buf);
	if (f)
		fclose(f);
	return err;
}

int hostcfg_udev_eval(const char *root, const char *ifname, const char *driver,
		      struct hostcfg_udev *ev)
{
	struct hostcfg_files set = { 0 };
	char path[PATH_MAX];
	size_t i;
	int err, r;

	ev->unmanaged = -1;
	ev->source[0] = '\0';
	ev->line = 0;
	err = hostcfg_files__collect(root, udev_dirs, ARRAY_SIZE(udev_dirs), NULL, ".rules", &set);
	if (err)
		goto out;
	for (i = 0; i < set.n; i++) {
		snprintf(path, sizeof(path), "%s/%s", udev_dirs[set.v[i].dir], set.v[i].name);
		r = udev_read(root, path, ifname, driver, ev);
		if (r < 0)
			vft_debug("hostcfg: %s: skipped: %s\n", path, strerror(-r));
	}
out:
	hostcfg_files__free(&set);
	return err;
}
