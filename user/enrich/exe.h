/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * exe.h - who an actor is, from its executable: the path that
 * /proc/<pid>/exe links to, read while the process is alive. The correlator
 * trusts a CNI plugin by where its executable is, not by its comm.
 */
#ifndef VFT_EXE_H
#define VFT_EXE_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * Writes the executable of process @pid, as <root>/proc/<pid>/exe links to
 * it (vft_path() rules), into @buf: an absolute path, its " (deleted)"
 * suffix removed. A process in another mount namespace gives its own view
 * of the path. Returns 0, -ENOENT when the process is gone or has no
 * executable (a kernel thread), -EINVAL for pid 0 or a link that is not an
 * absolute path, -ENAMETOOLONG if @size is too small, or -errno (-EACCES
 * without CAP_SYS_PTRACE). @buf is "" on error.
 */
int vft_exe__read(const char *root, uint32_t pid, char *buf, size_t size);

/*
 * Whether @exe is under directory @dir: @dir ("/opt/cni/bin", a trailing
 * "/" allowed) followed by "/" and a name, at any depth. Both must be
 * absolute; a path with a "." or ".." component is under no directory.
 */
bool vft_exe__under(const char *exe, const char *dir);

#endif /* VFT_EXE_H */
