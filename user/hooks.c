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
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "hooks.h"
#include "util.h"

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
		.fentry_prog = "fentry__call_netdevice_notifiers_info",
		.kprobe_prog = "kprobe__call_netdevice_notifiers_info",
	},
	[VFT_HOOK_NETNS_MOVE] = {
		.name = "netns_move",
		/* renamed over time; 6.15-rc1 briefly used the last name */
		.funcs = { "__dev_change_net_namespace", "netif_change_net_namespace" },
		.fentry_prog = "fentry__dev_change_net_namespace",
		.fexit_prog = "fexit__dev_change_net_namespace",
		.kprobe_prog = "kprobe__dev_change_net_namespace",
		.kretprobe_prog = "kretprobe__dev_change_net_namespace",
	},
};

const char *vft_mech__name(enum vft_mech mech)
{
	switch (mech) {
	case VFT_MECH_FENTRY:
		return "fentry";
	case VFT_MECH_KPROBE:
		return "kprobe";
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
			    int (*check)(void *, const char *, char *, size_t), void *ctx,
			    char *why, size_t size)
{
	char cur[128];
	size_t i;

	why[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(def->funcs) && def->funcs[i]; i++) {
		cur[0] = '\0';
		if (check(ctx, def->funcs[i], cur, sizeof(cur)) == 0)
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
	struct btf *vmlinux_btf; /* NULL when the kernel has no BTF */
	int btf_err;
	bool kprobes_built_in;
	char *kallsyms; /* " name\n"-delimited names of text symbols, for strstr */
	int kallsyms_err;
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
	kp->vmlinux_btf = btf__load_vmlinux_btf();
	if (!kp->vmlinux_btf)
		kp->btf_err = errno ? -errno : -ENOENT;
	/* The kprobe PMU exists exactly when the kernel was built with CONFIG_KPROBES. */
	err = vft_path(path, sizeof(path), root, "/sys/bus/event_source/devices/kprobe/type");
	kp->kprobes_built_in = !err && access(path, F_OK) == 0;
	kp->kallsyms_err = load_kallsyms(kp, root);
	*out = kp;
	return 0;
}

void vft_kernel_probe__free(struct vft_kernel_probe *kp)
{
	if (!kp)
		return;
	btf__free(kp->vmlinux_btf);
	free(kp->kallsyms);
	free(kp);
}

static void errno_reason(char *why, size_t size, int err)
{
	char buf[16];

	snprintf(why, size, "%s", vft_errno_name(err, buf, sizeof(buf)));
}

/*
 * Loads a two-instruction fentry program against @func and attaches it: the
 * only reliable answer, since some kernels have the BTF but refuse tracing
 * programs (lockdown, missing trampoline support).
 */
static int probe_fentry(void *ctx, const char *func, char *why, size_t size)
{
	struct vft_kernel_probe *kp = ctx;
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int id, prog_fd, link_fd, err;

	if (!kp->vmlinux_btf) {
		snprintf(why, size, "no kernel BTF");
		return kp->btf_err;
	}
	id = btf__find_by_name_kind(kp->vmlinux_btf, func, BTF_KIND_FUNC);
	if (id < 0) {
		snprintf(why, size, "%s not in kernel BTF", func);
		return -ENOENT;
	}
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FENTRY,
		    .attach_btf_id = id);
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

static int probe_kprobe(void *ctx, const char *func, char *why, size_t size)
{
	struct vft_kernel_probe *kp = ctx;
	char needle[160];

	if (!kp->kprobes_built_in) {
		snprintf(why, size, "not built into this kernel");
		return -EOPNOTSUPP;
	}
	if (kp->kallsyms_err) {
		snprintf(why, size, "cannot read /proc/kallsyms (%s)", strerror(-kp->kallsyms_err));
		return kp->kallsyms_err;
	}
	snprintf(needle, sizeof(needle), "\n%s\n", func);
	if (!strstr(kp->kallsyms, needle)) {
		snprintf(why, size, "%s not in kallsyms", func);
		return -ENOENT;
	}
	return 0;
}

const struct vft_probe_ops vft_kernel_probe_ops = {
	.fentry = probe_fentry,
	.kprobe = probe_kprobe,
};
