/* SPDX-License-Identifier: MIT */
/*
 * multiboot2_parse() (kernel/multiboot2.c) on arbitrary information blocks.
 * The block sits in an exactly sized heap buffer whose first word (total
 * size) is made to describe the buffer, as the boot loader guarantees; so
 * any read past total_size is an ASan report. Invariants on success: a
 * memory map with 1..MEMMAP_MAX non-empty, non-wrapping ranges, modules that
 * end at or after they start with NUL-terminated names, a NUL-terminated
 * command line. On failure: a non-empty reason.
 */
#include "kernel/lib/string.h"
#include "kernel/multiboot2.h"
#include "tests/fuzz/fuzz.h"

#define ERR_LEN 96

static struct boot_info bi;
static struct mem_map map;

static void check(const u8 *block, int ret, const char *err)
{
	if (ret) {
		/* err is only written on failure */
		FUZZ_CHECK(memchr(err, '\0', ERR_LEN) != NULL, "err not NUL-terminated");
		FUZZ_CHECK(ret < 0 && err[0], "ret %d err '%s'", ret, err);
		return;
	}
	FUZZ_CHECK(multiboot2_info_size(block) >= 16, "size");
	FUZZ_CHECK(map.nr >= 1 && map.nr <= MEMMAP_MAX, "map.nr %u", map.nr);
	for (unsigned i = 0; i < map.nr; i++)
		FUZZ_CHECK(map.r[i].start < map.r[i].end && map.r[i].type >= MEM_USABLE &&
			   map.r[i].type <= MEM_BAD, "range %u", i);
	FUZZ_CHECK(bi.nr_modules <= CONFIG_MAX_BOOT_MODULES, "nr_modules %u", bi.nr_modules);
	for (unsigned i = 0; i < bi.nr_modules; i++) {
		FUZZ_CHECK(bi.modules[i].start <= bi.modules[i].end, "module %u", i);
		FUZZ_CHECK(memchr(bi.modules[i].name, '\0', sizeof(bi.modules[i].name)), "name");
		FUZZ_CHECK(!strchr(bi.modules[i].name, ' '), "name '%s' has a space",
			   bi.modules[i].name);
		if (bi.modules[i].name[0])
			FUZZ_CHECK(boot_module_find(&bi, bi.modules[i].name) != NULL, "find");
	}
	FUZZ_CHECK(memchr(bi.cmdline, '\0', sizeof(bi.cmdline)) != NULL, "cmdline");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *err = malloc(ERR_LEN);
	u64 phys = 0x10000;
	size_t len;
	u8 *block;
	u32 total;
	int ret;

	if (!err)
		abort();
	/* The first input byte picks the physical address's alignment check. */
	if (size && (data[0] & 0x80))
		phys += data[0] & 7;
	len = ALIGN_UP(size < 16 ? 16 : size, 8);
	if (len > MB2_INFO_MAX_SIZE)
		len = MB2_INFO_MAX_SIZE;
	block = aligned_alloc(8, len);
	if (!block)
		abort();
	memset(block, 0, len);
	memcpy(block, data, size < len ? size : len);
	memcpy(&total, block, 4);
	/*
	 * The loader vouches for total_size bytes. Keep a smaller valid-looking
	 * total (the parser must stay inside it, and the buffer is then cut
	 * to it); an impossible one (0x80000000 set) is kept as is to test
	 * the size checks, which must reject it before reading further.
	 */
	if (!(total & 0x80000000u)) {
		if (total > len || total < 8)
			total = (u32)len;
		memcpy(block, &total, 4);
		if (total < len) {
			u8 *cut = aligned_alloc(8, ALIGN_UP(total, 8));

			if (!cut)
				abort();
			memcpy(cut, block, total);
			free(block);
			block = cut;
		}
	}
	memset(err, 'X', ERR_LEN);
	ret = multiboot2_parse(block, phys, &bi, &map, err, ERR_LEN);
	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "multiboot2_parse: %d %.*s\n", ret, ERR_LEN, err);
	check(block, ret, err);
	free(block);
	free(err);
	return 0;
}
