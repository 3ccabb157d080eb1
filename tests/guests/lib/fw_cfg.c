/* SPDX-License-Identifier: MIT */
#include "kernel/lib/string.h"
#include "lib/fw_cfg.h"
#include "lib/io.h"

#define FW_CFG_SIG_SIZE 4

static u8 data_byte(void)
{
	return inb(FW_CFG_PORT_DATA);
}

static u64 read_be(unsigned bytes)
{
	u64 v = 0;

	for (unsigned i = 0; i < bytes; i++)
		v = (v << 8) | data_byte();
	return v;
}

void fw_cfg_read(u16 key, void *buf, size_t len)
{
	u8 *p = buf;

	outw(FW_CFG_PORT_SEL, key);
	for (size_t i = 0; i < len; i++)
		p[i] = data_byte();
}

u64 fw_cfg_read_le(u16 key, unsigned bytes)
{
	u8 b[sizeof(u64)] = { 0 };
	u64 v = 0;

	if (bytes > sizeof(b))
		bytes = sizeof(b);
	fw_cfg_read(key, b, bytes);
	for (unsigned i = 0; i < bytes; i++)
		v |= (u64)b[i] << (8 * i);
	return v;
}

bool fw_cfg_present(void)
{
	char sig[FW_CFG_SIG_SIZE];

	fw_cfg_read(FW_CFG_SIGNATURE, sig, sizeof(sig));
	return memcmp(sig, "QEMU", FW_CFG_SIG_SIZE) == 0;
}

u32 fw_cfg_file_count(void)
{
	outw(FW_CFG_PORT_SEL, FW_CFG_FILE_DIR);
	return (u32)read_be(4);
}

bool fw_cfg_find_file(const char *name, u16 *select, u32 *size)
{
	u32 n = fw_cfg_file_count();   /* leaves the offset after the count */
	char fname[FW_CFG_NAME_LEN];

	for (u32 i = 0; i < n; i++) {
		u32 fsize = (u32)read_be(4);
		u16 fsel = (u16)read_be(2);

		read_be(2);             /* reserved */
		for (unsigned j = 0; j < sizeof(fname); j++)
			fname[j] = (char)data_byte();
		fname[sizeof(fname) - 1] = '\0';
		if (strcmp(fname, name) == 0) {
			*select = fsel;
			*size = fsize;
			return true;
		}
	}
	return false;
}
