/* SPDX-License-Identifier: MIT */
/*
 * demo: what `make run` shows. Greets, shows what the VM looks like from
 * inside (CPUID signature, RAM from fw_cfg and multiboot, the command line)
 * and does one hypercall round trip.
 */
#include "lib/guest.h"

static void show_memory(void)
{
	u64 mb_ram = ((u64)mb_mem_upper_kib() + 1024) * KiB;

	printf("  multiboot: %u KiB low, %u KiB above 1 MiB (%llu MiB up to the first hole)\n",
	       mb_mem_lower_kib(), mb_mem_upper_kib(), (unsigned long long)(mb_ram / MiB));
	if (!check(fw_cfg_present(), "fw_cfg answers with \"QEMU\""))
		return;
	printf("  fw_cfg: %llu MiB of RAM, %u vCPU(s)\n",
	       (unsigned long long)(fw_cfg_read_le(FW_CFG_RAM_SIZE, 8) / MiB),
	       (unsigned)fw_cfg_read_le(FW_CFG_NB_CPUS, 2));
}

static void say_hello_through_tern(void)
{
	static const char msg[] = "  (this line came through the CONSOLE_WRITE hypercall)\n";
	s32 ret;

	if (hypercall_safe(TERN_HC_VERSION, 0, 0, 0, 0, &ret) >= 0) {
		check(false, "VMCALL works");
		return;
	}
	check_eq(ret, TERN_HC_ABI_VERSION, "hypercall VERSION returns %d", TERN_HC_ABI_VERSION);
	ret = hypercall2(TERN_HC_CONSOLE_WRITE, (u32)(uintptr_t)msg, sizeof(msg) - 1);
	check_eq(ret, sizeof(msg) - 1, "CONSOLE_WRITE wrote the whole line");
}

void guest_main(void)
{
	char sig[13];
	bool tern = tern_detect(sig);

	printf("\nHello from a tern guest!\n");
	printf("  I am a 32-bit Multiboot kernel (magic 0x%08x, loader \"%s\")\n",
	       mb_magic(), mb_loader_name());
	printf("  CPUID hypervisor signature: \"%s\"\n", sig);
	printf("  command line: \"%s\"\n", mb_cmdline());
	show_memory();
	if (tern)
		say_hello_through_tern();
	else
		note("not running on tern: no hypercalls");
	printf("Bye!\n");
}
