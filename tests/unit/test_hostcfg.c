// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_hostcfg.c - would systemd-networkd or NetworkManager manage a VF, as
 * configured in a temporary root: first-match .network files, masks and
 * drop-ins, unmanaged-devices in NetworkManager's reading order, udev
 * NM_UNMANAGED rules, links that point out of the root, malformed files.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "enrich/hostcfg.h"

static char base[256]; /* the temporary directory */
static char root[300]; /* <base>/root, the root prefix */

static const char *const vf = "ibp24s0v1";
static const char *const pf = "ibp24s0";

static const char dhcp_all[] = "[Match]\nName=ib* en*\n\n[Network]\nDHCP=yes\n";
static const char vfs_unmanaged[] = "[Match]\nName=ibp*v* net*\n\n[Link]\nUnmanaged=yes\n";

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* mkdir -p of <root>/<rel>'s directory (with @parent_only) or of itself. */
static void mkdirs(const char *rel, int parent_only)
{
	char path[1024];
	char *p, *end;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	end = parent_only ? strrchr(path, '/') : path + strlen(path);
	assert_non_null(end);
	*end = '\0';
	for (p = path + strlen(root) + 1; p <= path + strlen(path); p++) {
		if (*p != '/' && *p)
			continue;
		char c = *p;

		*p = '\0';
		assert_true(!mkdir(path, 0755) || errno == EEXIST);
		*p = c;
	}
}

static void put_bytes(const char *rel, const void *data, size_t len)
{
	char path[1024];
	int fd;

	mkdirs(rel, 1);
	snprintf(path, sizeof(path), "%s%s", root, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void put(const char *rel, const char *s)
{
	put_bytes(rel, s, strlen(s));
}

static void ln(const char *target, const char *rel)
{
	char path[1024];

	mkdirs(rel, 1);
	snprintf(path, sizeof(path), "%s%s", root, rel);
	assert_int_equal(symlink(target, path), 0);
}

static void rm(const char *rel)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s%s", root, rel);
	assert_int_equal(unlink(path), 0);
}

static int setup(void **state)
{
	const char *tmpdir = access("/dev/shm", W_OK) ? (getenv("TMPDIR") ?: "/tmp") : "/dev/shm";

	snprintf(base, sizeof(base), "%s/vft-hostcfg-XXXXXX", tmpdir);
	if (!mkdtemp(base))
		return -1;
	snprintf(root, sizeof(root), "%s/root", base);
	return mkdir(root, 0755);
}

static int teardown(void **state)
{
	return nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* The claims on @ifname; @n must be the count returned. */
static int claims(const char *ifname, const char *driver, struct vft_hostcfg_claim out[2])
{
	memset(out, 0x5a, 2 * sizeof(*out));
	return vft_hostcfg__claims(root, ifname, driver, out);
}

static void nothing_installed_claims_nothing(void **state)
{
	struct vft_hostcfg_claim c[2];

	assert_int_equal(claims(vf, "mlx5_core", c), 0);
	/* empty directories, a .network file elsewhere, other files in the right place */
	mkdirs("/etc/systemd/network", 0);
	mkdirs("/etc/NetworkManager/conf.d", 0);
	put("/etc/systemd/80-dhcp.network", dhcp_all);
	put("/usr/lib/systemd/network/README", dhcp_all);
	put("/usr/lib/systemd/network/.80-hidden.network", dhcp_all);
	put("/etc/NetworkManager/conf.d/50-x.conf", "[main]\n");
	put("/etc/udev/rules.d/90-x.rules", "KERNEL==\"ibp*\", ENV{NM_UNMANAGED}=\"0\"\n");
	assert_int_equal(claims(vf, "mlx5_core", c), 0);
	assert_int_equal(claims(pf, NULL, c), 0);

	/* arguments */
	assert_int_equal(vft_hostcfg__claims(root, vf, NULL, NULL), -EINVAL);
	assert_int_equal(claims(NULL, NULL, c), -EINVAL);
	assert_int_equal(claims("", NULL, c), -EINVAL);
	assert_int_equal(claims("a/b", NULL, c), -EINVAL);
	assert_int_equal(claims("abcdefghijklmnop", NULL, c), -EINVAL);
	assert_int_equal(claims("abcdefghijklmno", NULL, c), 0);
}

static void networkd_claims_by_name(void **state)
{
	struct vft_hostcfg_claim c[2];

	put("/usr/lib/systemd/network/80-dhcp.network", dhcp_all);
	assert_int_equal(claims(vf, "mlx5_core", c), 1);
	assert_string_equal(c[0].manager, "systemd-networkd");
	assert_string_equal(c[0].source, "/usr/lib/systemd/network/80-dhcp.network");
	assert_string_equal(c[0].detail,
			    "[Match] Name=ib* en* catches ibp24s0v1; no Unmanaged=yes");
	assert_int_equal(claims("enp3s0f0v2", NULL, c), 1);
	assert_string_equal(c[0].detail,
			    "[Match] Name=ib* en* catches enp3s0f0v2; no Unmanaged=yes");
	/* net1 fits neither glob */
	assert_int_equal(claims("net1", "mlx5_core", c), 0);

	/* a file later in order never matters once one matched */
	put("/etc/systemd/network/90-vfs.network", vfs_unmanaged);
	assert_int_equal(claims(vf, "mlx5_core", c), 1);
	assert_string_equal(c[0].source, "/usr/lib/systemd/network/80-dhcp.network");
	/* but it decides for what the first one leaves */
	assert_int_equal(claims("net1", "mlx5_core", c), 0);
}

static void networkd_first_match_unmanaged(void **state)
{
	struct vft_hostcfg_claim c[2];

	put("/usr/lib/systemd/network/80-dhcp.network", dhcp_all);
	put("/etc/systemd/network/00-sriov-vfs.network", vfs_unmanaged);
	assert_int_equal(claims(vf, "mlx5_core", c), 0);
	assert_int_equal(claims("net1", "mlx5_core", c), 0);
	assert_int_equal(claims(pf, "mlx5_core", c), 1);
	assert_string_equal(c[0].source, "/usr/lib/systemd/network/80-dhcp.network");

	/* Unmanaged=no, or a word that is no boolean, leaves it managed */
	put("/etc/systemd/network/00-sriov-vfs.network",
	    "[Match]\nName=ibp*v*\n[Link]\nUnmanaged=no\n");
	assert_int_equal(claims(vf, NULL, c), 1);
	assert_string_equal(c[0].source, "/etc/systemd/network/00-sriov-vfs.network");
	assert_string_equal(c[0].detail, "[Match] Name=ibp*v* catches ibp24s0v1; Unmanaged=no");
	put("/etc/systemd/network/00-sriov-vfs.network",
	    "[Match]\nName=ibp*v*\n[Link]\nUnmanaged=perhaps\n");
	assert_int_equal(claims(vf, NULL, c), 1);
	assert_string_equal(c[0].source, "/etc/systemd/network/00-sriov-vfs.network");
	/* the last valid assignment wins; "On" in any case */
	put("/etc/systemd/network/00-sriov-vfs.network",
	    "[Match]\nName=ibp*v*\n[Link]\nUnmanaged=no\nUnmanaged=On\nUnmanaged=perhaps\n");
	assert_int_equal(claims(vf, NULL, c), 0);
	/* Unmanaged= outside [Link] is not the key */
	put("/etc/systemd/network/00-sriov-vfs.network",
	    "[Match]\nName=ibp*v*\n[Network]\nUnmanaged=yes\n");
	assert_int_equal(claims(vf, NULL, c), 1);
	assert_string_equal(c[0].source, "/etc/systemd/network/00-sriov-vfs.network");
	/* in [Match] it is a key networkd does not have: the file is not trusted to match */
	put("/etc/systemd/network/00-sriov-vfs.network",
	    "[Match]\nName=ibp*v*\nUnmanaged=yes\n[Link]\nUnmanaged=no\n");
	assert_int_equal(claims(vf, NULL, c), 1);
	assert_string_equal(c[0].source, "/usr/lib/systemd/network/80-dhcp.network");
}

static void networkd_masks(void **state)
{
	struct vft_hostcfg_claim c[2];

	put("/usr/lib/systemd/network/80-dhcp.network", dhcp_all);
	put("/usr/lib/systemd/network/00-sriov-vfs.network", vfs_unmanaged);
	assert_int_equal(claims(vf, NULL, c), 0);

	/* a link to /dev/null in /etc masks it (the root has no /dev/null) */
	ln("/dev/null", "/etc/systemd/network/00-sriov-vfs.network");
	assert_int_equal(claims(vf, NULL, c), 1);
	assert_string_equal(c[0].source, "/usr/lib/systemd/network/80-dhcp.network");
	rm("/etc/systemd/network/00-sriov-vfs.network");
	/* ... a relative one that climbs out of the root too */
	ln("../../../../../../../../../dev/null", "/run/systemd/network/00-sriov-vfs.network");
	assert_int_equal(claims(vf, NULL, c), 1);
	rm("/run/systemd/network/00-sriov-vfs.network");
	/* so does an empty file */
	put("/run/systemd/network/00-sriov-vfs.network", "");
	assert_int_equal(claims(vf, NULL, c), 1);
	rm("/run/systemd/network/00-sriov-vfs.network");
	assert_int_equal(claims(vf, NULL, c), 0);

	/* a file of the same name in an earlier directory replaces it */
	put("/etc/systemd/network/80-dhcp.network", "[Match]\nName=eth0\n[Network]\nDHCP=yes\n");
	rm("/usr/lib/systemd/network/00-sriov-vfs.network");
	assert_int_equal(claims(vf, NULL, c), 0);
	assert_int_equal(claims("eth0", NULL, c), 1);
	assert_string_equal(c[0].source, "/etc/systemd/network/80-dhcp.network");
	/* a directory of that name is no file and masks nothing */
	put("/usr/lib/systemd/network/75-ib.network", "[Match]\nName=ib*\n");
	mkdirs("/etc/systemd/network/75-ib.network", 0);
	assert_int_equal(claims(vf, NULL, c), 1);
	assert_string_equal(c[0].source, "/usr/lib/systemd/network/75-ib.network");
	rm("/usr/lib/systemd/network/75-ib.network");
	/* /lib counts as a later directory than /usr/lib */
	put("/lib/systemd/network/70-ib.network", "[Match]\nName=ib*\n");
	assert_int_equal(claims(vf, NULL, c), 1);
	assert_string_equal(c[0].source, "/lib/systemd/network/70-ib.network");
	put("/usr/lib/systemd/network/70-ib.network", "[Match]\nName=en*\n");
	assert_int_equal(claims(vf, NULL, c), 0);
}

static void networkd_unsupported_match_key_does_not_match(void **state)
{
	struct vft_hostcfg_claim c[2];

	put("/usr/lib/systemd/network/80-dhcp.network", dhcp_all);
	put("/etc/systemd/network/00-vfs.network",
	    "[Match]\nName=ibp*v*\nType=infiniband\n[Link]\nUnmanaged=yes\n");
	assert_int_equal(claims(vf, "mlx5_core", c), 1);
	assert_string_equal(c[0].source, "/usr/lib/systemd/network/80-dhcp.network");

	/* the same with only supported keys does match */
	put("/etc/systemd/network/00-vfs.network", "[Match]\nName=ibp*v*\n[Link]\nUnmanaged=yes\n");
	assert_int_equal(claims(vf, "mlx5_core", c), 0);

	/* nor does a DHCP file with one: nothing claims */
	rm("/usr/lib/systemd/network/80-dhcp.network");
	put("/etc/systemd/network/00-vfs.network",
	    "[Match]\nName=ib*\nPermanentMACAddress=00:11:22:33:44:55\n[Network]\nDHCP=yes\n");
	assert_int_equal(claims(vf, "mlx5_core", c), 0);
	put("/etc/systemd/network/00-vfs.network",
	    "[Match]\nName=ib*\nOriginalName=*\n[Network]\nDHCP=yes\n");
	assert_int_equal(claims(vf, "mlx5_core", c), 0);
	put("/etc/systemd/network/00-vfs.network",
	    "[Match]\nName=ib*\nHost=node1\n[Network]\nDHCP=yes\n");
	assert_int_equal(claims(vf, "mlx5_core", c), 0);
	/* an empty value of another key sets nothing */
	put("/etc/systemd/network/00-vfs.network",
	    "[Match]\nName=ib*\nType=\n[Network]\nDHCP=yes\n");
	assert_int_equal(claims(vf, "mlx5_core", c), 1);
}

static void networkd_negated_name(void **state)
{
	struct vft_hostcfg_claim c[2];

	put("/etc/systemd/network/50-all-but-vfs.network",
	    "[Match]\nName=!ibp*v* net*\n[Network]\nDHCP=yes\n");
	assert_int_equal(claims(vf, NULL, c), 0);
	assert_int_equal(claims("net1", NULL, c), 0);
	assert_int_equal(claims(pf, NULL, c), 1);
	assert_string_equal(c[0].detail,
			    "[Match] Name=!ibp*v* net* catches ibp24s0; no Unmanaged=yes");
	assert_int_equal(claims("eth0", NULL, c), 1);

	/* one negated glob in a positive list: a positive one must still match */
	put("/etc/systemd/network/50-all-but-vfs.network",
	    "[Match]\nName=ib* !ibp*v*\n[Network]\nDHCP=yes\n");
	assert_int_equal(claims(vf, NULL, c), 0);
	assert_int_equal(claims(pf, NULL, c), 1);
	assert_int_equal(claims("eth0", NULL, c), 0);

	/* repeated keys accumulate; an empty one starts over */
	put("/etc/systemd/network/50-all-but-vfs.network",
	    "[Match]\nName=eth*\nName=ib*\n[Network]\nDHCP=yes\n");
	assert_int_equal(claims(vf, NULL, c), 1);
	assert_string_equal(c[0].detail,
			    "[Match] Name=eth* Name=ib* catches ibp24s0v1; no Unmanaged=yes");
	assert_int_equal(claims("eth3", NULL, c), 1);
	put("/etc/systemd/network/50-all-but-vfs.network",
	    "[Match]\nName=ib*\nName=\nName=eth*\n[Network]\nDHCP=yes\n");
	assert_int_equal(claims(vf, NULL, c), 0);
	assert_int_equal(claims("eth3", NULL, c), 1);
	/* Name= takes quotes as they are (networkd does not unquote it), Driver= unquotes */
	put("/etc/systemd/network/50-all-but-vfs.network",
	    "[Match]\nName=\"ibp*v1\"\n[Network]\nDHCP=yes\n");
	assert_int_equal(claims(vf, NULL, c), 0);
	put("/etc/systemd/network/50-all-but-vfs.network",
	    "[Match]\nName=ibp\\*v1\nDriver='x y' \"mlx5_*\"\n[Network]\nDHCP=yes\n");
	assert_int_equal(claims(vf, "mlx5_core", c), 1);
	assert_int_equal(claims("ibp24s0v2", "mlx5_core", c), 0);
	assert_int_equal(claims(vf, "x", c), 0);
	/* an open quote: networkd ignores the file */
	put("/etc/systemd/network/50-all-but-vfs.network",
	    "[Match]\nName=ibp*\nDriver=\"mlx5_*\n[Network]\nDHCP=yes\n");
	assert_int_equal(claims(vf, "mlx5_core", c), 0);
}

static void networkd_driver(void **state)
{
	struct vft_hostcfg_claim c[2];

	put("/etc/systemd/network/60-mlx.network",
	    "[Match]\nDriver=mlx5_core\n[Network]\nDHCP=yes\n");
	assert_int_equal(claims(vf, "mlx5_core", c), 1);
	assert_string_equal(c[0].detail,
			    "[Match] Driver=mlx5_core catches ibp24s0v1; no Unmanaged=yes");
	assert_int_equal(claims(vf, "ixgbevf", c), 0);
	/* an unknown driver: the file is not trusted to match */
	assert_int_equal(claims(vf, NULL, c), 0);
	assert_int_equal(claims(vf, "", c), 0);

	/* every key must match */
	put("/etc/systemd/network/60-mlx.network",
	    "[Match]\nDriver=mlx5_*\nName=ibp*\n[Network]\nDHCP=yes\n");
	assert_int_equal(claims(vf, "mlx5_core", c), 1);
	assert_string_equal(c[0].detail,
			    "[Match] Driver=mlx5_* Name=ibp* catches ibp24s0v1; no Unmanaged=yes");
	assert_int_equal(claims("enp1s0", "mlx5_core", c), 0);
	assert_int_equal(claims(vf, "mlx4_core", c), 0);

	/* only negative globs: any other driver, but it must be known */
	put("/etc/systemd/network/60-mlx.network",
	    "[Match]\nDriver=!ixgbevf\n[Network]\nDHCP=yes\n");
	assert_int_equal(claims(vf, "mlx5_core", c), 1);
	assert_int_equal(claims(vf, "ixgbevf", c), 0);
	assert_int_equal(claims(vf, NULL, c), 0);
}

static void networkd_dropins_continuations_empty_match(void **state)
{
	struct vft_hostcfg_claim c[2];

	/* an empty [Match] is ignored, as networkd does */
	put("/etc/systemd/network/10-all.network", "[Match]\n\n[Network]\nDHCP=yes\n");
	put("/etc/systemd/network/20-none.network", "[Network]\nDHCP=yes\n");
	assert_int_equal(claims(vf, NULL, c), 0);

	/* a drop-in adds a Name= to it */
	put("/usr/lib/systemd/network/10-all.network.d/name.conf", "[Match]\nName=ibp*\n");
	assert_int_equal(claims(vf, NULL, c), 1);
	assert_string_equal(c[0].source, "/etc/systemd/network/10-all.network");
	/* another one, from /run, sets Unmanaged=yes */
	put("/run/systemd/network/10-all.network.d/vf.conf", "[Link]\nUnmanaged=yes\n");
	assert_int_equal(claims(vf, NULL, c), 0);
	/* drop-ins are read in name order: a later one resets it */
	put("/etc/systemd/network/10-all.network.d/zz.conf", "[Link]\nUnmanaged=\n");
	assert_int_equal(claims(vf, NULL, c), 1);
	/* and masked like the files */
	put("/etc/systemd/network/10-all.network.d/vf.conf", "");
	rm("/etc/systemd/network/10-all.network.d/zz.conf");
	assert_int_equal(claims(vf, NULL, c), 1);
	rm("/etc/systemd/network/10-all.network.d/vf.conf");
	assert_int_equal(claims(vf, NULL, c), 0);

	/* a trailing backslash continues a line; CRLF line ends */
	put("/etc/systemd/network/05-cont.network",
	    "[Match]\r\nName=eth0 \\\r\n   ibp*v1\r\n# a comment \\\n[Link]\r\nUnmanaged=no\r\n");
	assert_int_equal(claims(vf, NULL, c), 1);
	assert_string_equal(c[0].source, "/etc/systemd/network/05-cont.network");
	assert_int_equal(claims("ibp24s0v2", NULL, c), 0);
}

static void nm_installed_without_rules_claims(void **state)
{
	struct vft_hostcfg_claim c[2];

	put("/usr/sbin/NetworkManager", "#!/bin/false\n");
	assert_int_equal(claims(vf, "mlx5_core", c), 1);
	assert_string_equal(c[0].manager, "NetworkManager");
	assert_string_equal(c[0].source, "");
	assert_string_equal(c[0].detail,
			    "no unmanaged-devices or NM_UNMANAGED rule matches ibp24s0v1");

	put("/etc/NetworkManager/NetworkManager.conf", "[main]\nplugins=ifupdown,keyfile\n");
	rm("/usr/sbin/NetworkManager");
	assert_int_equal(claims(vf, "mlx5_core", c), 1);
	assert_string_equal(c[0].manager, "NetworkManager");
	assert_string_equal(c[0].source, "/etc/NetworkManager/NetworkManager.conf");

	/* both managers: networkd first */
	put("/usr/lib/systemd/network/80-dhcp.network", dhcp_all);
	assert_int_equal(claims(vf, "mlx5_core", c), 2);
	assert_string_equal(c[0].manager, "systemd-networkd");
	assert_string_equal(c[1].manager, "NetworkManager");
	assert_int_equal(claims("net1", "mlx5_core", c), 1);
	assert_string_equal(c[0].manager, "NetworkManager");
}

static void nm_unmanaged_devices(void **state)
{
	static const char *const conf = "/etc/NetworkManager/NetworkManager.conf";
	struct vft_hostcfg_claim c[2];

	put(conf, "[main]\nplugins=keyfile\n\n[keyfile]\n"
		  "unmanaged-devices=interface-name:ibp*v*;interface-name:net*\n");
	assert_int_equal(claims(vf, "mlx5_core", c), 0);
	assert_int_equal(claims("net1", "mlx5_core", c), 0);
	assert_int_equal(claims(pf, "mlx5_core", c), 1);
	assert_string_equal(c[0].source, conf);
	assert_string_equal(
		c[0].detail,
		"unmanaged-devices does not match ibp24s0; no NM_UNMANAGED rule matches");

	/* only [keyfile] counts */
	put(conf, "[main]\nunmanaged-devices=interface-name:ibp*v*\n");
	assert_int_equal(claims(vf, NULL, c), 1);
	/* separators, blanks, '~' and '=' forms, comments */
	put(conf, "# c\n; c\n[keyfile]\nunmanaged-devices = interface-name:eth0 , "
		  "interface-name:~ibp*v? ;\n");
	assert_int_equal(claims(vf, NULL, c), 0);
	assert_int_equal(claims("ibp24s0v10", NULL, c), 1);
	put(conf, "[keyfile]\nunmanaged-devices=interface-name:=ibp24s0v1\n");
	assert_int_equal(claims(vf, NULL, c), 0);
	assert_int_equal(claims("ibp24s0v2", NULL, c), 1);
	put(conf, "[keyfile]\nunmanaged-devices=interface-name:=ibp*\n");
	assert_int_equal(claims(vf, NULL, c), 1);
	/* a bare name is literal */
	put(conf, "[keyfile]\nunmanaged-devices=ibp*v*\n");
	assert_int_equal(claims(vf, NULL, c), 1);
	put(conf, "[keyfile]\nunmanaged-devices=ibp24s0v1\n");
	assert_int_equal(claims(vf, NULL, c), 0);
	/* "*" and except: */
	put(conf, "[keyfile]\nunmanaged-devices=*\n");
	assert_int_equal(claims(pf, NULL, c), 0);
	put(conf, "[keyfile]\nunmanaged-devices=*,except:interface-name:ibp24s0\n");
	assert_int_equal(claims(vf, NULL, c), 0);
	assert_int_equal(claims(pf, NULL, c), 1);
	put(conf, "[keyfile]\nunmanaged-devices=except:interface-name:ibp24s0\n");
	assert_int_equal(claims(vf, NULL, c), 0);
	assert_int_equal(claims(pf, NULL, c), 1);
	/* specs that cannot be evaluated: trusted only where they cannot change the outcome */
	put(conf, "[keyfile]\nunmanaged-devices=mac:00:11:22:33:44:55\n");
	assert_int_equal(claims(vf, NULL, c), 1);
	assert_string_equal(c[0].detail, "unmanaged-devices has specs that cannot be evaluated "
					 "for ibp24s0v1; no NM_UNMANAGED rule matches");
	put(conf, "[keyfile]\nunmanaged-devices=mac:00:11:22:33:44:55;interface-name:ibp*v*\n");
	assert_int_equal(claims(vf, NULL, c), 0);
	put(conf, "[keyfile]\nunmanaged-devices=except:type:ethernet;interface-name:ibp*v*\n");
	assert_int_equal(claims(vf, NULL, c), 1);
	put(conf, "[keyfile]\nunmanaged-devices=except:type:ethernet;interface-name:eth*\n");
	assert_int_equal(claims(vf, NULL, c), 1);
	assert_string_equal(
		c[0].detail,
		"unmanaged-devices does not match ibp24s0v1; no NM_UNMANAGED rule matches");
}

static void nm_conf_d_order(void **state)
{
	struct vft_hostcfg_claim c[2];

	put("/etc/NetworkManager/NetworkManager.conf",
	    "[keyfile]\nunmanaged-devices=interface-name:ibp*v*\n");
	assert_int_equal(claims(vf, NULL, c), 0);
	/* /etc conf.d comes after the main file and overrides the key */
	put("/etc/NetworkManager/conf.d/50-override.conf",
	    "[keyfile]\nunmanaged-devices=interface-name:eth9\n");
	assert_int_equal(claims(vf, NULL, c), 1);
	assert_string_equal(c[0].source, "/etc/NetworkManager/conf.d/50-override.conf");
	/* += appends, in lexical order */
	put("/etc/NetworkManager/conf.d/60-more.conf",
	    "[keyfile]\nunmanaged-devices+=interface-name:ibp*v*\n");
	assert_int_equal(claims(vf, NULL, c), 0);
	assert_int_equal(claims("eth9", NULL, c), 0);
	/* -= removes */
	put("/etc/NetworkManager/conf.d/70-less.conf",
	    "[keyfile]\nunmanaged-devices-=interface-name:ibp*v*\n");
	assert_int_equal(claims(vf, NULL, c), 1);
	assert_string_equal(c[0].source, "/etc/NetworkManager/conf.d/70-less.conf");
	assert_int_equal(claims("eth9", NULL, c), 0);
	/* a later name sets it last, whatever the order of creation */
	put("/etc/NetworkManager/conf.d/05-early.conf",
	    "[keyfile]\nunmanaged-devices=interface-name:ibp*\n");
	assert_int_equal(claims(vf, NULL, c), 1);
	rm("/etc/NetworkManager/conf.d/50-override.conf");
	rm("/etc/NetworkManager/conf.d/60-more.conf");
	rm("/etc/NetworkManager/conf.d/70-less.conf");
	assert_int_equal(claims(vf, NULL, c), 0);
	assert_int_equal(claims(pf, NULL, c), 0);
	rm("/etc/NetworkManager/conf.d/05-early.conf");

	/* /usr/lib and /run conf.d come before the main file, which overrides them */
	put("/etc/NetworkManager/NetworkManager.conf", "[main]\n");
	put("/usr/lib/NetworkManager/conf.d/10-vf.conf",
	    "[keyfile]\nunmanaged-devices=interface-name:ibp*v*\n");
	assert_int_equal(claims(vf, NULL, c), 0);
	put("/etc/NetworkManager/NetworkManager.conf",
	    "[keyfile]\nunmanaged-devices=interface-name:eth9\n");
	assert_int_equal(claims(vf, NULL, c), 1);
	assert_string_equal(c[0].source, "/etc/NetworkManager/NetworkManager.conf");
	put("/etc/NetworkManager/NetworkManager.conf", "[main]\n");
	/* /run is read after /usr/lib, whatever the names */
	put("/run/NetworkManager/conf.d/01-run.conf",
	    "[keyfile]\nunmanaged-devices=interface-name:eth9\n");
	assert_int_equal(claims(vf, NULL, c), 1);
	assert_string_equal(c[0].source, "/run/NetworkManager/conf.d/01-run.conf");
	rm("/run/NetworkManager/conf.d/01-run.conf");
	assert_int_equal(claims(vf, NULL, c), 0);
	/* a same-named file in /etc or /run shadows the one in /usr/lib */
	put("/run/NetworkManager/conf.d/10-vf.conf", "[main]\n");
	assert_int_equal(claims(vf, NULL, c), 1);
	rm("/run/NetworkManager/conf.d/10-vf.conf");
	ln("/dev/null", "/etc/NetworkManager/conf.d/10-vf.conf");
	assert_int_equal(claims(vf, NULL, c), 1);
	assert_string_equal(c[0].source, "/etc/NetworkManager/NetworkManager.conf");
}

static void nm_driver_spec(void **state)
{
	struct vft_hostcfg_claim c[2];

	put("/etc/NetworkManager/NetworkManager.conf",
	    "[keyfile]\nunmanaged-devices=driver:mlx5_core\n");
	assert_int_equal(claims(vf, "mlx5_core", c), 0);
	assert_int_equal(claims(vf, "ixgbevf", c), 1);
	assert_int_equal(claims(vf, "mlx5_cor", c), 1);
	/* the driver unknown: cannot be evaluated, so not trusted */
	assert_int_equal(claims(vf, NULL, c), 1);
	assert_non_null(strstr(c[0].detail, "cannot be evaluated"));
	/* exact name, no globbing; a version only as "*" */
	put("/etc/NetworkManager/NetworkManager.conf",
	    "[keyfile]\nunmanaged-devices=driver:mlx5_*\n");
	assert_int_equal(claims(vf, "mlx5_core", c), 1);
	put("/etc/NetworkManager/NetworkManager.conf",
	    "[keyfile]\nunmanaged-devices=driver:mlx5_core/*\n");
	assert_int_equal(claims(vf, "mlx5_core", c), 0);
	put("/etc/NetworkManager/NetworkManager.conf",
	    "[keyfile]\nunmanaged-devices=driver:mlx5_core/24.*\n");
	assert_int_equal(claims(vf, "mlx5_core", c), 1);
	assert_int_equal(claims(vf, "ixgbevf", c), 1);
	assert_string_equal(
		c[0].detail,
		"unmanaged-devices does not match ibp24s0v1; no NM_UNMANAGED rule matches");
}

static void nm_udev_rules(void **state)
{
	static const char *const rule =
		"ACTION==\"add|change|move\", SUBSYSTEM==\"net\", KERNEL==\"ibp*v*\", "
		"ENV{NM_UNMANAGED}=\"1\"\n";
	struct vft_hostcfg_claim c[2];

	put("/usr/sbin/NetworkManager", "");
	put("/etc/udev/rules.d/90-nm-vf.rules", rule);
	assert_int_equal(claims(vf, "mlx5_core", c), 0);
	assert_int_equal(claims(pf, "mlx5_core", c), 1);

	/* a rule that does not fit this event or device */
	put("/etc/udev/rules.d/90-nm-vf.rules",
	    "ACTION==\"remove\", KERNEL==\"ibp*v*\", ENV{NM_UNMANAGED}=\"1\"\n"
	    "SUBSYSTEM!=\"net\", KERNEL==\"ibp*v*\", ENV{NM_UNMANAGED}=\"1\"\n"
	    "KERNEL!=\"ibp*v*\", ENV{NM_UNMANAGED}=\"1\"\n");
	assert_int_equal(claims(vf, "mlx5_core", c), 1);
	assert_int_equal(claims(pf, "mlx5_core", c), 0);

	/* other match keys are not trusted; nor a rule on several lines */
	put("/etc/udev/rules.d/90-nm-vf.rules",
	    "SUBSYSTEM==\"net\", ATTR{device/sriov_totalvfs}==\"\", ENV{NM_UNMANAGED}=\"1\"\n"
	    "KERNEL==\"ibp*v*\", ENV{ID_NET_DRIVER}==\"mlx5_core\", ENV{NM_UNMANAGED}=\"1\"\n"
	    "KERNEL==\"ibp*v*\", \\\n  ENV{NM_UNMANAGED}=\"1\"\n");
	assert_int_equal(claims(vf, "mlx5_core", c), 1);

	/* the SR-IOV operators' rule: ATTRS{device} of the VF's PCI function */
	put("/etc/udev/rules.d/90-nm-vf.rules",
	    "ACTION==\"add|change|move\", ATTRS{device}==\"0x1018|0x101e\", "
	    "ENV{NM_UNMANAGED}=\"1\"\n");
	assert_int_equal(claims(vf, "mlx5_core", c), 1); /* no sysfs: not trusted */
	put("/sys/class/net/ibp24s0v1/device/device", "0x101e\n");
	put("/sys/class/net/ibp24s0v1/device/vendor", "0x15b3\n");
	put("/sys/class/net/ibp24s0/device/device", "0x1021\n");
	assert_int_equal(claims(vf, "mlx5_core", c), 0);
	assert_int_equal(claims(pf, "mlx5_core", c), 1);
	put("/etc/udev/rules.d/90-nm-vf.rules",
	    "ATTRS{vendor}==\"0x15b3\", ATTRS{device}!=\"0x101e\", ENV{NM_UNMANAGED}=\"1\"\n");
	assert_int_equal(claims(vf, "mlx5_core", c), 1);
	/* ATTRS of another name is not read: not trusted */
	put("/etc/udev/rules.d/90-nm-vf.rules",
	    "ATTRS{sriov_totalvfs}==\"8\", ENV{NM_UNMANAGED}=\"1\"\n");
	assert_int_equal(claims(vf, "mlx5_core", c), 1);

	/* DRIVERS sees the PCI driver; DRIVER, the netdev's own, is empty */
	put("/etc/udev/rules.d/90-nm-vf.rules",
	    "SUBSYSTEM==\"net\", DRIVERS==\"mlx5_core\", ENV{NM_UNMANAGED}=\"1\"\n");
	assert_int_equal(claims(vf, "mlx5_core", c), 0);
	assert_int_equal(claims(vf, "ixgbevf", c), 1);
	assert_int_equal(claims(vf, NULL, c), 1);
	put("/etc/udev/rules.d/90-nm-vf.rules",
	    "SUBSYSTEM==\"net\", DRIVER==\"mlx5_core\", ENV{NM_UNMANAGED}=\"1\"\n");
	assert_int_equal(claims(vf, "mlx5_core", c), 1);

	/* the last assignment wins, across files in name order */
	put("/etc/udev/rules.d/90-nm-vf.rules", rule);
	put("/usr/lib/udev/rules.d/99-manage.rules",
	    "# manage one again\nNAME==\"ibp24s0v1\", ENV{NM_UNMANAGED}=\"0\"\n");
	assert_int_equal(claims(vf, "mlx5_core", c), 1);
	assert_string_equal(c[0].source, "/usr/lib/udev/rules.d/99-manage.rules");
	assert_string_equal(c[0].detail,
			    "the rule on line 2 sets ENV{NM_UNMANAGED}=\"0\" for ibp24s0v1");
	assert_int_equal(claims("ibp24s0v2", "mlx5_core", c), 0);
	rm("/usr/lib/udev/rules.d/99-manage.rules");

	/* masks: /dev/null in /etc, an empty file in /run */
	rm("/etc/udev/rules.d/90-nm-vf.rules");
	put("/lib/udev/rules.d/90-nm-vf.rules", rule);
	assert_int_equal(claims(vf, "mlx5_core", c), 0);
	ln("/dev/null", "/etc/udev/rules.d/90-nm-vf.rules");
	assert_int_equal(claims(vf, "mlx5_core", c), 1);
	rm("/etc/udev/rules.d/90-nm-vf.rules");
	put("/run/udev/rules.d/90-nm-vf.rules", "");
	assert_int_equal(claims(vf, "mlx5_core", c), 1);
	rm("/run/udev/rules.d/90-nm-vf.rules");
	assert_int_equal(claims(vf, "mlx5_core", c), 0);

	/* unmanaged-devices that does not match leaves the decision to udev */
	put("/etc/NetworkManager/NetworkManager.conf",
	    "[keyfile]\nunmanaged-devices=interface-name:eth9\n");
	assert_int_equal(claims(vf, "mlx5_core", c), 0);
	assert_int_equal(claims(pf, "mlx5_core", c), 1);
	assert_string_equal(c[0].source, "/etc/NetworkManager/NetworkManager.conf");
}

static void links_stay_inside_the_root(void **state)
{
	struct vft_hostcfg_claim c[2];
	char outside[512];
	FILE *f;

	put("/usr/lib/systemd/network/80-dhcp.network", dhcp_all);
	/* a file outside the root that would unmanage the VF if it were read */
	snprintf(outside, sizeof(outside), "%s/outside.network", base);
	f = fopen(outside, "w");
	assert_non_null(f);
	fputs(vfs_unmanaged, f);
	fclose(f);
	ln(outside, "/etc/systemd/network/00-vfs.network");
	assert_int_equal(claims(vf, NULL, c), 1);
	assert_string_equal(c[0].source, "/usr/lib/systemd/network/80-dhcp.network");
	rm("/etc/systemd/network/00-vfs.network");
	ln("../../../../outside.network", "/etc/systemd/network/00-vfs.network");
	assert_int_equal(claims(vf, NULL, c), 1);
	rm("/etc/systemd/network/00-vfs.network");

	/* the same path inside the root is what an absolute link names */
	put("/outside.network", vfs_unmanaged);
	ln("/outside.network", "/etc/systemd/network/00-vfs.network");
	assert_int_equal(claims(vf, NULL, c), 0);
	rm("/etc/systemd/network/00-vfs.network");
	ln("../../../../../../../outside.network", "/etc/systemd/network/00-vfs.network");
	assert_int_equal(claims(vf, NULL, c), 0);
	rm("/etc/systemd/network/00-vfs.network");

	/* a directory that is an absolute link, resolved in the root */
	put("/srv/net/00-vfs.network", vfs_unmanaged);
	ln("/srv/net", "/run/systemd/network");
	assert_int_equal(claims(vf, NULL, c), 0);
	assert_int_equal(claims(pf, NULL, c), 1);
	/* /lib -> usr/lib as on merged-/usr systems: the same files, once */
	ln("usr/lib", "/lib");
	assert_int_equal(claims(pf, NULL, c), 1);
	assert_string_equal(c[0].source, "/usr/lib/systemd/network/80-dhcp.network");
}

static void malformed_files_do_not_crash(void **state)
{
	static const char binary[] = "[Match]\0\xff\xfe\nName=\0ib*\n\x01[Link\n=\n==\n[]\n";
	struct vft_hostcfg_claim c[2];
	char path[1024], *big;

	big = malloc(20000);
	assert_non_null(big);
	memset(big, 'x', 20000);
	memcpy(big, "[Match]\nName=", 13);
	big[19999] = '\0';

	put_bytes("/etc/systemd/network/01-binary.network", binary, sizeof(binary) - 1);
	put("/etc/systemd/network/02-long.network", big);
	put("/etc/systemd/network/03-noheader.network", "Name=ib*\nUnmanaged=yes\n[Link\n");
	put("/etc/systemd/network/04-broken.network",
	    "[Match\nName=*\n[Match]\nName=ib*\n[Network]\nDHCP=yes\n");
	put("/etc/systemd/network/05-quote.network", "[Match]\nName=\"ib*\n[Link]\nUnmanaged=");
	ln("06-loop.network", "/etc/systemd/network/06-loop.network");
	ln("/nowhere", "/etc/systemd/network/07-dangling.network");
	mkdirs("/etc/systemd/network/08-dir.network", 0);
	snprintf(path, sizeof(path), "%s/etc/systemd/network/09-fifo.network", root);
	assert_int_equal(mkfifo(path, 0644), 0);
	put("/etc/systemd/network/10-ok.network", "[Match]\nName=ib*\n");
	assert_int_equal(claims(vf, NULL, c), 1);
	assert_string_equal(c[0].source, "/etc/systemd/network/10-ok.network");

	put("/etc/NetworkManager/NetworkManager.conf", big);
	put("/etc/NetworkManager/conf.d/01-junk.conf",
	    "[keyfile\nunmanaged-devices=*\n[keyfile]\nunmanaged-devices\n=x\n"
	    "unmanaged-devices=;;,\\\n");
	put_bytes("/etc/NetworkManager/conf.d/02-binary.conf", binary, sizeof(binary) - 1);
	put("/etc/udev/rules.d/01-junk.rules",
	    "KERNEL==\"ibp*v*, ENV{NM_UNMANAGED}=\"1\"\n"
	    "KERNEL=\"ibp*\"ENV{NM_UNMANAGED}=\"1\"\nENV{NM_UNMANAGED}=\"maybe\"\n"
	    "==\"x\", ENV{NM_UNMANAGED}=\"1\"\nKERNEL{==\"x\"\n\\\n\"\n"
	    "KERNEL==\"ibp*v*\", ENV{NM_UNMANAGED}+=\"1\"\n"
	    "KERNEL==e\"ibp*v*\", ENV{NM_UNMANAGED}=\"1\"\n");
	put("/etc/udev/rules.d/02-long.rules", big);
	put_bytes("/etc/udev/rules.d/03-binary.rules", binary, sizeof(binary) - 1);
	assert_int_equal(claims(vf, NULL, c), 2);
	assert_string_equal(c[1].manager, "NetworkManager");
	assert_string_equal(c[1].detail, "unmanaged-devices does not match ibp24s0v1; no "
					 "NM_UNMANAGED rule matches");
	free(big);
}

static void unreadable_directories_fail(void **state)
{
	struct vft_hostcfg_claim c[2];

	/* a file where a directory belongs holds nothing */
	put("/etc/systemd/network", "x");
	assert_int_equal(claims(vf, NULL, c), 0);
	rm("/etc/systemd/network");
	/* a directory that cannot be resolved is an error */
	ln("network", "/etc/systemd/network");
	assert_int_equal(claims(vf, NULL, c), -ELOOP);
	rm("/etc/systemd/network");
	put("/etc/systemd/network/80-dhcp.network", dhcp_all);
	assert_int_equal(claims(vf, NULL, c), 1);
}

/* Which managers run: the comm of each process under <root>/proc; no /proc is unknown. */
static void running_managers_from_proc(void **state)
{
	(void)state;
	assert_true(vft_hostcfg__running(root) < 0);
	put("/proc/1/comm", "systemd\n");
	put("/proc/self/comm", "NetworkManager\n"); /* not a pid: ignored */
	assert_int_equal(vft_hostcfg__running(root), 0);
	put("/proc/220/comm", "systemd-network\n");
	assert_int_equal(vft_hostcfg__running(root), VFT_HOSTCFG_NETWORKD);
	put("/proc/431/comm", "NetworkManager\n");
	mkdirs("/proc/77", 0); /* gone: no comm */
	assert_int_equal(vft_hostcfg__running(root), VFT_HOSTCFG_NETWORKD | VFT_HOSTCFG_NM);
	assert_int_equal(vft_hostcfg__manager_bit("NetworkManager"), VFT_HOSTCFG_NM);
	assert_int_equal(vft_hostcfg__manager_bit("systemd-networkd"), VFT_HOSTCFG_NETWORKD);
	assert_int_equal(vft_hostcfg__manager_bit("ifupdown"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(nothing_installed_claims_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(networkd_claims_by_name, setup, teardown),
		cmocka_unit_test_setup_teardown(networkd_first_match_unmanaged, setup, teardown),
		cmocka_unit_test_setup_teardown(networkd_masks, setup, teardown),
		cmocka_unit_test_setup_teardown(networkd_unsupported_match_key_does_not_match,
						setup, teardown),
		cmocka_unit_test_setup_teardown(networkd_negated_name, setup, teardown),
		cmocka_unit_test_setup_teardown(networkd_driver, setup, teardown),
		cmocka_unit_test_setup_teardown(networkd_dropins_continuations_empty_match, setup,
						teardown),
		cmocka_unit_test_setup_teardown(nm_installed_without_rules_claims, setup, teardown),
		cmocka_unit_test_setup_teardown(nm_unmanaged_devices, setup, teardown),
		cmocka_unit_test_setup_teardown(nm_conf_d_order, setup, teardown),
		cmocka_unit_test_setup_teardown(nm_driver_spec, setup, teardown),
		cmocka_unit_test_setup_teardown(nm_udev_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(links_stay_inside_the_root, setup, teardown),
		cmocka_unit_test_setup_teardown(malformed_files_do_not_crash, setup, teardown),
		cmocka_unit_test_setup_teardown(unreadable_directories_fail, setup, teardown),
		cmocka_unit_test_setup_teardown(running_managers_from_proc, setup, teardown),
	};

	return cmocka_run_group_tests_name("hostcfg", tests, NULL, NULL);
}
