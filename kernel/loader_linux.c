/* SPDX-License-Identifier: MIT */
#include "drivers/acpi_tables.h"
#include "kernel/lib/endian.h"
#include "kernel/lib/string.h"
#include "kernel/loader_linux.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/vm.h"

/* Setup header fields: offsets in the image and in boot_params alike. */
#define HDR_START              0x1f1
#define HDR_SETUP_SECTS        0x1f1
#define HDR_SYSSIZE            0x1f4
#define HDR_VID_MODE           0x1fa
#define HDR_BOOT_FLAG          0x1fe
#define HDR_JUMP               0x200
#define HDR_MAGIC              0x202
#define HDR_VERSION            0x206
#define HDR_TYPE_OF_LOADER     0x210
#define HDR_LOADFLAGS          0x211
#define HDR_CODE32_START       0x214
#define HDR_RAMDISK_IMAGE      0x218
#define HDR_RAMDISK_SIZE       0x21c
#define HDR_CMD_LINE_PTR       0x228
#define HDR_INITRD_ADDR_MAX    0x22c
#define HDR_KERNEL_ALIGNMENT   0x230
#define HDR_RELOCATABLE        0x234
#define HDR_XLOADFLAGS         0x236
#define HDR_CMDLINE_SIZE       0x238
#define HDR_PREF_ADDRESS       0x258
#define HDR_INIT_SIZE          0x260
#define HDR_MAX_END            0x290   /* boot_params has room up to here */
#define HDR_MIN_IMAGE          0x400   /* boot sector + at least one setup sector */

#define BOOT_FLAG_MAGIC        0xaa55
#define HDRS_MAGIC             0x53726448u   /* "HdrS" */
#define LOADFLAG_LOADED_HIGH   BIT(0)
#define XLF_KERNEL_64          BIT(0)
#define SETUP_SECTS_DEFAULT    4
#define SECTOR_SIZE            512
#define SYSSIZE_UNIT           16
#define LOADER_TYPE_UNDEFINED  0xff
#define VID_MODE_NORMAL        0xffff
#define ENTRY_64_OFFSET        0x200
#define PROTOCOL_RSDP_ADDR     0x020e       /* 2.14 added acpi_rsdp_addr */

/* boot_params (zero page) fields outside the setup header. */
#define BP_SIZE                4096
#define BP_ACPI_RSDP_ADDR      0x070
#define BP_EXT_RAMDISK_IMAGE   0x0c0
#define BP_EXT_RAMDISK_SIZE    0x0c4
#define BP_EXT_CMD_LINE_PTR    0x0c8
#define BP_E820_ENTRIES        0x1e8
#define BP_E820_TABLE          0x2d0
#define E820_ENTRY_SIZE        20

/* Low memory map. */
#define LOW_RAM_END            0x9fc00ull
#define EBDA_END               0xa0000ull
#define BIOS_AREA_START        0xe0000ull
#define BIOS_AREA_END          0x100000ull
#define FOUR_GIB               0x100000000ull

/* Page tables: 2 MiB pages. */
#define PTE_PRESENT            BIT64(0)
#define PTE_WRITE              BIT64(1)
#define PTE_LARGE              BIT64(7)
#define PT_ENTRIES             512
#define LARGE_PAGE             (2 * MiB)
#define PAGE_BYTES             4096ull

/* Control registers. */
#define X86_CR0_PE             BIT64(0)
#define X86_CR0_ET             BIT64(4)
#define X86_CR0_NE             BIT64(5)
#define X86_CR0_PG             BIT64(31)
#define X86_CR4_PAE            BIT64(5)
#define X86_EFER_LME           BIT64(8)
#define X86_EFER_LMA           BIT64(10)
#define X86_RFLAGS_FIXED       BIT64(1)

/* GDT: flat 64-bit code and data, accessed. */
#define GDT_ENTRIES            4
#define GDT_CODE64             0x00af9b000000ffffull
#define GDT_DATA               0x00cf93000000ffffull
#define DESC_AR_SHIFT          40
#define DESC_AR_MASK           0xf0ffu     /* type..P, then AVL, L, D/B, G */

/* What the header says, checked. */
struct linux_hdr {
	u16 version;
	u64 setup_size;        /* bytes before the protected-mode kernel */
	u64 pm_size;           /* syssize * 16 */
	u64 init_size;         /* footprint from the load address */
	u64 align;
	u64 pref_address;
	u64 initrd_addr_max;
	u64 cmdline_size;      /* bytes the kernel reads, NUL excluded */
};

struct linux_ctx {
	struct vm *vm;
	const u8 *image;
	size_t image_len;
	u64 low_end;           /* RAM end below VM_LOW_RAM_MAX */
	u64 high_size;         /* RAM at 4 GiB and above */
	struct linux_hdr hdr;
	struct linux_entry *entry;
	u8 *bp;                /* the zero page being built */
};



static int refuse(struct linux_ctx *c, int err, const char *why)
{
	pr_err("vm%u: linux: %s", vm_id(c->vm), why);
	return err;
}

/* ------------------------------------------------------------ header */

static int check_magic(struct linux_ctx *c)
{
	const u8 *im = c->image;

	if (c->image_len < HDR_MIN_IMAGE)
		return refuse(c, -TERN_ENOEXEC, "image too short for a bzImage header");
	if (get_le16(im + HDR_BOOT_FLAG) != BOOT_FLAG_MAGIC || get_le32(im + HDR_MAGIC) != HDRS_MAGIC)
		return refuse(c, -TERN_ENOEXEC, "not a bzImage (no 0xaa55 boot flag or HdrS magic)");
	c->hdr.version = get_le16(im + HDR_VERSION);
	if (c->hdr.version < LINUX_MIN_PROTOCOL)
		return refuse(c, -TERN_ENOEXEC, "boot protocol older than 2.12");
	if (!(im[HDR_LOADFLAGS] & LOADFLAG_LOADED_HIGH))
		return refuse(c, -TERN_ENOEXEC, "kernel does not load high (zImage)");
	if (!im[HDR_RELOCATABLE])
		return refuse(c, -TERN_ENOEXEC, "kernel is not relocatable");
	if (!(get_le16(im + HDR_XLOADFLAGS) & XLF_KERNEL_64))
		return refuse(c, -TERN_ENOEXEC, "kernel has no 64-bit entry point (XLF_KERNEL_64)");
	return 0;
}

static int check_sizes(struct linux_ctx *c)
{
	const u8 *im = c->image;
	struct linux_hdr *h = &c->hdr;
	unsigned sects = im[HDR_SETUP_SECTS] ? im[HDR_SETUP_SECTS] : SETUP_SECTS_DEFAULT;

	h->setup_size = (u64)(sects + 1) * SECTOR_SIZE;
	h->pm_size = (u64)get_le32(im + HDR_SYSSIZE) * SYSSIZE_UNIT;
	h->align = get_le32(im + HDR_KERNEL_ALIGNMENT);
	if (!h->pm_size)
		return refuse(c, -TERN_ENOEXEC, "syssize is 0");
	if (h->setup_size + h->pm_size > c->image_len)
		return refuse(c, -TERN_ENOEXEC, "image truncated: shorter than setup_sects and syssize say");
	if (h->align < PAGE_BYTES || (h->align & (h->align - 1)))
		return refuse(c, -TERN_ENOEXEC, "kernel_alignment is not a power of two >= 4 KiB");
	h->init_size = MAX((u64)get_le32(im + HDR_INIT_SIZE), h->pm_size);
	h->pref_address = get_le64(im + HDR_PREF_ADDRESS);
	h->initrd_addr_max = get_le32(im + HDR_INITRD_ADDR_MAX);
	h->cmdline_size = get_le32(im + HDR_CMDLINE_SIZE);
	return 0;
}

/* ------------------------------------------------------------ placement */

static bool fits_low(const struct linux_ctx *c, u64 gpa, u64 len)
{
	return gpa + len >= gpa && gpa + len <= c->low_end;
}

static int place_kernel(struct linux_ctx *c)
{
	const struct linux_hdr *h = &c->hdr;
	u64 at = h->pref_address;

	if (at < LINUX_KERNEL_MIN_GPA || !IS_ALIGNED(at, h->align) || !fits_low(c, at, h->init_size))
		at = ALIGN_UP(LINUX_KERNEL_MIN_GPA, h->align);
	if (!fits_low(c, at, h->init_size))
		return refuse(c, -TERN_ENOSPC, "kernel (init_size) does not fit the VM's RAM");
	c->entry->kernel_gpa = at;
	c->entry->kernel_size = h->init_size;
	put_le32(c->bp + HDR_CODE32_START, (u32)at);
	return vm_copy_to_guest(c->vm, at, c->image + h->setup_size, h->pm_size);
}

static int place_initrd(struct linux_ctx *c, const void *initrd, size_t len)
{
	u64 top = MIN(c->low_end, c->hdr.initrd_addr_max + 1);
	u64 floor = c->entry->kernel_gpa + c->entry->kernel_size, at;

	if (!len)
		return 0;
	top = MIN(top, FOUR_GIB);
	if (len > top || ALIGN_DOWN(top - len, PAGE_BYTES) < floor)
		return refuse(c, -TERN_ENOSPC, "initrd does not fit between the kernel and "
			      "initrd_addr_max / the end of RAM");
	at = ALIGN_DOWN(top - len, PAGE_BYTES);
	c->entry->initrd_gpa = at;
	c->entry->initrd_size = len;
	put_le32(c->bp + HDR_RAMDISK_IMAGE, (u32)at);
	put_le32(c->bp + HDR_RAMDISK_SIZE, (u32)len);
	put_le32(c->bp + BP_EXT_RAMDISK_IMAGE, (u32)(at >> 32));
	put_le32(c->bp + BP_EXT_RAMDISK_SIZE, (u32)((u64)len >> 32));
	return vm_copy_to_guest(c->vm, at, initrd, len);
}

static int place_cmdline(struct linux_ctx *c, const char *cmdline)
{
	size_t len = cmdline ? strlen(cmdline) : 0;

	if (len > c->hdr.cmdline_size || len + 1 > LINUX_CMDLINE_MAX)
		return refuse(c, -TERN_E2BIG, "command line longer than the kernel's cmdline_size");
	put_le32(c->bp + HDR_CMD_LINE_PTR, (u32)LINUX_CMDLINE_GPA);
	put_le32(c->bp + BP_EXT_CMD_LINE_PTR, 0);
	if (len && vm_copy_to_guest(c->vm, LINUX_CMDLINE_GPA, cmdline, len) < 0)
		return -TERN_EFAULT;
	return vm_copy_to_guest(c->vm, LINUX_CMDLINE_GPA + len, "", 1);
}

/* ------------------------------------------------------------ boot_params */

static void e820_add(u8 *bp, u64 addr, u64 size, u32 type)
{
	u8 n = bp[BP_E820_ENTRIES];
	u8 *e = bp + BP_E820_TABLE + n * E820_ENTRY_SIZE;

	if (!size || n >= LINUX_E820_MAX)
		return;
	put_le64(e, addr);
	put_le64(e + 8, size);
	put_le32(e + 16, type);
	bp[BP_E820_ENTRIES] = n + 1;
}

static void build_e820(struct linux_ctx *c)
{
	u64 gpa, size;

	e820_add(c->bp, 0, LOW_RAM_END, E820_RAM);
	e820_add(c->bp, LOW_RAM_END, EBDA_END - LOW_RAM_END, E820_RESERVED);
	e820_add(c->bp, BIOS_AREA_START, BIOS_AREA_END - BIOS_AREA_START, E820_RESERVED);
	e820_add(c->bp, BIOS_AREA_END, c->low_end - BIOS_AREA_END, E820_RAM);
	for (unsigned i = 0; vm_shm_region(c->vm, i, &gpa, &size); i++)
		e820_add(c->bp, gpa, size, E820_RESERVED);   /* shared memory (kernel/shm.h) */
	e820_add(c->bp, VM_HIGH_RAM_BASE, c->high_size, E820_RAM);
}

static void copy_setup_header(struct linux_ctx *c)
{
	size_t end = HDR_JUMP + 2 + c->image[HDR_JUMP + 1];   /* the jump skips the header */

	end = MIN(MIN(end, (size_t)HDR_MAX_END), c->image_len);
	memcpy(c->bp + HDR_START, c->image + HDR_START, end - HDR_START);
	c->bp[HDR_TYPE_OF_LOADER] = LOADER_TYPE_UNDEFINED;
	put_le16(c->bp + HDR_VID_MODE, VID_MODE_NORMAL);
}

static int build_acpi(struct linux_ctx *c)
{
	int ret = acpi_tables_build(c->vm, ACPI_TABLES_BASE, &c->entry->rsdp_gpa);

	if (ret < 0)
		return refuse(c, ret, "cannot build the ACPI tables");
	if (c->hdr.version >= PROTOCOL_RSDP_ADDR)
		put_le64(c->bp + BP_ACPI_RSDP_ADDR, c->entry->rsdp_gpa);
	return 0;
}

/* ------------------------------------------------------------ CPU state */

static int build_page_tables(struct linux_ctx *c)
{
	size_t bytes = (2 + LINUX_NR_PDS) * PAGE_BYTES;
	u8 *pt = kzalloc(bytes);
	u8 *pdpt, *pd;
	int ret;

	if (!pt)
		return -TERN_ENOMEM;
	pdpt = pt + PAGE_BYTES;
	pd = pt + 2 * PAGE_BYTES;
	put_le64(pt, LINUX_PDPT_GPA | PTE_PRESENT | PTE_WRITE);
	for (unsigned i = 0; i < LINUX_NR_PDS; i++)
		put_le64(pdpt + i * 8, (LINUX_PD_GPA + i * PAGE_BYTES) | PTE_PRESENT | PTE_WRITE);
	for (u64 i = 0; i < (u64)LINUX_NR_PDS * PT_ENTRIES; i++)
		put_le64(pd + i * 8, i * LARGE_PAGE | PTE_PRESENT | PTE_WRITE | PTE_LARGE);
	ret = vm_copy_to_guest(c->vm, LINUX_PML4_GPA, pt, bytes);
	kfree(pt);
	return ret;
}

static u32 desc_ar(u64 desc)
{
	return (u32)(desc >> DESC_AR_SHIFT) & DESC_AR_MASK;
}

static int build_gdt(struct linux_ctx *c)
{
	u64 gdt[GDT_ENTRIES] = { 0, 0, GDT_CODE64, GDT_DATA };
	u8 raw[sizeof(gdt)];
	struct linux_entry *e = c->entry;

	for (unsigned i = 0; i < GDT_ENTRIES; i++)
		put_le64(raw + i * 8, gdt[i]);
	e->gdt_base = LINUX_GDT_GPA;
	e->gdt_limit = sizeof(raw) - 1;
	e->cs = LINUX_BOOT_CS;
	e->ds = LINUX_BOOT_DS;
	e->cs_ar = desc_ar(GDT_CODE64);
	e->ds_ar = desc_ar(GDT_DATA);
	return vm_copy_to_guest(c->vm, LINUX_GDT_GPA, raw, sizeof(raw));
}

static void fill_registers(struct linux_ctx *c)
{
	struct linux_entry *e = c->entry;

	e->rip = e->kernel_gpa + ENTRY_64_OFFSET;
	e->rsi = LINUX_BOOT_PARAMS_GPA;
	e->rsp = LINUX_STACK_TOP;
	e->rflags = X86_RFLAGS_FIXED;
	e->cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE | X86_CR0_PG;
	e->cr3 = LINUX_PML4_GPA;
	e->cr4 = X86_CR4_PAE;
	e->efer = X86_EFER_LME | X86_EFER_LMA;
}

/* ------------------------------------------------------------ entry */

static int load_all(struct linux_ctx *c, const void *initrd, size_t initrd_len,
		    const char *cmdline)
{
	int ret = check_magic(c);

	if (ret == 0)
		ret = check_sizes(c);
	if (ret == 0 && !fits_low(c, 0, BIOS_AREA_END))
		ret = refuse(c, -TERN_ENOSPC, "the VM has less than 1 MiB of RAM");
	if (ret < 0)
		return ret;
	copy_setup_header(c);   /* first: the placements below fill its fields */
	ret = place_cmdline(c, cmdline);
	if (ret == 0)
		ret = place_kernel(c);
	if (ret == 0)
		ret = place_initrd(c, initrd, initrd_len);
	if (ret == 0)
		ret = build_acpi(c);
	if (ret == 0)
		ret = build_page_tables(c);
	if (ret == 0)
		ret = build_gdt(c);
	if (ret < 0)
		return ret;
	build_e820(c);
	fill_registers(c);
	return vm_copy_to_guest(c->vm, LINUX_BOOT_PARAMS_GPA, c->bp, BP_SIZE);
}

int linux_load(struct vm *vm, const void *image, size_t image_len, const void *initrd,
	       size_t initrd_len, const char *cmdline, struct linux_entry *entry)
{
	u64 ram = vm_ram_size(vm);
	struct linux_ctx c = {
		.vm = vm, .image = image, .image_len = image_len, .entry = entry,
		.low_end = MIN(ram, VM_LOW_RAM_MAX),
	};
	int ret;

	c.high_size = ram - c.low_end;
	if (!image || (initrd_len && !initrd))
		return refuse(&c, -TERN_EINVAL, "no image");
	memset(entry, 0, sizeof(*entry));
	c.bp = kzalloc(BP_SIZE);
	if (!c.bp)
		return -TERN_ENOMEM;
	ret = load_all(&c, initrd, initrd_len, cmdline);
	kfree(c.bp);
	return ret;
}
