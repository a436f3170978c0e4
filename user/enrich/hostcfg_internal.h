/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hostcfg_internal.h - what the files of the host network manager check share
 * and nothing else includes: reading configuration under a root prefix
 * (hostcfg.c), each manager's claim (hostcfg_networkd.c, hostcfg_nm.c) and
 * udev's NM_UNMANAGED (hostcfg_udev.c). The API and the rules are hostcfg.h.
 */
#ifndef VFT_HOSTCFG_INTERNAL_H
#define VFT_HOSTCFG_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "enrich/hostcfg.h"

#define LINE_LEN 4096 /* a line and its end; longer lines are skipped */
#define WORD_LEN 256  /* one glob, one spec */

/* ---- hostcfg.c: reading configuration ---- */

/*
 * Opens the configuration file @path under @root. Returns 0 with *@f set, 1
 * when the file is masked (empty, or a link to /dev/null), or -errno
 * (-EISDIR, -EINVAL for anything but a regular file).
 */
int hostcfg_open(const char *root, const char *path, FILE **f);

/* Whether @path exists under @root, its links followed inside the root. */
bool hostcfg_exists(const char *root, const char *path);

/*
 * Reads the next line of @f into @buf (LINE_LEN bytes) without its end (LF,
 * CRLF). Returns 1 for a line, 0 at the end of the file, -EOVERFLOW for a line
 * that does not fit (it is consumed: reading goes on with the next one), or
 * -EIO.
 */
int hostcfg_next_line(FILE *f, char *buf);

/* Drops blanks at both ends of @s in place; returns the start. */
char *hostcfg_strip(char *s);

/* systemd's and NetworkManager's booleans: 1 true, 0 false, -1 neither. */
int hostcfg_parse_bool(const char *s);

/* snprintf() into a field that is only shown: truncation is fine. */
void hostcfg_fmt(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* One configuration file found in a set of directories. */
struct hostcfg_file {
	char name[NAME_MAX + 1];
	unsigned int dir;  /* index in the directory list */
	unsigned int rank; /* reading order of that directory */
};

struct hostcfg_files {
	struct hostcfg_file *v;
	size_t n, cap;
};

/*
 * Adds to @set the entries of @dirs (highest priority first) whose names end
 * in @suffix, each name once, from the first directory that has it (a later
 * one is masked). Hidden entries and directories are left out; a missing
 * directory holds nothing. @rank gives each directory's reading order (NULL:
 * all 0). Sorts @set by rank, then name. Returns 0 or -errno.
 */
int hostcfg_files__collect(const char *root, const char *const *dirs, size_t ndirs,
			   const unsigned int *rank, const char *suffix, struct hostcfg_files *set);
void hostcfg_files__free(struct hostcfg_files *s);

/* ---- the managers ---- */

/* systemd-networkd's claim on @ifname. Returns 1 (@c filled), 0, or -errno. */
int hostcfg_networkd_claim(const char *root, const char *ifname, const char *driver,
			   struct vft_hostcfg_claim *c);

/* NetworkManager's claim on @ifname. Returns 1 (@c filled), 0, or -errno. */
int hostcfg_nm_claim(const char *root, const char *ifname, const char *driver,
		     struct vft_hostcfg_claim *c);

/* What udev's rules set ENV{NM_UNMANAGED} to for a netdev. */
struct hostcfg_udev {
	int unmanaged;	  /* -1 no rule, 0, 1 */
	char source[256]; /* the file of the rule that decided */
	unsigned int line;
};

/* Reads every rules file into @ev. Returns 0 or -errno (a directory that cannot be read). */
int hostcfg_udev_eval(const char *root, const char *ifname, const char *driver,
		      struct hostcfg_udev *ev);

#endif /* VFT_HOSTCFG_INTERNAL_H */
