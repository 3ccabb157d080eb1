/* SPDX-License-Identifier: MIT */
/*
 * Port-I/O and MMIO registries: how exits reach device models.
 * Each VM has its own maps. Handlers run on the exiting vCPU's physical
 * CPU with no lock held by the dispatcher; a device guards its own state.
 */
#ifndef TERN_IO_H
#define TERN_IO_H

#include "kernel/lib/types.h"

struct vm;

/*
 * A port access: size is 1, 2 or 4; for an IN the handler stores the value
 * in *val (only the low size bytes count), for an OUT *val holds it.
 * Return 0, or a negative error to stop the VM with a message.
 */
typedef int (*pio_handler_t)(void *opaque, unsigned vcpu_id, u16 port,
			     unsigned size, bool in, u32 *val);

/*
 * An MMIO access at offset from the region's base: size 1, 2, 4 or 8.
 * Return 0, or a negative error to stop the VM with a message.
 */
typedef int (*mmio_handler_t)(void *opaque, unsigned vcpu_id, u64 offset,
			      unsigned size, bool write, u64 *val);

/*
 * A claimed range as the registry holds it. Ranges are never removed while
 * their maps live, and a registration copies the existing ones into a new
 * array while the old array stays allocated, so a pointer from pio_lookup()
 * or mmio_lookup() stays valid, and keeps meaning the same handler, until
 * io_maps_destroy() (the VM's end, or its warm reset). The exit paths keep
 * the last range each vCPU hit and call its handler directly when the next
 * access falls inside it (struct vcpu's io_pio/io_mmio).
 */
struct io_range {
	u64 base;
	u64 len;
	union {
		pio_handler_t pio;
		mmio_handler_t mmio;
	} fn;
	void *opaque;
};

/* Matches nothing (len 0): what a vCPU's last-hit ranges start as. */
extern const struct io_range io_range_none;

/* Does r cover addr? One subtraction and one compare. */
static inline bool io_range_has(const struct io_range *r, u64 addr)
{
	return addr - r->base < r->len;
}

/* Claim ports [base, base+count) of vm for fn. -TERN_EEXIST on overlap. */
int pio_register(struct vm *vm, u16 base, u16 count, pio_handler_t fn, void *opaque);

/* Claim guest-physical [base, base+len) of vm for fn. -TERN_EEXIST on overlap,
 * -TERN_EINVAL when it overlaps the VM's RAM. */
int mmio_register(struct vm *vm, u64 base, u64 len, mmio_handler_t fn, void *opaque);

/*
 * Route an access to its handler. An unclaimed port reads all ones and
 * ignores writes (as on a PC bus); returns what the handler returned.
 */
int pio_dispatch(struct vm *vm, unsigned vcpu_id, u16 port, unsigned size, bool in, u32 *val);

/* Route an MMIO access; -TERN_ENODEV when no device claims gpa. */
int mmio_dispatch(struct vm *vm, unsigned vcpu_id, u64 gpa, unsigned size, bool write, u64 *val);

/*
 * The range that claims port / gpa, or NULL. The caller then calls
 * r->fn.pio(r->opaque, vcpu_id, port, ...) or r->fn.mmio(r->opaque, vcpu_id,
 * gpa - r->base, ...), exactly what pio_dispatch()/mmio_dispatch() do; for
 * an unclaimed port it calls pio_dispatch() (all ones, logged once).
 */
const struct io_range *pio_lookup(struct vm *vm, u16 port);
const struct io_range *mmio_lookup(struct vm *vm, u64 gpa);

/*
 * Kernel side (kernel/vm.c creates the maps with the VM; io.c reaches them
 * and the VM's RAM layout through the two vm_* calls below).
 */
struct io_maps;
/* Empty maps; NULL when out of memory. */
struct io_maps *io_maps_create(void);
/* Free the maps and every array they retired; NULL is ignored. */
void io_maps_destroy(struct io_maps *maps);
/* The VM's maps (provided by kernel/vm.c). */
struct io_maps *vm_io_maps(struct vm *vm);
/* True when any byte of guest-physical [base, base+len) is RAM (kernel/vm.c). */
bool vm_range_has_ram(struct vm *vm, u64 base, u64 len);

#endif
