/* SPDX-License-Identifier: MIT */
#include "kernel/console.h"
#include "arch/x86/x86.h"
#include "drivers/uart_host.h"
#include "kernel/lib/spinlock.h"
#include "kernel/percpu.h"

#define CONSOLE_NO_OWNER (-1)
#define TX_RING_SIZE     (64u * 1024u)   /* a power of two */
/*
 * Guest writers are held back above the high-water mark and let go under
 * the low one (kernel/vm.c). The room above the high mark takes the writes
 * that arrive meanwhile (at most one per CPU, 4 KiB + a prefix each), so
 * nobody waits for the UART inside an exit.
 */
#define CONSOLE_HIGH_WATER (32u * 1024u)
#define CONSOLE_LOW_WATER  (16u * 1024u)

static spinlock_t lock = SPINLOCK_INIT;
static int owner = CONSOLE_NO_OWNER;  /* cpu holding the lock */
static bool at_line_start = true;

/*
 * Output waits in a ring and goes to the UART as fast as it takes it: a
 * writer (a guest's THR write) no longer waits for the line, which at
 * 115200 baud is most of a serial console's cost. tail..head is pending;
 * both run freely and wrap in the array.
 */
static char ring[TX_RING_SIZE];
static u32 head, tail;
static unsigned fifo_room;              /* bytes the UART FIFO takes without a look at LSR */
static u32 calm_epoch;                  /* writes that found the backlog under the low-water mark */

/*
 * An exception or NMI while this CPU holds the lock must still be able to
 * report, so re-entry on the owning CPU proceeds without the lock.
 * Returns whether the caller took the lock.
 */
static bool console_lock(void)
{
	int me = (int)this_cpu()->id;

	if (READ_ONCE(owner) == me)
		return false;
	spin_lock(&lock);
	WRITE_ONCE(owner, me);
	return true;
}

static void console_unlock(bool locked)
{
	if (!locked)
		return;
	WRITE_ONCE(owner, CONSOLE_NO_OWNER);
	spin_unlock(&lock);
}

/* Hand the UART what it takes now, without waiting (lock held). */
static void pump(void)
{
	while (tail != head) {
		if (!fifo_room) {
			if (!uart_host_tx_empty())
				return;
			fifo_room = UART_HOST_FIFO;
		}
		uart_host_tx(ring[tail++ % TX_RING_SIZE]);
		fifo_room--;
	}
}

static void put_bytes(const char *buf, size_t len)
{
	if (head - tail < CONSOLE_LOW_WATER)
		WRITE_ONCE(calm_epoch, calm_epoch + 1);
	for (size_t i = 0; i < len; i++) {
		if (head - tail == TX_RING_SIZE) {   /* full: wait (bounded) for the oldest to go */
			uart_host_putc(ring[tail++ % TX_RING_SIZE]);
			fifo_room = 0;
		}
		ring[head++ % TX_RING_SIZE] = buf[i];
	}
	pump();
	if (len)
		at_line_start = buf[len - 1] == '\n';
}

void console_init(void)
{
	uart_host_init();
}

void console_write(const char *buf, size_t len)
{
	bool locked = console_lock();

	put_bytes(buf, len);
	console_unlock(locked);
}

void console_write_line(const char *buf, size_t len)
{
	bool locked = console_lock();

	if (!at_line_start)
		put_bytes("\n", 1);
	put_bytes(buf, len);
	console_unlock(locked);
}

void console_flush(void)
{
	bool locked = console_lock();

	while (tail != head) {
		uart_host_putc(ring[tail++ % TX_RING_SIZE]);   /* waits for room, bounded */
		fifo_room = 0;
	}
	uart_host_flush();
	console_unlock(locked);
}

void console_pump(void)
{
	if (READ_ONCE(head) == READ_ONCE(tail) || !spin_trylock(&lock))
		return;
	WRITE_ONCE(owner, (int)this_cpu()->id);
	pump();
	console_unlock(true);
}

bool console_output_pending(void)
{
	return READ_ONCE(head) != READ_ONCE(tail);
}

static u32 backlog(void)
{
	return READ_ONCE(head) - READ_ONCE(tail);
}

bool console_congested(void)
{
	return backlog() > CONSOLE_HIGH_WATER;
}

bool console_calm(void)
{
	return backlog() < CONSOLE_LOW_WATER;
}

u32 console_calm_epoch(void)
{
	return READ_ONCE(calm_epoch);
}

bool console_at_line_start(void)
{
	return READ_ONCE(at_line_start);
}
