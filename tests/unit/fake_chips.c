/* SPDX-License-Identifier: MIT */
#include <pthread.h>

#include "irq/msi.h"
#include "irq/vioapic.h"
#include "irq/vpic.h"
#include "kernel/lib/string.h"
#include "tests/unit/fake_chips.h"

struct fake_chips_state fake_chips;
static pthread_mutex_t fake_lock = PTHREAD_MUTEX_INITIALIZER;

void fake_chips_reset(void)
{
	pthread_mutex_lock(&fake_lock);
	memset(&fake_chips, 0, sizeof(fake_chips));
	fake_chips.msi_ret = 1;
	pthread_mutex_unlock(&fake_lock);
}

static struct fake_chip_pins *chip_pins(enum fake_chip chip)
{
	return chip == FAKE_PIC ? &fake_chips.pic : &fake_chips.ioapic;
}

static int fake_pin_set(enum fake_chip chip, unsigned npins, unsigned pin, unsigned source, int level)
{
	struct fake_chip_pins *c = chip_pins(chip);
	int was, now, r;

	if (pin >= npins || source >= IRQ_SOURCE_ID_MAX)
		return -TERN_EINVAL;
	pthread_mutex_lock(&fake_lock);
	if (fake_chips.nr_log < FAKE_CHIP_LOG)
		fake_chips.log[fake_chips.nr_log] = (struct fake_pin_call){ chip, pin, source, level };
	fake_chips.nr_log++;
	c->calls++;
	if (c->err) {
		r = c->err;
	} else {
		was = c->line[pin] != 0;
		now = irq_line_update(&c->line[pin], source, level);
		c->edges[pin] += !was && now;
		c->falls[pin] += was && !now;
		r = !was && now;
	}
	pthread_mutex_unlock(&fake_lock);
	return r;
}

int vpic_set_irq(struct vm *vm, unsigned pin, unsigned source_id, int level)
{
	return fake_pin_set(FAKE_PIC, FAKE_PIC_PINS, pin, source_id, level);
}

int vioapic_set_irq(struct vm *vm, unsigned pin, unsigned source_id, int level)
{
	return fake_pin_set(FAKE_IOAPIC, FAKE_IOAPIC_PINS, pin, source_id, level);
}

/* The decode a ring carries must be the one of the words it carries (one table's). */
static void check_decode(const struct msi_route *m)
{
	struct msi_route fresh = *m;

	msi_route_decode(&fresh);
	if (fresh.decode_err != m->decode_err ||
	    (!m->decode_err && memcmp(&fresh.irq, &m->irq, sizeof(m->irq))))
		__atomic_add_fetch(&fake_chips.msi_bad_decode, 1, __ATOMIC_RELAXED);
}

int msi_route_deliver(struct vm *vm, const struct msi_route *m)
{
	int (*hook)(struct vm *, u32, u32, u32) = __atomic_load_n(&fake_chips.msi_hook, __ATOMIC_ACQUIRE);
	int r;

	check_decode(m);
	if (hook)
		return hook(vm, m->address_lo, m->address_hi, m->data);
	pthread_mutex_lock(&fake_lock);
	if (fake_chips.nr_msi < FAKE_CHIP_LOG)
		fake_chips.msi[fake_chips.nr_msi] =
			(struct fake_msi_call){ m->address_lo, m->address_hi, m->data };
	fake_chips.nr_msi++;
	r = fake_chips.msi_ret;
	pthread_mutex_unlock(&fake_lock);
	return r;
}

int fake_pin_level(enum fake_chip chip, unsigned pin)
{
	int level;

	pthread_mutex_lock(&fake_lock);
	level = chip_pins(chip)->line[pin] != 0;
	pthread_mutex_unlock(&fake_lock);
	return level;
}

unsigned fake_pin_calls(enum fake_chip chip, unsigned pin)
{
	unsigned n = 0;

	pthread_mutex_lock(&fake_lock);
	for (unsigned i = 0; i < MIN(fake_chips.nr_log, FAKE_CHIP_LOG); i++)
		n += fake_chips.log[i].chip == chip && fake_chips.log[i].pin == pin;
	pthread_mutex_unlock(&fake_lock);
	return n;
}
