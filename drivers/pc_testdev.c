/* SPDX-License-Identifier: MIT */
#include "drivers/pc_testdev.h"
#include "irq/irq_source.h"
#include "irq/routing.h"
#include "kernel/io.h"
#include "kernel/lib/spinlock.h"
#include "kernel/mm.h"

#define IRQ_ACCESS_SIZE    1

struct pc_testdev {
	spinlock_t lock;         /* guards scratch and iomem */
	struct vm *vm;
	u32 scratch;
	u8 iomem[PC_TESTDEV_IOMEM_SIZE];
};

/* Bytes of the scratch register an access at reg (0..3) covers. */
static u32 scratch_access(struct pc_testdev *dev, unsigned reg, unsigned size,
			  bool in, u32 val)
{
	u32 result = 0;

	spin_lock(&dev->lock);
	if (reg == 0 && size == sizeof(dev->scratch)) {   /* the common whole-register access */
		if (in)
			result = dev->scratch;
		else
			dev->scratch = val;
		spin_unlock(&dev->lock);
		return result;
	}
	for (unsigned i = 0; i < size && reg + i < PC_TESTDEV_REG_PORTS; i++) {
		unsigned shift = 8 * (reg + i);

		if (in) {
			result |= ((dev->scratch >> shift) & 0xff) << (8 * i);
		} else {
			dev->scratch &= ~(0xffu << shift);
			dev->scratch |= ((val >> (8 * i)) & 0xff) << shift;
		}
	}
	spin_unlock(&dev->lock);
	return result;
}

static int testdev_scratch_pio(void *opaque, unsigned vcpu_id, u16 port,
			       unsigned size, bool in, u32 *val)
{
	unsigned reg = (port - PC_TESTDEV_SCRATCH_PORT) % PC_TESTDEV_REG_PORTS;

	(void)vcpu_id;
	if (port >= PC_TESTDEV_FLUSH_PORT && port < PC_TESTDEV_BYTE_PORT) {
		/* page flush: accepts a 32-bit write, nothing to do */
		if (in)
			*val = 0;
		return 0;
	}
	*val = scratch_access(opaque, reg, size, in, *val);
	return 0;
}

static int testdev_irq_pio(void *opaque, unsigned vcpu_id, u16 port,
			   unsigned size, bool in, u32 *val)
{
	struct pc_testdev *dev = opaque;
	u32 line = port - PC_TESTDEV_IRQ_PORT;
	int ret;

	(void)vcpu_id;
	if (in) {
		*val = 0;
		return 0;
	}
	if (size != IRQ_ACCESS_SIZE || line >= PC_TESTDEV_NR_IRQS)
		return 0;
	ret = set_irq(dev->vm, IRQ_SOURCE_USER, line, (*val & 0xff) != 0);
	if (ret == -TERN_ENOENT)   /* a line with no route: nothing is wired to it */
		return 0;
	return ret < 0 ? ret : 0;
}

/* Copy 1, 2, 4 or 8 bytes; constant sizes so each copy is one move. */
static void iomem_copy(void *dst, const void *src, unsigned size)
{
	switch (size) {
	case 1: __builtin_memcpy(dst, src, 1); break;
	case 2: __builtin_memcpy(dst, src, 2); break;
	case 4: __builtin_memcpy(dst, src, 4); break;
	default: __builtin_memcpy(dst, src, 8); break;
	}
}

/* A naturally aligned 1/2/4/8-byte access inside the window (x86 is little-endian). */
static bool iomem_aligned(struct pc_testdev *dev, u64 offset, unsigned size, bool write,
			  u64 *val)
{
	u64 x = 0;

	if ((size != 1 && size != 2 && size != 4 && size != 8) ||
	    offset >= PC_TESTDEV_IOMEM_SIZE || offset % size)
		return false;
	if (write) {
		iomem_copy(&dev->iomem[offset], val, size);
	} else {
		iomem_copy(&x, &dev->iomem[offset], size);
		*val = x;
	}
	return true;
}

static int testdev_iomem(void *opaque, unsigned vcpu_id, u64 offset,
			 unsigned size, bool write, u64 *val)
{
	struct pc_testdev *dev = opaque;
	u64 result = 0;

	(void)vcpu_id;
	spin_lock(&dev->lock);
	if (iomem_aligned(dev, offset, size, write, val)) {
		spin_unlock(&dev->lock);
		return 0;
	}
	for (unsigned i = 0; i < size && i < sizeof(u64); i++) {
		if (offset >= PC_TESTDEV_IOMEM_SIZE || i >= PC_TESTDEV_IOMEM_SIZE - offset)
			break;
		if (write)
			dev->iomem[offset + i] = (u8)(*val >> (8 * i));
		else
			result |= (u64)dev->iomem[offset + i] << (8 * i);
	}
	spin_unlock(&dev->lock);
	if (!write)
		*val = result;
	return 0;
}

static int testdev_register(struct vm *vm, struct pc_testdev *dev)
{
	int ret;

	/* 0xe0-0xeb: scratch, flush, byte alias in one handler */
	ret = pio_register(vm, PC_TESTDEV_SCRATCH_PORT, 3 * PC_TESTDEV_REG_PORTS,
			   testdev_scratch_pio, dev);
	if (ret < 0)
		return ret;
	ret = pio_register(vm, PC_TESTDEV_IRQ_PORT, PC_TESTDEV_NR_IRQS, testdev_irq_pio, dev);
	if (ret < 0)
		return ret;
	return mmio_register(vm, PC_TESTDEV_IOMEM_BASE, PC_TESTDEV_IOMEM_SIZE,
			     testdev_iomem, dev);
}

int pc_testdev_create(struct vm *vm, struct pc_testdev **out)
{
	struct pc_testdev *dev;
	int ret;

	dev = kzalloc(sizeof(*dev));
	if (!dev)
		return -TERN_ENOMEM;
	spin_lock_init(&dev->lock);
	dev->vm = vm;
	ret = testdev_register(vm, dev);
	if (ret < 0) {
		kfree(dev);
		return ret;
	}
	*out = dev;
	return 0;
}

void pc_testdev_destroy(struct pc_testdev *dev)
{
	kfree(dev);
}
