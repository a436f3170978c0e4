// SPDX-License-Identifier: GPL-2.0-only
/*
 * netlink_probe.c - a test driver for the rtnetlink source: prints the
 * inventory, then "ready", then one line per event until SIGINT or SIGTERM.
 * Built by tests/host/test_netlink.sh. Line format (every field, always):
 *   <source> <kind> ifname=.. ifindex=.. netns=.. parent=.. new_ifname=..
 *   from=.. to=.. new_ifindex=.. flags=0x.. old_flags=0x.. addr=../..
 * -v prints the source's debug messages on stderr.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "model/event.h"
#include "sources/netlink_source.h"
#include "lib/util.h"

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	exiting = 1;
}

static int print_event(void *ctx, const struct vft_event *ev)
{
	char addr[INET6_ADDRSTRLEN] = "-";

	if (ev->family == AF_INET || ev->family == AF_INET6)
		inet_ntop(ev->family, ev->addr, addr, sizeof(addr));
	printf("%s %s ifname=%s ifindex=%d netns=%u parent=%s new_ifname=%s from=%u to=%u "
	       "new_ifindex=%d flags=%#x old_flags=%#x addr=%s/%u actor=%d\n",
	       vft_source__name(ev->source), vft_kind__name(ev->kind), ev->ifname, ev->ifindex,
	       ev->netns, ev->parent[0] ? ev->parent : "-",
	       ev->new_ifname[0] ? ev->new_ifname : "-", ev->from_netns, ev->to_netns,
	       ev->new_ifindex, ev->flags, ev->old_flags, addr, ev->prefixlen, ev->has_actor);
	return 0;
}

int main(int argc, char **argv)
{
	struct netlink_source_opts opts = { 0 };
	struct netlink_source *src = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	struct pollfd pfd;
	int err;

	if (argc > 1 && !strcmp(argv[1], "-v"))
		vft_verbose = 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	err = netlink_source__new(&opts, &src);
	if (err)
		goto out;
	err = netlink_source__inventory(src, print_event, NULL);
	if (err < 0)
		goto out;
	printf("ready inventory=%d\n", err);
	err = 0;

	pfd.fd = netlink_source__fd(src);
	pfd.events = POLLIN;
	while (!exiting) {
		if (poll(&pfd, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		err = netlink_source__process(src, print_event, NULL);
		if (err < 0)
			break;
		err = 0;
	}
	printf("lost %llu\n", (unsigned long long)netlink_source__lost(src));
out:
	if (err)
		fprintf(stderr, "netlink_probe: %s\n", strerror(-err));
	netlink_source__free(src);
	return err ? 1 : 0;
}
