/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sysfs.h - small readers for sysfs (and other one-line kernel files) under a
 * root prefix, so that a fixture tree can stand in for the live system.
 *
 * Every function that takes @root joins it with an absolute @path through
 * vft_path(): NULL, "" and "/" mean the live system. Errors are negative
 * errno values; nothing here prints.
 */
#ifndef VFT_SYSFS_H
#define VFT_SYSFS_H

#include <stddef.h>
#include <stdint.h>

/* The most entries vft_sysfs__list() returns before giving up with -E2BIG. */
#define VFT_SYSFS_LIST_MAX 65536

/*
 * Reads the first line of <root><path> into @buf without its newline and
 * trailing blanks. Returns the length of the line (0 for an empty file),
 * -EOVERFLOW if it does not fit in @size, or the -errno of open or read
 * (-ENOENT when missing; sysfs answers -EINVAL and the like for attributes
 * that exist but have no value).
 */
int vft_sysfs__read(const char *root, const char *path, char *buf, size_t size);

/*
 * Parsers for the kernel's formats. Each accepts exactly one value (no
 * trailing characters) and returns 0, -EINVAL for anything malformed
 * (empty included) or -ERANGE for a value that does not fit.
 */
/* Decimal, or hexadecimal with a 0x prefix ("0x020700"). */
int vft_sysfs__parse_u32(const char *s, uint32_t *out);
/* Signed decimal ("-1" in numa_node). */
int vft_sysfs__parse_s32(const char *s, int32_t *out);
/* Hexadecimal with or without the 0x prefix: LIDs ("0x19"). */
int vft_sysfs__parse_hex(const char *s, uint32_t *out);
/* "4: ACTIVE" -> 4 and, if @name is not NULL, "ACTIVE" (truncated to @nsize). */
int vft_sysfs__parse_state(const char *s, uint32_t *num, char *name, size_t nsize);
/* "b8ce:f603:00a4:1000" -> 0xb8cef60300a41000: four groups of four hex digits. */
int vft_sysfs__parse_guid(const char *s, uint64_t *out);
/* "fe80:0000:0000:0000:b8ce:f603:00a4:1000" -> 16 bytes: eight groups of four. */
int vft_sysfs__parse_gid(const char *s, uint8_t gid[16]);

/* vft_sysfs__read() followed by the parser of the same name. */
int vft_sysfs__read_u32(const char *root, const char *path, uint32_t *out);
int vft_sysfs__read_s32(const char *root, const char *path, int32_t *out);
int vft_sysfs__read_hex(const char *root, const char *path, uint32_t *out);
int vft_sysfs__read_state(const char *root, const char *path, uint32_t *num);
int vft_sysfs__read_guid(const char *root, const char *path, uint64_t *out);

/*
 * Writes the last component of the target of the symbolic link <root><path>
 * ("mlx5_core" for .../driver, "0000:18:00.1" for .../virtfn0). Returns 0,
 * -ENOENT if missing, -EINVAL if not a link, -ENAMETOOLONG if it does not
 * fit in @size.
 */
int vft_sysfs__link_name(const char *root, const char *path, char *buf, size_t size);

/*
 * The closest PCI ancestor of device @name on bus @bus ("virtio", "auxiliary"):
 * the deepest component of the real path of <root>/sys/bus/<bus>/devices/<name>
 * that is a PCI address. Returns 0, -ENOENT when there is none (or no such
 * device), -EINVAL for a name with a '/', or -ENAMETOOLONG.
 */
int vft_sysfs__pci_ancestor(const char *root, const char *bus, const char *name, char *buf,
			    size_t size);

/* 0 if <root><path> exists (links followed), else -errno (-ENOENT...). */
int vft_sysfs__access(const char *root, const char *path);

/*
 * Directory entries in natural order: runs of hex digits compare as numbers,
 * so "virtfn2" < "virtfn10", "mlx5_9" < "mlx5_10", "0000:40:00.0" <
 * "0000:4f:00.0"; byte order breaks ties.
 */
struct vft_sysfs_list {
	char **names;
	size_t n;
};

/*
 * Lists <root><path> but "." and "..", keeping only names that start with
 * @prefix (NULL: all). Returns 0 and fills @out (free it with
 * vft_sysfs_list__free()), or -errno (-ENOENT, -ENOTDIR, -ENOMEM, -E2BIG
 * past VFT_SYSFS_LIST_MAX entries). @out is empty on error.
 */
int vft_sysfs__list(const char *root, const char *path, const char *prefix,
		    struct vft_sysfs_list *out);
/* Frees the names and empties @l; accepts an empty or zeroed list. */
void vft_sysfs_list__free(struct vft_sysfs_list *l);

#endif /* VFT_SYSFS_H */
