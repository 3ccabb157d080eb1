/* SPDX-License-Identifier: MIT */
/*
 * Limits on what a guest can make tern allocate or do, in one place.
 * Per VM: doorbells bound at once, GSIs, entries of one routing request,
 * bytes one hypercall moves. Global: a free-memory floor below which no
 * allocation made on behalf of a guest succeeds, so no guest (nor all of
 * them together) can take the pages tern itself needs to keep running and
 * to stop VMs cleanly. Every allocation a guest can trigger checks
 * limits_guest_alloc_ok() first and fails with -TERN_ENOMEM; a per-VM
 * count reaching its limit fails with -TERN_ENOSPC (doorbells) or
 * -TERN_E2BIG / -TERN_ERANGE (request sizes, GSI numbers).
 * docs/security.md lists where each limit is enforced and how it is tested.
 * The constants are plain numbers so guests can include this file too.
 */
#ifndef TERN_KERNEL_LIMITS_H
#define TERN_KERNEL_LIMITS_H

#include "kernel/lib/types.h"
#include "kernel/mm.h"

#define LIMIT_VM_DOORBELLS        256u    /* doorbells bound at once, per VM (default) */
#define LIMIT_VM_GSIS             1024u   /* GSIs 0..LIMIT_VM_GSIS-1 routable, per VM */
#define LIMIT_VM_ROUTE_ENTRIES    4096u   /* entries in one SET_GSI_ROUTING request */
#define LIMIT_HC_CONSOLE_BYTES    4096u   /* one CONSOLE_WRITE */
#define LIMIT_LAPIC_PERIOD_MIN_US 50u     /* fastest periodic vLAPIC timer (the PIT's IRQ0 floor too) */
#define LIMIT_FREE_PAGES_FLOOR    256u    /* 1 MiB kept back from guest-driven allocations */
#define LIMIT_LAPIC_WINDOWS       8u      /* distinct xAPIC bases trapped, per VM (the default's included) */

/* Pure rule, for unit tests: may `bytes` be allocated when `free_pages` pages are free? */
static inline bool limits_alloc_allowed(u64 free_pages, u64 bytes)
{
	u64 pages = bytes / PAGE_SIZE + (bytes % PAGE_SIZE != 0);   /* no wrap for huge sizes */

	return free_pages > LIMIT_FREE_PAGES_FLOOR &&
	       free_pages - LIMIT_FREE_PAGES_FLOOR >= (pages ? pages : 1);
}

/* Check before any allocation a guest caused: false = fail it with -TERN_ENOMEM. */
static inline bool limits_guest_alloc_ok(u64 bytes)
{
	return limits_alloc_allowed(page_free_count(), bytes);
}

#endif
