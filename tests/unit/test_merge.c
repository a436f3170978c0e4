// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_merge.c - merging the BPF and netlink sightings of one change: which
 * events pass, wait or go, in what order, and what the caps cost.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "sources/merge.h"

#define WINDOW 1000 /* ns, to keep the numbers small */
#define NS_A 4026532001u
#define NS_B 4026532002u

/* What reached the consumer: kinds, sources and ifindexes, in order. */
struct seen {
	int n;
	uint32_t kind[8];
	uint32_t source[8];
	int32_t ifindex[8];
	int fail_with;
};

static int collect(void *ctx, const struct vft_event *ev)
{
	struct seen *s = ctx;

	if (s->fail_with)
		return s->fail_with;
	if (s->n < 8) {
		s->kind[s->n] = ev->kind;
		s->source[s->n] = ev->source;
		s->ifindex[s->n] = ev->ifindex;
	}
	s->n++;
	return 0;
}

static struct vft_event event(uint32_t kind, uint32_t source, int32_t ifindex, uint64_t ts)
{
	struct vft_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.source = source;
	ev.ifindex = ifindex;
	ev.netns = NS_A;
	ev.ts_ns = ts;
	strcpy(ev.ifname, "vf0");
	return ev;
}

static struct vft_merge *new_merge(void)
{
	struct vft_merge *m;

	assert_int_equal(vft_merge__new(WINDOW, &m), 0);
	return m;
}

static void bpf_first_then_netlink_dropped(void **state)
{
	struct vft_event bpf = event(VFT_EV_NETDEV_REGISTER, VFT_SRC_FENTRY, 7, 100);
	struct vft_event nl = event(VFT_EV_NETDEV_REGISTER, VFT_SRC_NETLINK, 7, 400);
	struct vft_merge *m = new_merge();
	struct seen s = { 0 };

	assert_int_equal(vft_merge__feed(m, &bpf, 100, collect, &s), 0);
	assert_int_equal(s.n, 1); /* at once */
	assert_int_equal(s.source[0], VFT_SRC_FENTRY);
	assert_int_equal(vft_merge__feed(m, &nl, 400, collect, &s), 0);
	assert_int_equal(vft_merge__flush(m, UINT64_MAX, collect, &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(vft_merge__dropped(m), 1);
	vft_merge__free(m);
}

static void netlink_first_then_bpf_drops_it(void **state)
{
	struct vft_event nl = event(VFT_EV_NETNS_MOVE, VFT_SRC_NETLINK, 7, 200);
	struct vft_event bpf = event(VFT_EV_NETNS_MOVE, VFT_SRC_KPROBE, 7, 150);
	struct vft_merge *m = new_merge();
	struct seen s = { 0 };

	nl.from_netns = bpf.from_netns = NS_A;
	nl.to_netns = bpf.to_netns = NS_B;
	nl.netns = bpf.netns = NS_B;
	assert_int_equal(vft_merge__feed(m, &nl, 200, collect, &s), 0);
	assert_int_equal(s.n, 0); /* held */
	assert_int_equal(vft_merge__feed(m, &bpf, 300, collect, &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.source[0], VFT_SRC_KPROBE);
	assert_int_equal(vft_merge__flush(m, UINT64_MAX, collect, &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(vft_merge__dropped(m), 1);
	vft_merge__free(m);
}

static void netlink_only_released_after_window(void **state)
{
	struct vft_event nl = event(VFT_EV_LINK_CHANGE, VFT_SRC_NETLINK, 7, 0);
	struct vft_merge *m = new_merge();
	struct seen s = { 0 };

	assert_int_equal(vft_merge__feed(m, &nl, 5000, collect, &s), 0);
	assert_int_equal(vft_merge__flush(m, 5000 + WINDOW - 1, collect, &s), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(vft_merge__flush(m, 5000 + WINDOW, collect, &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.source[0], VFT_SRC_NETLINK);
	assert_int_equal(vft_merge__dropped(m), 0);

	/* a BPF event of that change arriving too late cannot take it back */
	nl = event(VFT_EV_LINK_CHANGE, VFT_SRC_FENTRY, 7, 0);
	assert_int_equal(vft_merge__feed(m, &nl, 7000, collect, &s), 0);
	assert_int_equal(s.n, 2);
	vft_merge__free(m);
}

static void bpf_only_and_inventory_pass(void **state)
{
	struct vft_event bpf = event(VFT_EV_NETDEV_UNREGISTER, VFT_SRC_TRACEPOINT, 7, 10);
	struct vft_event inv = event(VFT_EV_NETDEV_REGISTER, VFT_SRC_INVENTORY, 7, 10);
	struct vft_merge *m = new_merge();
	struct seen s = { 0 };

	assert_int_equal(vft_merge__feed(m, &bpf, 10, collect, &s), 0);
	assert_int_equal(vft_merge__feed(m, &inv, 10, collect, &s), 0);
	assert_int_equal(s.n, 2);
	/* an inventory event is never a duplicate, even of a remembered BPF one */
	inv.kind = VFT_EV_NETDEV_UNREGISTER;
	assert_int_equal(vft_merge__feed(m, &inv, 11, collect, &s), 0);
	assert_int_equal(vft_merge__flush(m, UINT64_MAX, collect, &s), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(vft_merge__dropped(m), 0);
	vft_merge__free(m);
}

static void different_changes_are_not_merged(void **state)
{
	struct vft_merge *m = new_merge();
	struct seen s = { 0 };
	struct vft_event bpf, nl;

	/* another device, another netns, another kind, too far apart, a failed call */
	bpf = event(VFT_EV_NETDEV_REGISTER, VFT_SRC_FENTRY, 7, 100);
	assert_int_equal(vft_merge__feed(m, &bpf, 100, collect, &s), 0);
	nl = event(VFT_EV_NETDEV_REGISTER, VFT_SRC_NETLINK, 8, 100);
	assert_int_equal(vft_merge__feed(m, &nl, 100, collect, &s), 0);
	nl = event(VFT_EV_NETDEV_REGISTER, VFT_SRC_NETLINK, 7, 100);
	nl.netns = NS_B;
	assert_int_equal(vft_merge__feed(m, &nl, 100, collect, &s), 0);
	nl = event(VFT_EV_LINK_CHANGE, VFT_SRC_NETLINK, 7, 100);
	assert_int_equal(vft_merge__feed(m, &nl, 100, collect, &s), 0);
	nl = event(VFT_EV_NETDEV_REGISTER, VFT_SRC_NETLINK, 7, 100 + WINDOW + 1);
	assert_int_equal(vft_merge__feed(m, &nl, 100, collect, &s), 0);
	assert_int_equal(vft_merge__dropped(m), 0);

	bpf = event(VFT_EV_NETNS_MOVE, VFT_SRC_FENTRY, 9, 100);
	bpf.has_ret = true;
	bpf.ret = -EEXIST;
	assert_int_equal(vft_merge__feed(m, &bpf, 100, collect, &s), 0);
	nl = event(VFT_EV_NETNS_MOVE, VFT_SRC_NETLINK, 9, 120);
	assert_int_equal(vft_merge__feed(m, &nl, 120, collect, &s), 0);

	assert_int_equal(vft_merge__flush(m, UINT64_MAX, collect, &s), 0);
	assert_int_equal(s.n, 7);
	assert_int_equal(vft_merge__dropped(m), 0);
	vft_merge__free(m);
}

static void one_bpf_event_stands_for_one_netlink_event(void **state)
{
	struct vft_event bpf = event(VFT_EV_LINK_CHANGE, VFT_SRC_FENTRY, 7, 100);
	struct vft_event nl = event(VFT_EV_LINK_CHANGE, VFT_SRC_NETLINK, 7, 110);
	struct vft_merge *m = new_merge();
	struct seen s = { 0 };

	/* `ip link set up`, then the carrier comes: two netlink changes, one call */
	assert_int_equal(vft_merge__feed(m, &bpf, 100, collect, &s), 0);
	assert_int_equal(vft_merge__feed(m, &nl, 110, collect, &s), 0);
	nl.ts_ns = 120;
	assert_int_equal(vft_merge__feed(m, &nl, 120, collect, &s), 0);
	assert_int_equal(vft_merge__flush(m, UINT64_MAX, collect, &s), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.source[1], VFT_SRC_NETLINK);
	assert_int_equal(vft_merge__dropped(m), 1);
	vft_merge__free(m);
}

static void rename_and_addresses_match_on_their_keys(void **state)
{
	struct vft_merge *m = new_merge();
	struct seen s = { 0 };
	struct vft_event bpf, nl;

	/* a rename: by the old name (the BPF side may not know the ifindex the same way) */
	bpf = event(VFT_EV_NETDEV_RENAME, VFT_SRC_FENTRY, 0, 100);
	strcpy(bpf.new_ifname, "net1");
	nl = event(VFT_EV_NETDEV_RENAME, VFT_SRC_NETLINK, 7, 110);
	strcpy(nl.new_ifname, "net1");
	assert_int_equal(vft_merge__feed(m, &nl, 110, collect, &s), 0);
	assert_int_equal(vft_merge__feed(m, &bpf, 120, collect, &s), 0);
	assert_int_equal(vft_merge__dropped(m), 1);

	/* addresses: by family, address and prefix length */
	bpf = event(VFT_EV_ADDR_ADD, VFT_SRC_FENTRY, 7, 200);
	bpf.family = AF_INET;
	bpf.prefixlen = 24;
	bpf.addr[0] = 192;
	nl = bpf;
	nl.source = VFT_SRC_NETLINK;
	nl.prefixlen = 25;
	assert_int_equal(vft_merge__feed(m, &bpf, 200, collect, &s), 0);
	assert_int_equal(vft_merge__feed(m, &nl, 210, collect, &s), 0); /* not the same */
	nl.prefixlen = 24;
	assert_int_equal(vft_merge__feed(m, &nl, 220, collect, &s), 0); /* the same */
	assert_int_equal(vft_merge__dropped(m), 2);
	assert_int_equal(vft_merge__flush(m, UINT64_MAX, collect, &s), 0);
	assert_int_equal(s.n, 3);
	vft_merge__free(m);
}

static void held_events_keep_their_order(void **state)
{
	struct vft_merge *m = new_merge();
	struct seen s = { 0 };
	struct vft_event ev;
	int i;

	for (i = 1; i <= 4; i++) {
		ev = event(VFT_EV_LINK_CHANGE, VFT_SRC_NETLINK, i, i * 10);
		assert_int_equal(vft_merge__feed(m, &ev, i * 10, collect, &s), 0);
	}
	/* the BPF sighting of change 2 arrives: 2 goes, 1, 3 and 4 wait on */
	ev = event(VFT_EV_LINK_CHANGE, VFT_SRC_FENTRY, 2, 15);
	assert_int_equal(vft_merge__feed(m, &ev, 50, collect, &s), 0);
	assert_int_equal(s.n, 1);
	/* time passes for 1 and 3 only: a newer event comes after them */
	ev = event(VFT_EV_NETDEV_REGISTER, VFT_SRC_INVENTORY, 99, 0);
	assert_int_equal(vft_merge__feed(m, &ev, 30 + WINDOW, collect, &s), 0);
	assert_int_equal(vft_merge__flush(m, UINT64_MAX, collect, &s), 0);
	assert_int_equal(s.n, 5);
	assert_int_equal(s.ifindex[0], 2); /* the BPF one, at once */
	assert_int_equal(s.ifindex[1], 1); /* released, oldest first */
	assert_int_equal(s.ifindex[2], 3);
	assert_int_equal(s.ifindex[3], 99); /* the inventory event, after what was due */
	assert_int_equal(s.ifindex[4], 4);
	vft_merge__free(m);
}

static void eviction_at_the_cap_is_counted(void **state)
{
	struct vft_merge *m = new_merge();
	struct seen s = { 0 };
	struct vft_event ev;
	int i;

	for (i = 0; i <= VFT_MERGE_CAP; i++) {
		ev = event(VFT_EV_LINK_CHANGE, VFT_SRC_NETLINK, i + 1, 100);
		assert_int_equal(vft_merge__feed(m, &ev, 100, collect, &s), 0);
	}
	/* the oldest went out early, not lost */
	assert_int_equal(vft_merge__evicted(m), 1);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.ifindex[0], 1);
	assert_int_equal(vft_merge__flush(m, UINT64_MAX, collect, &s), 0);
	assert_int_equal(s.n, VFT_MERGE_CAP + 1);

	/* remembered BPF events: the oldest is forgotten and can no longer drop a duplicate */
	for (i = 0; i <= VFT_MERGE_CAP; i++) {
		ev = event(VFT_EV_NETDEV_REGISTER, VFT_SRC_FENTRY, i + 1, 200);
		assert_int_equal(vft_merge__feed(m, &ev, 200, collect, &s), 0);
	}
	assert_int_equal(vft_merge__evicted(m), 2);
	ev = event(VFT_EV_NETDEV_REGISTER, VFT_SRC_NETLINK, 1, 200);
	assert_int_equal(vft_merge__feed(m, &ev, 200, collect, &s), 0);
	ev.ifindex = 2;
	assert_int_equal(vft_merge__feed(m, &ev, 200, collect, &s), 0);
	assert_int_equal(vft_merge__dropped(m), 1);
	vft_merge__free(m); /* frees the held one */
}

static void consumer_error_is_returned(void **state)
{
	struct vft_event nl = event(VFT_EV_LINK_CHANGE, VFT_SRC_NETLINK, 7, 0);
	struct vft_merge *m = new_merge();
	struct seen s = { .fail_with = -EPIPE };

	assert_int_equal(vft_merge__feed(m, &nl, 0, collect, &s), 0);
	assert_int_equal(vft_merge__flush(m, UINT64_MAX, collect, &s), -EPIPE);
	nl.source = VFT_SRC_FENTRY;
	assert_int_equal(vft_merge__feed(m, &nl, 0, collect, &s), -EPIPE);
	vft_merge__free(m);
	vft_merge__free(NULL);
}

static void covered_kinds_drop_netlink_at_once(void **state)
{
	struct vft_merge *m;
	struct vft_event a, b;
	struct seen out = { 0 };

	assert_int_equal(vft_merge__new(WINDOW, &m), 0);
	assert_int_equal(vft_merge__cover(m, VFT_EV_NETDEV_RENAME, 0), 0);
	assert_int_equal(vft_merge__cover(m, VFT_EV_ADDR_ADD, 2), 0);
	assert_int_equal(vft_merge__cover(m, 0, 0), -EINVAL);
	memset(&a, 0, sizeof(a));
	a.kind = VFT_EV_NETDEV_RENAME;
	a.source = VFT_SRC_NETLINK;
	a.ts_ns = 10;
	/* a late replay with no BPF counterpart in any window: still dropped */
	assert_int_equal(vft_merge__feed(m, &a, 10, collect, &out), 0);
	b = a;
	b.kind = VFT_EV_ADDR_ADD;
	b.family = 2;
	assert_int_equal(vft_merge__feed(m, &b, 10, collect, &out), 0);
	/* IPv6 is not covered: held, then released */
	b.family = 10;
	assert_int_equal(vft_merge__feed(m, &b, 10, collect, &out), 0);
	assert_int_equal(vft_merge__flush(m, UINT64_MAX, collect, &out), 0);
	assert_int_equal(out.n, 1);
	assert_int_equal(vft_merge__dropped(m), 2);
	vft_merge__free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(covered_kinds_drop_netlink_at_once),
		cmocka_unit_test(bpf_first_then_netlink_dropped),
		cmocka_unit_test(netlink_first_then_bpf_drops_it),
		cmocka_unit_test(netlink_only_released_after_window),
		cmocka_unit_test(bpf_only_and_inventory_pass),
		cmocka_unit_test(different_changes_are_not_merged),
		cmocka_unit_test(one_bpf_event_stands_for_one_netlink_event),
		cmocka_unit_test(rename_and_addresses_match_on_their_keys),
		cmocka_unit_test(held_events_keep_their_order),
		cmocka_unit_test(eviction_at_the_cap_is_counted),
		cmocka_unit_test(consumer_error_is_returned),
	};

	return cmocka_run_group_tests_name("merge", tests, NULL, NULL);
}
