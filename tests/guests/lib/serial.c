/* SPDX-License-Identifier: MIT */
#include "lib/io.h"
#include "lib/serial.h"

#define LCR_8N1         0x03
#define LCR_DLAB        0x80
#define FCR_ENABLE_CLR  0x07
#define MCR_DTR_RTS     0x03
#define DIVISOR_115200  1
#define THRE_SPINS      100000

void serial_init(void)
{
	outb(COM1_BASE + UART_IER, 0);
	outb(COM1_BASE + UART_LCR, LCR_DLAB);
	outb(COM1_BASE + UART_DLL, DIVISOR_115200);
	outb(COM1_BASE + UART_DLM, 0);
	outb(COM1_BASE + UART_LCR, LCR_8N1);
	outb(COM1_BASE + UART_FCR, FCR_ENABLE_CLR);
	outb(COM1_BASE + UART_MCR, MCR_DTR_RTS);
}

static void serial_putc(char c)
{
	for (unsigned i = 0; i < THRE_SPINS; i++)
		if (inb(COM1_BASE + UART_LSR) & UART_LSR_THRE)
			break;
	outb(COM1_BASE + UART_THR, (u8)c);
}

void serial_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		serial_putc(s[i]);
}
