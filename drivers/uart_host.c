/* SPDX-License-Identifier: MIT */
#include "drivers/uart_host.h"
#include "arch/x86/x86.h"
#include "kernel/lib/atomic.h"

#define COM1_BASE        0x3f8
#define UART_BAUD_BASE   115200  /* divisor 1 */
#define UART_BAUD        115200

/* Register offsets (DLAB=0 unless noted). */
#define UART_THR 0   /* transmit holding (write) */
#define UART_RBR 0   /* receive buffer (read) */
#define UART_DLL 0   /* divisor low (DLAB=1) */
#define UART_IER 1
#define UART_DLM 1   /* divisor high (DLAB=1) */
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7

#define UART_LCR_8N1      0x03
#define UART_LCR_DLAB     0x80
#define UART_FCR_ENABLE   0x01
#define UART_FCR_CLR_RX   0x02
#define UART_FCR_CLR_TX   0x04
#define UART_MCR_DTR      0x01
#define UART_MCR_RTS      0x02
#define UART_LSR_DR       0x01   /* data ready */
#define UART_LSR_THRE     0x20   /* transmit holding register empty */
#define UART_LSR_TEMT     0x40   /* holding and shift registers both empty */
#define UART_SCR_PROBE    0x5a

/* Upper bounds on LSR polls so a wedged UART cannot hang tern. */
#define UART_TX_SPIN_MAX    100000
#define UART_FLUSH_SPIN_MAX 10000000   /* a 16-byte FIFO at 115200 baud drains in ~1.4 ms */

static bool present;

static void wait_lsr(u8 bit, unsigned spins)
{
	for (unsigned i = 0; i < spins; i++) {
		if (inb(COM1_BASE + UART_LSR) & bit)
			return;
		cpu_relax();
	}
}

void uart_host_init(void)
{
	u16 divisor = UART_BAUD_BASE / UART_BAUD;

	/* A missing UART reads all ones; the scratch register tells. */
	outb(COM1_BASE + UART_SCR, UART_SCR_PROBE);
	present = inb(COM1_BASE + UART_SCR) == UART_SCR_PROBE;
	if (!present)
		return;
	wait_lsr(UART_LSR_TEMT, UART_FLUSH_SPIN_MAX);   /* let the loader's last bytes out */
	outb(COM1_BASE + UART_IER, 0);
	outb(COM1_BASE + UART_LCR, UART_LCR_DLAB);
	outb(COM1_BASE + UART_DLL, (u8)divisor);
	outb(COM1_BASE + UART_DLM, (u8)(divisor >> 8));
	outb(COM1_BASE + UART_LCR, UART_LCR_8N1);
	outb(COM1_BASE + UART_FCR, UART_FCR_ENABLE | UART_FCR_CLR_RX | UART_FCR_CLR_TX);
	outb(COM1_BASE + UART_MCR, UART_MCR_DTR | UART_MCR_RTS);
}

void uart_host_putc(char c)
{
	if (!present)
		return;
	wait_lsr(UART_LSR_THRE, UART_TX_SPIN_MAX);
	outb(COM1_BASE + UART_THR, (u8)c);
}

bool uart_host_tx_empty(void)
{
	return !present || (inb(COM1_BASE + UART_LSR) & UART_LSR_THRE);
}

void uart_host_tx(char c)
{
	if (present)
		outb(COM1_BASE + UART_THR, (u8)c);
}

void uart_host_flush(void)
{
	if (present)
		wait_lsr(UART_LSR_TEMT, UART_FLUSH_SPIN_MAX);
}

int uart_host_getc(void)
{
	if (!present || !(inb(COM1_BASE + UART_LSR) & UART_LSR_DR))
		return -1;
	return inb(COM1_BASE + UART_RBR);
}
