/* SPDX-License-Identifier: MIT */
/*
 * Intel 8254 programmable interval timer at ports 0x40-0x43, and the PC's
 * port 0x61 (system control port B) that exposes channel 2's gate and output.
 *
 * Channels 0-2 count at 1.193182 MHz derived from clock_now(); modes 0-5,
 * lobyte/hibyte/lo-hi access, binary or BCD counts, the counter latch
 * command and the read-back command (count and status latches). Channel 0's
 * gate is tied high and its OUT drives GSI 0 through set_irq() with the
 * device's own irq source: each rising edge of OUT (terminal count in mode
 * 0, every period in modes 2 and 3, the end of the strobe in mode 4) is
 * sent as an assert followed by a de-assert. Channel 1 counts but drives
 * nothing. Channel 2's gate is port 0x61 bit 0.
 *
 * Port 0x61: bit 0 channel 2 gate (rw), bit 1 speaker data (rw, no sound),
 * bits 2-3 parity/IOCHK check disables (rw, no effect), bit 4 refresh
 * request toggle (ro, flips every 15.09 us), bit 5 channel 2 OUT (ro),
 * bits 6-7 read 0.
 *
 * Expiry is time-driven: the vCPU loop asks pit_next_deadline() and runs
 * pit_check() when it passes. When many periods went by unseen, one edge
 * is sent and the next deadline is the first period end after now
 * (coalesced, no interrupt storm). Edges are at least 60 PIT ticks (50 us)
 * apart whatever the count: a rate above 20 kHz is served at about 20 kHz.
 */
#ifndef TERN_DRIVERS_PIT_H
#define TERN_DRIVERS_PIT_H

#include "kernel/lib/types.h"

#define PIT_PORT_BASE     0x40
#define PIT_NR_PORTS      4
#define PIT_PORT_CONTROL  0x43
#define PIT_PORT_SYSCTL   0x61     /* system control port B */
#define PIT_GSI           0
#define PIT_HZ            1193182u
#define PIT_NR_CHANNELS   3

struct vm;
struct pit;

/*
 * Create the PIT of vm: allocates its irq source, registers ports
 * 0x40-0x43 and 0x61, and makes it the instance pit_next_deadline() and
 * pit_check() find for vm. Returns 0 and the instance in *out, or
 * -TERN_EINVAL (vm_id beyond CONFIG_MAX_VMS), -TERN_EBUSY (vm has a PIT),
 * -TERN_ENOMEM, or what irq_source_alloc()/pio_register() returned.
 */
int pit_create(struct vm *vm, struct pit **out);

/* Unpublish and free (NULL ignored); only once the VM no longer runs, before irq_routing_destroy(). */
void pit_destroy(struct pit *pit);

/* Absolute TSC of vm's next channel-0 interrupt edge; 0 when none is due or vm has no PIT. */
u64 pit_next_deadline(struct vm *vm);

/* Send channel 0's edge if its deadline is at or before now and schedule the next one. */
void pit_check(struct vm *vm, u64 now);

#endif
