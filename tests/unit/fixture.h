/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fixture.h - building a fixture tree (tests/fixtures/mkfixture.sh) for a
 * cmocka group: in /dev/shm when writable (the disk here is slow), removed
 * at teardown. Tests run from the top of the tree or with VFT_SRCDIR set.
 */
#ifndef VFT_TEST_FIXTURE_H
#define VFT_TEST_FIXTURE_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int fixture_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* Builds VARIANT under a new temporary @base; @root receives "<base>/node". 0 or -1. */
static int fixture_make(const char *variant, char *base, size_t bsize, char *root, size_t rsize)
{
	const char *tmpdir = access("/dev/shm", W_OK) ? (getenv("TMPDIR") ?: "/tmp") : "/dev/shm";
	const char *top = getenv("VFT_SRCDIR") ?: ".";
	char cmd[1024];

	snprintf(base, bsize, "%s/vft-test-XXXXXX", tmpdir);
	if (!mkdtemp(base))
		return -1;
	snprintf(root, rsize, "%s/node", base);
	snprintf(cmd, sizeof(cmd), "%s/tests/fixtures/mkfixture.sh %s %s", top, root, variant);
	if (system(cmd)) {
		fprintf(stderr, "failed: %s (run from the top of the tree or set VFT_SRCDIR)\n",
			cmd);
		nftw(base, fixture_rm_one, 16, FTW_DEPTH | FTW_PHYS);
		return -1;
	}
	return 0;
}

static int fixture_remove(const char *base)
{
	return nftw(base, fixture_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif /* VFT_TEST_FIXTURE_H */
