/* SPDX-License-Identifier: MIT */
#include "drivers/clock_scale.h"
#include "drivers/pit.h"
#include "irq/routing.h"
#include "kernel/clock.h"
#include "kernel/config.h"
#include "kernel/io.h"
#include "kernel/lib/spinlock.h"
#include "kernel/mm.h"
#include "kernel/vm.h"

/* Control word (port 0x43). */
#define PIT_CW_SC_SHIFT      6          /* select counter; 3 = read-back */
#define PIT_CW_SC_READBACK   3
#define PIT_CW_RW_SHIFT      4          /* access: 0 latch, 1 LSB, 2 MSB, 3 LSB then MSB */
#define PIT_CW_RW_MASK       3
#define PIT_CW_MODE_SHIFT    1
#define PIT_CW_MODE_MASK     7
#define PIT_CW_BCD           BIT(0)

#define PIT_RW_LATCH         0
#define PIT_RW_LSB           1
#define PIT_RW_MSB           2
#define PIT_RW_WORD          3

/* Read-back command: bits set to 0 select the action. */
#define PIT_RB_NO_COUNT      BIT(5)
#define PIT_RB_NO_STATUS     BIT(4)
#define PIT_RB_CHANNEL(n)    BIT((n) + 1)

/* Status byte (read-back). */
#define PIT_ST_OUT           BIT(7)
#define PIT_ST_NULL_COUNT    BIT(6)

enum pit_mode {
	PIT_MODE_INT_ON_TC   = 0,
	PIT_MODE_ONESHOT     = 1,   /* hardware retriggerable one-shot */
	PIT_MODE_RATE        = 2,
	PIT_MODE_SQUARE      = 3,
	PIT_MODE_SW_STROBE   = 4,
	PIT_MODE_HW_STROBE   = 5,
	PIT_MODE_MAX         = 5,
};
#define PIT_MODE_ALIAS       4      /* modes 6 and 7 are 2 and 3 */

#define PIT_BINARY_MODULUS   65536u
#define PIT_BCD_MODULUS      10000u

/* Port 0x61. */
#define SYSCTL_GATE2         BIT(0)
#define SYSCTL_SPEAKER       BIT(1)
#define SYSCTL_WRITABLE      0x0fu
#define SYSCTL_REFRESH       BIT(4)
#define SYSCTL_OUT2          BIT(5)
#define SYSCTL_REFRESH_TICKS 18     /* 15.09 us at 1.193182 MHz */

#define PIT_CHANNEL_SPEAKER  2
/* Closest two IRQ0 edges may be (60 ticks ~ 50 us): a guest asking for more gets fewer. */
#define PIT_MIN_EDGE_TICKS   60

struct pit_channel {
	u8 mode, rw;
	bool bcd;
	bool gate;
	bool loaded;          /* a count was written since the control word */
	bool running;         /* the counter decrements */
	bool triggered;       /* modes 1/5: gate edge since the load */
	bool null_count;
	u32 reload;           /* ticks per cycle: 1..65536 (binary), 1..10000 (BCD) */
	u64 start;            /* TSC at which the current run began */
	u64 base;             /* ticks counted before start */
	u64 next_edge;        /* ticks since the load of the next OUT rising edge, 0 none */
	bool write_msb;       /* lo-hi write: the MSB comes next */
	u8 write_lsb;
	bool read_msb;        /* lo-hi unlatched read: the MSB comes next */
	u8 latch[2], latch_len, latch_pos;
	bool status_latched;
	u8 status;
};

struct pit {
	spinlock_t lock;      /* guards everything below */
	struct vm *vm;
	unsigned source_id;
	u64 tsc_hz;
	u64 created;
	u8 sysctl;            /* port 0x61 writable bits */
	struct pit_channel ch[PIT_NR_CHANNELS];
};

static spinlock_t pits_lock = SPINLOCK_INIT;
static struct pit *pits[CONFIG_MAX_VMS];

static u64 ch_ticks(const struct pit *pit, const struct pit_channel *ch, u64 now)
{
	u64 t = ch->base;

	if (ch->running && now > ch->start)
		t += clock_scale(now - ch->start, PIT_HZ, pit->tsc_hz);
	return t;
}

static bool is_periodic(const struct pit_channel *ch)
{
	return ch->mode == PIT_MODE_RATE || ch->mode == PIT_MODE_SQUARE;
}

static bool is_gate_triggered(const struct pit_channel *ch)
{
	return ch->mode == PIT_MODE_ONESHOT || ch->mode == PIT_MODE_HW_STROBE;
}

static u16 bin_to_bcd16(u32 v)
{
	return (u16)((v % 10) | (v / 10 % 10) << 4 | (v / 100 % 10) << 8 | (v / 1000 % 10) << 12);
}

static u32 bcd16_to_bin(u16 v)
{
	u32 d0 = v & 0xf, d1 = (v >> 4) & 0xf, d2 = (v >> 8) & 0xf, d3 = v >> 12;

	/* hostile non-BCD digits count as 9, the largest a real chip decodes */
	return MIN(d0, 9u) + MIN(d1, 9u) * 10 + MIN(d2, 9u) * 100 + MIN(d3, 9u) * 1000;
}

/* The counter's value after t ticks of the current run, as the chip shows it. */
static u16 ch_count_at(const struct pit_channel *ch, u64 t)
{
	u32 n = ch->reload, mod = ch->bcd ? PIT_BCD_MODULUS : PIT_BINARY_MODULUS;
	u32 c, p, half;

	if (!ch->loaded)
		return 0;
	switch (ch->mode) {
	case PIT_MODE_RATE:
		c = n - (u32)(t % n);
		break;
	case PIT_MODE_SQUARE:
		p = (u32)(t % n);
		half = (n + 1) / 2;
		c = (n - 2 * (p < half ? p : p - half)) & ~1u;
		break;
	default:
		if (is_gate_triggered(ch) && !ch->triggered)
			t = 0;
		c = (n % mod + mod - (u32)(t % mod)) % mod;
		break;
	}
	c %= mod;
	return ch->bcd ? bin_to_bcd16(c) : (u16)c;
}

/* The OUT pin after t ticks of the current run. */
static bool ch_out_at(const struct pit_channel *ch, u64 t)
{
	u32 n = ch->reload;

	if (!ch->loaded)
		return ch->mode != PIT_MODE_INT_ON_TC;
	switch (ch->mode) {
	case PIT_MODE_INT_ON_TC:
		return t >= n;
	case PIT_MODE_ONESHOT:
		return !ch->triggered || t >= n;
	case PIT_MODE_RATE:
		return !ch->running || t % n != n - 1;
	case PIT_MODE_SQUARE:
		return !ch->running || t % n < (n + 1) / 2;
	case PIT_MODE_HW_STROBE:
		return !ch->triggered || t != n;
	default:
		return t != n;
	}
}

/* Ticks since the load of the first OUT rising edge of a fresh run; 0 none. */
static u64 ch_first_edge(const struct pit_channel *ch)
{
	switch (ch->mode) {
	case PIT_MODE_INT_ON_TC:
	case PIT_MODE_RATE:
	case PIT_MODE_SQUARE:
		return ch->reload;
	case PIT_MODE_SW_STROBE:
		return (u64)ch->reload + 1;
	case PIT_MODE_ONESHOT:
		return ch->triggered ? ch->reload : 0;
	default:
		return ch->triggered ? (u64)ch->reload + 1 : 0;
	}
}

static void ch_start_run(struct pit_channel *ch, u64 now)
{
	ch->base = 0;
	ch->start = now;
	ch->running = true;
	ch->next_edge = ch_first_edge(ch);
}

static void ch_load(struct pit *pit, struct pit_channel *ch, u16 raw, u64 now)
{
	if (ch->bcd)
		ch->reload = raw ? bcd16_to_bin(raw) : PIT_BCD_MODULUS;
	else
		ch->reload = raw ? raw : PIT_BINARY_MODULUS;
	if (!ch->reload)
		ch->reload = PIT_BCD_MODULUS;
	ch->loaded = true;
	ch->null_count = false;
	ch->triggered = false;
	ch->running = false;
	ch->base = 0;
	ch->next_edge = 0;
	if (!is_gate_triggered(ch) && ch->gate)
		ch_start_run(ch, now);
}

static void ch_set_gate(struct pit *pit, struct pit_channel *ch, bool gate, u64 now)
{
	if (gate == ch->gate)
		return;
	ch->base = ch_ticks(pit, ch, now);
	ch->start = now;
	ch->gate = gate;
	if (!ch->loaded)
		return;
	if (is_gate_triggered(ch)) {
		if (gate) {
			ch->triggered = true;
			ch_start_run(ch, now);
		}
		return;
	}
	if (is_periodic(ch) && gate) {
		ch_start_run(ch, now);
		return;
	}
	ch->running = gate;
}

static void ch_latch_count(struct pit *pit, struct pit_channel *ch, u64 now)
{
	u16 c = ch_count_at(ch, ch_ticks(pit, ch, now));

	if (ch->latch_len)
		return;   /* the first latch holds until read */
	ch->latch_pos = 0;
	if (ch->rw == PIT_RW_MSB) {
		ch->latch[0] = c >> 8;
		ch->latch_len = 1;
	} else {
		ch->latch[0] = c & 0xff;
		ch->latch[1] = c >> 8;
		ch->latch_len = ch->rw == PIT_RW_WORD ? 2 : 1;
	}
}

static void ch_latch_status(struct pit *pit, struct pit_channel *ch, u64 now)
{
	if (ch->status_latched)
		return;
	ch->status = (ch_out_at(ch, ch_ticks(pit, ch, now)) ? PIT_ST_OUT : 0) |
		     (ch->null_count ? PIT_ST_NULL_COUNT : 0) |
		     (u8)(ch->rw << PIT_CW_RW_SHIFT) | (u8)(ch->mode << PIT_CW_MODE_SHIFT) |
		     (ch->bcd ? PIT_CW_BCD : 0);
	ch->status_latched = true;
}

static void pit_read_back(struct pit *pit, u8 cmd, u64 now)
{
	for (unsigned i = 0; i < PIT_NR_CHANNELS; i++) {
		if (!(cmd & PIT_RB_CHANNEL(i)))
			continue;
		if (!(cmd & PIT_RB_NO_STATUS))
			ch_latch_status(pit, &pit->ch[i], now);
		if (!(cmd & PIT_RB_NO_COUNT))
			ch_latch_count(pit, &pit->ch[i], now);
	}
}

static void pit_write_control(struct pit *pit, u8 val, u64 now)
{
	unsigned sc = val >> PIT_CW_SC_SHIFT;
	unsigned rw = (val >> PIT_CW_RW_SHIFT) & PIT_CW_RW_MASK;
	struct pit_channel *ch;
	u8 mode;

	if (sc == PIT_CW_SC_READBACK) {
		pit_read_back(pit, val, now);
		return;
	}
	ch = &pit->ch[sc];
	if (rw == PIT_RW_LATCH) {
		ch_latch_count(pit, ch, now);
		return;
	}
	mode = (val >> PIT_CW_MODE_SHIFT) & PIT_CW_MODE_MASK;
	if (mode > PIT_MODE_MAX)
		mode -= PIT_MODE_ALIAS;
	ch->mode = mode;
	ch->rw = (u8)rw;
	ch->bcd = val & PIT_CW_BCD;
	ch->loaded = ch->running = ch->triggered = false;
	ch->null_count = true;
	ch->next_edge = 0;
	ch->base = 0;
	ch->write_msb = ch->read_msb = false;
	ch->latch_len = ch->latch_pos = 0;
	ch->status_latched = false;
}

static void pit_write_data(struct pit *pit, struct pit_channel *ch, u8 val, u64 now)
{
	switch (ch->rw) {
	case PIT_RW_LSB:
		ch_load(pit, ch, val, now);
		break;
	case PIT_RW_MSB:
		ch_load(pit, ch, (u16)(val << 8), now);
		break;
	case PIT_RW_WORD:
		if (!ch->write_msb) {
			ch->write_lsb = val;
			ch->write_msb = true;
			if (ch->mode == PIT_MODE_INT_ON_TC) {   /* the LSB stops the count */
				ch->base = ch_ticks(pit, ch, now);
				ch->running = false;
				ch->next_edge = 0;
			}
			break;
		}
		ch->write_msb = false;
		ch_load(pit, ch, (u16)(ch->write_lsb | val << 8), now);
		break;
	default:
		break;   /* never programmed: ignored */
	}
}

static u8 pit_read_data(struct pit *pit, struct pit_channel *ch, u64 now)
{
	u16 c;
	u8 b;

	if (ch->status_latched) {
		ch->status_latched = false;
		return ch->status;
	}
	if (ch->latch_len) {
		b = ch->latch[ch->latch_pos++];
		if (ch->latch_pos >= ch->latch_len)
			ch->latch_len = ch->latch_pos = 0;
		return b;
	}
	c = ch_count_at(ch, ch_ticks(pit, ch, now));
	switch (ch->rw) {
	case PIT_RW_MSB:
		return c >> 8;
	case PIT_RW_WORD:
		ch->read_msb = !ch->read_msb;
		return ch->read_msb ? (c & 0xff) : (c >> 8);
	default:
		return c & 0xff;
	}
}

static int pit_pio(void *opaque, unsigned vcpu_id, u16 port, unsigned size, bool in, u32 *val)
{
	struct pit *pit = opaque;
	u64 now = clock_now();
	unsigned idx = port - PIT_PORT_BASE;

	(void)vcpu_id;
	(void)size;
	spin_lock(&pit->lock);
	if (in)
		*val = idx < PIT_NR_CHANNELS ? pit_read_data(pit, &pit->ch[idx], now) : 0xff;
	else if (idx < PIT_NR_CHANNELS)
		pit_write_data(pit, &pit->ch[idx], (u8)*val, now);
	else
		pit_write_control(pit, (u8)*val, now);
	spin_unlock(&pit->lock);
	return 0;
}

static int pit_sysctl_pio(void *opaque, unsigned vcpu_id, u16 port, unsigned size, bool in,
			  u32 *val)
{
	struct pit *pit = opaque;
	struct pit_channel *ch2 = &pit->ch[PIT_CHANNEL_SPEAKER];
	u64 now = clock_now();
	u64 refresh;

	(void)vcpu_id;
	(void)port;
	(void)size;
	spin_lock(&pit->lock);
	if (in) {
		refresh = clock_scale(now - pit->created, PIT_HZ, pit->tsc_hz) / SYSCTL_REFRESH_TICKS;
		*val = pit->sysctl | ((refresh & 1) ? SYSCTL_REFRESH : 0) |
		       (ch_out_at(ch2, ch_ticks(pit, ch2, now)) ? SYSCTL_OUT2 : 0);
	} else {
		pit->sysctl = (u8)*val & SYSCTL_WRITABLE;
		ch_set_gate(pit, ch2, pit->sysctl & SYSCTL_GATE2, now);
	}
	spin_unlock(&pit->lock);
	return 0;
}

/* ------------------------------------------------------------ deadlines */

static struct pit *pit_of(struct vm *vm)
{
	unsigned id = vm_id(vm);
	struct pit *pit = NULL;

	if (id >= CONFIG_MAX_VMS)
		return NULL;
	spin_lock(&pits_lock);
	pit = pits[id];
	spin_unlock(&pits_lock);
	return pit;
}

static u64 ch0_deadline(const struct pit *pit)
{
	const struct pit_channel *ch = &pit->ch[0];

	if (!ch->running || !ch->next_edge)
		return 0;
	if (ch->next_edge <= ch->base)
		return ch->start ? ch->start : 1;
	return ch->start + clock_scale_up(ch->next_edge - ch->base, pit->tsc_hz, PIT_HZ);
}

u64 pit_next_deadline(struct vm *vm)
{
	struct pit *pit = pit_of(vm);
	u64 d;

	if (!pit)
		return 0;
	spin_lock(&pit->lock);
	d = ch0_deadline(pit);
	spin_unlock(&pit->lock);
	return d;
}

/* The first period end after t, at least PIT_MIN_EDGE_TICKS away. */
static u64 next_period_edge(u64 t, u64 period)
{
	if (period >= PIT_MIN_EDGE_TICKS)
		return (t / period + 1) * period;
	return (t + PIT_MIN_EDGE_TICKS + period - 1) / period * period;
}

void pit_check(struct vm *vm, u64 now)
{
	struct pit *pit = pit_of(vm);
	struct pit_channel *ch;
	u64 d, t;

	if (!pit)
		return;
	spin_lock(&pit->lock);
	ch = &pit->ch[0];
	d = ch0_deadline(pit);
	if (d && now >= d) {
		t = ch_ticks(pit, ch, now);
		/* one edge however many periods passed: missed ones coalesce */
		ch->next_edge = is_periodic(ch) ? next_period_edge(t, ch->reload) : 0;
		set_irq(pit->vm, pit->source_id, PIT_GSI, 1);
		set_irq(pit->vm, pit->source_id, PIT_GSI, 0);
	}
	spin_unlock(&pit->lock);
}

/* ------------------------------------------------------------ life cycle */

static int pit_publish(struct pit *pit, unsigned id)
{
	int ret = 0;

	spin_lock(&pits_lock);
	if (pits[id])
		ret = -TERN_EBUSY;
	else
		pits[id] = pit;
	spin_unlock(&pits_lock);
	return ret;
}

static int pit_register(struct vm *vm, struct pit *pit)
{
	int ret = pio_register(vm, PIT_PORT_BASE, PIT_NR_PORTS, pit_pio, pit);

	if (ret < 0)
		return ret;
	return pio_register(vm, PIT_PORT_SYSCTL, 1, pit_sysctl_pio, pit);
}

int pit_create(struct vm *vm, struct pit **out)
{
	unsigned id = vm_id(vm);
	struct pit *pit;
	int ret;

	if (id >= CONFIG_MAX_VMS || !clock_tsc_khz())
		return -TERN_EINVAL;
	pit = kzalloc(sizeof(*pit));
	if (!pit)
		return -TERN_ENOMEM;
	spin_lock_init(&pit->lock);
	pit->vm = vm;
	pit->tsc_hz = clock_tsc_hz(clock_tsc_khz());
	pit->created = clock_now();
	for (unsigned i = 0; i < PIT_NR_CHANNELS; i++) {
		pit->ch[i].rw = PIT_RW_WORD;
		pit->ch[i].gate = i != PIT_CHANNEL_SPEAKER;   /* channels 0 and 1: tied high */
	}
	ret = irq_source_alloc(vm);
	if (ret < 0) {
		kfree(pit);
		return ret;
	}
	pit->source_id = (unsigned)ret;
	ret = pit_publish(pit, id);
	if (ret == 0)
		ret = pit_register(vm, pit);
	if (ret < 0) {
		pit_destroy(pit);
		return ret;
	}
	*out = pit;
	return 0;
}

void pit_destroy(struct pit *pit)
{
	unsigned id;

	if (!pit)
		return;
	id = vm_id(pit->vm);
	spin_lock(&pits_lock);
	if (id < CONFIG_MAX_VMS && pits[id] == pit)
		pits[id] = NULL;
	spin_unlock(&pits_lock);
	irq_source_free(pit->vm, pit->source_id);
	kfree(pit);
}
