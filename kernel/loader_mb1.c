/* SPDX-License-Identifier: MIT */
/*
 * Multiboot v1 kernel loader: find and check the header, load the image
 * (ELF, or the a.out kludge when header flag 16 says so), place the modules
 * after it, and build the boot information (loader_mb1_info.c).
 */
#include "kernel/lib/format.h"
#include "kernel/lib/string.h"
#include "kernel/loader.h"
#include "kernel/loader_mb1.h"
#include "kernel/vm.h"

static int fail(char *err, size_t errlen, int rc, const char *msg)
{
	fmt_snprintf(err, errlen, "%s", msg);
	return rc;
}

int mb1_find_header(const u8 *data, u64 size, struct mb1_header *hdr, u64 *offset)
{
	u64 limit = MIN(size, (u64)MB1_SEARCH_LIMIT);

	for (u64 off = 0; off + MB1_HEADER_MIN <= limit; off += MB1_HEADER_ALIGN) {
		struct mb1_header h = { 0 };

		memcpy(&h, data + off, MIN(sizeof(h), size - off));
		if (h.magic != MB1_HEADER_MAGIC || (u32)(h.magic + h.flags + h.checksum) != 0)
			continue;
		if ((h.flags & MB1_FLAG_AOUT_KLUDGE) && off + sizeof(h) > size)
			return -TERN_ENOEXEC;   /* the address fields are cut off */
		*hdr = h;
		*offset = off;
		return 0;
	}
	return -TERN_ENOEXEC;
}

/* The a.out kludge: the file from header_offset - (header_addr - load_addr) on. */
static int load_aout(struct vm *vm, const u8 *data, u64 size, const struct mb1_header *h,
		     u64 hdr_off, u64 *end, char *err, size_t errlen)
{
	u64 delta = (u64)h->header_addr - h->load_addr, file_off, load_len, load_end, bss_end;
	int rc;

	if (h->load_addr > h->header_addr || delta > hdr_off)
		return fail(err, errlen, -TERN_ENOEXEC,
			    "multiboot header: load_addr does not fit header_addr and its file offset");
	file_off = hdr_off - delta;
	load_end = h->load_end_addr ? h->load_end_addr : h->load_addr + (size - file_off);
	if (load_end < h->load_addr)
		return fail(err, errlen, -TERN_ENOEXEC, "multiboot header: load_end_addr < load_addr");
	load_len = load_end - h->load_addr;
	if (load_len > size - file_off)
		return fail(err, errlen, -TERN_ENOEXEC,
			    "multiboot header: load_end_addr is past the end of the file");
	bss_end = h->bss_end_addr ? h->bss_end_addr : load_end;
	if (bss_end < load_end)
		return fail(err, errlen, -TERN_ENOEXEC, "multiboot header: bss_end_addr < load_end_addr");
	rc = loader_check_range(vm, h->load_addr, bss_end - h->load_addr, "kernel image", err, errlen);
	if (rc)
		return rc;
	rc = vm_copy_to_guest(vm, h->load_addr, data + file_off, load_len);
	if (!rc)
		rc = loader_zero(vm, load_end, bss_end - load_end);
	if (rc)
		return fail(err, errlen, rc, "kernel image copy failed");
	*end = bss_end;
	return 0;
}

static int check_header_flags(const struct mb1_header *h, char *err, size_t errlen)
{
	u32 unsupported = h->flags & MB1_FLAGS_REQUIRED_MASK & ~MB1_FLAGS_SUPPORTED;

	if (unsupported) {
		fmt_snprintf(err, errlen, "multiboot header requires unsupported features (flags 0x%x)",
			     unsupported);
		return -TERN_EOPNOTSUPP;
	}
	return 0;
}

/* Modules go page-aligned after the kernel; returns where each one landed. */
static int load_modules(struct vm *vm, const struct loader_image *img, u64 kernel_end,
			struct mb1_placed *placed, char *err, size_t errlen)
{
	u64 at = ALIGN_UP(MAX(kernel_end, MB1_INFO_BASE + MB1_INFO_SIZE), MB1_MODULE_ALIGN);

	if (img->nr_modules > MB1_MAX_MODULES)
		return fail(err, errlen, -TERN_E2BIG, "too many modules");
	for (unsigned i = 0; i < img->nr_modules; i++) {
		const struct loader_module *m = &img->modules[i];
		int rc = loader_check_range(vm, at, m->size, "module", err, errlen);

		if (rc)
			return rc;
		if (vm_copy_to_guest(vm, at, m->data, m->size))
			return fail(err, errlen, -TERN_EFAULT, "module copy failed");
		placed[i] = (struct mb1_placed){ at, at + m->size };
		at = ALIGN_UP(at + m->size, MB1_MODULE_ALIGN);
		if (at < placed[i].end)
			return fail(err, errlen, -TERN_ENOSPC, "modules wrap around");
	}
	return 0;
}

int loader_mb1_load(struct vm *vm, const struct loader_image *img, struct loader_entry *out,
		    char *err, size_t errlen)
{
	struct mb1_placed placed[MB1_MAX_MODULES];
	struct mb1_header h;
	u64 hdr_off, entry, end;
	u32 info;
	int rc;

	if (mb1_find_header(img->data, img->size, &h, &hdr_off))
		return fail(err, errlen, -TERN_ENOEXEC,
			    "no valid multiboot header in the first 8 KiB of the kernel");
	rc = check_header_flags(&h, err, errlen);
	if (rc)
		return rc;
	if (h.flags & MB1_FLAG_AOUT_KLUDGE) {
		entry = h.entry_addr;
		rc = load_aout(vm, img->data, img->size, &h, hdr_off, &end, err, errlen);
	} else {
		rc = loader_elf_load(vm, img->data, img->size, &entry, &end, err, errlen);
	}
	if (rc)
		return rc;
	if (entry >= MIN(vm_ram_size(vm), VM_LOW_RAM_MAX))
		return fail(err, errlen, -TERN_ENOEXEC, "kernel entry point is outside RAM");
	rc = load_modules(vm, img, end, placed, err, errlen);
	if (rc)
		return rc;
	rc = mb1_build_info(vm, img, placed, &info, err, errlen);
	if (rc)
		return rc;
	*out = (struct loader_entry){ .eip = (u32)entry, .eax = MB1_BOOTLOADER_MAGIC, .ebx = info };
	return 0;
}
