// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostcfg_networkd.c - systemd-networkd's claim on a netdev: its .network
 * files and their drop-ins, the first whose [Match] (Name=, Driver=) matches
 * decides, unless its [Link] says Unmanaged=yes. The rules, and what is taken
 * as not matching, are in hostcfg.h.
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
#include "lib/util.h"

static const char *const networkd_dirs[] = {
	"/etc/systemd/network",	    "/run/systemd/network", "/usr/local/lib/systemd/network",
	"/usr/lib/systemd/network", "/lib/systemd/network",
};

/* Appends @s to the string in @buf (of @size), truncating. */
static void append(char *buf, size_t size, const char *s)
{
	size_t n = strnlen(buf, size);

	if (n + 1 < size)
		snprintf(buf + n, size - n, "%s", s);
}

/* A [Match] list, evaluated as its globs come (networkd's net_condition_test_strv). */
struct glob_list {
	bool any;      /* a glob is set */
	bool positive; /* a positive glob is set */
	bool pos_hit;  /* a positive glob matched */
	bool neg_hit;  /* a negative glob matched */
};

/* One .network file and its drop-ins. */
struct network_eval {
	struct glob_list name, driver;
	char unsupported[64]; /* why the file cannot be trusted to match, "" if it can */
	int unmanaged;	      /* [Link] Unmanaged=: -1 unset, 0, 1 */
	char desc[96];	      /* the [Match] assignments, for the detail */
};

/*
 * The next word of *@p as networkd's extract_first_word() gives it: blanks
 * between words; a backslash escapes the next character (and is kept with
 * @retain_escape); quotes group and are removed with @unquote, else they are
 * plain characters. Returns 1 with @word set, 0 when no word is left,
 * -EINVAL for an unterminated quote or a trailing backslash (networkd ignores
 * the assignment), -EOVERFLOW for a word of WORD_LEN bytes or more.
 */
static int next_word(const char **p, char *word, bool unquote, bool retain_escape)
{
	const char *s = *p;
	size_t n = 0;
	bool over = false;
	char quote = 0;
	int err = 1;

	while (isspace((unsigned char)*s))
		s++;
	if (!*s) {
		err = 0;
		goto out;
	}
	for (; *s; s++) {
		char c = *s;

		if (c == '\\') {
			if (!s[1]) {
				err = -EINVAL;
				goto out;
			}
			if (retain_escape && n + 1 < WORD_LEN)
				word[n++] = c;
			c = *++s;
		} else if (quote && c == quote) {
			quote = 0;
			continue;
		} else if (!quote && isspace((unsigned char)c)) {
			break;
		} else if (!quote && unquote && (c == '"' || c == '\'')) {
			quote = c;
			continue;
		}
		if (n + 1 < WORD_LEN)
			word[n++] = c;
		else
			over = true;
	}
	if (quote)
		err = -EINVAL;
	else if (over)
		err = -EOVERFLOW;
out:
	word[n] = '\0';
	*p = s;
	return err;
}

/*
 * Adds the globs of one assignment to @l, matching each against @subject
 * (NULL: unknown). Name= takes its words as they are, Driver= unquoted with
 * escapes kept (@driver_syntax), as networkd parses them. Returns 0 or
 * next_word()'s error.
 */
static int glob_list__add(struct glob_list *l, const char *value, const char *subject,
			  bool driver_syntax)
{
	char word[WORD_LEN];
	bool invert, neg;
	const char *g;
	int r;

	if (!*value) {
		memset(l, 0, sizeof(*l));
		return 0;
	}
	invert = *value == '!';
	value += invert;
	while ((r = next_word(&value, word, driver_syntax, driver_syntax)) == 1) {
		neg = invert || word[0] == '!';
		g = !invert && word[0] == '!' ? word + 1 : word;
		l->any = true;
		if (!neg)
			l->positive = true;
		if (subject && !fnmatch(g, subject, 0)) {
			if (neg)
				l->neg_hit = true;
			else
				l->pos_hit = true;
		}
	}
	return r;
}

static bool glob_list__matches(const struct glob_list *l)
{
	if (!l->any)
		return true;
	if (l->neg_hit)
		return false;
	return l->positive ? l->pos_hit : true;
}

static void network_unsupported(struct network_eval *ev, const char *why)
{
	if (!ev->unsupported[0])
		hostcfg_fmt(ev->unsupported, sizeof(ev->unsupported), "%s", why);
}

/*
 * Reads one .network file or drop-in into @ev. Returns 0, 1 if masked, or
 * -errno when it cannot be read.
 */
static int network_read(const char *root, const char *path, const char *ifname, const char *driver,
			struct network_eval *ev)
{
	enum { SEC_NONE, SEC_MATCH, SEC_LINK, SEC_OTHER } sec = SEC_NONE;
	char *buf = NULL, *line, *eq, *key, *value;
	size_t len, more;
	FILE *f = NULL;
	int err, r, b;

	err = hostcfg_open(root, path, &f);
	if (err)
		goto out;
	buf = malloc(2 * LINE_LEN);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		r = hostcfg_next_line(f, buf);
		line = buf + strspn(buf, " \t");
		if (r == 1 && (*line == '#' || *line == ';'))
			continue; /* a comment never continues */
		/* a trailing backslash continues the line; the backslash becomes a blank */
		while (r == 1 && (len = strlen(buf)) && buf[len - 1] == '\\') {
			buf[len - 1] = ' ';
			r = hostcfg_next_line(f, buf + len);
			if (r == 0) {
				r = 1;
				break;
			}
			more = strlen(buf + len);
			if (r == 1 && len + more >= LINE_LEN)
				r = -EOVERFLOW;
		}
		if (r == 0)
			break;
		if (r == -EIO) {
			err = r;
			goto out;
		}
		if (r == -EOVERFLOW) {
			vft_debug("hostcfg: %s: a line over %d bytes\n", path, LINE_LEN - 1);
			network_unsupported(ev, "a line too long");
			continue;
		}
		line = hostcfg_strip(buf);
		if (!*line || *line == '#' || *line == ';')
			continue;
		if (*line == '[') {
			len = strlen(line);
			if (line[len - 1] != ']') {
				network_unsupported(ev, "a malformed section header");
				sec = SEC_NONE;
				continue;
			}
			sec = !strcmp(line, "[Match]") ? SEC_MATCH :
			      !strcmp(line, "[Link]")  ? SEC_LINK :
							 SEC_OTHER;
			continue;
		}
		eq = strchr(line, '=');
		if (!eq || sec == SEC_NONE || sec == SEC_OTHER)
			continue;
		*eq = '\0';
		key = hostcfg_strip(line);
		value = hostcfg_strip(eq + 1);
		if (sec == SEC_LINK) {
			if (strcmp(key, "Unmanaged"))
				continue;
			b = *value ? hostcfg_parse_bool(value) : 0;
			if (b < 0)
				vft_debug("hostcfg: %s: Unmanaged=%s is no boolean, ignored\n",
					  path, value);
			else
				ev->unmanaged = *value ? b : -1;
			continue;
		}
		if (!strcmp(key, "Name") || !strcmp(key, "Driver")) {
			bool is_name = key[0] == 'N';

			r = glob_list__add(is_name ? &ev->name : &ev->driver, value,
					   is_name ? ifname : driver, !is_name);
			if (r == -EOVERFLOW)
				network_unsupported(ev, "a glob too long");
			else if (r < 0)
				network_unsupported(ev, "a quote or backslash left open");
			if (*value) {
				if (ev->desc[0])
					append(ev->desc, sizeof(ev->desc), " ");
				append(ev->desc, sizeof(ev->desc), key);
				append(ev->desc, sizeof(ev->desc), "=");
				append(ev->desc, sizeof(ev->desc), value);
			}
			continue;
		}
		if (*value) {
			char why[64];

			hostcfg_fmt(why, sizeof(why), "[Match] %.32s=", key);
			network_unsupported(ev, why);
		}
	}
out:
	free(buf);
	if (f)
		fclose(f);
	return err;
}

/*
 * Whether the .network file @name (found in networkd_dirs[@dir]) matches,
 * with its drop-ins. Returns 1 (with *@ev filled), 0, or -errno for a drop-in
 * directory that cannot be read.
 */
static int network_eval_file(const char *root, const char *name, unsigned int dir,
			     const char *ifname, const char *driver, struct network_eval *ev)
{
	char *dropin_dirs[ARRAY_SIZE(networkd_dirs)] = { 0 };
	struct hostcfg_files dropins = { 0 };
	char path[PATH_MAX];
	size_t i;
	int err = 0, r;

	memset(ev, 0, sizeof(*ev));
	ev->unmanaged = -1;
	snprintf(path, sizeof(path), "%s/%s", networkd_dirs[dir], name);
	r = network_read(root, path, ifname, driver, ev);
	if (r) {
		if (r == 1)
			vft_debug("hostcfg: %s: masked\n", path);
		else
			vft_debug("hostcfg: %s: skipped: %s\n", path, strerror(-r));
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(networkd_dirs); i++) {
		if (asprintf(&dropin_dirs[i], "%s/%s.d", networkd_dirs[i], name) < 0) {
			dropin_dirs[i] = NULL;
			err = -ENOMEM;
			goto out;
		}
	}
	err = hostcfg_files__collect(root, (const char *const *)dropin_dirs,
				     ARRAY_SIZE(dropin_dirs), NULL, ".conf", &dropins);
	if (err)
		goto out;
	for (i = 0; i < dropins.n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dropin_dirs[dropins.v[i].dir],
			 dropins.v[i].name);
		r = network_read(root, path, ifname, driver, ev);
		if (r < 0)
			vft_debug("hostcfg: %s: skipped: %s\n", path, strerror(-r));
	}
	snprintf(path, sizeof(path), "%s/%s", networkd_dirs[dir], name);
	if (ev->driver.any && (!driver || !*driver))
		network_unsupported(ev, "Driver= with the driver unknown");
	if (ev->unsupported[0]) {
		vft_debug("hostcfg: %s: taken as not matching %s: %s\n", path, ifname,
			  ev->unsupported);
		goto out;
	}
	if (!ev->name.any && !ev->driver.any) {
		vft_debug("hostcfg: %s: empty [Match], networkd ignores it\n", path);
		goto out;
	}
	if (glob_list__matches(&ev->name) && glob_list__matches(&ev->driver))
		err = 1;
out:
	for (i = 0; i < ARRAY_SIZE(dropin_dirs); i++)
		free(dropin_dirs[i]);
	hostcfg_files__free(&dropins);
	return err;
}

int hostcfg_networkd_claim(const char *root, const char *ifname, const char *driver,
			   struct vft_hostcfg_claim *c)
{
	struct hostcfg_files set = { 0 };
	struct network_eval ev;
	const char *dir;
	size_t i;
	int err;

	err = hostcfg_files__collect(root, networkd_dirs, ARRAY_SIZE(networkd_dirs), NULL,
				     ".network", &set);
	if (err)
		goto out;
	for (i = 0; i < set.n; i++) {
		err = network_eval_file(root, set.v[i].name, set.v[i].dir, ifname, driver, &ev);
		if (err < 0)
			goto out;
		if (!err)
			continue;
		dir = networkd_dirs[set.v[i].dir];
		if (ev.unmanaged == 1) {
			vft_debug("hostcfg: %s/%s: matches %s with Unmanaged=yes\n", dir,
				  set.v[i].name, ifname);
			err = 0;
			goto out;
		}
		memset(c, 0, sizeof(*c));
		hostcfg_fmt(c->manager, sizeof(c->manager), "systemd-networkd");
		hostcfg_fmt(c->source, sizeof(c->source), "%s/%s", dir, set.v[i].name);
		hostcfg_fmt(c->detail, sizeof(c->detail), "[Match] %s catches %s; %s", ev.desc,
			    ifname, ev.unmanaged == 0 ? "Unmanaged=no" : "no Unmanaged=yes");
		err = 1;
		goto out;
	}
	err = 0;
out:
	hostcfg_files__free(&set);
	return err;
}
