/* SPDX-License-Identifier: MIT */
#include "kernel/multiboot2.h"
#include "kernel/lib/endian.h"
#include "kernel/lib/format.h"
#include "kernel/lib/string.h"
#include "kernel/log.h"

/* Layout (multiboot2 spec 3.6). */
#define MB2_ALIGN             8
#define MB2_FIXED_SIZE        8     /* total_size, reserved */
#define MB2_TAG_HDR_SIZE      8     /* type, size */
#define MB2_TAG_END           0
#define MB2_TAG_CMDLINE       1
#define MB2_TAG_MODULE        3
#define MB2_TAG_MMAP          6
#define MB2_TAG_EFI32         11
#define MB2_TAG_EFI64         12
#define MB2_TAG_ACPI_OLD      14
#define MB2_TAG_ACPI_NEW      15
#define MB2_MODULE_HDR_SIZE   16    /* tag header, mod_start, mod_end */
#define MB2_MMAP_HDR_SIZE     16    /* tag header, entry_size, entry_version */
#define MB2_MMAP_ENTRY_MIN    24    /* base_addr, length, type, reserved */
#define MB2_MMAP_AVAILABLE    1
#define MB2_MMAP_ACPI_RECLAIM 3
#define MB2_MMAP_ACPI_NVS     4
#define MB2_MMAP_BAD          5

/* ACPI RSDP (ACPI 6.x 5.2.5.3). */
#define RSDP_SIGNATURE        "RSD PTR "
#define RSDP_SIGNATURE_LEN    8
#define RSDP_V1_SIZE          20
#define RSDP_V2_SIZE          36
#define RSDP_REVISION_OFF     15
#define RSDP_LENGTH_OFF       20

struct parser {
	const u8 *base;
	u64 base_phys;
	u32 total;
	struct boot_info *bi;
	struct mem_map *map;
	bool seen_cmdline, seen_mmap;
	u64 rsdp_old, rsdp_new;
	char *err;
	size_t errlen;
};


static int fail(struct parser *ps, const char *fmt, ...) __printf(2, 3);
static int fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(ps->err, ps->errlen, fmt, ap);
	va_end(ap);
	return -TERN_EINVAL;
}

/* Length of the NUL-terminated string in p[0..max), or -1 when it has no NUL. */
static long bounded_strlen(const u8 *p, size_t max)
{
	size_t n = strnlen((const char *)p, max);

	return n < max ? (long)n : -1;
}

static int parse_cmdline(struct parser *ps, const u8 *tag, u32 size)
{
	long len = bounded_strlen(tag + MB2_TAG_HDR_SIZE, size - MB2_TAG_HDR_SIZE);

	if (ps->seen_cmdline)
		return fail(ps, "two command line tags");
	ps->seen_cmdline = true;
	if (len < 0)
		return fail(ps, "command line tag is not NUL-terminated");
	if ((size_t)len >= sizeof(ps->bi->cmdline))
		return fail(ps, "command line is %ld bytes, the limit is %zu", len,
			    sizeof(ps->bi->cmdline) - 1);
	memcpy(ps->bi->cmdline, tag + MB2_TAG_HDR_SIZE, (size_t)len + 1);
	return 0;
}

static int parse_module(struct parser *ps, const u8 *tag, u32 size)
{
	struct boot_module *m;
	const char *str;
	long len;
	size_t name_len;

	if (size < MB2_MODULE_HDR_SIZE + 1)
		return fail(ps, "module tag of %u bytes is too short", size);
	if (ps->bi->nr_modules >= CONFIG_MAX_BOOT_MODULES)
		return fail(ps, "more than %d modules", CONFIG_MAX_BOOT_MODULES);
	str = (const char *)tag + MB2_MODULE_HDR_SIZE;
	len = bounded_strlen((const u8 *)str, size - MB2_MODULE_HDR_SIZE);
	if (len < 0)
		return fail(ps, "module string is not NUL-terminated");
	m = &ps->bi->modules[ps->bi->nr_modules];
	m->start = get_le32(tag + MB2_TAG_HDR_SIZE);
	m->end = get_le32(tag + MB2_TAG_HDR_SIZE + 4);
	if (m->end < m->start)
		return fail(ps, "module %u ends (0x%llx) before it starts (0x%llx)",
			    ps->bi->nr_modules, (unsigned long long)m->end,
			    (unsigned long long)m->start);
	while (*str == ' ')
		str++;
	for (name_len = 0; str[name_len] && str[name_len] != ' '; name_len++)
		;
	if (name_len >= sizeof(m->name))
		return fail(ps, "module %u name is longer than %zu bytes", ps->bi->nr_modules,
			    sizeof(m->name) - 1);
	memcpy(m->name, str, name_len);
	m->name[name_len] = '\0';
	ps->bi->nr_modules++;
	return 0;
}

static enum mem_type mmap_type(u32 t)
{
	switch (t) {
	case MB2_MMAP_AVAILABLE:
		return MEM_USABLE;
	case MB2_MMAP_ACPI_RECLAIM:
		return MEM_ACPI_RECLAIM;
	case MB2_MMAP_ACPI_NVS:
		return MEM_ACPI_NVS;
	case MB2_MMAP_BAD:
		return MEM_BAD;
	default:
		return MEM_RESERVED;
	}
}

static int parse_mmap(struct parser *ps, const u8 *tag, u32 size)
{
	u32 entry_size;

	if (ps->seen_mmap)
		return fail(ps, "two memory map tags");
	ps->seen_mmap = true;
	if (size < MB2_MMAP_HDR_SIZE)
		return fail(ps, "memory map tag of %u bytes is too short", size);
	entry_size = get_le32(tag + MB2_TAG_HDR_SIZE);
	if (entry_size < MB2_MMAP_ENTRY_MIN || entry_size % MB2_ALIGN)
		return fail(ps, "memory map entry size %u is invalid", entry_size);
	/* written so that a huge entry_size cannot wrap the bound (off <= size holds) */
	for (u32 off = MB2_MMAP_HDR_SIZE; entry_size <= size - off; off += entry_size) {
		u64 base = get_le64(tag + off), len = get_le64(tag + off + 8);
		struct mem_range *r;

		if (len == 0)
			continue;
		if (base + len < base)
			return fail(ps, "memory map entry 0x%llx+0x%llx wraps around",
				    (unsigned long long)base, (unsigned long long)len);
		if (ps->map->nr >= MEMMAP_MAX)
			return fail(ps, "memory map has more than %d entries", MEMMAP_MAX);
		r = &ps->map->r[ps->map->nr++];
		r->start = base;
		r->end = base + len;
		r->type = mmap_type(get_le32(tag + off + 16));
	}
	return 0;
}

static bool checksum_ok(const u8 *p, size_t len)
{
	u8 sum = 0;

	for (size_t i = 0; i < len; i++)
		sum = (u8)(sum + p[i]);
	return sum == 0;
}

/* A bad RSDP copy is ignored (ACPI then looks elsewhere), not fatal. */
static void parse_rsdp(struct parser *ps, const u8 *tag, u32 size, bool v2)
{
	const u8 *rsdp = tag + MB2_TAG_HDR_SIZE;
	u32 avail = size - MB2_TAG_HDR_SIZE;
	size_t need = v2 ? RSDP_V2_SIZE : RSDP_V1_SIZE;

	if (avail < need || memcmp(rsdp, RSDP_SIGNATURE, RSDP_SIGNATURE_LEN) ||
	    !checksum_ok(rsdp, RSDP_V1_SIZE) ||
	    (v2 && (get_le32(rsdp + RSDP_LENGTH_OFF) < RSDP_V2_SIZE ||
		    get_le32(rsdp + RSDP_LENGTH_OFF) > avail ||
		    !checksum_ok(rsdp, get_le32(rsdp + RSDP_LENGTH_OFF))))) {
		pr_warn("multiboot2: ignoring a malformed ACPI %s RSDP tag", v2 ? "new" : "old");
		return;
	}
	if (v2)
		ps->rsdp_new = ps->base_phys + (u64)(rsdp - ps->base);
	else
		ps->rsdp_old = ps->base_phys + (u64)(rsdp - ps->base);
}

static int parse_tag(struct parser *ps, const u8 *tag, u32 type, u32 size)
{
	switch (type) {
	case MB2_TAG_CMDLINE:
		return parse_cmdline(ps, tag, size);
	case MB2_TAG_MODULE:
		return parse_module(ps, tag, size);
	case MB2_TAG_MMAP:
		return parse_mmap(ps, tag, size);
	case MB2_TAG_EFI32:
	case MB2_TAG_EFI64:
		ps->bi->uefi = true;
		return 0;
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW:
		parse_rsdp(ps, tag, size, type == MB2_TAG_ACPI_NEW);
		return 0;
	default:
		return 0;   /* tags tern does not need */
	}
}

static int walk_tags(struct parser *ps)
{
	u32 off = MB2_FIXED_SIZE;

	while (off + MB2_TAG_HDR_SIZE <= ps->total) {
		const u8 *tag = ps->base + off;
		u32 type = get_le32(tag), size = get_le32(tag + 4);
		int ret;

		if (size < MB2_TAG_HDR_SIZE || size > ps->total - off)
			return fail(ps, "tag %u at offset %u has bad size %u", type, off, size);
		if (type == MB2_TAG_END)
			return 0;
		ret = parse_tag(ps, tag, type, size);
		if (ret)
			return ret;
		off += ALIGN_UP(size, MB2_ALIGN);
	}
	return fail(ps, "no end tag within %u bytes", ps->total);
}

int multiboot2_parse(const void *info, u64 info_phys, struct boot_info *bi,
		     struct mem_map *map, char *err, size_t errlen)
{
	struct parser ps = {
		.base = info, .base_phys = info_phys, .bi = bi, .map = map,
		.err = err, .errlen = errlen,
	};
	int ret;

	memset(bi, 0, sizeof(*bi));
	memset(map, 0, sizeof(*map));
	if (!info || !IS_ALIGNED(info_phys, MB2_ALIGN))
		return fail(&ps, "info block at 0x%llx is not 8-byte aligned",
			    (unsigned long long)info_phys);
	ps.total = get_le32(ps.base);
	if (ps.total < MB2_FIXED_SIZE + MB2_TAG_HDR_SIZE || ps.total > MB2_INFO_MAX_SIZE ||
	    !IS_ALIGNED(ps.total, MB2_ALIGN))
		return fail(&ps, "info block size %u is invalid", ps.total);
	ret = walk_tags(&ps);
	if (ret)
		return ret;
	if (!ps.seen_mmap || map->nr == 0)
		return fail(&ps, "no memory map");
	bi->rsdp_phys = ps.rsdp_new ? ps.rsdp_new : ps.rsdp_old;
	return 0;
}

u32 multiboot2_info_size(const void *info)
{
	return get_le32(info);
}

const struct boot_module *boot_module_find(const struct boot_info *bi, const char *name)
{
	if (!name || !*name)
		return NULL;
	for (unsigned i = 0; i < bi->nr_modules && i < CONFIG_MAX_BOOT_MODULES; i++)
		if (!strcmp(bi->modules[i].name, name))
			return &bi->modules[i];
	return NULL;
}
