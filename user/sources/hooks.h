/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hooks.h - the logical hooks vftrace wants, the kernel functions that can
 * serve each, and the run-time choice of mechanism (fentry/fexit, else
 * kprobe/kretprobe, else unavailable with the reasons).
 */
#ifndef VFT_HOOKS_H
#define VFT_HOOKS_H

#include <stdbool.h>
#include <stddef.h>

enum vft_hook_id {
	VFT_HOOK_NETDEV_REGISTER,
	VFT_HOOK_NETDEV_UNREGISTER,
	VFT_HOOK_NETNS_MOVE,
	VFT_HOOK_NETDEV_RENAME,
	VFT_HOOK_LINK_CHANGE,
	VFT_HOOK_ADDR_IPV4,
	VFT_HOOK_ADDR_IPV6,
	VFT_HOOK_ADDR_IPV6_DEL,
	VFT_HOOK_DRIVER_BIND,
	VFT_HOOK_DRIVER_UNBIND,
	VFT_HOOK_SRIOV_NUMVFS,
	VFT_HOOK_VF_ADD,
	VFT_HOOK_VF_REMOVE,
	VFT_HOOK_NETLINK_ERROR,
	VFT_HOOK_RDMA_REGISTER,
	VFT_HOOK_RDMA_UNREGISTER,
	VFT_HOOK_RDMA_RENAME,
	VFT_HOOK_RDMA_NETNS_MOVE,
	VFT_HOOK_RDMA_PORT_EVENT,
	VFT_HOOK_VF_CONFIG,
	VFT_HOOK_VF_CONFIG_NEWLINK,
	/* CNI plugin runs: the exit first, so that no run is kept whose exit is not seen */
	VFT_HOOK_CNI_EXIT,
	VFT_HOOK_CNI_EXEC,
	VFT_HOOK_MAX,
};

/* One logical hook: candidate functions in preference order, and the programs per mechanism. */
struct vft_hook_def {
	const char *name;	    /* "netdev_register": also the event it produces */
	const char *funcs[4];	    /* candidate kernel functions, NULL-terminated */
	const char *fentry_prog;    /* fentry program, or NULL */
	const char *fexit_prog;	    /* fexit program, or NULL */
	const char *kprobe_prog;    /* kprobe program, or NULL */
	const char *kretprobe_prog; /* kretprobe program, or NULL */
	const char *tp_prog;	    /* raw tracepoint program (funcs[0] names the tracepoint) */
	const char *module;	    /* the functions live in this module, or NULL */
	bool prefer_kprobe;	    /* try kprobes first: fentry is known to miss calls here */
};

enum vft_hook_status {
	VFT_HOOK_UNAVAILABLE = 0,
	VFT_HOOK_PLANNED, /* chosen, not attached yet */
	VFT_HOOK_ATTACHED,
	VFT_HOOK_WAITING, /* its module is not loaded: attached when it is */
};

enum vft_mech {
	VFT_MECH_NONE = 0,
	VFT_MECH_FENTRY,     /* fentry and/or fexit */
	VFT_MECH_KPROBE,     /* kprobe and/or kretprobe */
	VFT_MECH_TRACEPOINT, /* raw tracepoint */
};

struct vft_hook_state {
	const struct vft_hook_def *def;
	enum vft_hook_status status;
	enum vft_mech mech;
	const char *func; /* the chosen kernel function */
	char reason[300]; /* why unavailable; "" otherwise */
};

extern const struct vft_hook_def vft_hook_defs[VFT_HOOK_MAX];

/*
 * What the planner asks of the kernel. Each check returns 0 when @func can be
 * hooked that way, else a negative errno and a short reason in @why (e.g.
 * "EPERM", "not in kernel BTF").
 */
struct vft_probe_ops {
	int (*fentry)(void *ctx, const char *module, const char *func, char *why, size_t size);
	int (*kprobe)(void *ctx, const char *module, const char *func, char *why, size_t size);
	int (*tracepoint)(void *ctx, const char *name, char *why, size_t size);
	/* enum vft_module_state of @module */
	int (*module_state)(void *ctx, const char *module);
};

enum vft_module_state {
	VFT_MODULE_ABSENT = 0, /* not loaded, and this kernel has no such module to load */
	VFT_MODULE_LOADABLE,   /* not loaded yet (or unknown: no modules.dep to ask) */
	VFT_MODULE_LOADED,     /* loaded or built in */
};

/*
 * Chooses a mechanism and function for every hook in @defs: the first
 * candidate function that fentry can attach to, else the first that a kprobe
 * can, else unavailable with a reason naming each mechanism's failure.
 * @only restricts the choice to one mechanism (VFT_MECH_NONE: any).
 */
void vft_hooks__plan(const struct vft_hook_def *defs, size_t n, const struct vft_probe_ops *ops,
		     void *ctx, enum vft_mech only, struct vft_hook_state *out);

/* Parses "auto", "fentry" or "kprobe". Returns 0 or -EINVAL. */
int vft_mech__parse(const char *s, enum vft_mech *out);

const char *vft_mech__name(enum vft_mech mech);
const char *vft_hook_status__name(enum vft_hook_status status);

/* The live kernel's probes: BTF + a test attach for fentry; kprobe PMU + kallsyms for kprobes. */
struct vft_kernel_probe;
int vft_kernel_probe__new(const char *root, struct vft_kernel_probe **out);
/* The BTF object fd of @module for fentry programs, or a negative errno. */
int vft_kernel_probe__module_btf_fd(struct vft_kernel_probe *kp, const char *module);
void vft_kernel_probe__free(struct vft_kernel_probe *kp);
extern const struct vft_probe_ops vft_kernel_probe_ops;

#endif /* VFT_HOOKS_H */
