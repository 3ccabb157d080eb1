/* SPDX-License-Identifier: MIT */
#include "drivers/misc_ports.h"
#include "kernel/io.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/vm.h"

#define SYSCTL_A_FAST_RESET  BIT(0)
#define SYSCTL_A_A20         BIT(1)

#define KBC_ST_SYSTEM        BIT(2)
#define KBC_ST_COMMAND       BIT(3)
#define KBC_ST_UNLOCKED      BIT(4)
#define KBC_STATUS           (KBC_ST_SYSTEM | KBC_ST_COMMAND | KBC_ST_UNLOCKED)

#define KBC_CMD_WRITE_OUTPUT 0xd1
#define KBC_CMD_A20_OFF      0xdd
#define KBC_CMD_A20_ON       0xdf
#define KBC_CMD_RESET        0xfe

/* Stateless: every data byte (the 0xd1 output-port byte included) is dropped. */
struct misc_ports {
	struct vm *vm;
};

static int post_pio(void *opaque, unsigned vcpu_id, u16 port, unsigned size, bool in, u32 *val)
{
	(void)opaque;
	(void)vcpu_id;
	(void)port;
	(void)size;
	if (in)
		*val = 0;
	return 0;
}

static int sysctl_a_pio(void *opaque, unsigned vcpu_id, u16 port, unsigned size, bool in,
			u32 *val)
{
	struct misc_ports *mp = opaque;

	(void)vcpu_id;
	(void)port;
	(void)size;
	if (in)
		*val = SYSCTL_A_A20;
	else if (*val & SYSCTL_A_FAST_RESET)
		vm_request_reset(mp->vm, "port 0x92");
	return 0;
}

static void kbc_command(struct misc_ports *mp, u8 cmd)
{
	/* KBC_CMD_WRITE_OUTPUT, KBC_CMD_A20_OFF/ON and the rest: accepted, no effect */
	if (cmd == KBC_CMD_RESET)
		vm_request_reset(mp->vm, "keyboard controller command 0xfe");
}

static int kbc_pio(void *opaque, unsigned vcpu_id, u16 port, unsigned size, bool in, u32 *val)
{
	struct misc_ports *mp = opaque;

	(void)vcpu_id;
	(void)size;
	if (in) {
		*val = port == MISC_PORT_KBC_CMD ? KBC_STATUS : 0;
		return 0;
	}
	if (port == MISC_PORT_KBC_CMD)
		kbc_command(mp, (u8)*val);
	return 0;   /* data bytes, the output port's A20 and reset bits included, go nowhere */
}

static int misc_register(struct vm *vm, struct misc_ports *mp)
{
	int ret = pio_register(vm, MISC_PORT_POST, 1, post_pio, mp);

	if (ret == 0)
		ret = pio_register(vm, MISC_PORT_SYSCTL_A, 1, sysctl_a_pio, mp);
	if (ret == 0)
		ret = pio_register(vm, MISC_PORT_KBC_DATA, 1, kbc_pio, mp);
	if (ret == 0)
		ret = pio_register(vm, MISC_PORT_KBC_CMD, 1, kbc_pio, mp);
	return ret;
}

int misc_ports_create(struct vm *vm, struct misc_ports **out)
{
	struct misc_ports *mp = kzalloc(sizeof(*mp));
	int ret;

	if (!mp)
		return -TERN_ENOMEM;
	mp->vm = vm;
	ret = misc_register(vm, mp);
	if (ret < 0) {
		kfree(mp);
		return ret;
	}
	*out = mp;
	return 0;
}

void misc_ports_destroy(struct misc_ports *mp)
{
	kfree(mp);
}
