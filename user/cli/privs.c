// SPDX-License-Identifier: GPL-2.0-only
/*
 * privs.c - the audit daemon gives up the capabilities it needs no more
 * (see privs.h).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include "cli/privs.h"
#include "lib/util.h"

/*
 * The capabilities the audit daemon keeps once its hooks are attached:
 * CAP_BPF and CAP_PERFMON to attach the RDMA hooks when ib_core loads later,
 * CAP_SYS_ADMIN to join a netns and mount sysfs there (RDMA ports as a pod
 * sees them), CAP_NET_ADMIN for rtnetlink ids in other netns, CAP_SYS_PTRACE
 * and CAP_DAC_READ_SEARCH to read other processes' /proc/<pid>/ns, exe and
 * cgroup,
 * CAP_SYS_RESOURCE for the BPF maps' memory. Everything else goes, from the
 * bounding set too, and no exec can gain anything back (no_new_privs).
 */
static const cap_value_t audit_caps[] = {
	CAP_BPF,	CAP_PERFMON,	     CAP_SYS_ADMIN,    CAP_NET_ADMIN,
	CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH, CAP_SYS_RESOURCE,
};

/* The threads of this process, from /proc/self/task; -errno when it cannot be read. */
static int count_threads(void)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir("/proc/self/task");
	if (!d)
		return -errno;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

int vft_privs__drop(void)
{
	cap_t caps = cap_init(), now = cap_get_proc();
	cap_flag_value_t have;
	cap_value_t c;
	size_t i;
	int err = 0, threads;

	if (!caps || !now) {
		err = -errno;
		goto out;
	}
	/*
	 * capset(), the bounding set and no_new_privs change the calling thread
	 * only: another thread would keep everything. Without /proc to tell,
	 * the caller's order (the drop before any thread starts) has to do.
	 */
	threads = count_threads();
	if (threads > 1) {
		vft_warn("%d threads run already, and capabilities belong to each thread: the "
			 "others would keep them all. This is a bug in vftrace: please report it\n",
			 threads);
		err = -EBUSY;
		goto out;
	}
	/* keep those of the list that we have: a capability not permitted cannot be raised */
	for (i = 0; i < ARRAY_SIZE(audit_caps); i++) {
		if (cap_get_flag(now, audit_caps[i], CAP_PERMITTED, &have) || have != CAP_SET)
			continue;
		if (cap_set_flag(caps, CAP_EFFECTIVE, 1, &audit_caps[i], CAP_SET) ||
		    cap_set_flag(caps, CAP_PERMITTED, 1, &audit_caps[i], CAP_SET)) {
			err = -errno;
			goto out;
		}
	}
	for (c = 0; c <= CAP_LAST_CAP && !err; c++) {
		bool keep = false;

		for (i = 0; i < ARRAY_SIZE(audit_caps); i++)
			keep = keep || audit_caps[i] == c;
		/* without CAP_SETPCAP (not root) the bounding set cannot shrink: not fatal */
		if (!keep && CAP_IS_SUPPORTED(c) && cap_drop_bound(c) && errno != EPERM &&
		    errno != EINVAL)
			err = -errno;
	}
	if (!err && cap_set_proc(caps))
		err = -errno;
	if (!err && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		err = -errno;
out:
	cap_free(caps);
	cap_free(now);
	return err;
}
