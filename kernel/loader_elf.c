/* SPDX-License-Identifier: MIT */
/*
 * ELF loader for guest kernels: 32- and 64-bit little-endian x86 images,
 * PT_LOAD segments placed at their physical addresses (p_paddr), as a
 * Multiboot loader does. Every header field is treated as hostile.
 */
#include "kernel/lib/format.h"
#include "kernel/lib/string.h"
#include "kernel/loader.h"
#include "kernel/vm.h"

enum elf_const {
	EI_MAG0 = 0, EI_CLASS = 4, EI_DATA = 5, EI_NIDENT = 16,
	ELF_MAGIC = 0x464c457f,      /* "\x7fELF" read little-endian */
	ELFCLASS32 = 1, ELFCLASS64 = 2,
	ELFDATA2LSB = 1,
	ET_EXEC = 2,
	EM_386 = 3, EM_X86_64 = 62,
	PT_LOAD = 1,
	ELF_MAX_PHNUM = 256,         /* far more than any kernel needs */
};

struct elf32_ehdr {
	u8 ident[EI_NIDENT];
	u16 type, machine;
	u32 version, entry, phoff, shoff, flags;
	u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
} __packed;

struct elf64_ehdr {
	u8 ident[EI_NIDENT];
	u16 type, machine;
	u32 version;
	u64 entry, phoff, shoff;
	u32 flags;
	u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
} __packed;

struct elf32_phdr {
	u32 type, offset, vaddr, paddr, filesz, memsz, flags, align;
} __packed;

struct elf64_phdr {
	u32 type, flags;
	u64 offset, vaddr, paddr, filesz, memsz, align;
} __packed;

/* The fields the loader needs, whatever the class. */
struct elf_info {
	bool is64;
	u64 entry, phoff;
	unsigned phnum, phentsize;
};

struct elf_seg {
	u32 type;
	u64 offset, paddr, filesz, memsz;
};

static int fail(char *err, size_t errlen, int rc, const char *msg)
{
	fmt_snprintf(err, errlen, "%s", msg);
	return rc;
}

static int parse_ehdr(const u8 *data, u64 size, struct elf_info *info, char *err, size_t errlen)
{
	u32 magic;

	if (size < sizeof(struct elf32_ehdr))
		return fail(err, errlen, -TERN_ENOEXEC, "ELF header truncated");
	memcpy(&magic, data + EI_MAG0, sizeof(magic));
	if (magic != ELF_MAGIC)
		return fail(err, errlen, -TERN_ENOEXEC, "not an ELF file");
	if (data[EI_DATA] != ELFDATA2LSB)
		return fail(err, errlen, -TERN_ENOEXEC, "ELF file is not little-endian");
	if (data[EI_CLASS] == ELFCLASS32) {
		struct elf32_ehdr h;

		memcpy(&h, data, sizeof(h));
		if (h.type != ET_EXEC || h.machine != EM_386)
			return fail(err, errlen, -TERN_ENOEXEC, "ELF32 file is not an i386 executable");
		*info = (struct elf_info){ false, h.entry, h.phoff, h.phnum, h.phentsize };
		return info->phentsize >= sizeof(struct elf32_phdr) ? 0 :
		       fail(err, errlen, -TERN_ENOEXEC, "ELF program header entries too small");
	}
	if (data[EI_CLASS] == ELFCLASS64) {
		struct elf64_ehdr h;

		if (size < sizeof(h))
			return fail(err, errlen, -TERN_ENOEXEC, "ELF64 header truncated");
		memcpy(&h, data, sizeof(h));
		if (h.type != ET_EXEC || h.machine != EM_X86_64)
			return fail(err, errlen, -TERN_ENOEXEC, "ELF64 file is not an x86-64 executable");
		*info = (struct elf_info){ true, h.entry, h.phoff, h.phnum, h.phentsize };
		return info->phentsize >= sizeof(struct elf64_phdr) ? 0 :
		       fail(err, errlen, -TERN_ENOEXEC, "ELF program header entries too small");
	}
	return fail(err, errlen, -TERN_ENOEXEC, "unknown ELF class");
}

static void read_phdr(const u8 *data, const struct elf_info *info, unsigned i, struct elf_seg *s)
{
	const u8 *p = data + info->phoff + (u64)i * info->phentsize;

	if (info->is64) {
		struct elf64_phdr h;

		memcpy(&h, p, sizeof(h));
		*s = (struct elf_seg){ h.type, h.offset, h.paddr, h.filesz, h.memsz };
	} else {
		struct elf32_phdr h;

		memcpy(&h, p, sizeof(h));
		*s = (struct elf_seg){ h.type, h.offset, h.paddr, h.filesz, h.memsz };
	}
}

static int load_segment(struct vm *vm, const u8 *data, u64 size, const struct elf_seg *s,
			char *err, size_t errlen)
{
	int rc;

	if (s->filesz > s->memsz)
		return fail(err, errlen, -TERN_ENOEXEC, "ELF segment file size exceeds its memory size");
	if (s->offset > size || s->filesz > size - s->offset)
		return fail(err, errlen, -TERN_ENOEXEC, "ELF segment extends past the end of the file");
	rc = loader_check_range(vm, s->paddr, s->memsz, "ELF segment", err, errlen);
	if (rc)
		return rc;
	rc = vm_copy_to_guest(vm, s->paddr, data + s->offset, s->filesz);
	if (!rc)
		rc = loader_zero(vm, s->paddr + s->filesz, s->memsz - s->filesz);
	return rc ? fail(err, errlen, rc, "ELF segment copy failed") : 0;
}

int loader_elf_load(struct vm *vm, const void *image, u64 size, u64 *entry, u64 *end,
		    char *err, size_t errlen)
{
	const u8 *data = image;
	struct elf_info info;
	unsigned loaded = 0;
	u64 top = 0;
	int rc = parse_ehdr(data, size, &info, err, errlen);

	if (rc)
		return rc;
	if (info.phnum == 0 || info.phnum > ELF_MAX_PHNUM)
		return fail(err, errlen, -TERN_ENOEXEC, "ELF file has no usable program headers");
	if (info.phoff > size || (u64)info.phnum * info.phentsize > size - info.phoff)
		return fail(err, errlen, -TERN_ENOEXEC, "ELF program headers extend past the file");
	for (unsigned i = 0; i < info.phnum; i++) {
		struct elf_seg s;

		read_phdr(data, &info, i, &s);
		if (s.type != PT_LOAD || s.memsz == 0)
			continue;
		rc = load_segment(vm, data, size, &s, err, errlen);
		if (rc)
			return rc;
		top = MAX(top, s.paddr + s.memsz);
		loaded++;
	}
	if (!loaded)
		return fail(err, errlen, -TERN_ENOEXEC, "ELF file has no loadable segment");
	*entry = info.entry;
	*end = top;
	return 0;
}
