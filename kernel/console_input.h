/* SPDX-License-Identifier: MIT */
/*
 * tern's console input: bytes received on the host COM1, polled by the
 * scheduler and idle loops, go through the monitor's escapes
 * (kernel/monitor.h: Ctrl-A c monitor, Ctrl-A x quit); everything else is
 * the first VM's serial input (its emulated 16550's receive FIFO).
 *
 * Polled, not interrupt-driven: input is seen whenever tern's scheduler
 * runs (a vCPU halts, a slice ends, or the idle loop waits for a timer).
 * A guest spinning without exits on a single-vCPU VM is not interrupted.
 */
#ifndef TERN_CONSOLE_INPUT_H
#define TERN_CONSOLE_INPUT_H

#include "kernel/lib/types.h"

struct vm;

/*
 * Give console input the VM table (nr entries; NULL entries are VMs that
 * failed to start). vms[0] receives serial input; the table must stay valid.
 */
void console_input_attach(struct vm *const *vms, unsigned nr);

/*
 * Handle the bytes waiting in the host UART (at most 64 a call). Cheap when
 * none is: one port read. Returns true once the monitor stopped every VM
 * (quit, Ctrl-A x): a caller waiting for a timer should stop waiting.
 */
bool console_input_poll(void);

#endif
