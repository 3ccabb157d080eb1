/* SPDX-License-Identifier: MIT */
/*
 * The host's COM1 (a 16550 at 0x3f8): tern's console, 115200 8N1, polled.
 * Not to be confused with the 16550 models tern emulates for guests.
 */
#ifndef TERN_DRIVERS_UART_HOST_H
#define TERN_DRIVERS_UART_HOST_H

#include "kernel/lib/types.h"

/* Program 115200 8N1, FIFOs on, interrupts off. Safe to call more than once. */
void uart_host_init(void);

#define UART_HOST_FIFO 16   /* bytes the transmit FIFO takes once it reports empty */

/* Send one byte, waiting (bounded) for room in the transmitter. */
void uart_host_putc(char c);

/*
 * Without waiting: is the transmitter empty (then UART_HOST_FIFO bytes may
 * follow at once)? Always true without a UART, whose bytes are dropped.
 */
bool uart_host_tx_empty(void);
/* Write one byte to the transmitter, unchecked: the caller knows there is room. */
void uart_host_tx(char c);

/* Wait (bounded) until every byte written has left the transmitter. */
void uart_host_flush(void);

/* A received byte (0..255), or -1 when none is waiting or there is no UART. */
int uart_host_getc(void);

#endif
