/* SPDX-License-Identifier: MIT */
/*
 * The Linux boot-protocol loader (kernel/loader_linux.c, with the guest ACPI
 * tables of drivers/acpi_tables.c) on arbitrary bzImages, into a fake VM
 * whose RAM is one buffer with ASan-poisoned redzones on both sides; the
 * fake vm_gpa_to_hva/vm_copy_to_guest follow the kernel/vm.h contract as
 * kernel/vm.c does. The image, initrd and command line are exactly sized
 * heap copies, so reads past them are reports too.
 *
 * Input: byte 0 picks the RAM size, whether there is an initrd and which
 * command line; the rest is the image.
 * Invariants on success: RIP = kernel + 0x200, RSI = the zero page, the
 * kernel (init_size) lies in RAM at or above 1 MiB, the initrd lies in RAM
 * above the kernel, page-aligned and intact, the command line is copied
 * NUL-terminated, e820 has 1..128 entries, each non-empty and in order
 * without overlap. On failure: one of the documented errors.
 */
#include <sanitizer/asan_interface.h>

#include <tern/errno.h>
#include "tests/unit/fake_guest_ram.h"
#include "kernel/lib/string.h"
#include "kernel/loader_linux.h"
#include "kernel/vm.h"
#include "tests/fuzz/fuzz.h"
#include "tests/unit/fake_vm_services.h"
#include "tests/unit/stub_kernel.h"

#define REDZONE  (64 * KiB)
#define RAM_MAX  (32 * MiB)

static u8 *arena;
static u64 ram_size;

static u8 *ram(void)
{
	return arena + REDZONE;
}

static void setup_ram(u64 size)
{
	if (!arena) {
		arena = aligned_alloc(4096, RAM_MAX + 2 * REDZONE);
		if (!arena)
			abort();
		ASAN_POISON_MEMORY_REGION(arena, REDZONE);
		ram_size = RAM_MAX;
	}
	fake_guest_ram = ram();
	fake_guest_ram_size = size;
	if (size == ram_size)
		return;
	ASAN_UNPOISON_MEMORY_REGION(ram(), RAM_MAX + REDZONE);
	ASAN_POISON_MEMORY_REGION(ram() + size, RAM_MAX + REDZONE - size);
	ram_size = size;
}

static u32 rd32(u64 gpa)
{
	u32 v;

	memcpy(&v, ram() + gpa, 4);
	return v;
}

static u64 rd64(u64 gpa)
{
	u64 v;

	memcpy(&v, ram() + gpa, 8);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const u64 sizes[] = { 16 * MiB, 32 * MiB, 24 * MiB + 4 * KiB, 8 * MiB };
	static const char *const cmdlines[] = { NULL, "", "console=ttyS0 earlyprintk=serial",
						"a=\"b c\" root=/dev/ram0 rdinit=/bin/sh" };
	static u8 initrd_src[5000];
	struct linux_entry entry;
	const char *cl;
	char *cmdline = NULL;
	u8 *image, *initrd = NULL;
	size_t initrd_len = 0;
	int ret;

	if (size < 1)
		return 0;
	fake_vm_reset();
	setup_ram(sizes[data[0] & 3]);
	fake.ram_size = ram_size;
	fake.nr_vcpus = 1 + ((data[0] >> 6) & 1);
	if (data[0] & 4) {
		initrd_len = (data[0] & 8) ? sizeof(initrd_src) : 1;
		memset(initrd_src, 0x5a, sizeof(initrd_src));
		initrd = malloc(initrd_len);
		if (!initrd)
			abort();
		memcpy(initrd, initrd_src, initrd_len);
	}
	cl = cmdlines[(data[0] >> 4) & 3];
	if (cl) {
		cmdline = strdup(cl);
		if (!cmdline)
			abort();
	}
	image = malloc(size - 1 ? size - 1 : 1);
	if (!image)
		abort();
	memcpy(image, data + 1, size - 1);
	memset(&entry, 0, sizeof(entry));
	ret = linux_load(NULL, image, size - 1, initrd, initrd_len, cmdline, &entry);
	if (ret) {
		FUZZ_CHECK(ret == -TERN_ENOEXEC || ret == -TERN_E2BIG || ret == -TERN_ENOSPC ||
			   ret == -TERN_EFAULT || ret == -TERN_ENOMEM || ret == -TERN_EINVAL,
			   "linux_load = %d", ret);
	} else {
		u32 n = ram()[LINUX_BOOT_PARAMS_GPA + 0x1e8];
		u64 prev_end = 0;

		FUZZ_CHECK(entry.rip == entry.kernel_gpa + 0x200 && entry.rsi == LINUX_BOOT_PARAMS_GPA,
			   "rip 0x%llx rsi 0x%llx", (unsigned long long)entry.rip,
			   (unsigned long long)entry.rsi);
		FUZZ_CHECK(entry.kernel_gpa >= LINUX_KERNEL_MIN_GPA &&
			   entry.kernel_gpa + entry.kernel_size <= ram_size &&
			   entry.kernel_gpa + entry.kernel_size >= entry.kernel_gpa,
			   "kernel at 0x%llx+0x%llx, RAM 0x%llx", (unsigned long long)entry.kernel_gpa,
			   (unsigned long long)entry.kernel_size, (unsigned long long)ram_size);
		if (initrd_len) {
			FUZZ_CHECK(entry.initrd_size == initrd_len && !(entry.initrd_gpa & 0xfff) &&
				   entry.initrd_gpa >= entry.kernel_gpa + entry.kernel_size &&
				   entry.initrd_gpa + initrd_len <= ram_size,
				   "initrd at 0x%llx+0x%llx", (unsigned long long)entry.initrd_gpa,
				   (unsigned long long)entry.initrd_size);
			FUZZ_CHECK(!memcmp(ram() + entry.initrd_gpa, initrd_src, initrd_len),
				   "initrd bytes overwritten");
		}
		FUZZ_CHECK(!strcmp((const char *)ram() + LINUX_CMDLINE_GPA, cl ? cl : ""),
			   "command line not copied");
		FUZZ_CHECK(n >= 1 && n <= LINUX_E820_MAX, "%u e820 entries", n);
		for (u32 i = 0; i < n; i++) {
			u64 at = LINUX_BOOT_PARAMS_GPA + 0x2d0 + 20 * i;
			u64 addr = rd64(at), len = rd64(at + 8);
			u32 type = rd32(at + 16);

			FUZZ_CHECK(len && addr >= prev_end && addr + len > addr &&
				   (type == E820_RAM || type == E820_RESERVED),
				   "e820[%u] 0x%llx+0x%llx type %u", i, (unsigned long long)addr,
				   (unsigned long long)len, type);
			prev_end = addr + len;
		}
	}
	free(image);
	free(initrd);
	free(cmdline);
	return 0;
}
