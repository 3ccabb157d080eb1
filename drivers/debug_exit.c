/* SPDX-License-Identifier: MIT */
#include "drivers/debug_exit.h"
#include "kernel/io.h"
#include "kernel/mm.h"
#include "kernel/vm.h"

struct debug_exit {
	struct vm *vm;
	u16 base;
	u16 size;
};

static u32 width_mask(unsigned size)
{
	return size >= sizeof(u32) ? 0xffffffffu : BIT(size * 8) - 1;
}

int debug_exit_status(u32 value, unsigned size)
{
	u32 v = value & width_mask(size);

	return (int)((v << 1) | 1);
}

static int debug_exit_pio(void *opaque, unsigned vcpu_id, u16 port,
			  unsigned size, bool in, u32 *val)
{
	struct debug_exit *dev = opaque;

	(void)vcpu_id;
	(void)port;
	if (in) {
		*val = 0;
		return 0;
	}
	vm_request_exit(dev->vm, debug_exit_status(*val, size));
	return 0;
}

int debug_exit_create(struct vm *vm, u16 base, u16 size, struct debug_exit **out)
{
	struct debug_exit *dev;
	int ret;

	if (!size)
		return -TERN_EINVAL;
	dev = kzalloc(sizeof(*dev));
	if (!dev)
		return -TERN_ENOMEM;
	dev->vm = vm;
	dev->base = base;
	dev->size = size;
	ret = pio_register(vm, base, size, debug_exit_pio, dev);
	if (ret < 0) {
		kfree(dev);
		return ret;
	}
	*out = dev;
	return 0;
}

void debug_exit_destroy(struct debug_exit *dev)
{
	kfree(dev);
}
