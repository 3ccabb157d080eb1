/* SPDX-License-Identifier: MIT */
/*
 * Host fakes of the kernel services emulated devices use (kernel/vm.h,
 * kernel/io.h, irq/routing.h): every call is recorded so a test can assert
 * what a device did, and each service's answer can be set. One fake VM's
 * worth of state (global); call fake_vm_reset() at the start of each test.
 * Link with tests/unit/stub_kernel.c for memory, log and struct vm.
 */
#ifndef TERN_TEST_FAKE_VM_SERVICES_H
#define TERN_TEST_FAKE_VM_SERVICES_H

#include "kernel/io.h"
#include "kernel/lib/types.h"

#define FAKE_MAX_REGIONS   16
#define FAKE_MAX_IRQ_CALLS 256
#define FAKE_CONSOLE_MAX   4096
#define FAKE_MAX_SHM       8

struct fake_pio_region {
	u16 base, count;
	pio_handler_t fn;
	void *opaque;
};

struct fake_mmio_region {
	u64 base, len;
	mmio_handler_t fn;
	void *opaque;
};

struct fake_irq_call {
	struct vm *vm;
	unsigned source_id;
	u32 gsi;
	int level;
};

struct fake_vm_state {
	/* answers */
	u64 ram_size;             /* vm_ram_size() */
	unsigned nr_vcpus;        /* vm_nr_vcpus() */
	unsigned id;              /* vm_id() */
	int set_irq_ret;          /* what set_irq() returns */
	int source_alloc_ret;     /* < 0: irq_source_alloc() fails with it; else next id */
	int pio_fail_at;          /* n > 0: the n-th pio_register() fails -TERN_ENOMEM */
	int mmio_fail_at;         /* n > 0: the n-th mmio_register() fails -TERN_ENOMEM */
	u32 ring_ok_id;           /* doorbell_ring() delivers (1) for this id, else -TERN_ENOENT */
	unsigned nr_shm;          /* vm_shm_region() answers shm_gpa[i], shm_size[i] for i < nr_shm */
	u64 shm_gpa[FAKE_MAX_SHM], shm_size[FAKE_MAX_SHM];
	/* records */
	unsigned nr_pio, nr_mmio, pio_calls, mmio_calls;
	struct fake_pio_region pio[FAKE_MAX_REGIONS];
	struct fake_mmio_region mmio[FAKE_MAX_REGIONS];
	unsigned nr_irq_calls;
	struct fake_irq_call irq_calls[FAKE_MAX_IRQ_CALLS];
	char console[FAKE_CONSOLE_MAX + 1];  /* NUL-terminated */
	size_t console_len;
	unsigned rings;           /* doorbell_ring() calls */
	u32 last_ring_id;
	struct vm *last_ring_vm;
	unsigned source_frees;    /* irq_source_free() calls */
	unsigned last_source_freed;
	unsigned exit_calls;
	int exit_status;
	unsigned reset_calls;     /* vm_request_reset() */
	struct vm *reset_vm;
	const char *reset_source;
	struct vm *exit_vm;
};

extern struct fake_vm_state fake;

/* Forget every record; answers back to defaults (64 MiB, 1 vCPU, id 0, set_irq 0). */
void fake_vm_reset(void);

/*
 * Dispatch like kernel/io.h does, through what the device registered:
 * an unclaimed port reads all ones (returns 0); an unclaimed gpa returns
 * -TERN_ENODEV. *val is masked to size for an IN.
 */
int fake_pio(struct vm *vm, u16 port, unsigned size, bool in, u32 *val);
int fake_mmio(struct vm *vm, u64 gpa, unsigned size, bool write, u64 *val);

/* Shorthands: fake_inb/inw/inl return the value (asserting success). */
u32 fake_in(struct vm *vm, u16 port, unsigned size);
void fake_out(struct vm *vm, u16 port, unsigned size, u32 val);

/* The last set_irq() call for gsi, or NULL when there was none. */
const struct fake_irq_call *fake_last_irq(u32 gsi);
/* The level gsi was last set to (0 if never). */
int fake_irq_level(u32 gsi);

#endif
