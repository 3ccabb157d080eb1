/* SPDX-License-Identifier: MIT */
#include "drivers/fw_cfg.h"
#include "drivers/platform.h"
#include "kernel/io.h"
#include "kernel/lib/endian.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/string.h"
#include "kernel/mm.h"
#include "kernel/vm.h"

/* Selector keys (QEMU's numbers). */
#define FW_CFG_SIGNATURE     0x00
#define FW_CFG_ID            0x01
#define FW_CFG_RAM_SIZE      0x03
#define FW_CFG_NB_CPUS       0x05
#define FW_CFG_MAX_CPUS      0x0f
#define FW_CFG_FILE_DIR      0x19
#define FW_CFG_FILE_FIRST    0x20
#define FW_CFG_WRITE_CHANNEL 0x4000
#define FW_CFG_ARCH_LOCAL    0x8000
#define FW_CFG_SELECT_MASK   0xffff

#define FW_CFG_ID_TRADITIONAL BIT(0)   /* bit 1 (DMA) stays clear */

#define FW_CFG_SIG_SIZE      4
#define FW_CFG_DIR_HDR_SIZE  4
#define FW_CFG_DIR_ENT_SIZE  64        /* u32 size, u16 select, u16 reserved, name[56] */
#define FW_CFG_DIR_OFF_SIZE     0
#define FW_CFG_DIR_OFF_SELECT   4
#define FW_CFG_DIR_OFF_RESERVED 6
#define FW_CFG_DIR_OFF_NAME     8
#define FW_CFG_DIR_SIZE      (FW_CFG_DIR_HDR_SIZE + FW_CFG_MAX_FILES * FW_CFG_DIR_ENT_SIZE)

struct fw_cfg_file {
	char name[FW_CFG_MAX_FILE_PATH];
	u32 len;
	u8 *data;
};

struct fw_cfg {
	spinlock_t lock;         /* guards selector, offset, files, dir */
	struct vm *vm;
	u16 selector;
	u32 offset;
	u8 signature[FW_CFG_SIG_SIZE];
	u8 id[sizeof(u32)];
	u8 ram_size[sizeof(u64)];
	u8 nr_cpus[sizeof(u16)];
	unsigned nr_files;
	struct fw_cfg_file files[FW_CFG_MAX_FILES];
	u8 dir[FW_CFG_DIR_SIZE];
};


/* The bytes of the item a selector names; false for an unknown one. */
static bool fw_cfg_item(const struct fw_cfg *fw, u16 selector, const u8 **data, u32 *len)
{
	unsigned key;

	if (selector & FW_CFG_ARCH_LOCAL)
		return false;
	key = selector & ~FW_CFG_WRITE_CHANNEL;
	switch (key) {
	case FW_CFG_SIGNATURE:
		*data = fw->signature, *len = sizeof(fw->signature);
		return true;
	case FW_CFG_ID:
		*data = fw->id, *len = sizeof(fw->id);
		return true;
	case FW_CFG_RAM_SIZE:
		*data = fw->ram_size, *len = sizeof(fw->ram_size);
		return true;
	case FW_CFG_NB_CPUS:
	case FW_CFG_MAX_CPUS:
		*data = fw->nr_cpus, *len = sizeof(fw->nr_cpus);
		return true;
	case FW_CFG_FILE_DIR:
		*data = fw->dir;
		*len = FW_CFG_DIR_HDR_SIZE + fw->nr_files * FW_CFG_DIR_ENT_SIZE;
		return true;
	}
	if (key >= FW_CFG_FILE_FIRST && key - FW_CFG_FILE_FIRST < fw->nr_files) {
		const struct fw_cfg_file *f = &fw->files[key - FW_CFG_FILE_FIRST];

		*data = f->data, *len = f->len;
		return true;
	}
	return false;
}

static u8 fw_cfg_next_byte(struct fw_cfg *fw)
{
	const u8 *data;
	u32 len;

	if (!fw_cfg_item(fw, fw->selector, &data, &len) || fw->offset >= len)
		return 0;
	return data[fw->offset++];
}

static int fw_cfg_pio(void *opaque, unsigned vcpu_id, u16 port, unsigned size,
		      bool in, u32 *val)
{
	struct fw_cfg *fw = opaque;
	u32 v = 0;

	(void)vcpu_id;
	spin_lock(&fw->lock);
	if (port == FW_CFG_PORT_SEL && !in) {
		fw->selector = (u16)(*val & FW_CFG_SELECT_MASK);
		fw->offset = 0;
	} else if (port == FW_CFG_PORT_DATA && in) {
		for (unsigned i = 0; i < size && i < sizeof(u32); i++)
			v |= (u32)fw_cfg_next_byte(fw) << (8 * i);
	}
	spin_unlock(&fw->lock);
	if (in)
		*val = v;
	return 0;
}

static void fw_cfg_dir_entry(struct fw_cfg *fw, unsigned index)
{
	u8 *e = fw->dir + FW_CFG_DIR_HDR_SIZE + (size_t)index * FW_CFG_DIR_ENT_SIZE;
	const struct fw_cfg_file *f = &fw->files[index];

	put_be(e + FW_CFG_DIR_OFF_SIZE, f->len, sizeof(u32));
	put_be(e + FW_CFG_DIR_OFF_SELECT, FW_CFG_FILE_FIRST + index, sizeof(u16));
	put_be(e + FW_CFG_DIR_OFF_RESERVED, 0, sizeof(u16));
	memcpy(e + FW_CFG_DIR_OFF_NAME, f->name, FW_CFG_MAX_FILE_PATH);
}

static int fw_cfg_check_file(const struct fw_cfg *fw, const char *name, u32 len)
{
	size_t nlen = name ? strnlen(name, FW_CFG_MAX_FILE_PATH) : 0;

	if (nlen == 0 || nlen >= FW_CFG_MAX_FILE_PATH)
		return -TERN_EINVAL;
	if (len > FW_CFG_MAX_FILE_SIZE)
		return -TERN_E2BIG;
	for (unsigned i = 0; i < fw->nr_files; i++)
		if (strcmp(fw->files[i].name, name) == 0)
			return -TERN_EEXIST;
	if (fw->nr_files >= FW_CFG_MAX_FILES)
		return -TERN_ENOSPC;
	return 0;
}

int fw_cfg_add_file_to(struct fw_cfg *fw, const char *name, const void *data, u32 len)
{
	unsigned index;
	u8 *copy;
	int ret;

	if (len > FW_CFG_MAX_FILE_SIZE)
		return -TERN_E2BIG;
	if (len && !data)
		return -TERN_EINVAL;
	copy = kzalloc(len ? len : 1);   /* an empty file still owns a buffer */
	if (!copy)
		return -TERN_ENOMEM;
	if (len)
		memcpy(copy, data, len);
	spin_lock(&fw->lock);
	ret = fw_cfg_check_file(fw, name, len);
	if (ret == 0) {
		index = fw->nr_files;
		memcpy(fw->files[index].name, name, strlen(name));   /* < 56, NUL-padded */
		fw->files[index].len = len;
		fw->files[index].data = copy;
		fw_cfg_dir_entry(fw, index);
		fw->nr_files++;
		put_be(fw->dir, fw->nr_files, sizeof(u32));
		ret = FW_CFG_FILE_FIRST + (int)index;
	}
	spin_unlock(&fw->lock);
	if (ret < 0)
		kfree(copy);
	return ret;
}

int fw_cfg_add_file(struct vm *vm, const char *name, const void *data, u32 len)
{
	struct fw_cfg *fw = pc_platform_fw_cfg(vm);

	if (!fw)
		return -TERN_ENODEV;
	return fw_cfg_add_file_to(fw, name, data, len);
}

int fw_cfg_create(struct vm *vm, struct fw_cfg **out)
{
	static const char signature[FW_CFG_SIG_SIZE] = { 'Q', 'E', 'M', 'U' };
	struct fw_cfg *fw;
	int ret;

	fw = kzalloc(sizeof(*fw));
	if (!fw)
		return -TERN_ENOMEM;
	spin_lock_init(&fw->lock);
	fw->vm = vm;
	memcpy(fw->signature, signature, sizeof(signature));
	put_le(fw->id, FW_CFG_ID_TRADITIONAL, sizeof(fw->id));
	put_le(fw->ram_size, vm_ram_size(vm), sizeof(fw->ram_size));
	put_le(fw->nr_cpus, vm_nr_vcpus(vm), sizeof(fw->nr_cpus));
	ret = pio_register(vm, FW_CFG_PORT_SEL, FW_CFG_NR_PORTS, fw_cfg_pio, fw);
	if (ret < 0) {
		kfree(fw);
		return ret;
	}
	*out = fw;
	return 0;
}

void fw_cfg_destroy(struct fw_cfg *fw)
{
	if (!fw)
		return;
	for (unsigned i = 0; i < fw->nr_files; i++)
		kfree(fw->files[i].data);
	kfree(fw);
}
