/* SPDX-License-Identifier: MIT */
/* The guests' own polled 16550 driver on COM1. */
#ifndef GUEST_SERIAL_H
#define GUEST_SERIAL_H

#include "kernel/lib/types.h"

#define COM1_BASE     0x3f8
#define UART_THR      0
#define UART_DLL      0
#define UART_IER      1
#define UART_DLM      1
#define UART_FCR      2
#define UART_LCR      3
#define UART_MCR      4
#define UART_LSR      5
#define UART_SCR      7
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40

/* 115200 8N1, FIFOs on, interrupts off. */
void serial_init(void);
/* Write len bytes, waiting for THRE before each (bounded: a dead UART does not hang). */
void serial_write(const char *s, size_t len);

#endif
