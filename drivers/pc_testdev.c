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
	u8 iomem[PC_TESTDEV_IOMEM_SIZE] __attribute__((aligned(8)));
};

/* Bytes of the scratch register an access at reg (0..3) covers (lock held). */
static u32 scratch_bytes(struct pc_testdev *dev, unsigned reg, unsigned size, bool in, u32 val)
{
	u32 result = 0;

	for (unsigned i = 0; i < size && reg + i < PC_TESTDEV_REG_PORTS; i++) {
		unsigned shift = 8 * (reg + i);

		if (in) {
			result |= ((dev->scratch >> shift) & 0xff) << (8 * i);
		} else {
			dev->scratch &= ~(0xffu << shift);
			dev->scratch |= ((val >> (8 * i)) & 0xff) << shift;
		}
	}
	return result;
}

/* Anything but a whole-register access at the scratch port: out of line, same arguments
 * (noipa: a tail call needs no register moves). */
static __attribute__((noipa)) int scratch_other(void *opaque, unsigned vcpu_id, u16 port,
						   unsigned size, bool in, u32 *val)
{
	struct pc_testdev *dev = opaque;
	unsigned reg = (unsigned)(port - PC_TESTDEV_SCRATCH_PORT) % PC_TESTDEV_REG_PORTS;

	(void)vcpu_id;

	if (port >= PC_TESTDEV_FLUSH_PORT && port < PC_TESTDEV_BYTE_PORT) {
		/* page flush: accepts a 32-bit write, nothing to do */
		if (in)
			*val = 0;
		return 0;
	}
	spin_lock(&dev->lock);
	*val = scratch_bytes(dev, reg, size, in, *val);
	spin_unlock(&dev->lock);
	return 0;
}

static int testdev_scratch_pio(void *opaque, unsigned vcpu_id, u16 port,
			       unsigned size, bool in, u32 *val)
{
	struct pc_testdev *dev = opaque;

	if (unlikely(port != PC_TESTDEV_SCRATCH_PORT || size != sizeof(dev->scratch)))
		return scratch_other(opaque, vcpu_id, port, size, in, val);
	/* the common whole-register access */
	spin_lock(&dev->lock);
	if (in)
		*val = dev->scratch;
	else
		dev->scratch = *val;
	spin_unlock(&dev->lock);
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

/* Sizes 1, 2, 4 and 8 as bits of a mask (what an MMIO access can be). */
#define IOMEM_SIZES (BIT(1) | BIT(2) | BIT(4) | BIT(8))

/* An access that is not naturally aligned inside the window: byte by byte, out of line. */
static __attribute__((noipa)) int iomem_bytes(void *opaque, unsigned vcpu_id, u64 offset,
						 unsigned size, bool write, u64 *val)
{
	struct pc_testdev *dev = opaque;
	u64 result = 0;

	(void)vcpu_id;
	spin_lock(&dev->lock);
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

/* A naturally aligned 1/2/4/8-byte access inside the window is one move (x86 is little-endian). */
static int testdev_iomem(void *opaque, unsigned vcpu_id, u64 offset,
			 unsigned size, bool write, u64 *val)
{
	struct pc_testdev *dev = opaque;
	void *p = &dev->iomem[offset];

	if (unlikely(offset >= PC_TESTDEV_IOMEM_SIZE || size > 8 || !(IOMEM_SIZES & BIT(size)) ||
		     (offset & (size - 1))))
		return iomem_bytes(opaque, vcpu_id, offset, size, write, val);
	spin_lock(&dev->lock);
	/* constant-size copies: each is one move */
	switch (size) {
	case 1:
		if (write)
			__builtin_memcpy(p, val, 1);
		else
			*val = *(u8 *)p;
		break;
	case 2:
		if (write) {
			__builtin_memcpy(p, val, 2);
		} else {
			u16 x;

			__builtin_memcpy(&x, p, 2);
			*val = x;
		}
		break;
	case 4:
		if (write) {
			__builtin_memcpy(p, val, 4);
		} else {
			u32 x;

			__builtin_memcpy(&x, p, 4);
			*val = x;
		}
		break;
	default:
		if (write)
			__builtin_memcpy(p, val, 8);
		else
			__builtin_memcpy(val, p, 8);
		break;
	}
	spin_unlock(&dev->lock);
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
