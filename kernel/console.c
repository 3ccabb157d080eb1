/* SPDX-License-Identifier: MIT */
#include "kernel/console.h"
#include "arch/x86/x86.h"
#include "drivers/uart_host.h"
#include "kernel/lib/spinlock.h"
#include "kernel/percpu.h"

#define CONSOLE_NO_OWNER (-1)

static spinlock_t lock = SPINLOCK_INIT;
static int owner = CONSOLE_NO_OWNER;  /* cpu holding the lock */
static bool at_line_start = true;

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

static void put_bytes(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		uart_host_putc(buf[i]);
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

	uart_host_flush();
	console_unlock(locked);
}

bool console_at_line_start(void)
{
	return READ_ONCE(at_line_start);
}
