/* SPDX-License-Identifier: MIT */
#include <tern/hypercall.h>

#include "drivers/doorbell_page.h"
#include "irq/doorbell.h"
#include "irq/irq.h"
#include "kernel/io.h"
#include "kernel/lib/atomic.h"
#include "kernel/mm.h"

#define REG_BYTES 4u

struct doorbell_page {
	struct vm *vm;
	s32 status[TERN_MAX_VCPUS];   /* each vCPU's last RING result: no lock, no sharing */
};

static int doorbell_page_mmio(void *opaque, unsigned vcpu_id, u64 offset, unsigned size,
			      bool write, u64 *val)
{
	struct doorbell_page *page = opaque;
	unsigned slot = vcpu_id % TERN_MAX_VCPUS;

	if (size != REG_BYTES) {   /* only whole 32-bit registers exist */
		if (!write)
			*val = 0;
		return 0;
	}
	if (write) {
		if (offset == TERN_DOORBELL_REG_RING) {
			int rc = doorbell_ring(page->vm, (u32)*val);

			/* as the hypercall: 0 for a ring that counted, masked or not */
			WRITE_ONCE(page->status[slot], rc < 0 ? rc : 0);
		}
		return 0;
	}
	*val = offset == TERN_DOORBELL_REG_STATUS ? (u32)READ_ONCE(page->status[slot]) : 0;
	return 0;
}

int doorbell_page_create(struct vm *vm, struct doorbell_page **out)
{
	struct doorbell_page *page = kzalloc(sizeof(*page));
	int ret;

	if (!page)
		return -TERN_ENOMEM;
	page->vm = vm;
	ret = mmio_register(vm, TERN_DOORBELL_PAGE_GPA, TERN_DOORBELL_PAGE_SIZE,
			    doorbell_page_mmio, page);
	if (ret < 0) {
		kfree(page);
		return ret;
	}
	*out = page;
	return 0;
}

void doorbell_page_destroy(struct doorbell_page *page)
{
	kfree(page);
}
