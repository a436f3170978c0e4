/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * privs.h - what the audit daemon keeps of root once its hooks are attached
 * and rtnetlink listens, before it starts any thread: the capabilities its
 * later work needs, and no_new_privs.
 */
#ifndef VFT_PRIVS_H
#define VFT_PRIVS_H

/*
 * Keeps CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_SYS_PTRACE,
 * CAP_DAC_READ_SEARCH and CAP_SYS_RESOURCE (those of them this process has),
 * drops every other from the effective, permitted and bounding sets, and
 * sets no_new_privs. These are the calling thread's, and a thread copies
 * them from its creator when it starts: call this while the process has one
 * thread. Returns 0, -EBUSY (said on stderr) when it has more, or -errno.
 */
int vft_privs__drop(void);

#endif /* VFT_PRIVS_H */
