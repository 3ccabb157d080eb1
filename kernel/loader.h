/* SPDX-License-Identifier: MIT */
/*
 * Guest loaders: put a guest image into a VM's RAM and say how to enter it.
 * They only use the kernel/vm.h services, so host tests drive them with a
 * fake VM. A loader never starts a VM: on any error the caller reports err
 * and leaves the VM stopped.
 */
#ifndef TERN_LOADER_H
#define TERN_LOADER_H

#include "kernel/lib/types.h"

struct vm;

#define MB1_BOOTLOADER_MAGIC 0x2badb002u   /* EAX at a Multiboot v1 entry */

/* Where the Multiboot information structure and its strings and tables go. */
#define MB1_INFO_BASE 0x10000ull
#define MB1_INFO_SIZE 0x10000ull

struct loader_module {
	const char *name;     /* becomes the module's string */
	const void *data;
	u64 size;
};

struct loader_image {
	const void *data;     /* the kernel file */
	u64 size;
	const char *cmdline;  /* guest command line ("" for none) */
	unsigned nr_modules;
	const struct loader_module *modules;
};

/* The 32-bit protected-mode, paging-off entry state of a Multiboot v1 kernel. */
struct loader_entry {
	u32 eip;
	u32 eax;
	u32 ebx;
};

/*
 * Load a Multiboot v1 kernel (ELF32/ELF64 PT_LOAD segments, or the a.out
 * kludge address fields when header flag 16 is set), its modules and the
 * boot information into vm's RAM. Returns 0 and the entry state, or
 * -TERN_ENOEXEC (not a valid image), -TERN_ENOSPC (does not fit RAM or hits
 * the information area), -TERN_EOPNOTSUPP (a required header feature tern
 * lacks), with a one-line reason in err.
 */
int loader_mb1_load(struct vm *vm, const struct loader_image *img, struct loader_entry *out,
		    char *err, size_t errlen);

/*
 * Copy the loadable segments of the ELF image at data[0, size) into vm's
 * RAM, zeroing each segment's [filesz, memsz). Stores the entry point and
 * the highest guest-physical byte loaded + 1. Errors as loader_mb1_load.
 */
int loader_elf_load(struct vm *vm, const void *data, u64 size, u64 *entry, u64 *end,
		    char *err, size_t errlen);

/*
 * Check that guest-physical [gpa, gpa + len) is RAM, does not wrap and stays
 * clear of the Multiboot information area; -TERN_ENOSPC with a reason otherwise.
 */
int loader_check_range(struct vm *vm, u64 gpa, u64 len, const char *what, char *err,
		       size_t errlen);

/* Zero guest-physical [gpa, gpa + len) (already checked with loader_check_range). */
int loader_zero(struct vm *vm, u64 gpa, u64 len);

#endif
