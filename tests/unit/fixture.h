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

/* The pods of tests/fixtures/mkfixture.sh: UIDs (and as cgroup names), containers, cgroups. */
#define POD_BE "0e5c2a7d-6f4b-4c3e-9a1d-2b7e8f9c0d11"
#define POD_BE_ "0e5c2a7d_6f4b_4c3e_9a1d_2b7e8f9c0d11"
#define POD_BU "5b1f3c8e-2d4a-4f6b-8c9d-0a1b2c3d4e5f"
#define POD_BU_ "5b1f3c8e_2d4a_4f6b_8c9d_0a1b2c3d4e5f"
#define POD_GU "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"
#define POD_GU_ "9f8e7d6c_5b4a_4392_8170_6f5e4d3c2b1a"
#define CTR_BE "4f2c9b1e7a3d5c8f0e6b2a9d1c7f3e5a8b0d4c6e2f9a1b3c5d7e9f0a2b4c6d8e"
#define CTR_BU "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
#define CTR_GU "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

#define BE_POD "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" POD_BE_ ".slice"
#define BU_POD "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" POD_BU_ ".slice"
#define GU_POD "/kubepods.slice/kubepods-pod" POD_GU_ ".slice"

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
