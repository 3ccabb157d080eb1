/* SPDX-License-Identifier: MIT */
#include "kernel/lib/string.h"
#include "lib/multiboot.h"

static u32 boot_magic;
static const struct mb_info *info;

void mb_init(u32 magic, u32 info_addr)
{
	boot_magic = magic;
	info = magic == MB_BOOT_MAGIC ? (const struct mb_info *)(uintptr_t)info_addr : NULL;
}

u32 mb_magic(void)
{
	return boot_magic;
}

const struct mb_info *mb_info(void)
{
	return info;
}

static bool has(u32 flag)
{
	return info && (info->flags & flag);
}

const char *mb_cmdline(void)
{
	return has(MB_INFO_CMDLINE) && info->cmdline ? (const char *)(uintptr_t)info->cmdline : "";
}

const char *mb_loader_name(void)
{
	return has(MB_INFO_LOADER_NAME) && info->boot_loader_name ?
	       (const char *)(uintptr_t)info->boot_loader_name : "";
}

u32 mb_mem_lower_kib(void)
{
	return has(MB_INFO_MEM) ? info->mem_lower : 0;
}

u32 mb_mem_upper_kib(void)
{
	return has(MB_INFO_MEM) ? info->mem_upper : 0;
}

const struct mb_mmap_entry *mb_mmap_entry(unsigned i)
{
	u32 off = 0;

	if (!has(MB_INFO_MMAP))
		return NULL;
	while (off + sizeof(struct mb_mmap_entry) <= info->mmap_length) {
		const struct mb_mmap_entry *e = (const void *)(uintptr_t)(info->mmap_addr + off);

		if (i-- == 0)
			return e;
		off += e->size + sizeof(e->size);
	}
	return NULL;
}

const struct mb_module *mb_module(unsigned i)
{
	if (!has(MB_INFO_MODS) || i >= info->mods_count)
		return NULL;
	return (const struct mb_module *)(uintptr_t)info->mods_addr + i;
}

bool mb_cmdline_arg(const char *key, char *buf, size_t len)
{
	const char *p = mb_cmdline();
	size_t klen = strlen(key);

	while (*p) {
		while (*p == ' ')
			p++;
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			size_t n = 0;

			for (p += klen + 1; *p && *p != ' ' && n + 1 < len; p++)
				buf[n++] = *p;
			if (len)
				buf[n] = '\0';
			return true;
		}
		while (*p && *p != ' ')
			p++;
	}
	return false;
}

#define NUMBER_ARG_MAX 24

u32 mb_cmdline_u32(const char *key, u32 def)
{
	char buf[NUMBER_ARG_MAX];
	u64 v;

	if (!mb_cmdline_arg(key, buf, sizeof(buf)) || parse_u64(buf, strlen(buf), &v, false))
		return def;
	return (u32)v;
}
