/* SPDX-License-Identifier: MIT */
/*
 * The Multiboot v1 boot information: built in a host buffer laid out like
 * the guest's information area, then copied there in one piece.
 */
#include "kernel/config.h"
#include "kernel/lib/format.h"
#include "kernel/lib/string.h"
#include "kernel/loader_mb1.h"
#include "kernel/mm.h"
#include "kernel/vm.h"

#define MB1_LOADER_NAME "tern"
#define MB1_MMAP_MAX    (5 + CONFIG_MAX_SHM)

struct info_buf {
	u8 *buf;
	u64 used;
};

/* Reserve len bytes (8-byte aligned) in the area; the guest address or 0 when full. */
static u32 area_take(struct info_buf *b, u64 len)
{
	u64 at = ALIGN_UP(b->used, 8ull);

	if (at > MB1_INFO_SIZE || len > MB1_INFO_SIZE - at)
		return 0;
	b->used = at + len;
	return (u32)(MB1_INFO_BASE + at);
}

static void *area_ptr(struct info_buf *b, u32 gpa)
{
	return b->buf + (gpa - MB1_INFO_BASE);
}

static u32 area_string(struct info_buf *b, const char *s)
{
	u64 len = strlen(s) + 1;
	u32 gpa = area_take(b, len);

	if (gpa)
		memcpy(area_ptr(b, gpa), s, len);
	return gpa;
}

/* The VM's shared-memory regions, reserved (between low RAM and the high hole). */
static unsigned mmap_shm(struct vm *vm, struct mb1_mmap_entry *e)
{
	unsigned n = 0;
	u64 gpa, size;

	while (n < CONFIG_MAX_SHM && vm_shm_region(vm, n, &gpa, &size)) {
		e[n] = (struct mb1_mmap_entry){ 0, gpa, size, MB1_MMAP_RESERVED };
		n++;
	}
	return n;
}

static unsigned build_mmap(struct vm *vm, u64 ram, struct mb1_mmap_entry *e)
{
	u64 low_end = MIN(ram, VM_LOW_RAM_MAX);
	unsigned n = 0;

	e[n++] = (struct mb1_mmap_entry){ 0, 0, MB1_LOW_HOLE_START, MB1_MMAP_AVAILABLE };
	e[n++] = (struct mb1_mmap_entry){ 0, MB1_LOW_HOLE_START, MB1_LOW_HOLE_END - MB1_LOW_HOLE_START,
					  MB1_MMAP_RESERVED };
	if (low_end > MB1_LOW_HOLE_END)
		e[n++] = (struct mb1_mmap_entry){ 0, MB1_LOW_HOLE_END, low_end - MB1_LOW_HOLE_END,
						  MB1_MMAP_AVAILABLE };
	n += mmap_shm(vm, e + n);
	e[n++] = (struct mb1_mmap_entry){ 0, MB1_HIGH_HOLE_START, MB1_HIGH_HOLE_END - MB1_HIGH_HOLE_START,
					  MB1_MMAP_RESERVED };
	if (ram > low_end)
		e[n++] = (struct mb1_mmap_entry){ 0, VM_HIGH_RAM_BASE, ram - low_end, MB1_MMAP_AVAILABLE };
	for (unsigned i = 0; i < n; i++)
		e[i].size = sizeof(e[i]) - sizeof(e[i].size);
	return n;
}

static int fill_info(struct vm *vm, struct info_buf *b, const struct loader_image *img,
		     const struct mb1_placed *placed, u32 *info_gpa)
{
	struct mb1_mmap_entry mmap[MB1_MMAP_MAX];
	u64 ram = vm_ram_size(vm), low_end = MIN(ram, VM_LOW_RAM_MAX);
	unsigned nmap = build_mmap(vm, ram, mmap);
	u32 info = area_take(b, sizeof(struct mb1_info));
	u32 map = area_take(b, nmap * sizeof(mmap[0]));
	u32 mods = area_take(b, img->nr_modules * sizeof(struct mb1_module) + 1);
	u32 cmdline = area_string(b, img->cmdline ? img->cmdline : "");
	u32 name = area_string(b, MB1_LOADER_NAME);
	struct mb1_info *mi;

	if (!info || !map || !mods || !cmdline || !name)
		return -TERN_E2BIG;
	mi = area_ptr(b, info);
	memcpy(area_ptr(b, map), mmap, nmap * sizeof(mmap[0]));
	mi->flags = MB1_INFO_MEM | MB1_INFO_CMDLINE | MB1_INFO_MODS | MB1_INFO_MMAP |
		    MB1_INFO_LOADER_NAME;
	mi->mem_lower = MB1_MEM_LOWER_KIB;
	mi->mem_upper = low_end > MB1_LOW_HOLE_END ? (u32)((low_end - MB1_LOW_HOLE_END) / KiB) : 0;
	mi->cmdline = cmdline;
	mi->mmap_addr = map;
	mi->mmap_length = nmap * sizeof(mmap[0]);
	mi->boot_loader_name = name;
	mi->mods_addr = mods;
	mi->mods_count = img->nr_modules;
	for (unsigned i = 0; i < img->nr_modules; i++) {
		struct mb1_module *m;
		u32 s = area_string(b, img->modules[i].name);

		if (!s)
			return -TERN_E2BIG;
		m = (struct mb1_module *)area_ptr(b, mods) + i;
		*m = (struct mb1_module){ (u32)placed[i].start, (u32)placed[i].end, s, 0 };
	}
	*info_gpa = info;
	return 0;
}

int mb1_build_info(struct vm *vm, const struct loader_image *img, const struct mb1_placed *placed,
		   u32 *info_gpa, char *err, size_t errlen)
{
	struct info_buf b = { .buf = kzalloc(MB1_INFO_SIZE) };
	int rc;

	if (!b.buf) {
		fmt_snprintf(err, errlen, "out of memory building the boot information");
		return -TERN_ENOMEM;
	}
	rc = fill_info(vm, &b, img, placed, info_gpa);
	if (rc)
		fmt_snprintf(err, errlen, "command line and module names do not fit the %llu KiB "
			     "boot information area", MB1_INFO_SIZE / KiB);
	else if (vm_copy_to_guest(vm, MB1_INFO_BASE, b.buf, b.used))
		rc = -TERN_ENOSPC;
	if (rc == -TERN_ENOSPC)
		fmt_snprintf(err, errlen, "the boot information area is outside the VM's RAM");
	kfree(b.buf);
	return rc;
}
