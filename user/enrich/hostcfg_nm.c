// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostcfg_nm.c - NetworkManager's claim on a netdev: installed, it manages
 * every netdev that neither unmanaged-devices= (its configuration files, in
 * its own reading order) nor udev's NM_UNMANAGED (hostcfg_udev.c) leaves
 * alone. The spec syntax understood, and what cannot be evaluated, are in
 * hostcfg.h.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "enrich/hostcfg.h"
#include "enrich/hostcfg_internal.h"
#include "lib/util.h"

#define NM_SPECS_MAX 256 /* unmanaged-devices entries */

#define NM_MAIN_CONF "/etc/NetworkManager/NetworkManager.conf"

/* Yes, no, or cannot say. */
enum tri { TRI_NO, TRI_YES, TRI_UNKNOWN };

/* In masking priority; NetworkManager reads them in the reverse order (nm_rank). */
static const char *const nm_dirs[] = {
	"/etc/NetworkManager/conf.d",
	"/run/NetworkManager/conf.d",
	"/usr/lib/NetworkManager/conf.d",
};

/* Reading order of nm_dirs: /usr/lib, /run, the main file (rank 2), /etc. */
static const unsigned int nm_rank[] = { 3, 1, 0 };
#define NM_MAIN_RANK 2

static const char *const nm_binaries[] = {
	NM_MAIN_CONF,
	"/usr/sbin/NetworkManager",
	"/usr/bin/NetworkManager",
};

struct nm_specs {
	char (*v)[WORD_LEN];
	size_t n;
	bool overflow;	  /* more specs than NM_SPECS_MAX, or one too long */
	bool set;	  /* the key appears */
	char source[256]; /* the file that last set it */
};

/* '*' and '?' only, as NetworkManager's interface-name globs (GLib's simple patterns). */
static bool simple_glob(const char *pat, const char *s)
{
	const char *star = NULL, *retry = NULL;

	while (*s) {
		if (*pat == '*') {
			star = pat++;
			retry = s;
		} else if (*pat == '?' || *pat == *s) {
			pat++;
			s++;
		} else if (star) {
			pat = star + 1;
			s = ++retry;
		} else {
			return false;
		}
	}
	while (*pat == '*')
		pat++;
	return !*pat;
}

/*
 * Splits a spec list at unescaped ';' and ',' and calls @fn on each spec,
 * unescaped and trimmed. Returns -EOVERFLOW if a spec was too long (it is
 * skipped), else 0.
 */
static int nm_split(const char *value, void (*fn)(struct nm_specs *, const char *),
		    struct nm_specs *s)
{
	char spec[WORD_LEN];
	size_t n = 0, keep = 0;
	bool over = false;
	int err = 0;

	for (;; value++) {
		char c = *value;
		bool escaped = false;

		if (c == '\\' && value[1]) {
			c = *++value;
			escaped = true;
			c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 's' ? ' ' : c;
		}
		if (!c || (!escaped && (c == ';' || c == ','))) {
			if (over)
				err = -EOVERFLOW;
			while (n > keep && isspace((unsigned char)spec[n - 1]))
				n--;
			spec[n] = '\0';
			if (n && !over)
				fn(s, spec);
			n = keep = 0;
			over = false;
			if (!c)
				break;
			continue;
		}
		if (!escaped && !n && isspace((unsigned char)c))
			continue;
		if (n + 1 >= WORD_LEN) {
			over = true;
			continue;
		}
		spec[n++] = c;
		if (escaped)
			keep = n; /* an escaped blank is not trimmed */
	}
	return err;
}

static void nm_spec_add(struct nm_specs *s, const char *spec)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], spec))
			return;
	if (s->n == NM_SPECS_MAX) {
		s->overflow = true;
		return;
	}
	snprintf(s->v[s->n++], WORD_LEN, "%s", spec);
}

static void nm_spec_remove(struct nm_specs *s, const char *spec)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (!strcmp(s->v[i], spec)) {
			memmove(s->v[i], s->v[i + 1], (s->n - i - 1) * sizeof(s->v[0]));
			s->n--;
			return;
		}
	}
}

/* Reads unmanaged-devices from the [keyfile] section of @path into @s. 0, 1 if masked, -errno. */
static int nm_read(const char *root, const char *path, struct nm_specs *s)
{
	char *buf = NULL, *line, *eq, *key, *value;
	bool keyfile = false;
	FILE *f = NULL;
	size_t klen;
	char op;
	int err, r;

	err = hostcfg_open(root, path, &f);
	if (err)
		goto out;
	buf = malloc(LINE_LEN);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	while ((r = hostcfg_next_line(f, buf)) != 0) {
		if (r == -EIO) {
			err = r;
			goto out;
		}
		if (r == -EOVERFLOW) {
			vft_debug("hostcfg: %s: a line over %d bytes, skipped\n", path,
				  LINE_LEN - 1);
			continue;
		}
		line = hostcfg_strip(buf);
		if (!*line || *line == '#' || *line == ';')
			continue;
		if (*line == '[') {
			keyfile = !strcmp(line, "[keyfile]");
			continue;
		}
		eq = strchr(line, '=');
		if (!keyfile || !eq)
			continue;
		*eq = '\0';
		key = hostcfg_strip(line);
		value = hostcfg_strip(eq + 1);
		klen = strlen(key);
		op = klen && (key[klen - 1] == '+' || key[klen - 1] == '-') ? key[klen - 1] : 0;
		if (op) {
			key[klen - 1] = '\0';
			key = hostcfg_strip(key);
		}
		if (strcmp(key, "unmanaged-devices"))
			continue;
		if (!op) {
			s->n = 0;
			s->overflow = false;
		}
		if (nm_split(value, op == '-' ? nm_spec_remove : nm_spec_add, s))
			s->overflow = true;
		s->set = true;
		hostcfg_fmt(s->source, sizeof(s->source), "%s", path);
	}
out:
	free(buf);
	if (f)
		fclose(f);
	return err;
}

/* One spec (not except:) against the netdev. */
static enum tri nm_spec_match(const char *spec, const char *ifname, const char *driver)
{
	const char *p, *slash;
	size_t n;

	if (!strcmp(spec, "*"))
		return TRI_YES;
	if (!strncmp(spec, "interface-name:", 15)) {
		p = spec + 15;
		if (*p == '=')
			return strcmp(p + 1, ifname) ? TRI_NO : TRI_YES;
		if (*p == '~')
			p++;
		return simple_glob(p, ifname) ? TRI_YES : TRI_NO;
	}
	if (!strncmp(spec, "driver:", 7)) {
		p = spec + 7;
		if (!driver || !*driver)
			return TRI_UNKNOWN;
		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - p) : strlen(p);
		if (strlen(driver) != n || strncmp(p, driver, n))
			return TRI_NO;
		return !slash || !strcmp(slash + 1, "*") ? TRI_YES : TRI_UNKNOWN;
	}
	if (strchr(spec, ':'))
		return TRI_UNKNOWN; /* mac:, type:, a bare MAC address, and:, ... */
	return strcmp(spec, ifname) ? TRI_NO : TRI_YES;
}

/* NetworkManager's match of a spec list: except: wins, a list of except: only matches the rest. */
static enum tri nm_specs_match(const struct nm_specs *s, const char *ifname, const char *driver)
{
	enum tri neg = TRI_NO, pos = TRI_NO, t;
	bool has_pos = false;
	size_t i;

	if (s->overflow)
		return TRI_UNKNOWN;
	for (i = 0; i < s->n; i++) {
		const char *spec = s->v[i];
		bool is_neg = !strncmp(spec, "except:", 7);

		t = nm_spec_match(is_neg ? spec + 7 : spec, ifname, driver);
		if (is_neg) {
			if (t == TRI_YES || (t == TRI_UNKNOWN && neg == TRI_NO))
				neg = t;
		} else {
			has_pos = true;
			if (t == TRI_YES || (t == TRI_UNKNOWN && pos == TRI_NO))
				pos = t;
		}
	}
	if (!has_pos)
		pos = TRI_YES;
	if (neg == TRI_YES || pos == TRI_NO)
		return TRI_NO;
	if (neg == TRI_UNKNOWN || pos == TRI_UNKNOWN)
		return TRI_UNKNOWN;
	return TRI_YES;
}

int hostcfg_nm_claim(const char *root, const char *ifname, const char *driver,
		     struct vft_hostcfg_claim *c)
{
	struct nm_specs specs = { 0 };
	struct hostcfg_files set = { 0 };
	struct hostcfg_udev uev;
	char path[PATH_MAX];
	bool installed = false, main_read = false;
	enum tri m = TRI_NO;
	size_t i;
	int err = 0, r;

	for (i = 0; i < ARRAY_SIZE(nm_binaries) && !installed; i++)
		installed = hostcfg_exists(root, nm_binaries[i]);
	if (!installed)
		goto out;
	specs.v = calloc(NM_SPECS_MAX, sizeof(*specs.v));
	if (!specs.v) {
		err = -ENOMEM;
		goto out;
	}
	err = hostcfg_files__collect(root, nm_dirs, ARRAY_SIZE(nm_dirs), nm_rank, ".conf", &set);
	if (err)
		goto out;
	for (i = 0; i <= set.n; i++) {
		if (!main_read && (i == set.n || set.v[i].rank > NM_MAIN_RANK)) {
			main_read = true;
			r = nm_read(root, NM_MAIN_CONF, &specs);
			if (r < 0 && r != -ENOENT)
				vft_debug("hostcfg: %s: skipped: %s\n", NM_MAIN_CONF, strerror(-r));
		}
		if (i == set.n)
			break;
		snprintf(path, sizeof(path), "%s/%s", nm_dirs[set.v[i].dir], set.v[i].name);
		r = nm_read(root, path, &specs);
		if (r < 0)
			vft_debug("hostcfg: %s: skipped: %s\n", path, strerror(-r));
	}
	if (specs.set)
		m = nm_specs_match(&specs, ifname, driver);
	if (m == TRI_YES) {
		vft_debug("hostcfg: %s: unmanaged-devices matches %s\n", specs.source, ifname);
		err = 0;
		goto out;
	}
	err = hostcfg_udev_eval(root, ifname, driver, &uev);
	if (err)
		goto out;
	if (uev.unmanaged == 1) {
		vft_debug("hostcfg: %s:%u: NM_UNMANAGED=1 for %s\n", uev.source, uev.line, ifname);
		err = 0;
		goto out;
	}
	memset(c, 0, sizeof(*c));
	hostcfg_fmt(c->manager, sizeof(c->manager), "NetworkManager");
	if (uev.unmanaged == 0) {
		hostcfg_fmt(c->source, sizeof(c->source), "%s", uev.source);
		hostcfg_fmt(c->detail, sizeof(c->detail),
			    "the rule on line %u sets ENV{NM_UNMANAGED}=\"0\" for %s", uev.line,
			    ifname);
	} else if (m == TRI_UNKNOWN) {
		hostcfg_fmt(c->source, sizeof(c->source), "%s", specs.source);
		hostcfg_fmt(c->detail, sizeof(c->detail),
			    "unmanaged-devices has specs that cannot be evaluated for %s; no "
			    "NM_UNMANAGED rule matches",
			    ifname);
	} else if (specs.set) {
		hostcfg_fmt(c->source, sizeof(c->source), "%s", specs.source);
		hostcfg_fmt(c->detail, sizeof(c->detail),
			    "unmanaged-devices does not match %s; no NM_UNMANAGED rule matches",
			    ifname);
	} else {
		if (hostcfg_exists(root, NM_MAIN_CONF))
			hostcfg_fmt(c->source, sizeof(c->source), "%s", NM_MAIN_CONF);
		hostcfg_fmt(c->detail, sizeof(c->detail),
			    "no unmanaged-devices or NM_UNMANAGED rule matches %s", ifname);
	}
	err = 1;
out:
	free(specs.v);
	hostcfg_files__free(&set);
	return err;
}
