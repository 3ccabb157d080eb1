/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "irq/doorbell.h"
#include "irq/irq_source.h"
#include "irq/routing.h"
#include "kernel/io.h"
#include "kernel/lib/string.h"
#include "kernel/vm.h"
#include "tests/unit/fake_vm_services.h"

struct fake_vm_state fake;

void fake_vm_reset(void)
{
	memset(&fake, 0, sizeof(fake));
	fake.ram_size = 64 * MiB;
	fake.nr_vcpus = 1;
	fake.source_alloc_ret = IRQ_SOURCE_FIRST_FREE;
}

unsigned vm_id(const struct vm *vm)
{
	(void)vm;
	return fake.id;
}

u64 vm_ram_size(const struct vm *vm)
{
	(void)vm;
	return fake.ram_size;
}

unsigned vm_nr_vcpus(const struct vm *vm)
{
	(void)vm;
	return fake.nr_vcpus;
}

bool vm_shm_region(struct vm *vm, unsigned i, u64 *gpa, u64 *size)
{
	(void)vm;
	if (i >= fake.nr_shm || i >= FAKE_MAX_SHM)
		return false;
	*gpa = fake.shm_gpa[i];
	*size = fake.shm_size[i];
	return true;
}

void vm_console_write(struct vm *vm, const char *buf, size_t len)
{
	(void)vm;
	for (size_t i = 0; i < len && fake.console_len < FAKE_CONSOLE_MAX; i++)
		fake.console[fake.console_len++] = buf[i];
	fake.console[fake.console_len] = '\0';
}

void vm_request_exit(struct vm *vm, int status)
{
	fake.exit_calls++;
	fake.exit_status = status;
	fake.exit_vm = vm;
}

void vm_request_reset(struct vm *vm, const char *source)
{
	fake.reset_calls++;
	fake.reset_vm = vm;
	fake.reset_source = source;
}

int set_irq(struct vm *vm, unsigned source_id, u32 gsi, int level)
{
	if (fake.nr_irq_calls < FAKE_MAX_IRQ_CALLS) {
		struct fake_irq_call *c = &fake.irq_calls[fake.nr_irq_calls++];

		c->vm = vm;
		c->source_id = source_id;
		c->gsi = gsi;
		c->level = level;
	}
	return fake.set_irq_ret;
}

int irq_source_alloc(struct vm *vm)
{
	(void)vm;
	if (fake.source_alloc_ret < 0)
		return fake.source_alloc_ret;
	return fake.source_alloc_ret++;
}

void irq_source_free(struct vm *vm, unsigned id)
{
	(void)vm;
	fake.source_frees++;
	fake.last_source_freed = id;
}

int pio_register(struct vm *vm, u16 base, u16 count, pio_handler_t fn, void *opaque)
{
	(void)vm;
	fake.pio_calls++;
	if (fake.pio_fail_at > 0 && fake.pio_calls == (unsigned)fake.pio_fail_at)
		return -TERN_ENOMEM;
	for (unsigned i = 0; i < fake.nr_pio; i++) {
		const struct fake_pio_region *r = &fake.pio[i];

		if (base < r->base + r->count && r->base < base + count)
			return -TERN_EEXIST;
	}
	assert_true(fake.nr_pio < FAKE_MAX_REGIONS);
	fake.pio[fake.nr_pio++] = (struct fake_pio_region){ base, count, fn, opaque };
	return 0;
}

int doorbell_ring(struct vm *vm, u32 id)
{
	fake.rings++;
	fake.last_ring_id = id;
	fake.last_ring_vm = vm;
	return id == fake.ring_ok_id ? 1 : -TERN_ENOENT;   /* 1: as doorbell_ring, delivered */
}

int mmio_register(struct vm *vm, u64 base, u64 len, mmio_handler_t fn, void *opaque)
{
	(void)vm;
	fake.mmio_calls++;
	if (fake.mmio_fail_at > 0 && fake.mmio_calls == (unsigned)fake.mmio_fail_at)
		return -TERN_ENOMEM;
	if (base < fake.ram_size)
		return -TERN_EINVAL;
	for (unsigned i = 0; i < fake.nr_mmio; i++) {
		const struct fake_mmio_region *r = &fake.mmio[i];

		if (base < r->base + r->len && r->base < base + len)
			return -TERN_EEXIST;
	}
	assert_true(fake.nr_mmio < FAKE_MAX_REGIONS);
	fake.mmio[fake.nr_mmio++] = (struct fake_mmio_region){ base, len, fn, opaque };
	return 0;
}

static u32 size_mask(unsigned size)
{
	return size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

int fake_pio(struct vm *vm, u16 port, unsigned size, bool in, u32 *val)
{
	(void)vm;
	for (unsigned i = 0; i < fake.nr_pio; i++) {
		const struct fake_pio_region *r = &fake.pio[i];

		if (port >= r->base && port < r->base + r->count) {
			int ret = r->fn(r->opaque, 0, port, size, in, val);

			if (in)
				*val &= size_mask(size);
			return ret;
		}
	}
	if (in)
		*val = size_mask(size);
	return 0;
}

int fake_mmio(struct vm *vm, u64 gpa, unsigned size, bool write, u64 *val)
{
	(void)vm;
	for (unsigned i = 0; i < fake.nr_mmio; i++) {
		const struct fake_mmio_region *r = &fake.mmio[i];

		if (gpa >= r->base && gpa - r->base < r->len)
			return r->fn(r->opaque, 0, gpa - r->base, size, write, val);
	}
	return -TERN_ENODEV;
}

u32 fake_in(struct vm *vm, u16 port, unsigned size)
{
	u32 v = 0xdeadbeef;   /* garbage the handler must overwrite */

	assert_int_equal(fake_pio(vm, port, size, true, &v), 0);
	return v;
}

void fake_out(struct vm *vm, u16 port, unsigned size, u32 val)
{
	assert_int_equal(fake_pio(vm, port, size, false, &val), 0);
}

const struct fake_irq_call *fake_last_irq(u32 gsi)
{
	for (unsigned i = fake.nr_irq_calls; i-- > 0;)
		if (fake.irq_calls[i].gsi == gsi)
			return &fake.irq_calls[i];
	return NULL;
}

int fake_irq_level(u32 gsi)
{
	const struct fake_irq_call *c = fake_last_irq(gsi);

	return c ? c->level : 0;
}
