// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostcfg.c - would systemd-networkd or NetworkManager, as configured under a
 * root prefix, manage a netdev? The rules are in hostcfg.h.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "enrich/hostcfg.h"
#include "enrich/sysfs.h"
#include "lib/util.h"

#define LINE_LEN 4096	 /* a line and its end; longer lines are skipped */
#define WORD_LEN 256	 /* one glob, one spec */
#define LINK_HOPS_MAX 40 /* as the kernel's own limit */
#define COLLECT_DIRS_MAX 8
#define CFG_FILES_MAX 4096 /* per set of directories */
#define NM_SPECS_MAX 256   /* unmanaged-devices entries */
#define IFNAME_LEN 16	   /* IFNAMSIZ */

#define NM_MAIN_CONF "/etc/NetworkManager/NetworkManager.conf"

/* Yes, no, or cannot say. */
enum tri { TRI_NO, TRI_YES, TRI_UNKNOWN };

static const char *const networkd_dirs[] = {
	"/etc/systemd/network",	    "/run/systemd/network", "/usr/local/lib/systemd/network",
	"/usr/lib/systemd/network", "/lib/systemd/network",
};

/* In masking priority; NetworkManager reads them in the reverse order (nm_rank). */
static const char *const nm_dirs[] = {
	"/etc/NetworkManager/conf.d",
	"/run/NetworkManager/conf.d",
	"/usr/lib/NetworkManager/conf.d",
};

/* Reading order of nm_dirs: /usr/lib, /run, the main file (rank 2), /etc. */
static const unsigned int nm_rank[] = { 3, 1, 0 };
#define NM_MAIN_RANK 2

static const char *const udev_dirs[] = {
	"/etc/udev/rules.d",	 "/run/udev/rules.d", "/usr/local/lib/udev/rules.d",
	"/usr/lib/udev/rules.d", "/lib/udev/rules.d",
};

static const char *const nm_binaries[] = {
	NM_MAIN_CONF,
	"/usr/sbin/NetworkManager",
	"/usr/bin/NetworkManager",
};

/*
 * Resolves the absolute @path as if @root were "/": symbolic links are
 * followed (at most LINK_HOPS_MAX), absolute targets and ".." never leave the
 * root. Writes the resolved path, without the root, to @out. Returns 0;
 * -ENOENT with @out naming where the path leads (so that a link to /dev/null
 * reads "/dev/null" in a tree that has none); -ELOOP, -ENAMETOOLONG or the
 * -errno of lstat() or readlink().
 */
static int resolve(const char *root, const char *path, char *out, size_t size)
{
	char cur[PATH_MAX], rest[PATH_MAX], full[PATH_MAX], target[PATH_MAX];
	size_t clen = 0, n, plen;
	unsigned int hops = 0;
	const char *comp, *p;
	struct stat st;
	ssize_t tl;
	int err = 0;

	cur[0] = '\0';
	if (strlen(path) >= sizeof(rest)) {
		err = -ENAMETOOLONG;
		goto out;
	}
	strcpy(rest, path);
	p = rest;
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		comp = p;
		n = strcspn(p, "/");
		p += n;
		if (n == 1 && comp[0] == '.')
			continue;
		if (n == 2 && comp[0] == '.' && comp[1] == '.') {
			char *slash = strrchr(cur, '/');

			if (slash) {
				*slash = '\0';
				clen = slash - cur;
			}
			continue;
		}
		if (clen + 1 + n >= sizeof(cur)) {
			err = -ENAMETOOLONG;
			goto out;
		}
		cur[clen++] = '/';
		memcpy(cur + clen, comp, n);
		clen += n;
		cur[clen] = '\0';
		err = vft_path(full, sizeof(full), root, cur);
		if (err)
			goto out;
		if (lstat(full, &st)) {
			err = -errno;
			if (err == -ENOENT && clen + strlen(p) < sizeof(cur))
				strcpy(cur + clen, p); /* where it would lead, unresolved */
			goto out;
		}
		if (!S_ISLNK(st.st_mode))
			continue;
		if (++hops > LINK_HOPS_MAX) {
			err = -ELOOP;
			goto out;
		}
		tl = readlink(full, target, sizeof(target) - 1);
		if (tl < 0) {
			err = -errno;
			goto out;
		}
		target[tl] = '\0';
		/* the target is relative to the link's directory, or to the root */
		clen -= n + 1;
		cur[clen] = '\0';
		if (target[0] == '/') {
			clen = 0;
			cur[0] = '\0';
		}
		plen = strlen(p);
		if ((size_t)tl + plen >= sizeof(rest)) {
			err = -ENAMETOOLONG;
			goto out;
		}
		memmove(rest + tl, p, plen + 1);
		memcpy(rest, target, tl);
		p = rest;
	}
out:
	if (!cur[0])
		strcpy(cur, "/");
	if (strlen(cur) >= size) {
		if (size)
			out[0] = '\0';
		return -ENAMETOOLONG;
	}
	strcpy(out, cur);
	return err;
}

/* <root> + resolve(@path) into @full. Returns resolve()'s value. */
static int resolve_full(const char *root, const char *path, char *full, size_t size)
{
	char real[PATH_MAX];
	int err;

	err = resolve(root, path, real, sizeof(real));
	if (err)
		return err;
	return vft_path(full, size, root, real);
}

/*
 * Opens the configuration file @path under @root. Returns 0 with *@f set, 1
 * when the file is masked (empty, or a link to /dev/null), or -errno
 * (-EISDIR, -EINVAL for anything but a regular file).
 */
static int open_cfg(const char *root, const char *path, FILE **f)
{
	char real[PATH_MAX], full[PATH_MAX];
	struct stat st;
	int fd = -1;
	int err;

	*f = NULL;
	err = resolve(root, path, real, sizeof(real));
	if ((!err || err == -ENOENT) && !strcmp(real, "/dev/null")) {
		err = 1;
		goto out;
	}
	if (err)
		goto out;
	err = vft_path(full, sizeof(full), root, real);
	if (err)
		goto out;
	/* not blocking on a FIFO; never through a link swapped in since */
	fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	if (fstat(fd, &st)) {
		err = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		goto out;
	}
	if (!st.st_size) {
		err = 1;
		goto out;
	}
	*f = fdopen(fd, "r");
	if (!*f) {
		err = -errno;
		goto out;
	}
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	return err;
}

/* snprintf() into a field that is only shown: truncation is fine. */
static void __attribute__((format(printf, 3, 4)))
fmt_into(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

/* Drops blanks at both ends of @s in place; returns the start. */
static char *strip(char *s)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/*
 * Reads the next line of @f into @buf (LINE_LEN bytes) without its end (LF,
 * CRLF). Returns 1 for a line, 0 at the end of the file, -EOVERFLOW for a line
 * that does not fit (it is consumed: reading goes on with the next one), or
 * -EIO.
 */
static int next_line(FILE *f, char *buf)
{
	size_t len;
	int c;

	if (!fgets(buf, LINE_LEN, f))
		return ferror(f) ? -EIO : 0;
	len = strlen(buf); /* stops at a NUL byte: the rest of such a line is dropped */
	if (len == LINE_LEN - 1 && buf[len - 1] != '\n') {
		do {
			c = getc(f);
		} while (c != EOF && c != '\n');
		buf[0] = '\0';
		return -EOVERFLOW;
	}
	if (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	if (len && buf[len - 1] == '\r')
		buf[--len] = '\0';
	return 1;
}

/* systemd's and NetworkManager's booleans: 1 true, 0 false, -1 neither. */
static int parse_bool(const char *s)
{
	static const char *const yes[] = { "1", "yes", "y", "true", "t", "on" };
	static const char *const no[] = { "0", "no", "n", "false", "f", "off" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(s, yes[i]))
			return 1;
		if (!strcasecmp(s, no[i]))
			return 0;
	}
	return -1;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && !strcmp(s + n - m, suffix);
}

/* One configuration file found in a set of directories. */
struct cfg_file {
	char name[NAME_MAX + 1];
	unsigned int dir;  /* index in the directory list */
	unsigned int rank; /* reading order of that directory */
};

struct cfg_set {
	struct cfg_file *v;
	size_t n, cap;
};

static void cfg_set__free(struct cfg_set *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

static int cmp_cfg_file(const void *a, const void *b)
{
	const struct cfg_file *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return strcmp(x->name, y->name);
}

/*
 * Adds to @set the entries of @dirs (highest priority first) whose names end
 * in @suffix, each name once, from the first directory that has it (a later
 * one is masked). Hidden entries and directories are left out; a missing
 * directory holds nothing. @rank gives each directory's reading order (NULL:
 * all 0). Sorts @set by rank, then name. Returns 0 or -errno.
 */
static int collect(const char *root, const char *const *dirs, size_t ndirs,
		   const unsigned int *rank, const char *suffix, struct cfg_set *set)
{
	struct vft_sysfs_list l = { 0 };
	char full[PATH_MAX], entry[PATH_MAX];
	struct stat st, seen[COLLECT_DIRS_MAX];
	struct cfg_file *grown;
	size_t d = 0, i, j, nseen = 0;
	int err = 0;

	if (ndirs > COLLECT_DIRS_MAX) {
		err = -E2BIG;
		goto out;
	}
	for (d = 0; d < ndirs; d++) {
		vft_sysfs_list__free(&l);
		err = resolve_full(root, dirs[d], full, sizeof(full));
		if (!err && stat(full, &st))
			err = -errno;
		if (err == -ENOENT || err == -ENOTDIR) {
			err = 0;
			continue;
		}
		if (err)
			goto out;
		/* /lib/... is /usr/lib/... on a merged-/usr system: list it once */
		for (j = 0; j < nseen; j++)
			if (seen[j].st_dev == st.st_dev && seen[j].st_ino == st.st_ino)
				break;
		if (j < nseen)
			continue;
		seen[nseen++] = st;
		err = vft_sysfs__list(NULL, full, NULL, &l);
		if (err == -ENOENT || err == -ENOTDIR) {
			err = 0;
			continue;
		}
		if (err)
			goto out;
		for (i = 0; i < l.n; i++) {
			const char *name = l.names[i];

			if (name[0] == '.' || !has_suffix(name, suffix) || strlen(name) > NAME_MAX)
				continue;
			if ((size_t)snprintf(entry, sizeof(entry), "%s/%s", full, name) >=
				    sizeof(entry) ||
			    (!lstat(entry, &st) && S_ISDIR(st.st_mode)))
				continue;
			for (j = 0; j < set->n && strcmp(set->v[j].name, name); j++)
				;
			if (j < set->n) {
				vft_debug("hostcfg: %s/%s: masked by %s/%s\n", dirs[d], name,
					  dirs[set->v[j].dir], name);
				continue;
			}
			if (set->n == CFG_FILES_MAX) {
				err = -E2BIG;
				goto out;
			}
			if (set->n == set->cap) {
				set->cap = set->cap ? set->cap * 2 : 16;
				grown = realloc(set->v, set->cap * sizeof(*set->v));
				if (!grown) {
					err = -ENOMEM;
					goto out;
				}
				set->v = grown;
			}
			strcpy(set->v[set->n].name, name);
			set->v[set->n].dir = d;
			set->v[set->n].rank = rank ? rank[d] : 0;
			set->n++;
		}
	}
	if (set->n)
		qsort(set->v, set->n, sizeof(*set->v), cmp_cfg_file);
out:
	if (err)
		vft_debug("hostcfg: %s: %s\n", d < ndirs ? dirs[d] : "", strerror(-err));
	vft_sysfs_list__free(&l);
	return err;
}

/* Appends @s to the string in @buf (of @size), truncating. */
static void append(char *buf, size_t size, const char *s)
{
	size_t n = strnlen(buf, size);

	if (n + 1 < size)
		snprintf(buf + n, size - n, "%s", s);
}

/* systemd-networkd: .network files. */

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
		fmt_into(ev->unsupported, sizeof(ev->unsupported), "%s", why);
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

	err = open_cfg(root, path, &f);
	if (err)
		goto out;
	buf = malloc(2 * LINE_LEN);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		r = next_line(f, buf);
		line = buf + strspn(buf, " \t");
		if (r == 1 && (*line == '#' || *line == ';'))
			continue; /* a comment never continues */
		/* a trailing backslash continues the line; the backslash becomes a blank */
		while (r == 1 && (len = strlen(buf)) && buf[len - 1] == '\\') {
			buf[len - 1] = ' ';
			r = next_line(f, buf + len);
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
		line = strip(buf);
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
		key = strip(line);
		value = strip(eq + 1);
		if (sec == SEC_LINK) {
			if (strcmp(key, "Unmanaged"))
				continue;
			b = *value ? parse_bool(value) : 0;
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

			fmt_into(why, sizeof(why), "[Match] %.32s=", key);
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
	struct cfg_set dropins = { 0 };
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
	err = collect(root, (const char *const *)dropin_dirs, ARRAY_SIZE(dropin_dirs), NULL,
		      ".conf", &dropins);
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
	cfg_set__free(&dropins);
	return err;
}

/* systemd-networkd's claim on @ifname. Returns 1 (@c filled), 0, or -errno. */
static int networkd_claim(const char *root, const char *ifname, const char *driver,
			  struct vft_hostcfg_claim *c)
{
	struct cfg_set set = { 0 };
	struct network_eval ev;
	const char *dir;
	size_t i;
	int err;

	err = collect(root, networkd_dirs, ARRAY_SIZE(networkd_dirs), NULL, ".network", &set);
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
		fmt_into(c->manager, sizeof(c->manager), "systemd-networkd");
		fmt_into(c->source, sizeof(c->source), "%s/%s", dir, set.v[i].name);
		fmt_into(c->detail, sizeof(c->detail), "[Match] %s catches %s; %s", ev.desc, ifname,
			 ev.unmanaged == 0 ? "Unmanaged=no" : "no Unmanaged=yes");
		err = 1;
		goto out;
	}
	err = 0;
out:
	cfg_set__free(&set);
	return err;
}

/* NetworkManager: unmanaged-devices and udev's NM_UNMANAGED. */

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

	err = open_cfg(root, path, &f);
	if (err)
		goto out;
	buf = malloc(LINE_LEN);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	while ((r = next_line(f, buf)) != 0) {
		if (r == -EIO) {
			err = r;
			goto out;
		}
		if (r == -EOVERFLOW) {
			vft_debug("hostcfg: %s: a line over %d bytes, skipped\n", path,
				  LINE_LEN - 1);
			continue;
		}
		line = strip(buf);
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
		key = strip(line);
		value = strip(eq + 1);
		klen = strlen(key);
		op = klen && (key[klen - 1] == '+' || key[klen - 1] == '-') ? key[klen - 1] : 0;
		if (op) {
			key[klen - 1] = '\0';
			key = strip(key);
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
		fmt_into(s->source, sizeof(s->source), "%s", path);
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

struct udev_eval {
	int unmanaged;	  /* -1 no rule, 0, 1 */
	char source[256]; /* the file of the rule that decided */
	unsigned int line;
};

/*
 * One rule line: 1 (with *@value) when it assigns ENV{NM_UNMANAGED} and fits
 * the netdev, 0 when it does not, -EINVAL when it sets NM_UNMANAGED but cannot
 * be trusted (@why says why).
 */
static int udev_rule(const char *line, const char *ifname, const char *driver, int *value,
		     char *why, size_t wsize)
{
	struct udev_token t;
	const char *p = line, *subject;
	bool assigns = false, fits = true, untrusted = false, neg;
	int r, v = -1;

	why[0] = '\0';
	while ((r = udev_next_token(&p, &t)) == 1) {
		if (!strcmp(t.key, "ENV") && !strcmp(t.attr, "NM_UNMANAGED") &&
		    (!strcmp(t.op, "=") || !strcmp(t.op, ":=") || !strcmp(t.op, "+="))) {
			assigns = true;
			v = strcmp(t.op, "+=") ? parse_bool(t.value) : -1;
			if (v < 0 && !untrusted) {
				fmt_into(why, wsize, "ENV{NM_UNMANAGED}%s\"%.32s\"", t.op, t.value);
				untrusted = true;
			}
			continue;
		}
		if (strcmp(t.op, "==") && strcmp(t.op, "!=")) {
			if (udev_assignable(t.key))
				continue; /* another assignment */
			if (!untrusted)
				fmt_into(why, wsize, "%s%s, no assignment", t.key, t.op);
			untrusted = true;
			continue;
		}
		neg = t.op[0] == '!';
		if (t.attr[0])
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
				fmt_into(why, wsize, "the match %s%s%s%s", t.key,
					 t.attr[0] ? "{" : "", t.attr, t.attr[0] ? "}" : "");
			untrusted = true;
			continue;
		}
		if (udev_pattern(t.value, subject) == neg)
			fits = false;
	}
	if (r < 0 && strstr(line, "NM_UNMANAGED")) {
		fmt_into(why, wsize, "a token that does not parse");
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
		     struct udev_eval *ev)
{
	char *buf = NULL, *line, why[96];
	bool continued = false, cont;
	unsigned int lineno = 0;
	FILE *f = NULL;
	size_t len;
	int err, r, v;

	err = open_cfg(root, path, &f);
	if (err)
		goto out;
	buf = malloc(LINE_LEN);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	while ((r = next_line(f, buf)) != 0) {
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
		line = strip(buf);
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
		r = udev_rule(line, ifname, driver, &v, why, sizeof(why));
		if (r < 0) {
			vft_debug("hostcfg: %s:%u: NM_UNMANAGED rule not trusted: %s\n", path,
				  lineno, why);
			continue;
		}
		if (r == 1) {
			ev->unmanaged = v;
			fmt_into(ev->source, sizeof(ev->source), "%s", path);
			ev->line = lineno;
		}
	}
out:
	free(buf);
	if (f)
		fclose(f);
	return err;
}

static int udev_eval(const char *root, const char *ifname, const char *driver, struct udev_eval *ev)
{
	struct cfg_set set = { 0 };
	char path[PATH_MAX];
	size_t i;
	int err, r;

	ev->unmanaged = -1;
	ev->source[0] = '\0';
	ev->line = 0;
	err = collect(root, udev_dirs, ARRAY_SIZE(udev_dirs), NULL, ".rules", &set);
	if (err)
		goto out;
	for (i = 0; i < set.n; i++) {
		snprintf(path, sizeof(path), "%s/%s", udev_dirs[set.v[i].dir], set.v[i].name);
		r = udev_read(root, path, ifname, driver, ev);
		if (r < 0)
			vft_debug("hostcfg: %s: skipped: %s\n", path, strerror(-r));
	}
out:
	cfg_set__free(&set);
	return err;
}

static bool exists_in_root(const char *root, const char *path)
{
	char real[PATH_MAX];

	return !resolve(root, path, real, sizeof(real));
}

/* NetworkManager's claim on @ifname. Returns 1 (@c filled), 0, or -errno. */
static int nm_claim(const char *root, const char *ifname, const char *driver,
		    struct vft_hostcfg_claim *c)
{
	struct nm_specs specs = { 0 };
	struct cfg_set set = { 0 };
	struct udev_eval uev;
	char path[PATH_MAX];
	bool installed = false, main_read = false;
	enum tri m = TRI_NO;
	size_t i;
	int err = 0, r;

	for (i = 0; i < ARRAY_SIZE(nm_binaries) && !installed; i++)
		installed = exists_in_root(root, nm_binaries[i]);
	if (!installed)
		goto out;
	specs.v = calloc(NM_SPECS_MAX, sizeof(*specs.v));
	if (!specs.v) {
		err = -ENOMEM;
		goto out;
	}
	err = collect(root, nm_dirs, ARRAY_SIZE(nm_dirs), nm_rank, ".conf", &set);
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
	err = udev_eval(root, ifname, driver, &uev);
	if (err)
		goto out;
	if (uev.unmanaged == 1) {
		vft_debug("hostcfg: %s:%u: NM_UNMANAGED=1 for %s\n", uev.source, uev.line, ifname);
		err = 0;
		goto out;
	}
	memset(c, 0, sizeof(*c));
	fmt_into(c->manager, sizeof(c->manager), "NetworkManager");
	if (uev.unmanaged == 0) {
		fmt_into(c->source, sizeof(c->source), "%s", uev.source);
		fmt_into(c->detail, sizeof(c->detail),
			 "the rule on line %u sets ENV{NM_UNMANAGED}=\"0\" for %s", uev.line,
			 ifname);
	} else if (m == TRI_UNKNOWN) {
		fmt_into(c->source, sizeof(c->source), "%s", specs.source);
		fmt_into(c->detail, sizeof(c->detail),
			 "unmanaged-devices has specs that cannot be evaluated for %s; no "
			 "NM_UNMANAGED rule matches",
			 ifname);
	} else if (specs.set) {
		fmt_into(c->source, sizeof(c->source), "%s", specs.source);
		fmt_into(c->detail, sizeof(c->detail),
			 "unmanaged-devices does not match %s; no NM_UNMANAGED rule matches",
			 ifname);
	} else {
		if (exists_in_root(root, NM_MAIN_CONF))
			fmt_into(c->source, sizeof(c->source), "%s", NM_MAIN_CONF);
		fmt_into(c->detail, sizeof(c->detail),
			 "no unmanaged-devices or NM_UNMANAGED rule matches %s", ifname);
	}
	err = 1;
out:
	free(specs.v);
	cfg_set__free(&set);
	return err;
}

int vft_hostcfg__claims(const char *root, const char *ifname, const char *driver,
			struct vft_hostcfg_claim out[2])
{
	size_t len;
	int n = 0, err;

	if (!out || !ifname) {
		err = -EINVAL;
		goto out;
	}
	len = strnlen(ifname, IFNAME_LEN);
	if (!len || len >= IFNAME_LEN || strchr(ifname, '/')) {
		err = -EINVAL;
		goto out;
	}
	err = networkd_claim(root, ifname, driver, &out[n]);
	if (err < 0)
		goto out;
	n += err;
	err = nm_claim(root, ifname, driver, &out[n]);
	if (err < 0)
		goto out;
	n += err;
	err = n;
out:
	return err;
}
