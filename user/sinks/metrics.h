/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * metrics.h - Prometheus metrics of `vftrace audit`: a fixed registry that
 * the daemon updates from its one thread, rendered in the text exposition
 * format 0.0.4, served over HTTP (libmicrohttpd, its own thread) and/or
 * written atomically to a node_exporter textfile.
 *
 * The families, sorted by name as they are rendered (every label value of
 * a fixed set is there from the start, so rate() works from the first
 * scrape):
 *
 *   process_cpu_seconds_total                      counter, user + system CPU time
 *   process_max_fds                                gauge, the soft limit of open files
 *   process_open_fds                               gauge
 *   process_resident_memory_bytes                  gauge
 *   process_start_time_seconds                     gauge, Unix time
 *   process_virtual_memory_bytes                   gauge
 *   vftrace_bpf_map_bytes{map}                     gauge, kernel memory of each BPF map (fdinfo
 *                                                  memlock; a ring buffer that says 0: its size)
 *   vftrace_build_info{kernel,version}             gauge, always 1
 *   vftrace_capture_bytes_total                    counter
 *   vftrace_check_last_timestamp_seconds           gauge, Unix time; 0 before the first check
 *   vftrace_events_lost_total                      counter
 *   vftrace_events_total{kind}                     counter, every enum vft_kind by name
 *   vftrace_findings_open{code}                    gauge, raised - resolved
 *   vftrace_findings_raised_total{code}            counter, every finding code by name
 *   vftrace_findings_resolved_total{code}          counter
 *   vftrace_hook_attached{hook}                    gauge 1/0, every hook of hooks.h
 *   vftrace_state_forgotten_total{kind}            counter, records --retain dropped: netns, vf
 *   vftrace_state_records{kind}                    gauge, records held: netns, vf
 *   vftrace_vfs{state="host"|"pod"|"stranded"}     gauge
 *   vftrace_vfs_ready{ready="false"|"true"}        gauge, from the last check
 *
 * The process_* families are those of the process collector of the Go and
 * Python client libraries (names, types, units, help), each there once
 * vft_metrics__process() has read its value; vftrace_bpf_map_bytes is
 * there once vft_metrics__bpf_map() has reported a map.
 *
 * No label carries a pod UID, an interface name or a PCI address: the
 * label sets are fixed (codes, kinds, hooks, the maps of the BPF object,
 * three states).
 *
 * Every function locks the registry's mutex, so updates from the daemon's
 * thread and a scrape in the HTTP server's thread see each other whole.
 */
#ifndef VFT_METRICS_H
#define VFT_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The default listen address of the HTTP endpoint: loopback only. */
#define VFT_METRICS_DEFAULT_LISTEN "127.0.0.1:9477"
/* The Content-Type of the text exposition format. */
#define VFT_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
/* Most hooks the registry tracks (those of hooks.h and any the daemon adds). */
#define VFT_METRICS_MAX_HOOKS 64
/* Most BPF maps the registry tracks (the object has a handful). */
#define VFT_METRICS_MAX_MAPS 16

struct vft_metrics;

/*
 * A registry with every counter and gauge at 0, every hook of hooks.h not
 * attached, and build_info of this build (its version, the running
 * kernel's release). NULL if memory ran out.
 */
struct vft_metrics *vft_metrics__new(void);
/* Stop every server that serves @m first. NULL is a no-op. */
void vft_metrics__free(struct vft_metrics *m);

/*
 * A finding of @code (enum vft_finding_code) was raised, or resolved when
 * @resolved. Returns 0, or -EINVAL for an unknown code (not counted).
 */
int vft_metrics__finding(struct vft_metrics *m, uint32_t code, bool resolved);
/*
 * One event of @kind (enum vft_kind) was seen. A lost event counts here
 * too; its count of dropped events goes to vft_metrics__lost(). Returns 0,
 * or -EINVAL for an unknown kind (not counted).
 */
int vft_metrics__event(struct vft_metrics *m, uint32_t kind);
/* @n more events were dropped before user space saw them. */
void vft_metrics__lost(struct vft_metrics *m, uint64_t n);
/*
 * The VFs now, each in exactly one state: in a pod's netns, stranded on
 * the host after its pod, or on the host otherwise.
 */
void vft_metrics__vfs(struct vft_metrics *m, uint32_t host, uint32_t pod, uint32_t stranded);
/*
 * Hook @name is attached (or not, or no longer). A name not seen before is
 * added. Returns 0, -EINVAL for a NULL or empty name, -ENOSPC past
 * VFT_METRICS_MAX_HOOKS names, or -ENOMEM.
 */
int vft_metrics__hook(struct vft_metrics *m, const char *name, bool attached);
/*
 * The correlator's records now (VFs and devices, netns entries) and how many
 * of each --retain dropped so far.
 */
void vft_metrics__state(struct vft_metrics *m, uint64_t vfs, uint64_t netns, uint64_t vfs_forgotten,
			uint64_t netns_forgotten);
/* @bytes more were written to captures. */
void vft_metrics__capture_bytes(struct vft_metrics *m, uint64_t bytes);
/* A check went without a read that did not answer in time (@what: "grace_end", "periodic"). */
void vft_metrics__skipped(struct vft_metrics *m, const char *what);
/* A check ended at @wall_ns (ns since the epoch) with @ready VFs ready and @not_ready not. */
void vft_metrics__check(struct vft_metrics *m, uint64_t wall_ns, uint32_t ready,
			uint32_t not_ready);
/*
 * Reads this process's footprint for the process_* families from
 * <root>/proc/self/stat (utime + stime, starttime), <root>/proc/self/status
 * (VmRSS, VmSize), the entries of <root>/proc/self/fd (the live one counts
 * the directory's own fd while it is read, as the client libraries do),
 * the soft "Max open files" of <root>/proc/self/limits and btime of
 * <root>/proc/stat (the start time is btime + starttime / _SC_CLK_TCK).
 * @root NULL, "" or "/" is the live system. Every file is read even when
 * one fails; a value that could not be read keeps its last one (or stays
 * out of the rendering). Returns 0, or the first -errno (-ENOENT for a
 * missing file, -ENODATA for a missing line, -EINVAL for a malformed one).
 */
int vft_metrics__process(struct vft_metrics *m, const char *root);
/*
 * BPF map @name holds @bytes of kernel memory now. A name not seen before
 * is added. Returns 0, -EINVAL for a NULL or empty name, -ENOSPC past
 * VFT_METRICS_MAX_MAPS names, or -ENOMEM.
 */
int vft_metrics__bpf_map(struct vft_metrics *m, const char *name, uint64_t bytes);
/* vft_metrics__bpf_map() with the registry as a void *: a bpf_source__map_memory() callback. */
int vft_metrics__bpf_map_cb(void *m, const char *name, uint64_t bytes);

/*
 * Replaces the build_info labels; NULL keeps one. Returns 0 or -ENOMEM
 * (nothing changed).
 */
int vft_metrics__build_info(struct vft_metrics *m, const char *version, const char *kernel);

/*
 * Renders every family in the text exposition format 0.0.4: # HELP and
 * # TYPE lines, families sorted by name, samples by label value, label
 * values escaped (\\, \", \n; bytes that are not printable ASCII become
 * '?'). Returns 0 and a malloc()ed, NUL-terminated text in @buf of @len
 * bytes (the caller frees it), or -ENOMEM.
 */
int vft_metrics__render(struct vft_metrics *m, char **buf, size_t *len);

/*
 * Writes the rendering to @path for node_exporter's textfile collector:
 * PATH.tmp.<pid> in the same directory (O_CREAT|O_EXCL|O_NOFOLLOW, mode
 * 0600; a stale one of an earlier process with this pid is removed first),
 * fsync(), then rename() over @path. Refuses with -ELOOP when @path is a
 * symlink, and never follows one (rename() replaces a link that appears
 * meanwhile instead of writing through it). Returns 0, or -errno with the
 * temporary file removed and @path as it was.
 */
int vft_metrics__write_textfile(struct vft_metrics *m, const char *path);

struct vft_metrics_server;

/*
 * Serves @m over HTTP on @addr_port in a thread of its own:
 * "127.0.0.1:9477", "[::1]:9477", or ":9477" for 127.0.0.1 (all interfaces
 * only when asked for: "0.0.0.0:9477", "[::]:9477"); numeric addresses
 * only, port 0 picks a free one. GET or HEAD /metrics gets the rendering
 * (VFT_METRICS_CONTENT_TYPE), another path 404, another method 405.
 * Returns 0 and the server in @out, or -EINVAL (a bad address),
 * -EADDRINUSE, -EADDRNOTAVAIL, -EACCES, -ENOMEM ...; prints why on stderr.
 */
int vft_metrics__serve(struct vft_metrics *m, const char *addr_port,
		       struct vft_metrics_server **out);
/* The port it listens on. */
uint16_t vft_metrics_server__port(const struct vft_metrics_server *s);
/* "127.0.0.1:9477", "[::1]:9477": where it listens. */
void vft_metrics_server__addr(const struct vft_metrics_server *s, char *buf, size_t size);
/* Stops it: closes its socket and waits for its thread. NULL is a no-op. */
void vft_metrics_server__free(struct vft_metrics_server *s);

#endif /* VFT_METRICS_H */
