/* SPDX-License-Identifier: MIT */
/*
 * Linux x86 boot protocol loader (Documentation/arch/x86/boot.rst), 64-bit
 * entry: loads a bzImage (protocol 2.12 or later, relocatable, with
 * XLF_KERNEL_64), an optional initrd and a command line into a VM, builds
 * the zero page (boot_params) with an e820 map, the guest's ACPI tables
 * (drivers/acpi_tables.h), an identity-mapped page table and a GDT, and
 * describes the register state of the 64-bit entry in struct linux_entry.
 *
 * Guest-physical layout (docs/linux.md):
 *   0x1000  GDT (null, null, __BOOT_CS 0x10, __BOOT_DS 0x18)
 *   0x2000  boot_params (the zero page)
 *   0x3000  PML4, 0x4000 PDPT, 0x5000-0x8fff four page directories:
 *           [0, 4 GiB) identity-mapped with 2 MiB pages
 *   0x9000-0xa000  boot stack (rsp = 0xa000)
 *   0x20000 command line (up to the kernel's cmdline_size)
 *   0xe0000 ACPI tables (RSDP first), inside the reserved BIOS area
 *   kernel  pref_address when [pref_address, + init_size) fits the RAM below
 *           VM_LOW_RAM_MAX, else the lowest kernel_alignment multiple at or
 *           above 1 MiB
 *   initrd  page-aligned, as high as possible below initrd_addr_max, the
 *           low RAM end and 4 GiB, above the kernel's init_size
 * e820: [0, 0x9fc00) RAM, [0x9fc00, 0xa0000) reserved, [0xe0000, 1 MiB)
 * reserved (ACPI tables), [1 MiB, low end) RAM, [4 GiB, ...) RAM for what
 * does not fit below VM_LOW_RAM_MAX. The rest (VGA hole, MMIO) is absent.
 */
#ifndef TERN_LOADER_LINUX_H
#define TERN_LOADER_LINUX_H

#include "kernel/lib/types.h"

#define LINUX_GDT_GPA          0x1000ull
#define LINUX_BOOT_PARAMS_GPA  0x2000ull
#define LINUX_PML4_GPA         0x3000ull
#define LINUX_PDPT_GPA         0x4000ull
#define LINUX_PD_GPA           0x5000ull   /* four pages */
#define LINUX_NR_PDS           4
#define LINUX_STACK_TOP        0xa000ull
#define LINUX_CMDLINE_GPA      0x20000ull
#define LINUX_CMDLINE_MAX      0x10000ull  /* bytes reserved, NUL included */
#define LINUX_KERNEL_MIN_GPA   0x100000ull

#define LINUX_BOOT_CS          0x10
#define LINUX_BOOT_DS          0x18
#define LINUX_MIN_PROTOCOL     0x020c
#define LINUX_E820_MAX         128

/* e820 types. */
#define E820_RAM               1
#define E820_RESERVED          2

/* The register state of the boot protocol's 64-bit entry. */
struct linux_entry {
	u64 rip;              /* kernel load address + 0x200 (startup_64) */
	u64 rsi;              /* boot_params */
	u64 rsp;
	u64 rflags;           /* 0x2: interrupts off */
	u64 cr0, cr3, cr4, efer;
	u64 gdt_base;
	u16 gdt_limit;
	u16 cs, ds;           /* selectors; ds goes to DS, ES, SS, FS, GS too */
	u32 cs_ar, ds_ar;     /* VMX access-rights form of the two descriptors */
	/* where things went (for logs and tests) */
	u64 kernel_gpa, kernel_size;   /* size: init_size, the kernel's whole footprint */
	u64 initrd_gpa, initrd_size;
	u64 rsdp_gpa;
};

struct vm;

/*
 * Load a bzImage (image[0, image_len)), an optional initrd (initrd_len 0:
 * none) and a NUL-terminated command line (NULL: empty) into vm and fill
 * *entry. Returns 0, or -TERN_ENOEXEC (not a bzImage this loader takes:
 * bad magic, protocol below 2.12, not LOADED_HIGH, not relocatable, no
 * 64-bit entry, bad alignment, truncated), -TERN_E2BIG (command line longer
 * than the kernel or the reserved area allows), -TERN_ENOSPC (kernel or
 * initrd does not fit the RAM), or the error of the guest copy / ACPI build.
 * The reason is logged as one line "vmN: linux: ...".
 */
int linux_load(struct vm *vm, const void *image, size_t image_len, const void *initrd,
	       size_t initrd_len, const char *cmdline, struct linux_entry *entry);

#endif
