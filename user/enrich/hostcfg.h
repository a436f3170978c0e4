/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hostcfg.h - whether the host's network managers are configured to manage a
 * netdev: systemd-networkd's .network files, NetworkManager's
 * unmanaged-devices and udev's NM_UNMANAGED, read under a root prefix.
 *
 * Host network managers
 * =====================
 *
 * Every path below is read under @root as vft_path() joins it, and symbolic
 * links are followed as if @root were "/": absolute targets and ".." stay
 * inside the root (at most 40 links per path). A configuration directory that
 * is missing (or not a directory) holds nothing; one that exists but cannot be
 * resolved or listed fails the whole call with its -errno. A file that cannot
 * be read (a dangling link, a FIFO...) is skipped with a vft_debug() line.
 * Lines are read up to 4095 bytes (what a longer line means is said for each
 * manager); a CR before the LF is dropped; blank lines and lines starting with
 * '#' are comments (';' too in .network and NetworkManager files). Hidden
 * names (".x") and directories are never configuration files. Where the
 * configuration cannot be evaluated exactly, the choice made is said below
 * and logged with vft_debug().
 *
 * systemd-networkd
 * ----------------
 * - Files: NAME.network in /etc/systemd/network, /run/systemd/network,
 *   /usr/local/lib/systemd/network, /usr/lib/systemd/network and
 *   /lib/systemd/network (listed once where /lib is /usr/lib). A NAME in an
 *   earlier directory masks the same NAME in a later one; a file that is empty
 *   or a link to /dev/null masks and holds nothing. Drop-ins
 *   DIR/NAME.network.d/X.conf from the same directories (masked the same way)
 *   are read after the file, in lexical order of X.conf.
 * - The files are taken in lexical (byte) order of NAME; the FIRST one whose
 *   [Match] matches the netdev applies, and only that one. If none matches
 *   (or there is no .network file), networkd leaves the netdev alone.
 * - [Match] keys: Name= (blank-separated shell globs matched with fnmatch(3)
 *   on the netdev's name; a backslash escapes the next character, quotes are
 *   plain characters, as networkd reads Name=; a '!' before the whole value
 *   negates every glob of that line, a '!' before one glob negates that glob;
 *   a negative glob that matches fails the key, otherwise the key matches when
 *   a positive glob matches, or when it has negative globs only) and Driver=
 *   (the same on @driver, but quotes group a word and are removed). Repeated
 *   keys accumulate, drop-ins included; an empty assignment ("Name=") empties
 *   the key. Every key present must match.
 * - Taken as NOT matching: a file whose [Match] has any other key with a
 *   value (Type=, MACAddress=, PermanentMACAddress=, Path=, Property=, Kind=,
 *   OriginalName=, WLANInterfaceType=, SSID=, BSSID=, and conditions such as
 *   Host=, Virtualization=, KernelCommandLine=), Driver= while @driver is
 *   unknown, a line too long, a glob of 256 bytes or more, a quote or a
 *   backslash left open, or a malformed section header (networkd ignores such
 *   an assignment or refuses such a file).
 * - A file whose [Match] is empty is ignored, as networkd does since v245
 *   ("To match all interfaces, add Name=*"); older networkd matched every
 *   netdev with it.
 * - The matching file claims the netdev unless its [Link] section has
 *   Unmanaged= with a true value (1, yes, y, true, t, on; any case). The last
 *   valid assignment wins; an empty one restores the default (managed).
 * - A line ending in '\' continues on the next one (not after a comment).
 *
 * NetworkManager
 * --------------
 * - Installed when /etc/NetworkManager/NetworkManager.conf,
 *   /usr/sbin/NetworkManager or /usr/bin/NetworkManager exists. It then
 *   manages every netdev that neither of the next two rules unmanages.
 * - unmanaged-devices= in a [keyfile] section. Files in NetworkManager's own
 *   order, a later one overriding the key of an earlier one:
 *   /usr/lib/NetworkManager/conf.d/NAME.conf, then
 *   /run/NetworkManager/conf.d/NAME.conf (each in lexical order of NAME, and
 *   both BEFORE the main file, as NetworkManager reads them), then
 *   /etc/NetworkManager/NetworkManager.conf, then
 *   /etc/NetworkManager/conf.d/NAME.conf in lexical order. A NAME in /etc
 *   masks the same NAME in /run and /usr/lib; one in /run masks /usr/lib.
 *   "unmanaged-devices+=" appends specs and "unmanaged-devices-=" removes
 *   them, as NetworkManager merges the key across files. Over-long lines are
 *   skipped.
 * - Its value is a list of specs separated by ';' or ',' (a backslash escapes
 *   them; blanks around a spec are trimmed): "*" (every netdev),
 *   "interface-name:GLOB" and "interface-name:~GLOB" (globs with '*' and '?'
 *   only), "interface-name:=NAME" (literal), "driver:NAME" (exact;
 *   "driver:NAME/VERSION" only with VERSION "*"), a bare NAME without ':'
 *   (the literal interface name: "ibp*v*" bare matches no VF), and
 *   "except:SPEC" (an except spec that matches wins over every positive one;
 *   a list of except specs only matches every other netdev). Other specs
 *   (mac:, type:, s390-subchannels:, dhcp-plugin:, and:, a bare MAC
 *   address...), "driver:" while @driver is unknown and lists of more than
 *   256 specs cannot be evaluated: when the outcome depends on one, the list
 *   is taken as NOT unmanaging the netdev, and the claim's detail says so.
 * - udev: ENV{NM_UNMANAGED}="1" (or :=) in a rule that fits the netdev.
 *   NAME.rules in /etc/udev/rules.d, /run/udev/rules.d,
 *   /usr/local/lib/udev/rules.d, /usr/lib/udev/rules.d and /lib/udev/rules.d
 *   (masked by NAME as above, empty files and links to /dev/null included),
 *   files in lexical order of NAME, rules in file order: the last
 *   ENV{NM_UNMANAGED} assignment of a fitting rule wins, so a later "0" ("no",
 *   "false", ...) manages the netdev again. Only simple rules are trusted: on
 *   one line, with == and != matches on KERNEL and NAME (both compared with
 *   the netdev's name as given), SUBSYSTEM ("net"), ACTION ("add": a rule for
 *   add events fits), DRIVERS (@driver; unknown makes the rule untrusted) and
 *   DRIVER (a netdev's own driver, which udev sees as empty: DRIVER=="mlx5_core"
 *   never fits, DRIVERS=="mlx5_core" does), ATTRS{vendor}, ATTRS{device},
 *   ATTRS{subsystem_vendor} and ATTRS{subsystem_device} (read from the
 *   netdev's own device under <root>/sys/class/net/NAME/device, as the SR-IOV
 *   operators' rules match VFs; the bridges above it are not read), values
 *   with '|' alternatives and fnmatch(3) globs. A rule with any other match
 *   key (ATTR{}, other ATTRS{}, ENV{}==, KERNELS, TEST, PROGRAM...), an
 *   assignment to a match-only key
 *   (KERNEL="x"), a value that is not a boolean, "+=", a continuation line or
 *   a token that does not parse is ignored with a debug line. GOTO and LABEL
 *   are not followed: a simple rule counts wherever it sits.
 * - NetworkManager claims the netdev unless unmanaged-devices matches it or
 *   the udev value is true. The claim's source is the file that last set
 *   unmanaged-devices, else the main file if it exists, else ""; or the rules
 *   file whose NM_UNMANAGED="0" decided.
 * - Not read: [device*] sections with managed=0, the ifupdown plugin
 *   ([ifupdown] managed=false with /etc/network/interfaces), ifcfg files with
 *   NM_CONTROLLED=no, NetworkManager-intern.conf and --config paths. Each can
 *   leave alone a netdev reported here as claimed.
 * - Whether a manager runs is vft_hostcfg__running()'s answer: a manager
 *   that is installed and configured but not running claims nothing now
 *   (`check` says so in its evidence).
 */
#ifndef VFT_HOSTCFG_H
#define VFT_HOSTCFG_H

/* One manager that would manage the netdev. */
struct vft_hostcfg_claim {
	char manager[24]; /* "systemd-networkd" or "NetworkManager" */
	char source[256]; /* the deciding file, as a path under the root; "" for a default */
	char detail[160]; /* "[Match] Name=ib* en* catches ibp24s0v1; no Unmanaged=yes" */
};

/*
 * Whether systemd-networkd or NetworkManager, as configured under @root,
 * would manage the netdev @ifname (driver @driver, NULL or "" if unknown).
 * Writes one claim per manager that would, systemd-networkd first, to @out.
 * Returns the number written (0, 1 or 2), -EINVAL for a NULL @out or an
 * @ifname that is empty, has a '/' or is 16 bytes or longer, or -errno for
 * a configuration directory that exists but cannot be read (-EACCES,
 * -ELOOP, ...), -ENAMETOOLONG or -ENOMEM. Never prints but vft_debug().
 */
int vft_hostcfg__claims(const char *root, const char *ifname, const char *driver,
			struct vft_hostcfg_claim out[2]);

/* vft_hostcfg__running() bits */
#define VFT_HOSTCFG_NETWORKD 1u /* systemd-networkd (comm "systemd-network") */
#define VFT_HOSTCFG_NM 2u	/* NetworkManager */

/*
 * Which host managers run under @root: one pass over <root>/proc/N/comm.
 * Returns the VFT_HOSTCFG_* bits of those found, or -errno when <root>/proc
 * cannot be listed (a tree without processes: unknown).
 */
int vft_hostcfg__running(const char *root);

/* VFT_HOSTCFG_NETWORKD or VFT_HOSTCFG_NM for a claim's manager name, 0 for another. */
unsigned int vft_hostcfg__manager_bit(const char *manager);

#endif /* VFT_HOSTCFG_H */
