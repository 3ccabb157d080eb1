/* SPDX-License-Identifier: MIT */
/*
 * The doorbell page (include/tern/hypercall.h, TERN_DOORBELL_PAGE_*): an
 * MMIO register a guest writes a doorbell id to, ringing it through
 * doorbell_ring() exactly as the DOORBELL_RING hypercall does.
 */
#ifndef TERN_DRIVERS_DOORBELL_PAGE_H
#define TERN_DRIVERS_DOORBELL_PAGE_H

#include "kernel/lib/types.h"

struct vm;
struct doorbell_page;

/* Create the page of vm and register it at TERN_DOORBELL_PAGE_GPA. */
int doorbell_page_create(struct vm *vm, struct doorbell_page **out);
/* Free it (NULL ignored); only once the VM no longer runs. */
void doorbell_page_destroy(struct doorbell_page *page);

#endif
