/* SPDX-License-Identifier: MIT */
/* Load a configured VM's guest from the boot modules (the glue between config and loaders). */
#ifndef TERN_LOADER_BOOT_H
#define TERN_LOADER_BOOT_H

#include "kernel/config.h"

struct vm;

/*
 * Find cfg's kernel and modules among bi's boot modules, load them with the
 * Multiboot v1 loader and set vCPU 0's entry state (other vCPUs wait for a
 * start-up IPI). 0, or -TERN_Exxx with the reason logged as "vmN: ...".
 */
int loader_boot_vm(struct vm *vm, const struct vm_config *cfg, const struct boot_info *bi);

#endif
