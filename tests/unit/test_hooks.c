// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_hooks.c - the run-time choice of mechanism, with a scripted kernel, and
 * the hook table against the programs and maps of the linked BPF object.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "sources/hooks.h"
#include "vftrace.skel.h"

/* A fake kernel: which functions each mechanism accepts, and what it says otherwise. */
struct fake {
	const char *fentry_ok[4];
	const char *kprobe_ok[4];
	const char *fentry_why; /* NULL: "<func> not in kernel BTF" */
	const char *kprobe_why;
	bool tp_ok;
	bool modules_loaded;
	bool modules_absent;
};

static int has(const char *const *list, const char *func)
{
	for (; *list; list++)
		if (!strcmp(*list, func))
			return 1;
	return 0;
}

static int fake_fentry(void *ctx, const char *module, const char *func, char *why, size_t size)
{
	struct fake *f = ctx;

	if (has(f->fentry_ok, func))
		return 0;
	if (f->fentry_why)
		snprintf(why, size, "%s", f->fentry_why);
	else
		snprintf(why, size, "%s not in kernel BTF", func);
	return -ENOENT;
}

static int fake_kprobe(void *ctx, const char *module, const char *func, char *why, size_t size)
{
	struct fake *f = ctx;

	if (has(f->kprobe_ok, func))
		return 0;
	if (f->kprobe_why)
		snprintf(why, size, "%s", f->kprobe_why);
	else
		snprintf(why, size, "%s not in kallsyms", func);
	return -ENOENT;
}

static int fake_tracepoint(void *ctx, const char *name, char *why, size_t size)
{
	struct fake *f = ctx;

	if (f->tp_ok)
		return 0;
	snprintf(why, size, "EPERM");
	return -EPERM;
}

static int fake_module_state(void *ctx, const char *module)
{
	struct fake *f = ctx;

	return f->modules_loaded ? VFT_MODULE_LOADED :
	       f->modules_absent ? VFT_MODULE_ABSENT :
				   VFT_MODULE_LOADABLE;
}

static const struct vft_probe_ops ops = { fake_fentry, fake_kprobe, fake_tracepoint,
					  fake_module_state };

static const struct vft_hook_def defs[] = {
	{ .name = "a", .funcs = { "fa" }, .fentry_prog = "p", .kprobe_prog = "q" },
	{ .name = "b", .funcs = { "old_b", "new_b" }, .fexit_prog = "p", .kretprobe_prog = "q" },
	{ .name = "c", .funcs = { "fc" }, .kprobe_prog = "q" },
};

static void prefers_fentry(void **state)
{
	struct fake f = { .fentry_ok = { "fa", "old_b" }, .kprobe_ok = { "fa", "old_b", "fc" } };
	struct vft_hook_state st[3];

	vft_hooks__plan(defs, 3, &ops, &f, VFT_MECH_NONE, st);
	assert_int_equal(st[0].status, VFT_HOOK_PLANNED);
	assert_int_equal(st[0].mech, VFT_MECH_FENTRY);
	assert_string_equal(st[0].func, "fa");
	assert_int_equal(st[1].mech, VFT_MECH_FENTRY);
	assert_string_equal(st[1].func, "old_b");
	/* a hook with only a kprobe program never plans fentry */
	assert_int_equal(st[2].mech, VFT_MECH_KPROBE);
	assert_ptr_equal(st[2].def, &defs[2]);
}

static void falls_back_to_kprobe(void **state)
{
	struct fake f = { .kprobe_ok = { "fa" }, .fentry_why = "EPERM" };
	struct vft_hook_state st[1];

	vft_hooks__plan(defs, 1, &ops, &f, VFT_MECH_NONE, st);
	assert_int_equal(st[0].status, VFT_HOOK_PLANNED);
	assert_int_equal(st[0].mech, VFT_MECH_KPROBE);
	assert_string_equal(st[0].func, "fa");
	assert_string_equal(st[0].reason, "");
}

static void tries_later_candidates(void **state)
{
	struct fake f = { .fentry_ok = { "new_b" } };
	struct vft_hook_state st[2];

	vft_hooks__plan(defs, 2, &ops, &f, VFT_MECH_NONE, st);
	assert_int_equal(st[1].mech, VFT_MECH_FENTRY);
	assert_string_equal(st[1].func, "new_b");
}

static void explains_unavailable(void **state)
{
	struct fake f = { .fentry_why = "EPERM", .kprobe_why = "not built into this kernel" };
	struct vft_hook_state st[3];

	vft_hooks__plan(defs, 3, &ops, &f, VFT_MECH_NONE, st);
	assert_int_equal(st[0].status, VFT_HOOK_UNAVAILABLE);
	assert_int_equal(st[0].mech, VFT_MECH_NONE);
	assert_null(st[0].func);
	assert_string_equal(st[0].reason, "fentry: EPERM; kprobes: not built into this kernel");
	assert_string_equal(st[2].reason,
			    "fentry: no program; kprobes: not built into this kernel");
}

static void keeps_the_telling_reason(void **state)
{
	/* The first name gives EPERM, the second does not exist: EPERM is the story. */
	struct fake f = { 0 };
	struct vft_hook_state st[2];

	vft_hooks__plan(defs, 2, &ops, &f, VFT_MECH_NONE, st);
	assert_string_equal(st[1].reason,
			    "fentry: old_b not in kernel BTF; kprobes: old_b not in kallsyms");
}

static void mechanism_can_be_forced(void **state)
{
	struct fake f = { .fentry_ok = { "fa", "fc" }, .kprobe_ok = { "fa" } };
	struct vft_hook_state st[3];

	vft_hooks__plan(defs, 1, &ops, &f, VFT_MECH_KPROBE, st);
	assert_int_equal(st[0].mech, VFT_MECH_KPROBE);
	vft_hooks__plan(defs, 3, &ops, &f, VFT_MECH_FENTRY, st);
	assert_int_equal(st[0].mech, VFT_MECH_FENTRY);
	/* "c" has only a kprobe program: forcing fentry leaves it unavailable */
	assert_int_equal(st[2].status, VFT_HOOK_UNAVAILABLE);
	assert_string_equal(st[2].reason,
			    "fentry: no program; kprobes: not chosen (--mechanism fentry)");
	f.kprobe_ok[0] = NULL;
	vft_hooks__plan(defs, 1, &ops, &f, VFT_MECH_KPROBE, st);
	assert_string_equal(st[0].reason,
			    "fentry: not chosen (--mechanism kprobe); kprobes: fa not in kallsyms");
}

static void tracepoints_and_modules(void **state)
{
	static const struct vft_hook_def tdefs[] = {
		{ .name = "t", .funcs = { "netlink_extack" }, .tp_prog = "p" },
		{ .name = "m", .funcs = { "ib_f" }, .fentry_prog = "p", .module = "ib_core" },
	};
	struct fake f = { .fentry_ok = { "ib_f" } };
	struct vft_hook_state st[2];

	vft_hooks__plan(tdefs, 2, &ops, &f, VFT_MECH_KPROBE, st);
	assert_int_equal(st[0].status, VFT_HOOK_UNAVAILABLE);
	assert_string_equal(st[0].reason, "tracepoint: EPERM");
	assert_int_equal(st[1].status, VFT_HOOK_WAITING);
	assert_string_equal(st[1].reason, "module ib_core not loaded: attached when it loads");

	f.modules_absent = true;
	vft_hooks__plan(tdefs, 2, &ops, &f, VFT_MECH_NONE, st);
	assert_int_equal(st[1].status, VFT_HOOK_UNAVAILABLE);
	assert_string_equal(st[1].reason, "module ib_core: this kernel has none");

	f.tp_ok = true;
	f.modules_loaded = true;
	vft_hooks__plan(tdefs, 2, &ops, &f, VFT_MECH_NONE, st);
	/* --mechanism does not apply to tracepoints */
	assert_int_equal(st[0].status, VFT_HOOK_PLANNED);
	assert_int_equal(st[0].mech, VFT_MECH_TRACEPOINT);
	assert_string_equal(st[0].func, "netlink_extack");
	assert_int_equal(st[1].status, VFT_HOOK_PLANNED);
	assert_int_equal(st[1].mech, VFT_MECH_FENTRY);
}

static void some_hooks_prefer_kprobes(void **state)
{
	static const struct vft_hook_def pdefs[] = {
		{ .name = "p",
		  .funcs = { "fp" },
		  .fexit_prog = "x",
		  .kretprobe_prog = "y",
		  .prefer_kprobe = true },
	};
	struct fake f = { .fentry_ok = { "fp" }, .kprobe_ok = { "fp" } };
	struct vft_hook_state st[1];

	vft_hooks__plan(pdefs, 1, &ops, &f, VFT_MECH_NONE, st);
	assert_int_equal(st[0].mech, VFT_MECH_KPROBE);
	/* forced fentry still gets fentry; no kprobes: fentry after all */
	vft_hooks__plan(pdefs, 1, &ops, &f, VFT_MECH_FENTRY, st);
	assert_int_equal(st[0].mech, VFT_MECH_FENTRY);
	f.kprobe_ok[0] = NULL;
	vft_hooks__plan(pdefs, 1, &ops, &f, VFT_MECH_NONE, st);
	assert_int_equal(st[0].mech, VFT_MECH_FENTRY);
	assert_true(vft_hook_defs[VFT_HOOK_DRIVER_BIND].prefer_kprobe);
}

static void real_table_is_complete(void **state)
{
	size_t i, j;

	for (i = 0; i < VFT_HOOK_MAX; i++) {
		const struct vft_hook_def *d = &vft_hook_defs[i];

		assert_non_null(d->name);
		assert_non_null(d->funcs[0]);
		if (d->tp_prog)
			continue;
		assert_true(d->fentry_prog || d->fexit_prog);
		assert_true(d->kprobe_prog || d->kretprobe_prog);
		/* names are unique */
		for (j = 0; j < i; j++)
			assert_string_not_equal(d->name, vft_hook_defs[j].name);
	}
	assert_string_equal(vft_hook_defs[VFT_HOOK_NETNS_MOVE].name, "netns_move");
}

/* 0 when @name is a program of @obj in a section of the mechanism @prefix, else -1. */
static int prog_in_section(struct bpf_object *obj, const char *name, const char *prefix)
{
	struct bpf_program *prog;

	if (!name)
		return 0;
	prog = bpf_object__find_program_by_name(obj, name);
	if (!prog) {
		print_error("%s: no such program\n", name);
		return -1;
	}
	if (strncmp(bpf_program__section_name(prog), prefix, strlen(prefix))) {
		print_error("%s: in section %s\n", name, bpf_program__section_name(prog));
		return -1;
	}
	return 0;
}

/* Whether some hook of the table names @name. */
static bool table_names(const char *name)
{
	size_t i;

	for (i = 0; i < VFT_HOOK_MAX; i++) {
		const struct vft_hook_def *d = &vft_hook_defs[i];
		const char *progs[] = { d->fentry_prog, d->fexit_prog, d->kprobe_prog,
					d->kretprobe_prog, d->tp_prog };
		size_t j;

		for (j = 0; j < sizeof(progs) / sizeof(progs[0]); j++)
			if (progs[j] && !strcmp(progs[j], name))
				return true;
	}
	return false;
}

/*
 * The BPF object is linked from one file per kernel domain: every program the
 * table names is in it, of its mechanism, and nothing else; the maps that every
 * file defines are one map each. Opening the object needs neither root nor BPF.
 */
static void table_matches_the_object(void **state)
{
	static const char *const maps[] = { "events", "counters", "stashes", "cni_dirs", "cni_runs",
					    "cni_scratch", "vfcfg_reqs", "vfcfg_walk",
					    "vftrace.rodata",
					    /* proc.bpf.c's "CNI_..." prefixes */
					    ".rodata.str1.1" };
	struct vftrace *skel = *state;
	struct bpf_program *prog;
	struct bpf_map *map;
	size_t i, n = 0;

	for (i = 0; i < VFT_HOOK_MAX; i++) {
		const struct vft_hook_def *d = &vft_hook_defs[i];

		assert_int_equal(prog_in_section(skel->obj, d->fentry_prog, "fentry/"), 0);
		assert_int_equal(prog_in_section(skel->obj, d->fexit_prog, "fexit/"), 0);
		assert_int_equal(prog_in_section(skel->obj, d->kprobe_prog, "kprobe/"), 0);
		assert_int_equal(prog_in_section(skel->obj, d->kretprobe_prog, "kretprobe/"), 0);
		assert_int_equal(prog_in_section(skel->obj, d->tp_prog, "raw_tp/"), 0);
	}
	/* bpf_object__for_each_program(), spelled out: clang-format does not know the macro */
	for (prog = bpf_object__next_program(skel->obj, NULL); prog;
	     prog = bpf_object__next_program(skel->obj, prog)) {
		if (!table_names(bpf_program__name(prog)))
			print_error("%s: named by no hook\n", bpf_program__name(prog));
		assert_true(table_names(bpf_program__name(prog)));
	}
	for (map = bpf_object__next_map(skel->obj, NULL); map;
	     map = bpf_object__next_map(skel->obj, map), n++) {
		assert_true(n < sizeof(maps) / sizeof(maps[0]));
		assert_string_equal(bpf_map__name(map), maps[n]);
	}
	assert_int_equal(n, sizeof(maps) / sizeof(maps[0]));
}

/* Opened in a setup so that a failing assertion does not leak it. */
static int open_object(void **state)
{
	*state = vftrace__open();
	return *state ? 0 : -1;
}

static int close_object(void **state)
{
	vftrace__destroy(*state);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(prefers_fentry),
		cmocka_unit_test(falls_back_to_kprobe),
		cmocka_unit_test(tries_later_candidates),
		cmocka_unit_test(explains_unavailable),
		cmocka_unit_test(keeps_the_telling_reason),
		cmocka_unit_test(mechanism_can_be_forced),
		cmocka_unit_test(tracepoints_and_modules),
		cmocka_unit_test(some_hooks_prefer_kprobes),
		cmocka_unit_test(real_table_is_complete),
		cmocka_unit_test_setup_teardown(table_matches_the_object, open_object,
						close_object),
	};

	return cmocka_run_group_tests_name("hooks", tests, NULL, NULL);
}
