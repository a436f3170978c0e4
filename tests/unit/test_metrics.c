// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_metrics.c - the Prometheus registry: every family with HELP and
 * TYPE, every code, kind and hook at 0 from the start, counters and gauges,
 * label escaping, sorted and stable output; the atomic textfile (mode,
 * content, no temporary left, symlinks refused, failures clean); the HTTP
 * endpoint over a plain socket (200, 404, 405, HEAD), bad addresses and a
 * port in use; the process_* families from a /proc fixture tree and from
 * the live /proc, and the BPF map gauges.
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
#include <ftw.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include "correlate/correlate.h"
#include "model/event.h"
#include "sources/hooks.h"
#include "sinks/metrics.h"
#include "lib/util.h"

static char tmpdir[256];

/* Every family in rendering order; @later: there only once its value was reported. */
static const struct {
	const char *name;
	const char *type;
	bool later;
} families[] = {
	{ "process_cpu_seconds_total", "counter", true },
	{ "process_max_fds", "gauge", true },
	{ "process_open_fds", "gauge", true },
	{ "process_resident_memory_bytes", "gauge", true },
	{ "process_start_time_seconds", "gauge", true },
	{ "process_virtual_memory_bytes", "gauge", true },
	{ "vftrace_bpf_map_bytes", "gauge", true },
	{ "vftrace_build_info", "gauge", false },
	{ "vftrace_capture_bytes_total", "counter", false },
	{ "vftrace_check_last_timestamp_seconds", "gauge", false },
	{ "vftrace_events_lost_total", "counter", false },
	{ "vftrace_events_total", "counter", false },
	{ "vftrace_findings_open", "gauge", false },
	{ "vftrace_findings_raised_total", "counter", false },
	{ "vftrace_findings_resolved_total", "counter", false },
	{ "vftrace_hook_attached", "gauge", false },
	{ "vftrace_state_forgotten_total", "counter", false },
	{ "vftrace_state_records", "gauge", false },
	{ "vftrace_vfs", "gauge", false },
	{ "vftrace_vfs_ready", "gauge", false },
};

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int setup(void **state)
{
	const char *base = access("/dev/shm", W_OK) ? (getenv("TMPDIR") ?: "/tmp") : "/dev/shm";

	snprintf(tmpdir, sizeof(tmpdir), "%s/vft-metrics-XXXXXX", base);
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	chmod(tmpdir, 0700);
	return nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *tpath(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

static char *render(struct vft_metrics *m)
{
	char *buf = NULL;
	size_t len = 0;

	assert_int_equal(vft_metrics__render(m, &buf, &len), 0);
	assert_non_null(buf);
	assert_int_equal(strlen(buf), len);
	assert_true(len > 0 && buf[len - 1] == '\n');
	return buf;
}

/* @text has the whole line @line. */
static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p;

	for (p = strstr(text, line); p; p = strstr(p + 1, line))
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\r'))
			return true;
	return false;
}

static void assert_line(const char *text, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (!has_line(text, line))
		fail_msg("no line \"%s\" in:\n%s", line, text);
}

static size_t count_prefix(const char *text, const char *prefix)
{
	size_t n = 0, len = strlen(prefix);
	const char *p;

	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, prefix, len))
			n++;
	return n;
}

/* @text has a HELP and a TYPE line for every family (@all: the later ones too), and no other. */
static void assert_families(const char *text, bool all)
{
	size_t i, n = 0;
	char help[128];

	for (i = 0; i < ARRAY_SIZE(families); i++) {
		snprintf(help, sizeof(help), "# HELP %s ", families[i].name);
		if (!all && families[i].later) {
			assert_int_equal(count_prefix(text, help), 0);
			continue;
		}
		assert_int_equal(count_prefix(text, help), 1);
		assert_line(text, "# TYPE %s %s", families[i].name, families[i].type);
		n++;
	}
	assert_int_equal(count_prefix(text, "# HELP "), n);
	assert_int_equal(count_prefix(text, "# TYPE "), n);
}

static void renders_every_family(void **state)
{
	struct vft_metrics *m = vft_metrics__new();
	struct utsname uts;
	char *text;

	assert_non_null(m);
	text = render(m);
	/* the process and map families wait for their first values */
	assert_families(text, false);
	assert_int_equal(count_prefix(text, "process_"), 0);
	assert_int_equal(uname(&uts), 0);
	assert_line(text, "vftrace_build_info{kernel=\"%s\",version=\"%s\"} 1", uts.release,
		    VFTRACE_VERSION);
	free(text);

	assert_int_equal(vft_metrics__process(m, NULL), 0);
	assert_int_equal(vft_metrics__bpf_map(m, "events", 4096), 0);
	text = render(m);
	assert_families(text, true);
	free(text);
	vft_metrics__free(m);
}

static void state_records(void **state)
{
	struct vft_metrics *m = vft_metrics__new();
	char *text;

	assert_non_null(m);
	text = render(m);
	assert_line(text, "vftrace_state_records{kind=\"vf\"} 0");
	assert_line(text, "vftrace_state_forgotten_total{kind=\"netns\"} 0");
	free(text);
	vft_metrics__state(m, 10240, 37, 5, 86795);
	text = render(m);
	assert_line(text, "vftrace_state_records{kind=\"netns\"} 37");
	assert_line(text, "vftrace_state_records{kind=\"vf\"} 10240");
	assert_line(text, "vftrace_state_forgotten_total{kind=\"netns\"} 86795");
	assert_line(text, "vftrace_state_forgotten_total{kind=\"vf\"} 5");
	free(text);
	vft_metrics__free(m);
}

static void starts_at_zero(void **state)
{
	struct vft_metrics *m = vft_metrics__new();
	size_t n_codes = 0, n_kinds = 0;
	uint32_t v;
	char *text;
	size_t i;

	assert_non_null(m);
	text = render(m);
	for (v = 1; v < VFT_F_MAX; v++) {
		assert_non_null(vft_finding__name(v));
		assert_line(text, "vftrace_findings_raised_total{code=\"%s\"} 0",
			    vft_finding__name(v));
		assert_line(text, "vftrace_findings_resolved_total{code=\"%s\"} 0",
			    vft_finding__name(v));
		assert_line(text, "vftrace_findings_open{code=\"%s\"} 0", vft_finding__name(v));
		n_codes++;
	}
	for (v = 1; v < VFT_EV_KIND_MAX; v++) {
		assert_non_null(vft_kind__name(v));
		assert_line(text, "vftrace_events_total{kind=\"%s\"} 0", vft_kind__name(v));
		n_kinds++;
	}
	assert_int_equal(count_prefix(text, "vftrace_findings_raised_total{"), n_codes);
	assert_int_equal(count_prefix(text, "vftrace_findings_resolved_total{"), n_codes);
	assert_int_equal(count_prefix(text, "vftrace_findings_open{"), n_codes);
	assert_int_equal(count_prefix(text, "vftrace_events_total{"), n_kinds);
	for (i = 0; i < VFT_HOOK_MAX; i++)
		assert_line(text, "vftrace_hook_attached{hook=\"%s\"} 0", vft_hook_defs[i].name);
	assert_int_equal(count_prefix(text, "vftrace_hook_attached{"), VFT_HOOK_MAX);
	assert_line(text, "vftrace_events_lost_total 0");
	assert_line(text, "vftrace_capture_bytes_total 0");
	assert_line(text, "vftrace_check_last_timestamp_seconds 0.000");
	assert_line(text, "vftrace_vfs{state=\"host\"} 0");
	assert_line(text, "vftrace_vfs{state=\"pod\"} 0");
	assert_line(text, "vftrace_vfs{state=\"stranded\"} 0");
	assert_line(text, "vftrace_vfs_ready{ready=\"false\"} 0");
	assert_line(text, "vftrace_vfs_ready{ready=\"true\"} 0");
	free(text);
	vft_metrics__free(m);
}

static void counts_and_sets(void **state)
{
	struct vft_metrics *m = vft_metrics__new();
	char *text, *again;

	assert_non_null(m);
	assert_int_equal(vft_metrics__finding(m, VFT_F_HOST_MANAGER_CLAIM, false), 0);
	assert_int_equal(vft_metrics__finding(m, VFT_F_HOST_MANAGER_CLAIM, false), 0);
	assert_int_equal(vft_metrics__finding(m, VFT_F_HOST_MANAGER_CLAIM, true), 0);
	assert_int_equal(vft_metrics__finding(m, VFT_F_LID_MISSING, true), 0);
	assert_int_equal(vft_metrics__event(m, VFT_EV_NETNS_MOVE), 0);
	assert_int_equal(vft_metrics__event(m, VFT_EV_NETNS_MOVE), 0);
	assert_int_equal(vft_metrics__event(m, VFT_EV_LOST), 0);
	vft_metrics__lost(m, 5);
	vft_metrics__lost(m, 3);
	vft_metrics__capture_bytes(m, 4096);
	vft_metrics__capture_bytes(m, 1);
	vft_metrics__vfs(m, 3, 2, 1);
	vft_metrics__check(m, 1795900000123456789ULL, 4, 1);
	assert_int_equal(vft_metrics__hook(m, "netns_move", true), 0);
	assert_int_equal(vft_metrics__hook(m, "vf_add", true), 0);
	assert_int_equal(vft_metrics__hook(m, "vf_add", false), 0);
	text = render(m);
	assert_line(text, "vftrace_findings_raised_total{code=\"HOST_MANAGER_CLAIM\"} 2");
	assert_line(text, "vftrace_findings_resolved_total{code=\"HOST_MANAGER_CLAIM\"} 1");
	assert_line(text, "vftrace_findings_open{code=\"HOST_MANAGER_CLAIM\"} 1");
	/* a resolution without its raise (a restart) never makes the gauge negative */
	assert_line(text, "vftrace_findings_resolved_total{code=\"LID_MISSING\"} 1");
	assert_line(text, "vftrace_findings_open{code=\"LID_MISSING\"} 0");
	assert_line(text, "vftrace_findings_raised_total{code=\"VF_STRANDED\"} 0");
	assert_line(text, "vftrace_events_total{kind=\"netns_move\"} 2");
	assert_line(text, "vftrace_events_total{kind=\"lost\"} 1");
	assert_line(text, "vftrace_events_total{kind=\"netdev_register\"} 0");
	assert_line(text, "vftrace_events_lost_total 8");
	assert_line(text, "vftrace_capture_bytes_total 4097");
	assert_line(text, "vftrace_vfs{state=\"host\"} 3");
	assert_line(text, "vftrace_vfs{state=\"pod\"} 2");
	assert_line(text, "vftrace_vfs{state=\"stranded\"} 1");
	assert_line(text, "vftrace_check_last_timestamp_seconds 1795900000.123");
	assert_line(text, "vftrace_vfs_ready{ready=\"true\"} 4");
	assert_line(text, "vftrace_vfs_ready{ready=\"false\"} 1");
	assert_line(text, "vftrace_hook_attached{hook=\"netns_move\"} 1");
	assert_line(text, "vftrace_hook_attached{hook=\"vf_add\"} 0");
	assert_line(text, "vftrace_hook_attached{hook=\"vf_remove\"} 0");

	/* unknown codes and kinds are refused and counted nowhere */
	assert_int_equal(vft_metrics__finding(m, 0, false), -EINVAL);
	assert_int_equal(vft_metrics__finding(m, VFT_F_MAX, true), -EINVAL);
	assert_int_equal(vft_metrics__event(m, 0), -EINVAL);
	assert_int_equal(vft_metrics__event(m, VFT_EV_KIND_MAX), -EINVAL);
	again = render(m);
	assert_string_equal(again, text);
	free(again);
	free(text);

	/* gauges are set, not added */
	vft_metrics__vfs(m, 0, 7, 0);
	vft_metrics__check(m, 2000000000ULL * 1000000000ULL, 0, 0);
	text = render(m);
	assert_line(text, "vftrace_vfs{state=\"host\"} 0");
	assert_line(text, "vftrace_vfs{state=\"pod\"} 7");
	assert_line(text, "vftrace_check_last_timestamp_seconds 2000000000.000");
	assert_line(text, "vftrace_vfs_ready{ready=\"true\"} 0");
	free(text);
	vft_metrics__free(m);
}

static void escapes_label_values(void **state)
{
	struct vft_metrics *m = vft_metrics__new();
	char *text;

	assert_non_null(m);
	assert_int_equal(vft_metrics__build_info(m, "1.0\"beta\\", "6.1\nx\x01\xc3\xa9"), 0);
	assert_int_equal(vft_metrics__hook(m, "a\"b", true), 0);
	text = render(m);
	assert_line(text,
		    "vftrace_build_info{kernel=\"6.1\\nx???\",version=\"1.0\\\"beta\\\\\"} 1");
	assert_line(text, "vftrace_hook_attached{hook=\"a\\\"b\"} 1");
	free(text);

	/* NULL keeps a label */
	assert_int_equal(vft_metrics__build_info(m, NULL, "6.12.0-1-amd64"), 0);
	text = render(m);
	assert_line(text,
		    "vftrace_build_info{kernel=\"6.12.0-1-amd64\",version=\"1.0\\\"beta\\\\\"} 1");
	free(text);
	vft_metrics__free(m);
}

/* The label value of a sample line, or "" without labels. */
static void label_of(const char *line, size_t len, char *out, size_t size)
{
	const char *q = memchr(line, '"', len);
	const char *e;

	out[0] = '\0';
	if (!q)
		return;
	e = memchr(q + 1, '"', len - (q + 1 - line));
	assert_non_null(e);
	snprintf(out, size, "%.*s", (int)(e - q - 1), q + 1);
}

static void sorted_and_stable(void **state)
{
	struct vft_metrics *m = vft_metrics__new();
	char family[128] = "", label[128], prev_label[128] = "";
	const char *p, *nl;
	char *text, *again;
	size_t n_families = 0, len, flen;

	assert_non_null(m);
	assert_int_equal(vft_metrics__hook(m, "aaa_first", true), 0);
	assert_int_equal(vft_metrics__hook(m, "zzz_last", false), 0);
	assert_int_equal(vft_metrics__process(m, NULL), 0);
	assert_int_equal(vft_metrics__bpf_map(m, "stashes", 1), 0);
	assert_int_equal(vft_metrics__bpf_map(m, "counters", 2), 0);
	text = render(m);
	for (p = text; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		len = nl - p;
		if (!strncmp(p, "# HELP ", 7))
			continue;
		if (!strncmp(p, "# TYPE ", 7)) {
			flen = strcspn(p + 7, " ");
			snprintf(family, sizeof(family), "%.*s", (int)flen, p + 7);
			/* families in strictly increasing order: each once */
			assert_true(n_families < ARRAY_SIZE(families));
			if (n_families)
				assert_true(strcmp(family, families[n_families - 1].name) > 0);
			assert_string_equal(family, families[n_families].name);
			n_families++;
			prev_label[0] = '\0';
			continue;
		}
		/* a sample of the family just declared, label values increasing */
		flen = strlen(family);
		assert_true(len > flen && !strncmp(p, family, flen) &&
			    (p[flen] == ' ' || p[flen] == '{'));
		label_of(p, len, label, sizeof(label));
		if (prev_label[0])
			assert_true(strcmp(prev_label, label) < 0);
		snprintf(prev_label, sizeof(prev_label), "%s", label);
	}
	assert_int_equal(n_families, ARRAY_SIZE(families));
	p = strstr(text, "vftrace_hook_attached{");
	assert_non_null(p);
	assert_true(!strncmp(p, "vftrace_hook_attached{hook=\"aaa_first\"} 1\n", 41));
	assert_non_null(strstr(text, "vftrace_hook_attached{hook=\"zzz_last\"} 0\n# HELP"));

	again = render(m);
	assert_string_equal(again, text);
	free(again);
	free(text);
	vft_metrics__free(m);
}

static void hook_limits(void **state)
{
	struct vft_metrics *m = vft_metrics__new();
	char name[32];
	int i, err = 0;

	assert_non_null(m);
	assert_int_equal(vft_metrics__hook(m, NULL, true), -EINVAL);
	assert_int_equal(vft_metrics__hook(m, "", true), -EINVAL);
	for (i = 0; i < VFT_METRICS_MAX_HOOKS && !err; i++) {
		snprintf(name, sizeof(name), "extra_%02d", i);
		err = vft_metrics__hook(m, name, true);
	}
	assert_int_equal(err, -ENOSPC);
	assert_int_equal(i, VFT_METRICS_MAX_HOOKS - VFT_HOOK_MAX + 1);
	/* a known one can still change */
	assert_int_equal(vft_metrics__hook(m, "netns_move", true), 0);
	vft_metrics__free(m);
}

static char *slurp(const char *path)
{
	char *buf = calloc(1, 1 << 16);
	ssize_t n;
	int fd = open(path, O_RDONLY);

	assert_non_null(buf);
	assert_true(fd >= 0);
	n = read(fd, buf, (1 << 16) - 1);
	assert_true(n >= 0);
	close(fd);
	return buf;
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* Entries of @dir other than . and .. */
static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void textfile_is_atomic_and_private(void **state)
{
	struct vft_metrics *m = vft_metrics__new();
	const char *dir = tpath("atomic");
	char path[600], tmp[700], *text, *want;
	struct stat st;
	mode_t old;

	assert_non_null(m);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/vftrace.prom", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());

	/* a umask that takes the owner's write bit still gives 0600 */
	old = umask(0277);
	assert_int_equal(vft_metrics__write_textfile(m, path), 0);
	umask(old);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	text = slurp(path);
	want = render(m);
	assert_string_equal(text, want);
	free(text);
	free(want);
	assert_int_equal(count_entries(dir), 1);

	/* a rewrite replaces it whole */
	vft_metrics__lost(m, 42);
	assert_int_equal(vft_metrics__write_textfile(m, path), 0);
	text = slurp(path);
	assert_line(text, "vftrace_events_lost_total 42");
	free(text);
	assert_int_equal(count_entries(dir), 1);

	/* a temporary left by a killed process with this pid, even a symlink, is replaced */
	write_file(tpath("victim"), "keep\n");
	assert_int_equal(symlink(tpath("victim"), tmp), 0);
	vft_metrics__lost(m, 1);
	assert_int_equal(vft_metrics__write_textfile(m, path), 0);
	text = slurp(path);
	assert_line(text, "vftrace_events_lost_total 43");
	free(text);
	text = slurp(tpath("victim"));
	assert_string_equal(text, "keep\n");
	free(text);
	assert_int_equal(count_entries(dir), 1);
	vft_metrics__free(m);
}

static void textfile_refuses_symlinks(void **state)
{
	struct vft_metrics *m = vft_metrics__new();
	const char *dir = tpath("links");
	char path[600], target[600], *text;
	struct stat st;

	assert_non_null(m);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/vftrace.prom", dir);
	snprintf(target, sizeof(target), "%s/target", dir);
	write_file(target, "keep\n");
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(vft_metrics__write_textfile(m, path), -ELOOP);
	text = slurp(target);
	assert_string_equal(text, "keep\n");
	free(text);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(count_entries(dir), 2);

	/* a dangling link too: nothing is created where it points */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(symlink("nowhere", path), 0);
	assert_int_equal(vft_metrics__write_textfile(m, path), -ELOOP);
	assert_int_equal(lstat(tpath("links/nowhere"), &st), -1);
	assert_int_equal(count_entries(dir), 2);
	vft_metrics__free(m);
}

static void textfile_fails_cleanly(void **state)
{
	struct vft_metrics *m = vft_metrics__new();
	const char *dir = tpath("fail");
	char path[600];

	assert_non_null(m);
	assert_int_equal(vft_metrics__write_textfile(m, tpath("missing/vftrace.prom")), -ENOENT);
	assert_int_equal(vft_metrics__write_textfile(m, ""), -EINVAL);

	assert_int_equal(mkdir(dir, 0700), 0);
	/* the rename fails after the temporary was written: it is removed */
	snprintf(path, sizeof(path), "%s/adir", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(vft_metrics__write_textfile(m, path), -EISDIR);
	assert_int_equal(count_entries(dir), 1);
	/* a parent that is a file */
	snprintf(path, sizeof(path), "%s/afile", dir);
	write_file(path, "x");
	strcat(path, "/vftrace.prom");
	assert_int_equal(vft_metrics__write_textfile(m, path), -ENOTDIR);
	assert_int_equal(count_entries(dir), 2);

	/* a read-only directory (root writes there anyway) */
	snprintf(path, sizeof(path), "%s/vftrace.prom", dir);
	assert_int_equal(chmod(dir, 0500), 0);
	if (geteuid())
		assert_int_equal(vft_metrics__write_textfile(m, path), -EACCES);
	assert_int_equal(chmod(dir, 0700), 0);
	vft_metrics__free(m);
}

/* Sends @req to [@family loopback]:@port, reads the reply to EOF. Its length, or -1. */
static ssize_t http(int family, uint16_t port, const char *req, char *buf, size_t size)
{
	struct timeval tv = { .tv_sec = 5 };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	size_t off = 0;
	ssize_t n = 0;
	int fd;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin6.sin6_addr = in6addr_loopback;
	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	if (family == AF_INET6)
		assert_int_equal(connect(fd, (struct sockaddr *)&sin6, sizeof(sin6)), 0);
	else
		assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	while (off + 1 < size && (n = read(fd, buf + off, size - 1 - off)) > 0)
		off += n;
	buf[off] = '\0';
	close(fd);
	return n < 0 ? -1 : (ssize_t)off;
}

/* The reply's status code, and its body in @body. */
static int status_of(const char *reply, const char **body)
{
	int status = 0;
	const char *end = strstr(reply, "\r\n\r\n");

	assert_int_equal(sscanf(reply, "HTTP/1.%*d %d ", &status), 1);
	assert_non_null(end);
	*body = end + 4;
	return status;
}

static void http_serves_metrics(void **state)
{
	struct vft_metrics *m = vft_metrics__new();
	struct vft_metrics_server *s = NULL;
	static char reply[1 << 16];
	const char *body;
	char addr[64], want[64];
	uint16_t port;

	assert_non_null(m);
	assert_int_equal(vft_metrics__serve(m, "127.0.0.1:0", &s), 0);
	assert_non_null(s);
	port = vft_metrics_server__port(s);
	assert_true(port > 0);
	vft_metrics_server__addr(s, addr, sizeof(addr));
	snprintf(want, sizeof(want), "127.0.0.1:%u", port);
	assert_string_equal(addr, want);

	assert_true(http(AF_INET, port, "GET /metrics HTTP/1.0\r\n\r\n", reply, sizeof(reply)) > 0);
	assert_int_equal(status_of(reply, &body), 200);
	assert_non_null(strcasestr(reply, "\r\nContent-Type: " VFT_METRICS_CONTENT_TYPE "\r\n"));
	assert_line(body, "# TYPE vftrace_events_total counter");
	assert_line(body, "vftrace_events_total{kind=\"netdev_register\"} 0");

	/* an update shows in the next scrape */
	assert_int_equal(vft_metrics__event(m, VFT_EV_NETDEV_REGISTER), 0);
	assert_true(http(AF_INET, port, "GET /metrics HTTP/1.0\r\n\r\n", reply, sizeof(reply)) > 0);
	assert_int_equal(status_of(reply, &body), 200);
	assert_line(body, "vftrace_events_total{kind=\"netdev_register\"} 1");

	/* HEAD: the headers without the body */
	assert_true(http(AF_INET, port, "HEAD /metrics HTTP/1.0\r\n\r\n", reply, sizeof(reply)) >
		    0);
	assert_int_equal(status_of(reply, &body), 200);
	assert_string_equal(body, "");
	vft_metrics_server__free(s);
	vft_metrics__free(m);
}

static void http_404_and_405(void **state)
{
	struct vft_metrics *m = vft_metrics__new();
	struct vft_metrics_server *s = NULL;
	static char reply[1 << 16];
	const char *body;
	uint16_t port;

	assert_non_null(m);
	assert_int_equal(vft_metrics__serve(m, "127.0.0.1:0", &s), 0);
	port = vft_metrics_server__port(s);
	assert_true(http(AF_INET, port, "GET / HTTP/1.0\r\n\r\n", reply, sizeof(reply)) > 0);
	assert_int_equal(status_of(reply, &body), 404);
	assert_null(strstr(body, "vftrace_"));
	assert_true(http(AF_INET, port, "GET /metrics/x HTTP/1.0\r\n\r\n", reply, sizeof(reply)) >
		    0);
	assert_int_equal(status_of(reply, &body), 404);
	assert_true(http(AF_INET, port, "POST /metrics HTTP/1.0\r\nContent-Length: 0\r\n\r\n",
			 reply, sizeof(reply)) > 0);
	assert_int_equal(status_of(reply, &body), 405);
	assert_non_null(strcasestr(reply, "\r\nAllow: GET, HEAD\r\n"));
	assert_null(strstr(body, "vftrace_"));
	assert_true(http(AF_INET, port, "DELETE /metrics HTTP/1.0\r\n\r\n", reply, sizeof(reply)) >
		    0);
	assert_int_equal(status_of(reply, &body), 405);
	vft_metrics_server__free(s);
	vft_metrics__free(m);
}

static void http_refuses_bad_addresses(void **state)
{
	static const char *const bad[] = {
		"",
		"9477",
		"127.0.0.1",
		"127.0.0.1:",
		"127.0.0.1:65536",
		"127.0.0.1:-1",
		"127.0.0.1:9x",
		"127.0.0.1:123456",
		"localhost:9477",
		"1.2.3:9477",
		"::1:9477",
		"[::1]",
		"[::1]9477",
		"[]:9477",
		"[127.0.0.1]:9477",
		"[::1:9477",
		"1.2.3.4.5:80",
		" 127.0.0.1:80",
	};
	struct vft_metrics *m = vft_metrics__new();
	struct vft_metrics_server *s = (void *)1;
	size_t i;

	assert_non_null(m);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (vft_metrics__serve(m, bad[i], &s) != -EINVAL)
			fail_msg("\"%s\" was not refused with EINVAL", bad[i]);
		assert_null(s);
	}
	assert_int_equal(vft_metrics__serve(m, NULL, &s), -EINVAL);
	/* well formed, but no interface has it (TEST-NET-1) */
	assert_int_equal(vft_metrics__serve(m, "192.0.2.1:0", &s), -EADDRNOTAVAIL);
	assert_null(s);
	vft_metrics__free(m);
}

static void http_port_in_use(void **state)
{
	struct vft_metrics *m = vft_metrics__new();
	struct vft_metrics_server *a = NULL, *b = NULL;
	char addr[64];

	assert_non_null(m);
	assert_int_equal(vft_metrics__serve(m, "127.0.0.1:0", &a), 0);
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", vft_metrics_server__port(a));
	assert_int_equal(vft_metrics__serve(m, addr, &b), -EADDRINUSE);
	assert_null(b);
	/* freeing the server frees the port */
	vft_metrics_server__free(a);
	assert_int_equal(vft_metrics__serve(m, addr, &b), 0);
	vft_metrics_server__free(b);
	vft_metrics__free(m);
}

static void http_binds_where_asked(void **state)
{
	struct vft_metrics *m = vft_metrics__new();
	struct vft_metrics_server *s = NULL;
	static char reply[1 << 16];
	const char *body;
	char addr[64];
	int err;

	assert_non_null(m);
	/* no host: loopback, never all interfaces */
	assert_int_equal(vft_metrics__serve(m, ":0", &s), 0);
	vft_metrics_server__addr(s, addr, sizeof(addr));
	assert_true(!strncmp(addr, "127.0.0.1:", 10));
	vft_metrics_server__free(s);
	/* all interfaces when named */
	assert_int_equal(vft_metrics__serve(m, "0.0.0.0:0", &s), 0);
	vft_metrics_server__addr(s, addr, sizeof(addr));
	assert_true(!strncmp(addr, "0.0.0.0:", 8));
	assert_true(http(AF_INET, vft_metrics_server__port(s), "GET /metrics HTTP/1.0\r\n\r\n",
			 reply, sizeof(reply)) > 0);
	assert_int_equal(status_of(reply, &body), 200);
	vft_metrics_server__free(s);

	err = vft_metrics__serve(m, "[::1]:0", &s);
	if (err == -EADDRNOTAVAIL || err == -EAFNOSUPPORT) {
		vft_metrics__free(m);
		skip(); /* no IPv6 loopback here */
	}
	assert_int_equal(err, 0);
	vft_metrics_server__addr(s, addr, sizeof(addr));
	assert_true(!strncmp(addr, "[::1]:", 6));
	assert_true(http(AF_INET6, vft_metrics_server__port(s), "GET /metrics HTTP/1.0\r\n\r\n",
			 reply, sizeof(reply)) > 0);
	assert_int_equal(status_of(reply, &body), 200);
	assert_line(body, "vftrace_capture_bytes_total 0");
	vft_metrics_server__free(s);
	vft_metrics__free(m);
}

/* A connection to 127.0.0.1:@port from 127.0.0.@src (every 127/8 address is this host's). */
static int connect_from(uint16_t port, int src)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct sockaddr_in from = { .sin_family = AF_INET };
	struct timeval tv = { .tv_sec = 5 };
	int fd;

	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	from.sin_addr.s_addr = htonl(0x7f000000 | src);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)), 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&from, sizeof(from)), 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&to, sizeof(to)), 0);
	return fd;
}

/* @req sent on @fd, the reply read to EOF into @buf: its status code (0: closed without one). */
static int exchange(int fd, const char *req, char *buf, size_t size)
{
	const char *body;
	size_t off = 0;
	ssize_t n;

	if (req)
		assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	while (off + 1 < size && (n = read(fd, buf + off, size - 1 - off)) > 0)
		off += n;
	buf[off] = '\0';
	close(fd);
	return off ? status_of(buf, &body) : 0;
}

/* The value of the sample @name in a scrape of @port (from 127.0.0.9), which must have it. */
static uint64_t scraped(uint16_t port, const char *name)
{
	static char reply[1 << 16];
	unsigned long long v;
	const char *p;

	assert_int_equal(exchange(connect_from(port, 9), "GET /metrics HTTP/1.0\r\n\r\n", reply,
				  sizeof(reply)),
			 200);
	p = strstr(reply, name);
	assert_non_null(p);
	assert_int_equal(sscanf(p + strlen(name), " %llu", &v), 1);
	return v;
}

#define DROPPED(reason) "\nvftrace_http_connections_dropped_total{reason=\"" reason "\"}"

static void http_healthz(void **state)
{
	struct vft_metrics *m = vft_metrics__new();
	struct vft_metrics_server *s = NULL;
	static char reply[1 << 16];
	const char *body, *hook, *http, *forgotten;
	char pad[2100];
	uint16_t port;
	int fd;

	assert_non_null(m);
	assert_int_equal(vft_metrics__serve(m, "127.0.0.1:0", &s), 0);
	port = vft_metrics_server__port(s);
	assert_int_equal(exchange(connect_from(port, 1), "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n",
				  reply, sizeof(reply)),
			 200);
	assert_int_equal(status_of(reply, &body), 200);
	assert_string_equal(body, "ok\n");
	assert_non_null(strcasestr(reply, "\r\nContent-Length: 3\r\n"));
	assert_int_equal(
		exchange(connect_from(port, 1), "HEAD /healthz HTTP/1.0\n\n", reply, sizeof(reply)),
		200);
	assert_int_equal(status_of(reply, &body), 200);
	assert_string_equal(body, "");
	assert_int_equal(exchange(connect_from(port, 1), "GET /healthz?verbose=1 HTTP/1.0\r\n\r\n",
				  reply, sizeof(reply)),
			 200);
	/* the request line in two writes: the front door waits for the rest */
	fd = connect_from(port, 1);
	assert_int_equal(write(fd, "GET /heal", 9), 9);
	assert_int_equal(exchange(fd, "thz HTTP/1.0\r\nAccept: */*\r\n\r\n", reply, sizeof(reply)),
			 200);
	/* what is not a probe goes to libmicrohttpd, which says what is wrong */
	assert_int_equal(exchange(connect_from(port, 1), "GET /healthzx HTTP/1.0\r\n\r\n", reply,
				  sizeof(reply)),
			 404);
	assert_int_equal(exchange(connect_from(port, 1),
				  "POST /healthz HTTP/1.0\r\nContent-Length: 0\r\n\r\n", reply,
				  sizeof(reply)),
			 405);
	/* a probe whose head outgrows the front door's peek is answered by libmicrohttpd */
	memset(pad, 'x', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	snprintf(reply, sizeof(reply), "GET /healthz HTTP/1.0\r\nX-Pad: %s\r\n\r\n", pad);
	assert_int_equal(exchange(connect_from(port, 1), reply, reply, sizeof(reply)), 200);
	assert_int_equal(status_of(reply, &body), 200);
	assert_string_equal(body, "ok\n");

	/* the drops' family, among the registry's in name order */
	assert_int_equal(exchange(connect_from(port, 1), "GET /metrics HTTP/1.0\r\n\r\n", reply,
				  sizeof(reply)),
			 200);
	hook = strstr(reply, "\n# HELP vftrace_hook_attached ");
	http = strstr(reply, "\n# HELP vftrace_http_connections_dropped_total ");
	forgotten = strstr(reply, "\n# HELP vftrace_state_forgotten_total ");
	assert_true(hook && http && forgotten && hook < http && http < forgotten);
	assert_non_null(strstr(http,
			       "\n# TYPE vftrace_http_connections_dropped_total counter\n"
			       "vftrace_http_connections_dropped_total{reason=\"evicted\"} 0\n"
			       "vftrace_http_connections_dropped_total{reason=\"refused\"} 0\n"
			       "vftrace_http_connections_dropped_total{reason=\"timeout\"} 0\n"));
	vft_metrics_server__free(s);
	vft_metrics__free(m);
}

/*
 * 200 idle connections from one client: /healthz and /metrics still answer
 * at once; the front door evicted the oldest to keep room.
 */
static void http_liveness_under_pressure(void **state)
{
	struct vft_metrics *m = vft_metrics__new();
	struct vft_metrics_server *s = NULL;
	static char reply[1 << 16];
	struct timespec t0, t1;
	int idle[200], i;
	uint16_t port;

	assert_non_null(m);
	assert_int_equal(vft_metrics__serve(m, "127.0.0.1:0", &s), 0);
	port = vft_metrics_server__port(s);
	for (i = 0; i < 200; i++)
		idle[i] = connect_from(port, 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(exchange(connect_from(port, 1), "GET /healthz HTTP/1.0\r\n\r\n", reply,
				  sizeof(reply)),
			 200);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* no wait on anyone: well under the front door's 2 s */
	assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 1000);
	assert_int_equal(exchange(connect_from(port, 2), "GET /metrics HTTP/1.0\r\n\r\n", reply,
				  sizeof(reply)),
			 200);
	/* 200 idle + 2 answered in 64 slots: at least 136 pushed out, none refused */
	assert_true(scraped(port, DROPPED("evicted")) >= 200 - 64);
	assert_int_equal(scraped(port, DROPPED("refused")), 0);
	for (i = 0; i < 200; i++)
		close(idle[i]);
	vft_metrics_server__free(s);
	vft_metrics__free(m);
}

/* Open file descriptors of this process. */
static size_t open_fds(void)
{
	struct dirent *e;
	size_t n = 0;
	DIR *d = opendir("/proc/self/fd");

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/*
 * One client holds at most 4 connections of the /metrics pool: of 5 stalled
 * requests, one is closed at once (and counted), another client is served.
 */
static void http_per_client_limit(void **state)
{
	static const char stalled[] = "GET /metrics HTTP/1.1\r\nHost: a\r\n";
	struct vft_metrics *m = vft_metrics__new();
	struct vft_metrics_server *s = NULL;
	static char reply[1 << 16];
	struct pollfd pfd[5];
	size_t fds = open_fds();
	int i, closed = 0;
	uint16_t port;

	assert_non_null(m);
	assert_int_equal(vft_metrics__serve(m, "127.0.0.1:0", &s), 0);
	port = vft_metrics_server__port(s);
	for (i = 0; i < 5; i++) {
		pfd[i].fd = connect_from(port, 1);
		pfd[i].events = POLLIN;
		assert_int_equal(write(pfd[i].fd, stalled, strlen(stalled)),
				 (ssize_t)strlen(stalled));
	}
	/* the refused one is closed without a reply; the others wait for their headers (5 s) */
	assert_int_equal(poll(pfd, 5, 3000), 1);
	for (i = 0; i < 5; i++) {
		if (!pfd[i].revents)
			continue;
		/* a FIN, or a reset for the request it did not read */
		errno = 0;
		assert_true(read(pfd[i].fd, reply, sizeof(reply)) <= 0);
		assert_true(errno == 0 || errno == ECONNRESET);
		closed++;
	}
	assert_int_equal(closed, 1);
	assert_int_equal(exchange(connect_from(port, 2), "GET /metrics HTTP/1.0\r\n\r\n", reply,
				  sizeof(reply)),
			 200);
	assert_int_equal(exchange(connect_from(port, 1), "GET /healthz HTTP/1.0\r\n\r\n", reply,
				  sizeof(reply)),
			 200);
	assert_int_equal(scraped(port, DROPPED("refused")), 1);
	for (i = 0; i < 5; i++)
		close(pfd[i].fd);
	vft_metrics_server__free(s);
	vft_metrics__free(m);
	/* libmicrohttpd closed the connection it refused, the front door its own */
	assert_int_equal(open_fds(), fds);
}

/* <root><rel> */
static const char *under(const char *root, const char *rel)
{
	static char buf[2][512];
	static int i;

	i = (i + 1) % 2;
	snprintf(buf[i], sizeof(buf[i]), "%s%s", root, rel);
	return buf[i];
}

/*
 * The files vft_metrics__process() reads, under @root: a command name with
 * blanks and parentheses, negative fields before utime (tpgid, priority,
 * nice), five fds, a soft limit of 1024.
 */
static void make_proc(const char *root)
{
	static const char *const fds[] = { "0", "1", "2", "3", "7" };
	char path[512];
	size_t i;

	assert_int_equal(mkdir(root, 0700), 0);
	assert_int_equal(mkdir(under(root, "/proc"), 0700), 0);
	assert_int_equal(mkdir(under(root, "/proc/self"), 0700), 0);
	assert_int_equal(mkdir(under(root, "/proc/self/fd"), 0700), 0);
	for (i = 0; i < ARRAY_SIZE(fds); i++) {
		snprintf(path, sizeof(path), "%s/proc/self/fd/%s", root, fds[i]);
		assert_int_equal(symlink("/dev/null", path), 0);
	}
	write_file(under(root, "/proc/self/stat"),
		   "4242 (vf (t) x) S 1 4242 4242 0 -1 4194560 2000 0 3 0 150 75 0 0 -2 -5 3 0 "
		   "12345 69519360 3086 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 3 0 0 0 "
		   "0 0 0 0 0 0 0 0 0 0\n");
	write_file(under(root, "/proc/self/status"), "Name:\tvftrace\n"
						     "State:\tS (sleeping)\n"
						     "VmPeak:\t   70000 kB\n"
						     "VmSize:\t   67890 kB\n"
						     "VmHWM:\t   20000 kB\n"
						     "VmRSS:\t   12345 kB\n"
						     "Threads:\t3\n");
	write_file(
		under(root, "/proc/self/limits"),
		"Limit                     Soft Limit           Hard Limit           Units     \n"
		"Max cpu time              unlimited            unlimited            seconds   \n"
		"Max open files            1024                 524288               files     \n"
		"Max locked memory         8388608              8388608              bytes     \n");
	write_file(under(root, "/proc/stat"), "cpu  1 2 3 4 5 6 7 0 0 0\n"
					      "intr 12345 0 0 0 0\n"
					      "ctxt 98765\n"
					      "btime 1700000000\n"
					      "processes 4300\n");
}

/* The value of the unlabelled sample @name in @text, parsed as a double. */
static double value_of(const char *text, const char *name)
{
	char prefix[128];
	const char *p;

	snprintf(prefix, sizeof(prefix), "\n%s ", name);
	p = strstr(text, prefix);
	if (!p)
		fail_msg("no sample %s in:\n%s", name, text);
	return strtod(p + strlen(prefix), NULL);
}

static void process_from_fixture(void **state)
{
	struct vft_metrics *m = vft_metrics__new();
	const char *root = tpath("proc-fixture");
	long tck = sysconf(_SC_CLK_TCK);
	uint64_t cpu_ms, start_ms;
	struct rlimit rl;
	char *text;

	assert_non_null(m);
	assert_true(tck > 0);
	make_proc(root);
	assert_int_equal(vft_metrics__process(m, root), 0);
	text = render(m);
	/* (150 + 75) ticks; btime + 12345 ticks */
	cpu_ms = 225 * 1000 / tck;
	start_ms = 1700000000ULL * 1000 + 12345 * 1000 / tck;
	assert_line(text, "# TYPE process_cpu_seconds_total counter");
	assert_line(text, "process_cpu_seconds_total %llu.%03llu",
		    (unsigned long long)cpu_ms / 1000, (unsigned long long)cpu_ms % 1000);
	if (tck == 100) {
		assert_line(text, "process_cpu_seconds_total 2.250");
		assert_line(text, "process_start_time_seconds 1700000123.450");
	}
	assert_line(text, "process_start_time_seconds %llu.%03llu",
		    (unsigned long long)start_ms / 1000, (unsigned long long)start_ms % 1000);
	assert_line(text, "# TYPE process_resident_memory_bytes gauge");
	assert_line(text, "process_resident_memory_bytes 12641280"); /* 12345 kB */
	assert_line(text, "process_virtual_memory_bytes 69519360");  /* 67890 kB */
	assert_line(text, "process_open_fds 5");
	assert_line(text, "process_max_fds 1024");
	assert_int_equal(count_prefix(text, "process_"), 6);
	free(text);

	/* "/" and "" are the live system, not a prefix: the fixture is not read */
	assert_int_equal(vft_metrics__process(m, "/"), 0);
	assert_int_equal(vft_metrics__process(m, ""), 0);
	text = render(m);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	assert_line(text, "process_max_fds %llu", (unsigned long long)rl.rlim_cur);
	assert_false(has_line(text, "process_resident_memory_bytes 12641280"));
	free(text);
	vft_metrics__free(m);
}

static void process_missing_and_malformed(void **state)
{
	struct vft_metrics *m = vft_metrics__new();
	const char *root = tpath("proc-partial");
	char *text, *again;

	assert_non_null(m);
	/* nothing there: an error, and the families stay out */
	assert_int_equal(vft_metrics__process(m, tpath("no-such-root")), -ENOENT);
	text = render(m);
	assert_int_equal(count_prefix(text, "process_"), 0);
	assert_int_equal(count_prefix(text, "# HELP process_"), 0);
	free(text);

	make_proc(root);
	assert_int_equal(vft_metrics__process(m, root), 0);
	text = render(m);
	/* gone again: every value keeps the last one read */
	assert_int_equal(vft_metrics__process(m, tpath("no-such-root")), -ENOENT);
	again = render(m);
	assert_string_equal(again, text);
	free(again);
	free(text);

	/* one file missing: its value stays, the others are read */
	assert_int_equal(unlink(under(root, "/proc/self/limits")), 0);
	write_file(under(root, "/proc/self/status"), "VmSize:\t 100 kB\nVmRSS:\t 50 kB\n");
	assert_int_equal(symlink("/dev/null", under(root, "/proc/self/fd/9")), 0);
	assert_int_equal(vft_metrics__process(m, root), -ENOENT);
	text = render(m);
	assert_line(text, "process_max_fds 1024");
	assert_line(text, "process_resident_memory_bytes 51200");
	assert_line(text, "process_virtual_memory_bytes 102400");
	assert_line(text, "process_open_fds 6");
	free(text);

	/* a line missing, malformed lines: errors, and the last values stay */
	write_file(under(root, "/proc/self/limits"), "Max open files  lots  lots  files\n");
	write_file(under(root, "/proc/self/status"), "VmSize:\t 100 MB\n");
	write_file(under(root, "/proc/self/stat"), "4242 no parenthesis S 1\n");
	write_file(under(root, "/proc/stat"), "cpu 1 2 3\n");
	assert_int_equal(vft_metrics__process(m, root), -EINVAL); /* stat's, the first read */
	text = render(m);
	assert_line(text, "process_max_fds 1024");
	assert_line(text, "process_resident_memory_bytes 51200");
	assert_line(text, "process_virtual_memory_bytes 102400");
	free(text);
	write_file(under(root, "/proc/self/limits"),
		   "Max open files  unlimited  unlimited  files\n");
	write_file(under(root, "/proc/self/stat"), "4242 (short) S 1 2 3\n");
	assert_int_equal(vft_metrics__process(m, root), -EINVAL);
	text = render(m);
	assert_line(text, "process_max_fds 18446744073709551615");
	free(text);
	/* stat complete again, status without VmRSS: the first error is status's */
	write_file(under(root, "/proc/self/status"), "Name:\tvftrace\n");
	write_file(under(root, "/proc/self/stat"),
		   "4242 (x) S 1 2 3 4 5 6 7 8 9 10 400 100 13 14 15 16 17 18 0\n");
	assert_int_equal(vft_metrics__process(m, root), -ENODATA);
	text = render(m);
	if (sysconf(_SC_CLK_TCK) == 100)
		assert_line(text, "process_cpu_seconds_total 5.000");
	assert_line(text, "process_resident_memory_bytes 51200");
	free(text);
	vft_metrics__free(m);
}

static void process_live(void **state)
{
	struct vft_metrics *m = vft_metrics__new();
	struct timeval now;
	double rss, vsize, fds, max_fds, start, cpu;
	char *text;

	assert_non_null(m);
	assert_int_equal(vft_metrics__process(m, NULL), 0);
	text = render(m);
	assert_int_equal(count_prefix(text, "process_"), 6);
	rss = value_of(text, "process_resident_memory_bytes");
	vsize = value_of(text, "process_virtual_memory_bytes");
	fds = value_of(text, "process_open_fds");
	max_fds = value_of(text, "process_max_fds");
	start = value_of(text, "process_start_time_seconds");
	cpu = value_of(text, "process_cpu_seconds_total");
	assert_true(rss > 0);
	assert_true(vsize >= rss);
	assert_true(fds >= 3 && fds <= max_fds);
	assert_true(cpu >= 0);
	assert_int_equal(gettimeofday(&now, NULL), 0);
	/* started before now, and after 2020 */
	assert_true(start > 1577836800.0 && start <= now.tv_sec + 1.0);
	free(text);
	vft_metrics__free(m);
}

static int count_maps(void *ctx, const char *name, uint64_t bytes)
{
	return vft_metrics__bpf_map_cb(ctx, name, bytes);
}

static void bpf_map_gauges(void **state)
{
	struct vft_metrics *m = vft_metrics__new();
	char name[32], *text;
	const char *p;
	int i, err = 0;

	assert_non_null(m);
	assert_int_equal(vft_metrics__bpf_map(m, "stashes", 1056768), 0);
	assert_int_equal(vft_metrics__bpf_map(m, "events", 2101248), 0);
	assert_int_equal(count_maps(m, "vftrace.rodata", 8192), 0);
	assert_int_equal(vft_metrics__bpf_map(m, "counters", 4096), 0);
	assert_int_equal(vft_metrics__bpf_map(m, "stashes", 1060864), 0); /* set, not added */
	text = render(m);
	assert_line(text, "# TYPE vftrace_bpf_map_bytes gauge");
	p = strstr(text, "vftrace_bpf_map_bytes{");
	assert_non_null(p);
	assert_true(!strncmp(p,
			     "vftrace_bpf_map_bytes{map=\"counters\"} 4096\n"
			     "vftrace_bpf_map_bytes{map=\"events\"} 2101248\n"
			     "vftrace_bpf_map_bytes{map=\"stashes\"} 1060864\n"
			     "vftrace_bpf_map_bytes{map=\"vftrace.rodata\"} 8192\n"
			     "# HELP vftrace_build_info ",
			     strlen("vftrace_bpf_map_bytes{map=\"counters\"} 4096\n"
				    "vftrace_bpf_map_bytes{map=\"events\"} 2101248\n"
				    "vftrace_bpf_map_bytes{map=\"stashes\"} 1060864\n"
				    "vftrace_bpf_map_bytes{map=\"vftrace.rodata\"} 8192\n"
				    "# HELP vftrace_build_info ")));
	assert_int_equal(count_prefix(text, "vftrace_bpf_map_bytes{"), 4);
	free(text);

	assert_int_equal(vft_metrics__bpf_map(m, NULL, 1), -EINVAL);
	assert_int_equal(vft_metrics__bpf_map(m, "", 1), -EINVAL);
	for (i = 0; i < VFT_METRICS_MAX_MAPS && !err; i++) {
		snprintf(name, sizeof(name), "extra_%02d", i);
		err = vft_metrics__bpf_map(m, name, i);
	}
	assert_int_equal(err, -ENOSPC);
	assert_int_equal(i, VFT_METRICS_MAX_MAPS - 4 + 1);
	/* a known one can still change */
	assert_int_equal(vft_metrics__bpf_map(m, "events", 1), 0);
	text = render(m);
	assert_line(text, "vftrace_bpf_map_bytes{map=\"events\"} 1");
	assert_int_equal(count_prefix(text, "vftrace_bpf_map_bytes{"), VFT_METRICS_MAX_MAPS);
	free(text);
	vft_metrics__free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(renders_every_family),
		cmocka_unit_test(state_records),
		cmocka_unit_test(starts_at_zero),
		cmocka_unit_test(counts_and_sets),
		cmocka_unit_test(escapes_label_values),
		cmocka_unit_test(sorted_and_stable),
		cmocka_unit_test(hook_limits),
		cmocka_unit_test(textfile_is_atomic_and_private),
		cmocka_unit_test(textfile_refuses_symlinks),
		cmocka_unit_test(textfile_fails_cleanly),
		cmocka_unit_test(http_serves_metrics),
		cmocka_unit_test(http_404_and_405),
		cmocka_unit_test(http_refuses_bad_addresses),
		cmocka_unit_test(http_port_in_use),
		cmocka_unit_test(http_binds_where_asked),
		cmocka_unit_test(http_healthz),
		cmocka_unit_test(http_liveness_under_pressure),
		cmocka_unit_test(http_per_client_limit),
		cmocka_unit_test(process_from_fixture),
		cmocka_unit_test(process_missing_and_malformed),
		cmocka_unit_test(process_live),
		cmocka_unit_test(bpf_map_gauges),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
