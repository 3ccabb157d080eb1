/* SPDX-License-Identifier: MIT */
/*
 * The Multiboot v1 loader (kernel/loader_mb1*.c, loader_elf.c,
 * loader_range.c) on arbitrary kernel images, into a fake VM's RAM.
 *
 * The fake implements the kernel/vm.h contract exactly as kernel/vm.c does
 * (vm_gpa_to_hva: gpa inside RAM, no wrap, len within RAM; NULL otherwise)
 * over one RAM buffer with ASan-poisoned redzones on both sides, so any
 * access the loader makes outside guest RAM is a report. The image itself
 * is an exactly sized heap copy (reads beyond its end are reports too).
 *
 * Input: byte 0 picks the RAM size and the number of modules (0-2), the
 * rest is the kernel file. Invariants on success: EAX is the Multiboot
 * magic, EIP inside low RAM, EBX inside the information area, the info
 * structure there has the flags tern always gives and its module list
 * points at the modules' bytes, copied intact, page-aligned, inside RAM.
 * On failure: a non-empty reason and one of the documented errors.
 */
#include <sanitizer/asan_interface.h>

#include <tern/errno.h>
#include "tests/unit/fake_guest_ram.h"
#include "kernel/lib/string.h"
#include "kernel/loader.h"
#include "kernel/loader_mb1.h"
#include "kernel/vm.h"
#include "tests/fuzz/fuzz.h"

#define REDZONE  (64 * KiB)
#define RAM_MAX  (4 * MiB)
#define ERR_LEN  128

static u8 *arena;      /* REDZONE | RAM_MAX | REDZONE */
static u64 ram_size;   /* this run's RAM: the first ram_size bytes of RAM_MAX */

static u8 *ram(void)
{
	return arena + REDZONE;
}

unsigned vm_id(const struct vm *vm) { (void)vm; return 0; }
u64 vm_ram_size(const struct vm *vm) { (void)vm; return ram_size; }
bool vm_shm_region(struct vm *vm, unsigned i, u64 *gpa, u64 *size)
{
	(void)vm; (void)i; (void)gpa; (void)size;
	return false;   /* regions are checked by the unit test */
}
unsigned vm_nr_vcpus(const struct vm *vm) { (void)vm; return 1; }

static void setup_ram(u64 size)
{
	if (!arena) {
		arena = aligned_alloc(4096, RAM_MAX + 2 * REDZONE);
		if (!arena)
			abort();
	}
	ram_size = size;
	fake_guest_ram = ram();
	fake_guest_ram_size = size;
	ASAN_UNPOISON_MEMORY_REGION(arena, RAM_MAX + 2 * REDZONE);
	ASAN_POISON_MEMORY_REGION(arena, REDZONE);
	ASAN_POISON_MEMORY_REGION(ram() + ram_size, RAM_MAX + REDZONE - ram_size);
}

static const char mod_name0[] = "initrd";
static const char mod_name1[] = "data with spaces";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const u64 sizes[] = { 2 * MiB, 4 * MiB, 1 * MiB + 4 * KiB, 3 * MiB + 123 };
	static u8 modbytes[2][300];
	struct loader_module mods[2];
	struct loader_image img;
	struct loader_entry entry;
	char *err = malloc(ERR_LEN);
	u8 *image;
	int ret;

	if (!err || size < 1)
		goto out;
	setup_ram(sizes[data[0] & 3]);
	for (unsigned i = 0; i < 2; i++) {
		memset(modbytes[i], 0x30 + i, sizeof(modbytes[i]));
		mods[i] = (struct loader_module){ .name = i ? mod_name1 : mod_name0,
						  .data = modbytes[i], .size = 100 + 200 * i };
	}
	image = malloc(size - 1 ? size - 1 : 1);
	if (!image)
		abort();
	memcpy(image, data + 1, size - 1);
	img = (struct loader_image){ .data = image, .size = size - 1,
				     .cmdline = (data[0] & 0x10) ? "console=ttyS0 x=\"1 2\"" : "",
				     .nr_modules = (data[0] >> 2) % 3, .modules = mods };
	memset(&entry, 0, sizeof(entry));
	err[0] = '\0';
	ret = loader_mb1_load(NULL, &img, &entry, err, ERR_LEN);
	FUZZ_CHECK(memchr(err, '\0', ERR_LEN) != NULL, "err not NUL-terminated");
	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "loader_mb1_load: %d %s (eip 0x%x)\n", ret, err, entry.eip);
	if (ret) {
		FUZZ_CHECK(ret == -TERN_ENOEXEC || ret == -TERN_ENOSPC || ret == -TERN_EOPNOTSUPP ||
			   ret == -TERN_E2BIG || ret == -TERN_EFAULT, "ret %d (%s)", ret, err);
		FUZZ_CHECK(err[0] != '\0', "rejected (%d) without a reason", ret);
	} else {
		struct mb1_info info;

		FUZZ_CHECK(entry.eax == MB1_BOOTLOADER_MAGIC, "eax 0x%x", entry.eax);
		FUZZ_CHECK(entry.eip < ram_size, "eip 0x%x outside RAM", entry.eip);
		FUZZ_CHECK(entry.ebx >= MB1_INFO_BASE &&
			   entry.ebx + sizeof(info) <= MB1_INFO_BASE + MB1_INFO_SIZE,
			   "ebx 0x%x outside the info area", entry.ebx);
		memcpy(&info, ram() + entry.ebx, sizeof(info));
		FUZZ_CHECK((info.flags & (MB1_INFO_MEM | MB1_INFO_MMAP)) ==
			   (MB1_INFO_MEM | MB1_INFO_MMAP), "info flags 0x%x", info.flags);
		if (img.nr_modules) {
			struct mb1_module m;

			FUZZ_CHECK((info.flags & MB1_INFO_MODS) && info.mods_count == img.nr_modules,
				   "mods_count %u", info.mods_count);
			for (unsigned i = 0; i < img.nr_modules; i++) {
				FUZZ_CHECK(info.mods_addr + (i + 1) * sizeof(m) <= ram_size, "mods_addr");
				memcpy(&m, ram() + info.mods_addr + i * sizeof(m), sizeof(m));
				FUZZ_CHECK(m.mod_end - m.mod_start == mods[i].size &&
					   m.mod_end <= ram_size && !(m.mod_start % MB1_MODULE_ALIGN),
					   "module %u at 0x%x-0x%x", i, m.mod_start, m.mod_end);
				FUZZ_CHECK(!memcmp(ram() + m.mod_start, mods[i].data, mods[i].size),
					   "module %u bytes overwritten", i);
			}
		}
	}
	free(image);
out:
	free(err);
	return 0;
}
