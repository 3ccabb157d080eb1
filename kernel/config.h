/* SPDX-License-Identifier: MIT */
/*
 * What tern was asked to do: the parsed tern command line, and what the
 * boot loader handed over. Filled by kernel/cmdline.c and kernel/multiboot2.c,
 * consumed by vmm_main().
 *
 * Command line (multiboot2; tokens split on spaces, "double quotes" group,
 * backslash escapes the next character):
 *   vm=KERNEL[,mem=SIZE][,cpus=N][,pin=C0:C1:...][,module=NAME]...[,control][,args=REST]
 *        one VM per vm= token; KERNEL and NAME are GRUB module names
 *        (the module2 string); SIZE takes K/M/G; pin= puts vCPU i on
 *        physical CPU Ci (vCPUs beyond the list, and CPUs that are not
 *        online, are placed automatically); args= must come last and
 *        takes the rest of the token, commas included. control: this VM
 *        may grant and revoke doorbell rights between VMs (one VM at most).
 *   doorbell=OWNER:GSI:RINGER[+RINGER]...
 *        tern creates a doorbell on VM OWNER bound to GSI (0..1023) when it
 *        creates that VM and lets each RINGER ring it (docs/intervm.md).
 *        VMs are named by the position of their vm= token, from 0.
 *   shm=NAME:SIZE:VM+VM[+VM]...
 *        a zeroed shared-memory region of SIZE (a multiple of 4 KiB, at
 *        most 256 MiB) mapped write-back into each VM listed, at the same
 *        guest-physical address in each: regions are laid out in
 *        command-line order from CONFIG_SHM_WINDOW_GPA, each 2 MiB aligned.
 *        NAME: 1..15 of [A-Za-z0-9_.-], unique.
 *   stats        print exit statistics at VM end
 *   irqdump      print routing tables and doorbells at VM start and end
 *   apicv=off    never use APIC virtualization (apicv=on: the default)
 *   trace=LIST   event trace categories (irq,exit,doorbell)
 *   loglevel=N   0 err .. 3 debug (default 2)
 *   selftest=guard  after boot, touch the BSP's stack guard page: tern's
 *                exception dump must name it (docs/security.md)
 * An unknown token or a bad value stops tern with a message naming it.
 */
#ifndef TERN_CONFIG_H
#define TERN_CONFIG_H

#include <tern/hypercall.h>
#include "kernel/lib/types.h"

#define CONFIG_MAX_VMS          8
#define CONFIG_MAX_VM_MODULES   8
#define CONFIG_MAX_BOOT_MODULES 32
#define CONFIG_DEFAULT_VM_MEM   (64 * MiB)
#define CONFIG_STR_MAX          256
#define CONFIG_MAX_PINS         64       /* = TERN_MAX_VCPUS */
#define CONFIG_NO_PIN           0xff     /* pin[] entry: place automatically */
#define CONFIG_MAX_VM_DOORBELLS 16              /* doorbell= tokens owned by one VM */
#define CONFIG_MAX_SHM          8               /* shm= tokens */
#define CONFIG_SHM_NAME_MAX     TERN_SHM_NAME_MAX   /* NUL included */
#define CONFIG_SHM_ALIGN        (2 * MiB)           /* each region's gpa */
#define CONFIG_SHM_WINDOW_GPA   TERN_SHM_WINDOW_GPA /* in the hole below 4 GiB, above any RAM */
#define CONFIG_SHM_WINDOW_SIZE  TERN_SHM_WINDOW_SIZE

/* A doorbell tern creates on its owner VM (doorbell=OWNER:GSI:RINGERS). */
struct doorbell_config {
	u32 gsi;
	u32 ringers;                                     /* bit i: VM i may ring it */
};

/* A shared-memory region (shm=NAME:SIZE:VMS). */
struct shm_config {
	char name[CONFIG_SHM_NAME_MAX];
	unsigned index;                                  /* position among the shm= tokens */
	u64 size;                                        /* bytes, a multiple of 4 KiB */
	u64 gpa;                                         /* the same in every VM that maps it */
	u32 vms;                                         /* bit i: VM i maps it */
};

struct vm_config {
	char kernel[CONFIG_STR_MAX];                     /* module name of the guest kernel */
	u64 mem;                                         /* bytes of guest RAM */
	unsigned cpus;                                   /* vCPUs, >= 1 */
	unsigned nr_pins;                                /* pin= entries given */
	u8 pin[CONFIG_MAX_PINS];                         /* physical CPU of vCPU i */
	unsigned nr_modules;
	char modules[CONFIG_MAX_VM_MODULES][CONFIG_STR_MAX]; /* extra modules passed through */
	char args[CONFIG_STR_MAX * 2];                   /* guest command line */
	bool control;                                    /* may grant doorbell rights */
	unsigned nr_doorbells;
	struct doorbell_config doorbells[CONFIG_MAX_VM_DOORBELLS]; /* created on this VM */
	unsigned nr_shm;
	struct shm_config shm[CONFIG_MAX_SHM];           /* the regions it maps, in gpa order */
};

struct tern_config {
	unsigned nr_vms;
	struct vm_config vms[CONFIG_MAX_VMS];
	bool stats;
	bool irqdump;
	bool apicv_off;                                  /* apicv=off */
	bool selftest_guard;                             /* selftest=guard */
	char trace[64];
	int loglevel;
	unsigned nr_shm;
	struct shm_config shm[CONFIG_MAX_SHM];           /* every region, in gpa order */
};

struct boot_module {
	u64 start;      /* physical, inclusive */
	u64 end;        /* physical, exclusive */
	char name[CONFIG_STR_MAX];  /* first word of the module2 string */
};

struct boot_info {
	char cmdline[1024];
	unsigned nr_modules;
	struct boot_module modules[CONFIG_MAX_BOOT_MODULES];
	u64 rsdp_phys;      /* ACPI RSDP copy from multiboot2 (0 if none) */
	bool uefi;          /* booted through UEFI firmware */
};

/*
 * Parse a tern command line into cfg (zeroed first, defaults applied).
 * Returns 0, or -TERN_EINVAL with a one-line reason in err.
 */
int cmdline_parse(const char *cmdline, struct tern_config *cfg, char *err, size_t errlen);

/* Look up a boot module by name; NULL when absent. */
const struct boot_module *boot_module_find(const struct boot_info *bi, const char *name);

/*
 * Everything after early boot: VMX on every CPU, create and run the VMs,
 * print the final status line, power off. Never returns.
 */
__noreturn void vmm_main(const struct boot_info *bi, const struct tern_config *cfg);

/*
 * End the machine: print nothing more, try every way out the platforms
 * offer (QEMU isa-debug-exit 0xf4, Bochs 0x8900, ACPI), then halt.
 */
__noreturn void machine_poweroff(void);

#endif
