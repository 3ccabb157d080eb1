/* SPDX-License-Identifier: MIT */
/*
 * From boot/ to vmm_main(): CPU tables, console, boot information, memory,
 * page tables, command line. Everything here runs once, on the BSP.
 */
#include "kernel/config.h"
#include "arch/x86/cpu.h"
#include "arch/x86/paging.h"
#include "arch/x86/smp.h"
#include "arch/x86/x86.h"
#include "boot/boot.h"
#include "kernel/clock.h"
#include "kernel/console.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/multiboot2.h"

#ifndef TERN_VERSION
#define TERN_VERSION "0.1"
#endif

#define ERR_MAX          192
#define EXCL_MAX         (CONFIG_MAX_BOOT_MODULES + 3)   /* image, info, low memory, modules */
#define LOW_MEMORY_END   (1 * MiB)

/* Large: kept off the 32 KiB boot stack. */
static struct boot_info bi;
static struct tern_config cfg;
static struct mem_map memmap;
static struct mem_range excl[EXCL_MAX];

static __noreturn void boot_fail(const char *what, int err)
{
	pr_err("boot failed: %s (error %d)", what, err);
	machine_poweroff();
}

static void excl_add(unsigned *n, u64 start, u64 end)
{
	if (*n < EXCL_MAX && start < end) {
		excl[*n].start = start;
		excl[*n].end = end;
		excl[*n].type = MEM_RESERVED;
		(*n)++;
	}
}

/* What tern must keep and map: its image, the boot information, modules, low memory. */
static unsigned build_exclusions(u64 info_phys)
{
	unsigned n = 0;

	excl_add(&n, 0, LOW_MEMORY_END);
	excl_add(&n, virt_to_phys(__image_start), virt_to_phys(__image_end));
	excl_add(&n, info_phys, info_phys + multiboot2_info_size(phys_to_virt(info_phys)));
	for (unsigned i = 0; i < bi.nr_modules; i++)
		excl_add(&n, bi.modules[i].start, bi.modules[i].end);
	return n;
}

static void parse_boot_info(u32 magic, u64 info_phys)
{
	char err[ERR_MAX];

	if (magic != MULTIBOOT2_BOOTLOADER_MAGIC) {
		pr_err("bad multiboot2 info: boot loader magic 0x%x", magic);
		machine_poweroff();
	}
	if (multiboot2_parse(phys_to_virt(info_phys), info_phys, &bi, &memmap, err, sizeof(err))) {
		pr_err("bad multiboot2 info: %s", err);
		machine_poweroff();
	}
}

/* At debug level (known only once the command line is parsed). */
static void log_boot_info(void)
{
	for (unsigned i = 0; i < memmap.nr; i++)
		pr_debug("memory 0x%016llx-0x%016llx type %d",
			 (unsigned long long)memmap.r[i].start,
			 (unsigned long long)memmap.r[i].end, memmap.r[i].type);
	for (unsigned i = 0; i < bi.nr_modules; i++)
		pr_debug("module '%s' at 0x%llx, %llu bytes", bi.modules[i].name,
			 (unsigned long long)bi.modules[i].start,
			 (unsigned long long)(bi.modules[i].end - bi.modules[i].start));
	pr_debug("ACPI RSDP copy at 0x%llx", (unsigned long long)bi.rsdp_phys);
}

static void setup_memory(u64 info_phys)
{
	unsigned n = build_exclusions(info_phys);
	int ret;

	ret = mm_init(&memmap, excl, n, EARLY_MAP_GIB * GiB);
	if (ret)
		boot_fail("page allocator setup", ret);
	ret = paging_init(&memmap, excl, n);
	if (ret)
		boot_fail("page tables", ret);
	ret = mm_add_high();
	if (ret)
		boot_fail("memory above the boot mapping", ret);
}

static void parse_command_line(void)
{
	char err[ERR_MAX];

	pr_info("command line: %s", bi.cmdline);
	if (cmdline_parse(bi.cmdline, &cfg, err, sizeof(err))) {
		pr_err("bad command line: %s", err);
		machine_poweroff();
	}
	log_set_level((enum log_level)cfg.loglevel);
}

__noreturn void kernel_main(u32 magic, u64 info_phys)
{
	cpu_init_bsp();
	console_init();
	parse_boot_info(magic, info_phys);
	setup_memory(info_phys);
	pr_info("tern %s booting (%s), %llu MiB free", TERN_VERSION, bi.uefi ? "UEFI" : "BIOS",
		(unsigned long long)(page_free_count() * PAGE_SIZE / MiB));
	parse_command_line();
	log_boot_info();
	clock_tsc_khz();   /* calibrate now, before any VM depends on it */
	smp_boot_aps(&bi); /* the APs need the calibrated TSC for INIT-SIPI-SIPI delays */
	cpu_hardening_report();   /* W^X, NX, SMEP, SMAP, stack guards on every online CPU */
	if (cfg.selftest_guard)
		cpu_selftest_guard();
	vmm_main(&bi, &cfg);
}

/* Stands in until kernel/vmm.c is linked; the real one overrides it. */
__attribute__((weak)) __noreturn void vmm_main(const struct boot_info *boot,
					       const struct tern_config *config)
{
	pr_err("no VMM built");
	machine_poweroff();
}
