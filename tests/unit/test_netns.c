// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_netns.c - the netns map on the fixture's proc/ and run/netns/ (host,
 * pods, names, the lowest pid, processes that vanish or say nothing clear,
 * the rate-limited rescan) and on this machine, and reading a port from
 * inside a netns in a child: errors, fds, zombies, EINTR.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "enrich/netns.h"
#include "fixture.h"

#define HOST_NS 4026531840U
#define BE_NS 4026532301U
#define BU_NS 4026532302U
#define GU_NS 4026532303U

/* For vft_netns__read_port(): our own netns, and a device that no machine has. */
#define SELF_NS "/proc/self/ns/net"
#define NO_DEV "vft-no-such-dev"

static char base[256], root[300];

/* A fresh tree for each test: several of them change it. */
static int setup(void **state)
{
	return fixture_make("dgx-b200-healthy", base, sizeof(base), root, sizeof(root));
}

static int teardown(void **state)
{
	return fixture_remove(base);
}

/* "<root><rel>" into @buf. */
static void at(char *buf, size_t size, const char *rel)
{
	int n = snprintf(buf, size, "%s%s", root, rel);

	assert_true(n > 0 && (size_t)n < size);
}

/* The netns a /run/netns name stands for in the fixture: its file's inode. */
static uint32_t name_ns(const char *name)
{
	char rel[128], path[PATH_MAX];
	struct stat st;

	snprintf(rel, sizeof(rel), "/run/netns/%s", name);
	at(path, sizeof(path), rel);
	assert_int_equal(stat(path, &st), 0);
	if (st.st_ino > UINT32_MAX) {
		print_message("%s has a 64-bit inode: skipped\n", path);
		skip();
	}
	return st.st_ino;
}

/* Writes @text into the file <root><rel>. */
static void write_at(const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	at(path, sizeof(path), rel);
	f = fopen(path, "we");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/*
 * Adds proc/<pid> to the tree: ns/net a link with text @link (none if NULL),
 * cgroup "0::<cgroup>" (no file if NULL).
 */
static void add_proc(unsigned int pid, const char *link, const char *cgroup)
{
	char rel[64], path[PATH_MAX], text[512];

	snprintf(rel, sizeof(rel), "/proc/%u", pid);
	at(path, sizeof(path), rel);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(rel, sizeof(rel), "/proc/%u/ns", pid);
	at(path, sizeof(path), rel);
	assert_int_equal(mkdir(path, 0755), 0);
	if (link) {
		snprintf(rel, sizeof(rel), "/proc/%u/ns/net", pid);
		at(path, sizeof(path), rel);
		assert_int_equal(symlink(link, path), 0);
	}
	if (cgroup) {
		snprintf(rel, sizeof(rel), "/proc/%u/cgroup", pid);
		snprintf(text, sizeof(text), "0::%s\n", cgroup);
		write_at(rel, text);
	}
}

/* Removes a file or an empty directory under the root. */
static void rm_at(const char *rel)
{
	char path[PATH_MAX];

	at(path, sizeof(path), rel);
	assert_int_equal(remove(path), 0);
}

static void expect_path(const struct vft_netns_info *i, const char *rel)
{
	char want[PATH_MAX];

	at(want, sizeof(want), rel);
	assert_string_equal(i->path, want);
}

static void finds_the_host(void **state)
{
	struct vft_netns_map *m = NULL;
	struct vft_netns_info i;

	assert_int_equal(vft_netns_map__new(root, &m), 0);
	assert_int_equal(vft_netns_map__host(m), HOST_NS);
	assert_int_equal(vft_netns_map__lookup(m, HOST_NS, &i), 0);
	assert_int_equal(i.netns, HOST_NS);
	assert_true(i.host);
	/* pid 1, not kthreadd, systemd-networkd or the kubelet */
	assert_int_equal(i.pid, 1);
	assert_string_equal(i.name, "");
	assert_string_equal(i.pod_uid, "");
	assert_string_equal(i.container, "");
	expect_path(&i, "/proc/1/ns/net");
	vft_netns_map__free(m);
	vft_netns_map__free(NULL);
}

static void attributes_pods(void **state)
{
	static const struct {
		uint32_t netns, pid;
		const char *uid, *ctr, *path;
	} want[] = {
		{ BE_NS, 2301, POD_BE, CTR_BE, "/proc/2301/ns/net" },
		{ BU_NS, 2455, POD_BU, CTR_BU, "/proc/2455/ns/net" },
		/* 3050, an nsenter shell of root's, is the lowest; 3101 says whose it is */
		{ GU_NS, 3050, POD_GU, CTR_GU, "/proc/3050/ns/net" },
	};
	struct vft_netns_map *m = NULL;
	struct vft_netns_info i;
	size_t k;

	assert_int_equal(vft_netns_map__new(root, &m), 0);
	for (k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
		assert_int_equal(vft_netns_map__lookup(m, want[k].netns, &i), 0);
		assert_int_equal(i.netns, want[k].netns);
		assert_false(i.host);
		assert_int_equal(i.pid, want[k].pid);
		assert_string_equal(i.name, "");
		assert_string_equal(i.pod_uid, want[k].uid);
		assert_string_equal(i.container, want[k].ctr);
		expect_path(&i, want[k].path);
	}
	vft_netns_map__free(m);
}

static void names_from_run_netns(void **state)
{
	struct vft_netns_map *m = NULL;
	struct vft_netns_info i;
	uint32_t test = name_ns("vft-test"), blue = name_ns("blue");

	assert_int_equal(vft_netns_map__new(root, &m), 0);
	/* `ip netns exec vft-test sleep`: a name and a process, no pod */
	assert_int_equal(vft_netns_map__lookup(m, test, &i), 0);
	assert_int_equal(i.netns, test);
	assert_false(i.host);
	assert_string_equal(i.name, "vft-test");
	assert_int_equal(i.pid, 4000);
	assert_string_equal(i.pod_uid, "");
	assert_string_equal(i.container, "");
	expect_path(&i, "/run/netns/vft-test");
	/* a name and nobody in it */
	assert_int_equal(vft_netns_map__lookup(m, blue, &i), 0);
	assert_string_equal(i.name, "blue");
	assert_int_equal(i.pid, 0);
	assert_string_equal(i.pod_uid, "");
	expect_path(&i, "/run/netns/blue");
	vft_netns_map__free(m);
}

static void picks_the_lowest_pid(void **state)
{
	struct vft_netns_map *m = NULL;
	struct vft_netns_info i;

	/* below the pod's own: a shell in the besteffort pod's netns */
	add_proc(2200, "net:[4026532301]", "/user.slice/user-0.slice/user@0.service");
	/* the guaranteed pod's own cgroup, below its container's 3101: it wins, with no container */
	add_proc(3060, "net:[4026532303]", GU_POD);
	assert_int_equal(vft_netns_map__new(root, &m), 0);
	assert_int_equal(vft_netns_map__lookup(m, BE_NS, &i), 0);
	assert_int_equal(i.pid, 2200);
	assert_string_equal(i.pod_uid, POD_BE);
	assert_string_equal(i.container, CTR_BE);
	expect_path(&i, "/proc/2200/ns/net");
	assert_int_equal(vft_netns_map__lookup(m, GU_NS, &i), 0);
	assert_int_equal(i.pid, 3050);
	assert_string_equal(i.pod_uid, POD_GU);
	assert_string_equal(i.container, "");
	vft_netns_map__free(m);
}

static void two_names_for_one_netns(void **state)
{
	struct vft_netns_map *m = NULL;
	struct vft_netns_info i;
	char from[PATH_MAX], to[PATH_MAX];
	uint32_t test = name_ns("vft-test");

	at(from, sizeof(from), "/run/netns/vft-test");
	at(to, sizeof(to), "/run/netns/a-test");
	assert_int_equal(link(from, to), 0);
	at(to, sizeof(to), "/run/netns/z-test");
	assert_int_equal(link(from, to), 0);
	assert_int_equal(vft_netns_map__new(root, &m), 0);
	assert_int_equal(vft_netns_map__lookup(m, test, &i), 0);
	assert_string_equal(i.name, "a-test");
	assert_int_equal(i.pid, 4000);
	expect_path(&i, "/run/netns/a-test");
	vft_netns_map__free(m);
}

static void unknown_netns(void **state)
{
	struct vft_netns_map *m = NULL;
	struct vft_netns_info i;

	assert_int_equal(vft_netns_map__new(root, &m), 0);
	memset(&i, 0x55, sizeof(i));
	assert_int_equal(vft_netns_map__lookup(m, 4026539999U, &i), -ENOENT);
	assert_int_equal(i.netns, 0);
	assert_int_equal(i.pid, 0);
	assert_string_equal(i.path, "");
	assert_int_equal(vft_netns_map__lookup(m, 0, &i), -ENOENT);
	vft_netns_map__free(m);
}

static void skips_what_says_nothing_clear(void **state)
{
	static const char *const bad_links[] = {
		"net:[abc]",	     "net:[4026532501",	  "mnt:[4026532501]",  "net:[]",
		"net:[-4026532501]", "net:[ 4026532501]", "net:[4026532501]x", "net:[0]",
		"net:[99999999999]", "4026532501",
	};
	static const char *const odd[] = { "/proc/self", "/proc/sys", "/proc/0", "/proc/0300",
					   "/proc/99999999999" };
	struct vft_netns_map *m = NULL;
	struct vft_netns_info i;
	char rel[64], path[PATH_MAX];
	unsigned int pid = 100;
	size_t k;

	/* malformed links: a pod's cgroup, but no netns to give it to */
	for (k = 0; k < sizeof(bad_links) / sizeof(bad_links[0]); k++)
		add_proc(pid++, bad_links[k], BU_POD "/cri-containerd-" CTR_BU ".scope");
	/* no cgroup file: below 2301 in its netns, and alone in a netns of its own */
	add_proc(200, "net:[4026532301]", NULL);
	add_proc(201, "net:[4026532502]", NULL);
	/* a directory with no ns/ (the process exited while we looked) */
	at(path, sizeof(path), "/proc/202");
	assert_int_equal(mkdir(path, 0755), 0);
	/* no cgroup v2 line (a cgroup v1 host): there, but no pod */
	add_proc(203, "net:[4026532503]", NULL);
	write_at("/proc/203/cgroup", "12:cpuset:/\n1:name=systemd:" BE_POD "\n");
	/* names that are not pids */
	for (k = 0; k < sizeof(odd) / sizeof(odd[0]); k++) {
		at(path, sizeof(path), odd[k]);
		assert_int_equal(mkdir(path, 0755), 0);
		snprintf(rel, sizeof(rel), "%s/ns", odd[k]);
		at(path, sizeof(path), rel);
		assert_int_equal(mkdir(path, 0755), 0);
		snprintf(rel, sizeof(rel), "%s/ns/net", odd[k]);
		at(path, sizeof(path), rel);
		assert_int_equal(symlink("net:[4026532504]", path), 0);
	}
	assert_int_equal(vft_netns_map__new(root, &m), 0);
	assert_int_equal(vft_netns_map__lookup(m, 4026532501U, &i), -ENOENT);
	assert_int_equal(vft_netns_map__lookup(m, BE_NS, &i), 0);
	assert_int_equal(i.pid, 2301);
	assert_int_equal(vft_netns_map__lookup(m, 4026532502U, &i), -ENOENT);
	assert_int_equal(vft_netns_map__lookup(m, 4026532503U, &i), 0);
	assert_int_equal(i.pid, 203);
	assert_string_equal(i.pod_uid, "");
	assert_int_equal(vft_netns_map__lookup(m, 4026532504U, &i), -ENOENT);
	/* the rest of the map is as before */
	assert_int_equal(vft_netns_map__lookup(m, BU_NS, &i), 0);
	assert_int_equal(i.pid, 2455);
	assert_string_equal(i.pod_uid, POD_BU);
	vft_netns_map__free(m);
}

static void processes_vanish(void **state)
{
	struct vft_netns_map *m = NULL;
	struct vft_netns_info i;

	assert_int_equal(vft_netns_map__new(root, &m), 0);
	assert_int_equal(vft_netns_map__lookup(m, BE_NS, &i), 0);
	assert_int_equal(i.pid, 2301);
	/* 2301 exits: its ns link goes first, then the rest */
	rm_at("/proc/2301/ns/net");
	assert_int_equal(vft_netns_map__rescan(m), 0);
	assert_int_equal(vft_netns_map__lookup(m, BE_NS, &i), 0);
	assert_int_equal(i.pid, 2318);
	assert_string_equal(i.pod_uid, POD_BE);
	expect_path(&i, "/proc/2318/ns/net");
	/* 2455 half gone: link there, cgroup not */
	rm_at("/proc/2455/cgroup");
	/* 4000 gone: its netns keeps its name */
	rm_at("/proc/4000/ns/net");
	rm_at("/proc/4000/ns");
	rm_at("/proc/4000/cgroup");
	rm_at("/proc/4000/comm");
	rm_at("/proc/4000");
	assert_int_equal(vft_netns_map__rescan(m), 0);
	assert_int_equal(vft_netns_map__lookup(m, name_ns("vft-test"), &i), 0);
	assert_int_equal(i.pid, 0);
	assert_string_equal(i.name, "vft-test");
	expect_path(&i, "/run/netns/vft-test");
	/* a netns nobody holds: the stale entry is gone after the rescan */
	assert_int_equal(vft_netns_map__lookup(m, BU_NS, &i), -ENOENT);
	/* pid 1's link unreadable: no host */
	rm_at("/proc/1/ns/net");
	assert_int_equal(vft_netns_map__rescan(m), 0);
	assert_int_equal(vft_netns_map__host(m), 0);
	assert_int_equal(vft_netns_map__lookup(m, HOST_NS, &i), 0);
	assert_false(i.host);
	assert_int_equal(i.pid, 2);
	vft_netns_map__free(m);
}

static void rescans_at_most_once_a_second(void **state)
{
	struct timespec pause = { 1, 100 * 1000 * 1000 };
	struct vft_netns_map *m = NULL;
	struct vft_netns_info i;

	assert_int_equal(vft_netns_map__new(root, &m), 0);
	add_proc(5000, "net:[4026532600]", BE_POD "/cri-containerd-" CTR_BE ".scope");
	/* the scan in __new() was just now: no rescan yet */
	assert_int_equal(vft_netns_map__lookup(m, 4026532600U, &i), -ENOENT);
	/* forced */
	assert_int_equal(vft_netns_map__rescan(m), 0);
	assert_int_equal(vft_netns_map__lookup(m, 4026532600U, &i), 0);
	assert_int_equal(i.pid, 5000);
	assert_string_equal(i.pod_uid, POD_BE);
	/* a second later a miss rescans by itself */
	add_proc(5001, "net:[4026532601]", "/system.slice/kubelet.service");
	nanosleep(&pause, NULL);
	assert_int_equal(vft_netns_map__lookup(m, 4026532601U, &i), 0);
	assert_int_equal(i.pid, 5001);
	assert_string_equal(i.pod_uid, "");
	/* and that was the rescan for this second */
	add_proc(5002, "net:[4026532602]", "/system.slice/kubelet.service");
	assert_int_equal(vft_netns_map__lookup(m, 4026532602U, &i), -ENOENT);
	/* known entries never wait */
	assert_int_equal(vft_netns_map__lookup(m, HOST_NS, &i), 0);
	assert_int_equal(i.pid, 1);
	vft_netns_map__free(m);
}

/* A destroyed netns's inode given to a new pod: forgotten, the map says what it is now. */
static void forgets_a_destroyed_netns(void **state)
{
	struct vft_netns_map *m = NULL;
	struct vft_netns_info i;

	add_proc(5000, "net:[4026532600]", BE_POD "/cri-containerd-" CTR_BE ".scope");
	assert_int_equal(vft_netns_map__new(root, &m), 0);
	assert_int_equal(vft_netns_map__lookup(m, 4026532600U, &i), 0);
	assert_string_equal(i.pod_uid, POD_BE);
	/* the pod is gone, its inode now another pod's: the table still says the old one */
	rm_at("/proc/5000/ns/net");
	rm_at("/proc/5000/cgroup");
	rm_at("/proc/5000/ns");
	rm_at("/proc/5000");
	add_proc(5100, "net:[4026532600]", GU_POD "/cri-containerd-" CTR_BE ".scope");
	assert_int_equal(vft_netns_map__lookup(m, 4026532600U, &i), 0);
	assert_string_equal(i.pod_uid, POD_BE);
	/* forgotten: the next look-up scans again, at once */
	vft_netns_map__forget(m, 4026532600U);
	vft_netns_map__forget(m, 4026532999U); /* one it never knew: nothing happens */
	assert_int_equal(vft_netns_map__lookup(m, 4026532600U, &i), 0);
	assert_int_equal(i.pid, 5100);
	assert_string_equal(i.pod_uid, POD_GU);
	assert_int_equal(vft_netns_map__lookup(m, HOST_NS, &i), 0);
	vft_netns_map__free(m);
}

static void needs_a_proc_tree(void **state)
{
	struct vft_netns_map *m = (void *)1;
	struct vft_netns_info i;
	char empty[PATH_MAX];

	snprintf(empty, sizeof(empty), "%s/empty", base);
	assert_int_equal(mkdir(empty, 0755), 0);
	assert_int_equal(vft_netns_map__new(empty, &m), -ENOENT);
	assert_null(m);
	/* without run/netns: processes only */
	rm_at("/run/netns/blue");
	rm_at("/run/netns/vft-test");
	rm_at("/run/netns");
	assert_int_equal(vft_netns_map__new(root, &m), 0);
	assert_int_equal(vft_netns_map__lookup(m, GU_NS, &i), 0);
	assert_int_equal(i.pid, 3050);
	vft_netns_map__free(m);
}

/* The inode of a live ns link ("net:[N]"), 0 if unreadable. */
static uint32_t live_ns(const char *path)
{
	char link[64];
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	unsigned long v;

	if (n < 0)
		return 0;
	link[n] = '\0';
	if (sscanf(link, "net:[%lu]", &v) != 1)
		return 0;
	return v;
}

static void live_system(void **state)
{
	struct vft_netns_map *m = NULL;
	struct vft_netns_info i;
	uint32_t self = live_ns("/proc/self/ns/net"), init = live_ns("/proc/1/ns/net");
	char want[64];

	if (!self) {
		print_message("no /proc/self/ns/net here: skipped\n");
		skip();
	}
	assert_int_equal(vft_netns_map__new(NULL, &m), 0);
	assert_int_equal(vft_netns_map__host(m), init);
	assert_int_equal(vft_netns_map__lookup(m, self, &i), 0);
	assert_int_equal(i.netns, self);
	assert_int_equal(i.host, init == self);
	assert_true(i.pid > 0 && i.pid <= (uint32_t)getpid());
	if (!i.name[0]) {
		snprintf(want, sizeof(want), "/proc/%u/ns/net", i.pid);
		assert_string_equal(i.path, want);
	}
	print_message("live: netns %u (host %u), pid %u, %s\n", self, init, i.pid, i.path);
	vft_netns_map__free(m);
}

/* Open file descriptors of this process. */
static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own */
}

/* No child left behind, zombie or not. */
static void expect_no_children(void)
{
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void read_port_set_up_errors(void **state)
{
	struct vft_port_attrs a;
	char path[PATH_MAX];
	int fds = count_fds();

	/*
	 * no such netns: open() in the child; -ESRCH, not the -ENOENT of a
	 * device that is not visible in the netns (a netns that has just gone
	 * is no RDMA_NETNS_MISMATCH)
	 */
	memset(&a, 0x55, sizeof(a));
	at(path, sizeof(path), "/run/netns/nope");
	assert_int_equal(vft_netns__read_port(path, "mlx5_4", 1, &a), -ESRCH);
	assert_int_equal(a.state, 0);
	assert_int_equal(a.lid, 0);
	/* not a netns: setns() in the child */
	at(path, sizeof(path), "/run/netns/vft-test");
	assert_int_equal(vft_netns__read_port(path, "mlx5_4", 1, &a), -EINVAL);
	at(path, sizeof(path), "/proc");
	assert_int_equal(vft_netns__read_port(path, "mlx5_4", 1, &a), -EINVAL);
	if (geteuid() != 0)
		/* not root: setns() into our own netns is refused */
		assert_int_equal(vft_netns__read_port(SELF_NS, "mlx5_4", 1, &a), -EPERM);
	assert_int_equal(count_fds(), fds);
	expect_no_children();
}

/* As root: the same, in a child that gave up root first. */
/*
 * Through the map: a netns whose only path no longer opens (the fixture's
 * /proc/<pid>/ns/net links lead nowhere, as those of a process that has
 * just exited) and one the map does not know both say -ESRCH, after one
 * scan for a newer path.
 */
static void map_read_port_of_a_netns_gone(void **state)
{
	struct vft_netns_map *m = NULL;
	struct vft_port_attrs a;

	assert_int_equal(vft_netns_map__new(root, &m), 0);
	memset(&a, 0x55, sizeof(a));
	assert_int_equal(vft_netns_map__read_port(m, BE_NS, "mlx5_4", 1, &a), -ESRCH);
	assert_int_equal(a.state, 0);
	assert_int_equal(vft_netns_map__read_port(m, 4026539999U, "mlx5_4", 1, &a), -ESRCH);
	/* vft-test opens through its /run/netns name, a plain file here: setns() refuses it */
	assert_int_equal(vft_netns_map__read_port(m, name_ns("vft-test"), "mlx5_4", 1, &a),
			 -EINVAL);
	vft_netns_map__free(m);
	expect_no_children();
}

static void read_port_without_privilege(void **state)
{
	struct vft_port_attrs a;
	pid_t pid;
	int status, err;

	if (geteuid() != 0) {
		print_message("not root: read_port_set_up_errors covers it\n");
		skip();
	}
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(100);
		err = vft_netns__read_port(SELF_NS, "mlx5_4", 1, &a);
		_exit(err < 0 && err > -100 ? -err : 101);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), EPERM);
}

static void read_port_as_root(void **state)
{
	struct vft_port_attrs a;
	int fds = count_fds(), err, k;

	if (geteuid() != 0) {
		print_message("not root: skipped\n");
		skip();
	}
	err = vft_netns__read_port(SELF_NS, NO_DEV, 1, &a);
	if (err != -ENOENT && err != 0)
		print_message("read_port in our own netns: %d (%s)\n", err, strerror(-err));
	/* a device that does not exist, seen from a fresh sysfs of our own netns */
	assert_int_equal(err, -ENOENT);
	/* a name that is no name: vft_inventory__read_port() in the child says so */
	assert_int_equal(vft_netns__read_port(SELF_NS, "a/b", 1, &a), -EINVAL);
	/* the parent's mounts are untouched, and nothing piles up */
	for (k = 0; k < 20; k++)
		assert_int_equal(vft_netns__read_port(SELF_NS, NO_DEV, 1, &a), -ENOENT);
	assert_int_equal(count_fds(), fds);
	expect_no_children();
}

/* As root, in a netns of a helper's own: the child mounts a sysfs of that netns. */
static void read_port_in_another_netns(void **state)
{
	struct vft_port_attrs a;
	char path[64], c;
	int p[2], status, err, fds;
	pid_t pid;

	if (geteuid() != 0) {
		print_message("not root: skipped\n");
		skip();
	}
	fds = count_fds();
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		if (unshare(CLONE_NEWNET))
			_exit(1);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	c = 0;
	if (read(p[0], &c, 1) != 1 || c != 'x') {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(p[0]);
		print_message("cannot make a netns: skipped\n");
		skip();
	}
	close(p[0]);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	err = vft_netns__read_port(path, NO_DEV, 1, &a);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(err, -ENOENT);
	assert_int_equal(count_fds(), fds);
	expect_no_children();
}

static volatile sig_atomic_t signals;

static void on_signal(int sig)
{
	signals++;
}

/* Signals without SA_RESTART while the parent reads and waits. */
static void read_port_through_eintr(void **state)
{
	struct sigaction sa = { .sa_handler = on_signal }, old_chld, old_alrm;
	struct itimerval it = { { 0, 500 }, { 0, 500 } }, off = { { 0, 0 }, { 0, 0 } };
	struct vft_port_attrs a;
	char path[PATH_MAX];
	int fds = count_fds(), k, want;

	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGCHLD, &sa, &old_chld), 0);
	assert_int_equal(sigaction(SIGALRM, &sa, &old_alrm), 0);
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
	at(path, sizeof(path), "/run/netns/vft-test");
	for (k = 0; k < 20; k++)
		assert_int_equal(vft_netns__read_port(path, "mlx5_4", 1, &a), -EINVAL);
	want = geteuid() == 0 ? -ENOENT : -EPERM;
	for (k = 0; k < 20; k++)
		assert_int_equal(vft_netns__read_port(SELF_NS, NO_DEV, 1, &a), want);
	assert_int_equal(setitimer(ITIMER_REAL, &off, NULL), 0);
	assert_int_equal(sigaction(SIGALRM, &old_alrm, NULL), 0);
	assert_int_equal(sigaction(SIGCHLD, &old_chld, NULL), 0);
	print_message("%d signals\n", (int)signals);
	assert_true(signals > 0);
	assert_int_equal(count_fds(), fds);
	expect_no_children();
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(finds_the_host),
		T(attributes_pods),
		T(names_from_run_netns),
		T(picks_the_lowest_pid),
		T(two_names_for_one_netns),
		T(unknown_netns),
		T(skips_what_says_nothing_clear),
		T(processes_vanish),
		T(rescans_at_most_once_a_second),
		T(forgets_a_destroyed_netns),
		T(needs_a_proc_tree),
		cmocka_unit_test(live_system),
		T(read_port_set_up_errors),
		T(map_read_port_of_a_netns_gone),
		cmocka_unit_test(read_port_without_privilege),
		cmocka_unit_test(read_port_as_root),
		cmocka_unit_test(read_port_in_another_netns),
		T(read_port_through_eintr),
	};

	return cmocka_run_group_tests_name("netns", tests, NULL, NULL);
}
