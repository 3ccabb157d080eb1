/* SPDX-License-Identifier: MIT */
/*
 * tern's console (host COM1). Guest output and tern's own lines share it;
 * the console remembers whether the last byte ended a line so tern's lines
 * always start at column 0 (docs/internals.md, "Console protocol").
 */
#ifndef TERN_CONSOLE_H
#define TERN_CONSOLE_H

#include "kernel/lib/types.h"

/* Bring up the host UART. Call once, early, on the BSP. */
void console_init(void);

/* Write len raw bytes (e.g. guest output) as one unit; other CPUs' writes do not interleave. */
void console_write(const char *buf, size_t len);

/*
 * Write one or more whole lines (buf should end in '\n') as one unit,
 * starting a new line first if the previous output left one open.
 */
void console_write_line(const char *buf, size_t len);

/*
 * Writes are buffered (64 KiB) and handed to the UART as fast as it takes
 * them; whoever writes also sends what fits. Wait until everything written
 * has left the UART (before power-off, after a fatal report).
 */
void console_flush(void);

/* Send what the UART takes now, without waiting; nothing if another CPU is at it. */
void console_pump(void);

/* Output is waiting in the buffer (someone should call console_pump() soon). */
bool console_output_pending(void);

/*
 * Backpressure for guest output (kernel/vm.c): the backlog is above the
 * high-water mark (a guest that keeps writing should wait), or under the
 * low-water mark (writers held back may go on).
 */
bool console_congested(void);
bool console_calm(void);

/*
 * Counts the writes that found the backlog calm: while it stands still the
 * backlog has stayed at or above the low-water mark, so a VM can tell how
 * much of the backlog it wrote itself.
 */
u32 console_calm_epoch(void);

/* True when the last byte written ended a line (or nothing was written yet). */
bool console_at_line_start(void);

#endif
