/* SPDX-License-Identifier: MIT */
/*
 * Choose the loader for a VM's kernel module by its header and set the
 * vCPUs' start state: a Linux bzImage (boot sector flag 0xaa55 and "HdrS"
 * at 0x202) goes to linux_load() with the first module as its initrd and
 * the vm= args= as the kernel command line (64-bit entry); anything else to
 * the Multiboot v1 loader (32-bit protected-mode entry). vCPUs other than 0
 * wait for a start-up IPI.
 */
#ifndef TERN_LOADER_SELECT_H
#define TERN_LOADER_SELECT_H

#include "kernel/lib/types.h"

struct vm;
struct loader_image;

enum loader_kind {
	LOADER_KIND_MB1,
	LOADER_KIND_LINUX,
};

/* Which loader takes the kernel file data[0, size). */
enum loader_kind loader_select_kind(const void *data, u64 size);

/*
 * Load img into vm with the loader loader_select_kind() picks and set the
 * entry state. 0, or the loader's -TERN_Exxx; the reason is logged as
 * "vmN: KERNEL: ..." (what names the kernel) or "vmN: linux: ...".
 */
int loader_select_load(struct vm *vm, const struct loader_image *img, const char *what);

#endif
