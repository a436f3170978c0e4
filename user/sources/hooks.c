// SPDX-License-Identifier: GPL-2.0-only
/*
 * hooks.c - choosing, per logical hook, the kernel function and the mechanism
 * that can attach on the running kernel. See docs/events.md for the table.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "sources/hooks.h"
#include "enrich/sysfs.h"
#include "lib/util.h"

#define FENTRY_KPROBE(fn) .fentry_prog = "fentry__" fn, .kprobe_prog = "kprobe__" fn
#define FEXIT_KRETPROBE(fn) .fexit_prog = "fexit__" fn, .kretprobe_prog = "kretprobe__" fn

const struct vft_hook_def vft_hook_defs[VFT_HOOK_MAX] = {
	[VFT_HOOK_NETDEV_REGISTER] = {
		.name = "netdev_register",
		.funcs = { "register_netdevice" },
		.fexit_prog = "fexit__register_netdevice",
		.kprobe_prog = "kprobe__register_netdevice",
		.kretprobe_prog = "kretprobe__register_netdevice",
	},
	[VFT_HOOK_NETDEV_UNREGISTER] = {
		.name = "netdev_unregister",
		.funcs = { "call_netdevice_notifiers_info" },
		FENTRY_KPROBE("call_netdevice_notifiers_info"),
	},
	[VFT_HOOK_NETNS_MOVE] = {
		.name = "netns_move",
		/* renamed over time; 6.15-rc1 briefly used the last name */
		.funcs = { "__dev_change_net_namespace", "netif_change_net_namespace" },
		FENTRY_KPROBE("dev_change_net_namespace"),
		FEXIT_KRETPROBE("dev_change_net_namespace"),
	},
	[VFT_HOOK_NETDEV_RENAME] = {
		.name = "netdev_rename",
		/* 6.15+: dev_change_name() is a wrapper of netif_change_name() */
		.funcs = { "netif_change_name", "dev_change_name" },
		FENTRY_KPROBE("dev_change_name"),
		FEXIT_KRETPROBE("dev_change_name"),
	},
	[VFT_HOOK_LINK_CHANGE] = {
		.name = "link_change",
		.funcs = { "__dev_notify_flags" },
		FENTRY_KPROBE("dev_notify_flags"),
	},
	[VFT_HOOK_ADDR_IPV4] = {
		.name = "addr_ipv4",
		.funcs = { "rtmsg_ifa" },
		FENTRY_KPROBE("rtmsg_ifa"),
	},
	[VFT_HOOK_ADDR_IPV6] = {
		.name = "addr_ipv6",
		.funcs = { "ipv6_add_addr" },
		FEXIT_KRETPROBE("ipv6_add_addr"),
	},
	[VFT_HOOK_ADDR_IPV6_DEL] = {
		.name = "addr_ipv6_del",
		.funcs = { "ipv6_del_addr" },
		FENTRY_KPROBE("ipv6_del_addr"),
	},
	[VFT_HOOK_DRIVER_BIND] = {
		.name = "driver_bind",
		.funcs = { "really_probe" },
		/*
		 * Measured on Debian 6.12 in our VMs: the fexit program missed 2 of
		 * every 20 binds (no loss, no recursion miss counted); the
		 * kretprobe saw all of them. See docs/events.md.
		 */
		.prefer_kprobe = true,
		.fexit_prog = "fexit__really_probe",
		.kprobe_prog = "kprobe__really_probe",
		.kretprobe_prog = "kretprobe__really_probe",
	},
	[VFT_HOOK_DRIVER_UNBIND] = {
		.name = "driver_unbind",
		.funcs = { "device_release_driver_internal" },
		FENTRY_KPROBE("device_release_driver_internal"),
	},
	[VFT_HOOK_SRIOV_NUMVFS] = {
		.name = "sriov_numvfs",
		.funcs = { "sriov_numvfs_store" },
		FENTRY_KPROBE("sriov_numvfs_store"),
		FEXIT_KRETPROBE("sriov_numvfs_store"),
	},
	[VFT_HOOK_VF_ADD] = {
		.name = "vf_add",
		.funcs = { "pci_iov_add_virtfn" },
		.fexit_prog = "fexit__pci_iov_add_virtfn",
		.kprobe_prog = "kprobe__pci_iov_add_virtfn",
		.kretprobe_prog = "kretprobe__pci_iov_add_virtfn",
	},
	[VFT_HOOK_VF_REMOVE] = {
		.name = "vf_remove",
		.funcs = { "pci_iov_remove_virtfn" },
		FENTRY_KPROBE("pci_iov_remove_virtfn"),
	},
	[VFT_HOOK_NETLINK_ERROR] = {
		.name = "netlink_error",
		.funcs = { "netlink_extack" },
		.tp_prog = "raw_tp__netlink_extack",
	},
	[VFT_HOOK_RDMA_REGISTER] = {
		.name = "rdma_register",
		.funcs = { "ib_register_device" },
		.fexit_prog = "fexit__ib_register_device",
		.kprobe_prog = "kprobe__ib_register_device",
		.kretprobe_prog = "kretprobe__ib_register_device",
		.module = "ib_core",
	},
	[VFT_HOOK_RDMA_UNREGISTER] = {
		.name = "rdma_unregister",
		/* every unregistration path (device, driver, _and_put) goes through it */
		.funcs = { "__ib_unregister_device" },
		FENTRY_KPROBE("ib_unregister_device"),
		.module = "ib_core",
	},
	[VFT_HOOK_RDMA_RENAME] = {
		.name = "rdma_rename",
		.funcs = { "ib_device_rename" },
		FENTRY_KPROBE("ib_device_rename"),
		FEXIT_KRETPROBE("ib_device_rename"),
		.module = "ib_core",
	},
	[VFT_HOOK_RDMA_NETNS_MOVE] = {
		.name = "rdma_netns_move",
		.funcs = { "ib_device_set_netns_put" },
		FENTRY_KPROBE("ib_device_set_netns_put"),
		FEXIT_KRETPROBE("ib_device_set_netns_put"),
		.module = "ib_core",
	},
	[VFT_HOOK_RDMA_PORT_EVENT] = {
		.name = "rdma_port_event",
		.funcs = { "ib_dispatch_event" },
		FENTRY_KPROBE("ib_dispatch_event"),
		.module = "ib_core",
	},
	[VFT_HOOK_VF_CONFIG] = {
		.name = "vf_config",
		/*
		 * do_setvfinfo() is inlined on our kernels: the request's
		 * IFLA_VFINFO_LIST is read on return of the doit handler
		 * (bpf/vfcfg.bpf.c)
		 */
		.funcs = { "rtnl_setlink" },
		.fexit_prog = "fexit__rtnl_setlink",
		.kprobe_prog = "kprobe__rtnl_setlink",
		.kretprobe_prog = "kretprobe__rtnl_setlink",
	},
	[VFT_HOOK_VF_CONFIG_NEWLINK] = {
		/* the same list in an RTM_NEWLINK on an existing PF: `ip link set` sends these */
		.name = "vf_config_newlink",
		.funcs = { "rtnl_newlink" },
		.fexit_prog = "fexit__rtnl_newlink",
		.kprobe_prog = "kprobe__rtnl_newlink",
		.kretprobe_prog = "kretprobe__rtnl_newlink",
	},
	/*
	 * CNI plugin runs (bpf/proc.bpf.c): kept at exec, reported at the exit
	 * of their last thread as one cni event
	 */
	[VFT_HOOK_CNI_EXIT] = {
		.name = "cni_exit",
		.funcs = { "sched_process_exit" },
		.tp_prog = "raw_tp__sched_process_exit",
	},
	[VFT_HOOK_CNI_EXEC] = {
		.name = "cni_exec",
		.funcs = { "sched_process_exec" },
		.tp_prog = "raw_tp__sched_process_exec",
	},
};

const char *vft_mech__name(enum vft_mech mech)
{
	switch (mech) {
	case VFT_MECH_FENTRY:
		return "fentry";
	case VFT_MECH_KPROBE:
		return "kprobe";
	case VFT_MECH_TRACEPOINT:
		return "tracepoint";
	default:
		return "none";
	}
}

const char *vft_hook_status__name(enum vft_hook_status status)
{
	switch (status) {
	case VFT_HOOK_PLANNED:
		return "planned";
	case VFT_HOOK_ATTACHED:
		return "attached";
	case VFT_HOOK_WAITING:
		return "waiting";
	default:
		return "unavailable";
	}
}

/*
 * Tries every candidate with one mechanism. On failure, @why holds the reason
 * of the first candidate (the preferred name) unless a later one failed for a
 * more telling reason than "not found".
 */
static const char *try_mech(const struct vft_hook_def *def,
			    int (*check)(void *, const char *, const char *, char *, size_t),
			    void *ctx, char *why, size_t size)
{
	char cur[128];
	size_t i;

	why[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(def->funcs) && def->funcs[i]; i++) {
		cur[0] = '\0';
		if (check(ctx, def->module, def->funcs[i], cur, sizeof(cur)) == 0)
			return def->funcs[i];
		if (!why[0] || !strstr(cur, "not in"))
			snprintf(why, size, "%s", cur);
	}
	return NULL;
}

int vft_mech__parse(const char *s, enum vft_mech *out)
{
	if (!strcmp(s, "auto"))
		*out = VFT_MECH_NONE;
	else if (!strcmp(s, "fentry"))
		*out = VFT_MECH_FENTRY;
	else if (!strcmp(s, "kprobe"))
		*out = VFT_MECH_KPROBE;
	else
		return -EINVAL;
	return 0;
}

void vft_hooks__plan(const struct vft_hook_def *defs, size_t n, const struct vft_probe_ops *ops,
		     void *ctx, enum vft_mech only, struct vft_hook_state *out)
{
	char fwhy[128], kwhy[128];
	size_t i;

	for (i = 0; i < n; i++) {
		const struct vft_hook_def *def = &defs[i];
		struct vft_hook_state *st = &out[i];
		bool has_f = def->fentry_prog || def->fexit_prog;
		bool has_k = def->kprobe_prog || def->kretprobe_prog;

		memset(st, 0, sizeof(*st));
		st->def = def;
		if (def->tp_prog) {
			/* a tracepoint is its own mechanism: --mechanism does not apply */
			if (!ops->tracepoint(ctx, def->funcs[0], fwhy, sizeof(fwhy))) {
				st->func = def->funcs[0];
				st->mech = VFT_MECH_TRACEPOINT;
				st->status = VFT_HOOK_PLANNED;
			} else {
				snprintf(st->reason, sizeof(st->reason), "tracepoint: %s", fwhy);
			}
			continue;
		}
		if (def->module) {
			int ms = ops->module_state(ctx, def->module);

			if (ms == VFT_MODULE_ABSENT) {
				snprintf(st->reason, sizeof(st->reason),
					 "module %s: this kernel has none", def->module);
				continue;
			}
			if (ms == VFT_MODULE_LOADABLE) {
				st->status = VFT_HOOK_WAITING;
				snprintf(st->reason, sizeof(st->reason),
					 "module %s not loaded: attached when it loads",
					 def->module);
				continue;
			}
		}
		snprintf(fwhy, sizeof(fwhy), "no program");
		snprintf(kwhy, sizeof(kwhy), "no program");
		if (only == VFT_MECH_KPROBE && has_f) {
			has_f = false;
			snprintf(fwhy, sizeof(fwhy), "not chosen (--mechanism kprobe)");
		}
		if (only == VFT_MECH_FENTRY && has_k) {
			has_k = false;
			snprintf(kwhy, sizeof(kwhy), "not chosen (--mechanism fentry)");
		}
		if (def->prefer_kprobe && has_k &&
		    (st->func = try_mech(def, ops->kprobe, ctx, kwhy, sizeof(kwhy)))) {
			st->mech = VFT_MECH_KPROBE;
			st->status = VFT_HOOK_PLANNED;
			continue;
		}
		if (has_f && (st->func = try_mech(def, ops->fentry, ctx, fwhy, sizeof(fwhy)))) {
			st->mech = VFT_MECH_FENTRY;
			st->status = VFT_HOOK_PLANNED;
			continue;
		}
		if (has_k && (st->func = try_mech(def, ops->kprobe, ctx, kwhy, sizeof(kwhy)))) {
			st->mech = VFT_MECH_KPROBE;
			st->status = VFT_HOOK_PLANNED;
			continue;
		}
		st->status = VFT_HOOK_UNAVAILABLE;
		snprintf(st->reason, sizeof(st->reason), "fentry: %s; kprobes: %s", fwhy, kwhy);
	}
}

/* ---- the live kernel ---- */

struct vft_kernel_probe {
	const char *root;
	struct btf *vmlinux_btf; /* NULL when the kernel has no BTF */
	int btf_err;
	/* one module's BTF, the last one asked for */
	char mod_name[64];
	struct btf *mod_btf;
	int mod_btf_fd;
	bool kprobes_built_in;
	char *kallsyms; /* " name\n"-delimited names of text symbols, for strstr */
	int kallsyms_err;
	/*
	 * Whether a test program attached with fentry, per BTF object (0 the
	 * kernel, 1 the module in mod_name): 0 not tried, 1 yes, else -errno
	 * with the reason. Every trampoline costs an RCU-tasks grace period, so
	 * only the first function of each object is test-attached.
	 */
	int fentry_verdict[2];
	char fentry_why[2][64];
};

/* Loads the names of all text symbols once; a handful of lookups follow. */
static int load_kallsyms(struct vft_kernel_probe *kp, const char *root)
{
	char path[4096], line[512], name[256], type;
	size_t len = 0, cap = 1 << 20;
	char *buf;
	FILE *f;
	int err;

	err = vft_path(path, sizeof(path), root, "/proc/kallsyms");
	if (err)
		return err;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	buf = malloc(cap);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	buf[len++] = '\n';
	while (fgets(line, sizeof(line), f)) {
		size_t n;

		if (sscanf(line, "%*s %c %255s", &type, name) != 2)
			continue;
		if (type != 't' && type != 'T')
			continue;
		n = strlen(name);
		if (len + n + 2 >= cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				fclose(f);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		memcpy(buf + len, name, n);
		len += n;
		buf[len++] = '\n';
	}
	buf[len] = '\0';
	fclose(f);
	kp->kallsyms = buf;
	return 0;
}

int vft_kernel_probe__new(const char *root, struct vft_kernel_probe **out)
{
	struct vft_kernel_probe *kp;
	char path[4096];
	int err;

	kp = calloc(1, sizeof(*kp));
	if (!kp)
		return -ENOMEM;
	kp->root = root;
	kp->mod_btf_fd = -1;
	kp->vmlinux_btf = btf__load_vmlinux_btf();
	if (!kp->vmlinux_btf)
		kp->btf_err = errno ? -errno : -ENOENT;
	/* The kprobe PMU exists exactly when the kernel was built with CONFIG_KPROBES. */
	err = vft_path(path, sizeof(path), root, "/sys/bus/event_source/devices/kprobe/type");
	kp->kprobes_built_in = !err && access(path, F_OK) == 0;
	/* kallsyms is read when a kprobe is first considered: fentry needs only BTF */
	*out = kp;
	return 0;
}

void vft_kernel_probe__free(struct vft_kernel_probe *kp)
{
	if (!kp)
		return;
	btf__free(kp->mod_btf);
	if (kp->mod_btf_fd >= 0)
		close(kp->mod_btf_fd);
	btf__free(kp->vmlinux_btf);
	free(kp->kallsyms);
	free(kp);
}

static void errno_reason(char *why, size_t size, int err)
{
	char buf[16];

	snprintf(why, size, "%s", vft_errno_name(err, buf, sizeof(buf)));
}

/* Finds the kernel BTF object named @module and loads it (split on vmlinux). */
static int load_module_btf(struct vft_kernel_probe *kp, const char *module)
{
	__u32 id = 0;
	int err, fd;

	if (kp->mod_btf && !strcmp(kp->mod_name, module))
		return 0;
	btf__free(kp->mod_btf);
	kp->mod_btf = NULL;
	if (kp->mod_btf_fd >= 0)
		close(kp->mod_btf_fd);
	kp->mod_btf_fd = -1;
	kp->fentry_verdict[1] = 0;
	while (!bpf_btf_get_next_id(id, &id)) {
		struct bpf_btf_info info = {};
		__u32 len = sizeof(info);
		char name[64] = "";

		fd = bpf_btf_get_fd_by_id(id);
		if (fd < 0)
			continue;
		info.name = (__u64)(unsigned long)name;
		info.name_len = sizeof(name);
		err = bpf_obj_get_info_by_fd(fd, &info, &len);
		if (err || strcmp(name, module)) {
			close(fd);
			continue;
		}
		kp->mod_btf = btf__load_from_kernel_by_id_split(id, kp->vmlinux_btf);
		if (!kp->mod_btf) {
			err = -errno;
			close(fd);
			return err;
		}
		kp->mod_btf_fd = fd;
		snprintf(kp->mod_name, sizeof(kp->mod_name), "%s", module);
		return 0;
	}
	return -ENOENT;
}

int vft_kernel_probe__module_btf_fd(struct vft_kernel_probe *kp, const char *module)
{
	int err = load_module_btf(kp, module);

	return err ? err : kp->mod_btf_fd;
}

static int test_attach(int btf_id, int obj_fd, char *why, size_t size);

/*
 * Loads a two-instruction fentry program against @func and attaches it: the
 * only reliable answer, since some kernels have the BTF but refuse tracing
 * programs (lockdown, missing trampoline support). Done once per BTF object:
 * after that a function only needs its BTF entry (a function that still
 * refuses is reported when the real program attaches).
 */
static int probe_fentry(void *ctx, const char *module, const char *func, char *why, size_t size)
{
	struct vft_kernel_probe *kp = ctx;
	struct btf *btf;
	int id, err, obj_fd = 0;

	if (!kp->vmlinux_btf) {
		snprintf(why, size, "no kernel BTF");
		return kp->btf_err;
	}
	btf = kp->vmlinux_btf;
	if (module) {
		err = load_module_btf(kp, module);
		if (err) {
			snprintf(why, size, "no BTF for module %s", module);
			return err;
		}
		btf = kp->mod_btf;
		obj_fd = kp->mod_btf_fd;
	}
	id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);
	if (id < 0) {
		snprintf(why, size, "%s not in %s BTF", func, module ?: "kernel");
		return -ENOENT;
	}
	if (kp->fentry_verdict[!!module] == 1)
		return 0;
	if (kp->fentry_verdict[!!module] < 0) {
		snprintf(why, size, "%s", kp->fentry_why[!!module]);
		return kp->fentry_verdict[!!module];
	}
	err = test_attach(id, obj_fd, why, size);
	kp->fentry_verdict[!!module] = err ?: 1;
	snprintf(kp->fentry_why[!!module], sizeof(kp->fentry_why[0]), "%s", why);
	return err;
}

static int test_attach(int btf_id, int obj_fd, char *why, size_t size)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int prog_fd, link_fd, err;

	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FENTRY,
		    .attach_btf_id = btf_id, .attach_btf_obj_fd = obj_fd);
	prog_fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "vft_probe", "GPL", insns, ARRAY_SIZE(insns),
				&opts);
	if (prog_fd < 0) {
		err = -errno;
		errno_reason(why, size, err);
		return err;
	}
	link_fd = bpf_raw_tracepoint_open(NULL, prog_fd);
	err = link_fd < 0 ? -errno : 0;
	if (err)
		errno_reason(why, size, err);
	else
		close(link_fd);
	close(prog_fd);
	return err;
}

static int probe_kprobe(void *ctx, const char *module, const char *func, char *why, size_t size)
{
	struct vft_kernel_probe *kp = ctx;
	char needle[160];
	int err;

	if (!kp->kprobes_built_in) {
		snprintf(why, size, "not built into this kernel");
		return -EOPNOTSUPP;
	}
	if (!kp->kallsyms && !kp->kallsyms_err)
		kp->kallsyms_err = load_kallsyms(kp, kp->root);
	if (kp->kallsyms_err) {
		snprintf(why, size, "cannot read /proc/kallsyms (%s)", strerror(-kp->kallsyms_err));
		return kp->kallsyms_err;
	}
	snprintf(needle, sizeof(needle), "\n%s\n", func);
	if (!strstr(kp->kallsyms, needle)) {
		/* a module loaded after start: read kallsyms again once */
		if (module) {
			free(kp->kallsyms);
			kp->kallsyms = NULL;
			err = load_kallsyms(kp, kp->root);
			kp->kallsyms_err = err;
			if (!err && strstr(kp->kallsyms, needle))
				return 0;
		}
		snprintf(why, size, "%s not in kallsyms", func);
		return -ENOENT;
	}
	return 0;
}

/* Attaches a trivial raw tracepoint program: the tracepoint exists and BPF may use it. */
static int probe_tracepoint(void *ctx, const char *name, char *why, size_t size)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int prog_fd, link_fd, err;

	prog_fd = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "vft_probe", "GPL", insns,
				ARRAY_SIZE(insns), NULL);
	if (prog_fd < 0) {
		err = -errno;
		errno_reason(why, size, err);
		return err;
	}
	link_fd = bpf_raw_tracepoint_open(name, prog_fd);
	err = link_fd < 0 ? -errno : 0;
	if (err == -ENOENT)
		snprintf(why, size, "no tracepoint %s", name);
	else if (err)
		errno_reason(why, size, err);
	else
		close(link_fd);
	close(prog_fd);
	return err;
}

/* Whether @file (modules.dep or modules.builtin) names "<module>.ko" (maybe compressed). */
static int modules_file_has(const char *path, const char *module)
{
	char line[1024], name[96];
	size_t n;
	FILE *f;
	int found = 0;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = (size_t)snprintf(name, sizeof(name), "/%s.ko", module);
	while (!found && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *hit;

		if (colon)
			*colon = '\0';
		hit = strstr(line, name);
		/* ".ko", ".ko.xz", ".ko.zst" ... and nothing but a suffix after it */
		found = hit && (hit[n] == '\0' || hit[n] == '\n' || hit[n] == '.');
	}
	fclose(f);
	return found;
}

static int module_state(void *ctx, const char *module)
{
	struct vft_kernel_probe *kp = ctx;
	char rel[256], path[4096];
	struct utsname u;
	int dep, builtin;

	snprintf(rel, sizeof(rel), "/sys/module/%s", module);
	if (!vft_path(path, sizeof(path), kp->root, rel) && access(path, F_OK) == 0) {
		char state[16];

		/* still initializing: its functions cannot be hooked yet (built-in: no file) */
		snprintf(rel, sizeof(rel), "/sys/module/%s/initstate", module);
		if (!vft_path(path, sizeof(path), kp->root, rel) &&
		    vft_sysfs__read(NULL, path, state, sizeof(state)) >= 0 && strcmp(state, "live"))
			return VFT_MODULE_LOADABLE;
		return VFT_MODULE_LOADED;
	}
	if (uname(&u))
		return VFT_MODULE_LOADABLE;
	snprintf(rel, sizeof(rel), "/lib/modules/%s/modules.dep", u.release);
	dep = vft_path(path, sizeof(path), kp->root, rel) ?: modules_file_has(path, module);
	snprintf(rel, sizeof(rel), "/lib/modules/%s/modules.builtin", u.release);
	builtin = vft_path(path, sizeof(path), kp->root, rel) ?: modules_file_has(path, module);
	if (dep > 0 || builtin > 0)
		return VFT_MODULE_LOADABLE;
	/* no module directory at all: nothing can be loaded on this kernel */
	snprintf(rel, sizeof(rel), "/lib/modules/%s", u.release);
	if (dep == 0 || (!vft_path(path, sizeof(path), kp->root, rel) && access(path, F_OK)))
		return VFT_MODULE_ABSENT;
	return VFT_MODULE_LOADABLE;
}

const struct vft_probe_ops vft_kernel_probe_ops = {
	.fentry = probe_fentry,
	.kprobe = probe_kprobe,
	.tracepoint = probe_tracepoint,
	.module_state = module_state,
};
