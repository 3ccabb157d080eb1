/* SPDX-License-Identifier: MIT */
/*
 * Virtual local APIC: register state, acceptance, priority, EOI, timer.
 * Destination selection lives in irq/lapic_deliver.c. Design: docs/irq-lapic.md.
 *
 * The registers live in a 4 KiB page in the architectural xAPIC layout so
 * that the page can double as the CPU's virtual-APIC page. Everything that
 * has an architectural slot is kept there, always current (PPR too); only
 * APR and the current count are computed on read.
 *
 * Locking: v->lock guards every register write and the timer. IRR and TMR
 * words are additionally changed with atomic RMWs because, with
 * virtual-interrupt delivery, the CPU clears IRR bits in the same words
 * while the guest runs. The lock is never held while calling into another
 * model (vioapic_eoi, lapic_deliver); vcpu_kick may be called under it.
 */
#include "irq/vlapic.h"
#include "irq/vioapic.h"
#include "kernel/clock.h"
#include "kernel/limits.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/lib/atomic.h"
#include "kernel/lib/format.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/string.h"
#include "kernel/trace.h"
#include "kernel/vm.h"

#define NR_VECTORS            256
#define VECTOR_WORDS          8            /* 32-bit words per IRR/ISR/TMR */
#define REG_STRIDE            16           /* bytes between registers */
#define FIRST_LEGAL_VECTOR    16           /* 0-15 are reserved for exceptions */
#define PRIO_CLASS(v)         ((unsigned)(v) >> 4)

#define APIC_ID_XAPIC_SHIFT   24
#define APIC_LDR_XAPIC_SHIFT  24
#define APIC_LDR_XAPIC_MASK   0xff000000u
#define APIC_DFR_MODEL_MASK   0xf0000000u
#define APIC_DFR_MODEL_SHIFT  28
#define APIC_DFR_MODEL_CLUSTER 0x0u
#define APIC_ICR_HI_XAPIC_MASK 0xff000000u
#define APIC_TPR_MASK         0xffu
#define APIC_TDCR_MASK        0xbu         /* bits 0, 1 and 3 */
#define APIC_TDCR_HIGH_BIT    BIT(3)
#define APIC_TDCR_LOW_BITS    0x3u
#define APIC_SELF_IPI_VECTOR  0xffu

/* x2APIC logical ID: cluster in 31:16, one bit of 16 in 15:0. */
#define X2APIC_LDR_CLUSTER_SHIFT 16
#define X2APIC_CLUSTER_SIZE_LOG2 4
#define X2APIC_LDR_BITS_MASK  0xffffu

/* Bits software may write, per register (the rest read as 0, or 1 for DFR). */
#define SVR_WRITABLE          (APIC_SVR_VECTOR | APIC_SVR_ENABLE | APIC_SVR_FOCUS_DISABLE)
#define LVT_TIMER_WRITABLE    (APIC_LVT_VECTOR | APIC_LVT_MASKED | APIC_LVT_TIMER_MASK)
#define LVT_DM_WRITABLE       (APIC_LVT_VECTOR | APIC_LVT_DM_MASK | APIC_LVT_MASKED)
#define LVT_LINT_WRITABLE     (LVT_DM_WRITABLE | APIC_LVT_POLARITY | APIC_LVT_LEVEL)
#define LVT_ERROR_WRITABLE    (APIC_LVT_VECTOR | APIC_LVT_MASKED)
#define ICR_LO_WRITABLE       (APIC_ICR_VECTOR | APIC_ICR_DM_MASK | APIC_ICR_DEST_LOGICAL | \
			       APIC_ICR_ASSERT | APIC_ICR_LEVEL | APIC_ICR_SH_MASK)
#define APIC_BASE_ADDR_MASK   0x000ffffffffff000ull
#define APIC_BASE_RESERVED    (~(APIC_BASE_ADDR_MASK | APIC_BASE_BSP | APIC_BASE_EXTD | APIC_BASE_EN))
#define X2APIC_MSR_HIGH_MASK  0xffffffff00000000ull

#define LVT_RESET_VALUE       APIC_LVT_MASKED
#define SVR_RESET_VALUE       0xffu

struct vlapic {
	spinlock_t lock;
	struct vm *vm;
	unsigned vcpu_id;
	u8 *regs;                 /* the register page */
	u64 apic_base;            /* IA32_APIC_BASE */
	bool apicv;               /* virtual-interrupt delivery in use */
	u32 esr_pending;          /* errors seen since the last ESR write */
	u32 tmr_gen;              /* bumped whenever a TMR bit changes (the EOI-exit bitmap) */
	unsigned events;          /* VLAPIC_EV_*, set atomically */
	u8 sipi_vector;

	/* Timer: the bus clock is the TSC; see docs/irq-lapic.md. */
	u64 timer_deadline;       /* absolute TSC of the next expiry, 0 = disarmed */
	u64 timer_period;         /* TSC ticks per period (initial count x divider) */
	u64 tsc_deadline;         /* IA32_TSC_DEADLINE as the guest reads it */

	/* Statistics for vlapic_dump. */
	u64 timer_fires;
	u64 smi_ignored;
	u64 fixed_dropped;        /* fixed interrupts to a disabled APIC */
};

/* What a register write asks for once the lock is dropped. */
struct reg_effects {
	bool send_ipi;
	struct lapic_irq ipi;
	int eoi_vector;           /* level vector to forward to the vIOAPIC, or -1 */
};

/* ------------------------------------------------------------ lookup and raw access */

static struct vlapic *vlapic_get(struct vm *vm, unsigned vcpu_id)
{
	if (!vm || vcpu_id >= TERN_MAX_VCPUS)
		return NULL;
	return load_acquire(&vm_irq(vm)->vlapic[vcpu_id]);
}

static u32 *reg_ptr(struct vlapic *v, unsigned off)
{
	return (u32 *)(v->regs + off);
}

static u32 reg_get(struct vlapic *v, unsigned off)
{
	return READ_ONCE(*reg_ptr(v, off));
}

static void reg_put(struct vlapic *v, unsigned off, u32 val)
{
	WRITE_ONCE(*reg_ptr(v, off), val);
}

static unsigned vec_reg(unsigned base, u8 vector)
{
	return base + (vector / 32u) * REG_STRIDE;
}

static bool vec_test(struct vlapic *v, unsigned base, u8 vector)
{
	return (reg_get(v, vec_reg(base, vector)) >> (vector % 32u)) & 1;
}

/* Atomic because the CPU edits IRR/ISR words itself under APICv. Returns the old bit. */
static bool vec_set(struct vlapic *v, unsigned base, u8 vector)
{
	u32 bit = BIT(vector % 32u);

	return (atomic_or(reg_ptr(v, vec_reg(base, vector)), bit) & bit) != 0;
}

static bool vec_clear(struct vlapic *v, unsigned base, u8 vector)
{
	u32 bit = BIT(vector % 32u);

	return (atomic_and(reg_ptr(v, vec_reg(base, vector)), ~bit) & bit) != 0;
}

/*
 * Lock held: TMR bit of vector <- level; true when it changed. tmr_gen
 * moves only then, so APICv rewrites the EOI-exit bitmap only then, and
 * an edge vector that was edge already (the common case) costs no RMW.
 * Inline: every accepted interrupt runs it, mostly for one test.
 */
static ALWAYS_INLINE bool tmr_update(struct vlapic *v, u8 vector, bool level)
{
	if (vec_test(v, APIC_REG_TMR, vector) == level)
		return false;
	if (level)
		vec_set(v, APIC_REG_TMR, vector);
	else
		vec_clear(v, APIC_REG_TMR, vector);
	WRITE_ONCE(v->tmr_gen, v->tmr_gen + 1);
	return true;
}

/*
 * Highest vector set in the 256-bit register at base, or -1. Every
 * interrupt scans IRR and ISR (PPR, RVI/SVI), so the loop is unrolled:
 * a load, a test and a branch per word instead of three times that.
 */
static int vec_highest(struct vlapic *v, unsigned base)
{
#pragma GCC unroll 8
	for (int w = VECTOR_WORDS - 1; w >= 0; w--) {
		u32 bits = reg_get(v, base + (unsigned)w * REG_STRIDE);

		if (bits)
			return w * 32 + 31 - __builtin_clz(bits);
	}
	return -1;
}

/* ------------------------------------------------------------ state predicates */

static bool hw_enabled(struct vlapic *v)
{
	return READ_ONCE(v->apic_base) & APIC_BASE_EN;
}

static bool x2apic(struct vlapic *v)
{
	return (READ_ONCE(v->apic_base) & (APIC_BASE_EN | APIC_BASE_EXTD)) ==
	       (APIC_BASE_EN | APIC_BASE_EXTD);
}

static bool sw_enabled(struct vlapic *v)
{
	return hw_enabled(v) && (reg_get(v, APIC_REG_SVR) & APIC_SVR_ENABLE);
}

static unsigned timer_mode(struct vlapic *v)
{
	return (reg_get(v, APIC_REG_LVT_TIMER) & APIC_LVT_TIMER_MASK) >> APIC_LVT_TIMER_SHIFT;
}

static u32 x2apic_ldr(unsigned id)
{
	return ((id >> X2APIC_CLUSTER_SIZE_LOG2) << X2APIC_LDR_CLUSTER_SHIFT) |
	       BIT(id & ((1u << X2APIC_CLUSTER_SIZE_LOG2) - 1));
}

/* ------------------------------------------------------------ priorities */

/* PPR per SDM 10.8.3.1 for highest in-service vector isrv (-1: none): TPR if its class is not below. */
static u8 ppr_of(struct vlapic *v, int isrv)
{
	u8 tpr = reg_get(v, APIC_REG_TPR) & APIC_TPR_MASK;
	u8 isr_class = isrv < 0 ? 0 : (u8)(isrv & 0xf0);

	return PRIO_CLASS(tpr) >= PRIO_CLASS(isr_class) ? tpr : isr_class;
}

static u8 compute_ppr(struct vlapic *v)
{
	return ppr_of(v, vec_highest(v, APIC_REG_ISR));
}

static u8 update_ppr(struct vlapic *v)
{
	u8 ppr = compute_ppr(v);

	reg_put(v, APIC_REG_PPR, ppr);
	return ppr;
}

/* APR per SDM 10.8.3.1 (arbitration priority; read-only, computed on read). */
static u32 compute_apr(struct vlapic *v)
{
	u8 tpr = reg_get(v, APIC_REG_TPR) & APIC_TPR_MASK;
	int isrv = vec_highest(v, APIC_REG_ISR);
	int irrv = vec_highest(v, APIC_REG_IRR);
	unsigned isr_class = isrv < 0 ? 0 : PRIO_CLASS(isrv);
	unsigned irr_class = irrv < 0 ? 0 : PRIO_CLASS(irrv);

	if (PRIO_CLASS(tpr) >= irr_class && PRIO_CLASS(tpr) > isr_class)
		return tpr;
	return MAX(PRIO_CLASS(tpr), MAX(isr_class, irr_class)) << 4;
}

/* ------------------------------------------------------------ errors and acceptance */

/* Latch an error; the LVT error entry interrupts if unmasked with a legal vector. */
static void raise_error(struct vlapic *v, u32 esr_bit)
{
	u32 lvt = reg_get(v, APIC_REG_LVT_ERROR);
	u8 vector = lvt & APIC_LVT_VECTOR;

	v->esr_pending |= esr_bit;
	if ((lvt & APIC_LVT_MASKED) || vector < FIRST_LEGAL_VECTOR)
		return;   /* an illegal error vector would only raise another error */
	tmr_update(v, vector, false);
	if (!vec_set(v, APIC_REG_IRR, vector))
		vcpu_kick(v->vm, v->vcpu_id);
}

/*
 * Lock held. IRR <- vector, TMR <- level; true when newly pending. Inline:
 * it is the body of every MSI, IOAPIC and IPI acceptance (one frame fewer).
 */
static ALWAYS_INLINE bool accept_fixed(struct vlapic *v, u8 vector, bool level)
{
	bool tmr_changed;

	if (vector < FIRST_LEGAL_VECTOR) {
		raise_error(v, APIC_ESR_RECV_ILLEGAL);
		return false;
	}
	if (!sw_enabled(v)) {
		/* SDM 10.4.7.2: a disabled APIC answers only INIT/NMI/SMI/SIPI. */
		v->fixed_dropped++;
		return false;
	}
	tmr_changed = tmr_update(v, vector, level);
	if (vec_set(v, APIC_REG_IRR, vector)) {
		if (tmr_changed)   /* coalesced, but its EOI must now exit (or no longer) */
			vcpu_kick(v->vm, v->vcpu_id);
		return false;
	}
	TRACE(TR_LAPIC_ACCEPT, v->vm, v->vcpu_id, vector, level, LAPIC_DM_FIXED, 0);
	if (tmr_changed)
		vcpu_kick(v->vm, v->vcpu_id);   /* the EOI-exit bitmap moves too */
	else
		vcpu_kick_irr(v->vm, v->vcpu_id, vector);
	return true;
}

/* Lock held: an LVT source fires (timer, error...); edge, honours the mask. */
static void lvt_fire(struct vlapic *v, unsigned lvt_reg)
{
	u32 lvt = reg_get(v, lvt_reg);

	if (!(lvt & APIC_LVT_MASKED))
		accept_fixed(v, lvt & APIC_LVT_VECTOR, false);
}

static void post_event(struct vlapic *v, unsigned ev)
{
	atomic_or(&v->events, ev);
	vcpu_kick(v->vm, v->vcpu_id);
}

/* ------------------------------------------------------------ timer */

/* TDCR bits 3,1:0 form a 3-bit value n; the divider is 2^(n+1), 0b111 meaning 1. */
static u64 timer_divider(struct vlapic *v)
{
	u32 dcr = reg_get(v, APIC_REG_TDCR);
	unsigned n = ((dcr & APIC_TDCR_HIGH_BIT) >> 1) | (dcr & APIC_TDCR_LOW_BITS);

	return 1ull << ((n + 1) & 7);
}

static void timer_disarm(struct vlapic *v)
{
	v->timer_deadline = 0;
	v->timer_period = 0;
}

/*
 * The period of the count-down: initial count x divider, but a periodic
 * timer never faster than LIMIT_LAPIC_PERIOD_MIN_US, or a tiny count
 * makes every VM entry exit at once for the timer and the vCPU never
 * runs another instruction (docs/security.md). One-shot counts are kept.
 */
u32 vlapic_period_floor_us = LIMIT_LAPIC_PERIOD_MIN_US;

static u64 timer_period_of(struct vlapic *v, u32 count)
{
	u64 period = (u64)count * timer_divider(v);
	u64 floor = clock_tsc_khz() * READ_ONCE(vlapic_period_floor_us) / 1000;

	if (timer_mode(v) == APIC_TIMER_PERIODIC && count && period < floor)
		return floor;
	return period;
}

/* (Re)start the count-down from the initial count at time now. */
static void timer_start(struct vlapic *v, u64 now)
{
	u32 count = reg_get(v, APIC_REG_TMICT);

	timer_disarm(v);
	if (count == 0 || timer_mode(v) == APIC_TIMER_TSC_DEADLINE)
		return;
	v->timer_period = timer_period_of(v, count);
	v->timer_deadline = now + v->timer_period;
}

/* Ticks left until the counter reaches zero; callers ran timer_expire(now) first. */
static u64 timer_remaining(struct vlapic *v, u64 now)
{
	if (!v->timer_deadline || timer_mode(v) == APIC_TIMER_TSC_DEADLINE ||
	    now >= v->timer_deadline)
		return 0;
	return v->timer_deadline - now;
}

static u32 timer_current_count(struct vlapic *v, u64 now)
{
	u64 div = timer_divider(v);

	return (u32)((timer_remaining(v, now) + div - 1) / div);
}

/* Lock held: fire if expired at now; periodic reloads from the old deadline. */
static void timer_expire(struct vlapic *v, u64 now)
{
	if (!v->timer_deadline || now < v->timer_deadline)
		return;
	v->timer_fires++;
	lvt_fire(v, APIC_REG_LVT_TIMER);
	if (timer_mode(v) == APIC_TIMER_PERIODIC && v->timer_period) {
		v->timer_deadline += v->timer_period;
		if (v->timer_deadline <= now)   /* missed periods coalesce into this one */
			v->timer_deadline += ((now - v->timer_deadline) / v->timer_period + 1) *
					     v->timer_period;
		return;
	}
	timer_disarm(v);
	v->tsc_deadline = 0;
}

/* A new divider keeps the counts left and changes only their rate. */
static void timer_set_divider(struct vlapic *v, u32 dcr, u64 now)
{
	u32 left = timer_current_count(v, now);
	bool armed = v->timer_deadline != 0;

	reg_put(v, APIC_REG_TDCR, dcr & APIC_TDCR_MASK);
	if (!armed)
		return;
	v->timer_period = timer_period_of(v, reg_get(v, APIC_REG_TMICT));
	v->timer_deadline = now + (u64)left * timer_divider(v);
	if (left == 0)
		v->timer_deadline = now;
}

static void timer_write_lvt(struct vlapic *v, u32 val)
{
	unsigned old_mode = timer_mode(v);

	reg_put(v, APIC_REG_LVT_TIMER, val);
	if (timer_mode(v) != old_mode) {   /* SDM 10.5.4.1: a mode change disarms */
		timer_disarm(v);
		v->tsc_deadline = 0;
	}
}

static void timer_write_tsc_deadline(struct vlapic *v, u64 val, u64 now)
{
	if (timer_mode(v) != APIC_TIMER_TSC_DEADLINE)
		return;   /* ignored outside TSC-deadline mode */
	v->tsc_deadline = val;
	v->timer_deadline = val;
	v->timer_period = 0;
	timer_expire(v, now);   /* a deadline already passed fires at once */
}

/* ------------------------------------------------------------ reset */

static void regs_power_on(struct vlapic *v)
{
	static const unsigned lvts[] = {
		APIC_REG_LVT_CMCI, APIC_REG_LVT_TIMER, APIC_REG_LVT_THERMAL,
		APIC_REG_LVT_PERF, APIC_REG_LVT_LINT0, APIC_REG_LVT_LINT1, APIC_REG_LVT_ERROR,
	};

	memset(v->regs, 0, PAGE_SIZE);
	WRITE_ONCE(v->tmr_gen, v->tmr_gen + 1);   /* TMR cleared with the rest */
	reg_put(v, APIC_REG_ID, v->vcpu_id << APIC_ID_XAPIC_SHIFT);
	reg_put(v, APIC_REG_LVR, APIC_VERSION_VALUE);
	reg_put(v, APIC_REG_DFR, APIC_DFR_FLAT);
	reg_put(v, APIC_REG_SVR, SVR_RESET_VALUE);
	for (unsigned i = 0; i < ARRAY_SIZE(lvts); i++)
		reg_put(v, lvts[i], LVT_RESET_VALUE);
	v->esr_pending = 0;
	timer_disarm(v);
	v->tsc_deadline = 0;
}

/* Registers as x2APIC mode has them: 32-bit ID, LDR derived from it. */
static void regs_enter_x2apic(struct vlapic *v)
{
	reg_put(v, APIC_REG_ID, v->vcpu_id);
	reg_put(v, APIC_REG_LDR, x2apic_ldr(v->vcpu_id));
}

static void reset_locked(struct vlapic *v, bool init)
{
	if (!init) {
		v->apic_base = APIC_DEFAULT_BASE | APIC_BASE_EN |
			       (v->vcpu_id == 0 ? APIC_BASE_BSP : 0);
		WRITE_ONCE(v->events, 0);
		v->sipi_vector = 0;
	}
	regs_power_on(v);
	if (x2apic(v))
		regs_enter_x2apic(v);
}

/* ------------------------------------------------------------ lifetime */

int vlapic_create(struct vm *vm, unsigned vcpu_id)
{
	struct vm_irq *irq = vm_irq(vm);
	struct vlapic *v;

	if (vcpu_id >= TERN_MAX_VCPUS || vcpu_id >= irq->nr_vcpus)
		return -TERN_EINVAL;
	if (load_acquire(&irq->vlapic[vcpu_id]))
		return -TERN_EEXIST;
	v = kzalloc(sizeof(*v));
	if (!v)
		return -TERN_ENOMEM;
	v->regs = page_alloc(0);
	if (!v->regs) {
		kfree(v);
		return -TERN_ENOMEM;
	}
	spin_lock_init(&v->lock);
	v->vm = vm;
	v->vcpu_id = vcpu_id;
	reset_locked(v, false);
	store_release(&irq->vlapic[vcpu_id], v);
	return 0;
}

void vlapic_destroy(struct vm *vm, unsigned vcpu_id)
{
	struct vlapic *v = vlapic_get(vm, vcpu_id);

	if (!v)
		return;
	store_release(&vm_irq(vm)->vlapic[vcpu_id], (struct vlapic *)NULL);
	page_free(v->regs, 0);
	kfree(v);
}

void vlapic_reset(struct vm *vm, unsigned vcpu_id, bool init)
{
	struct vlapic *v = vlapic_get(vm, vcpu_id);

	if (!v)
		return;
	spin_lock(&v->lock);
	reset_locked(v, init);
	spin_unlock(&v->lock);
}

/* ------------------------------------------------------------ APIC virtualization */

void *vlapic_regs_page(struct vm *vm, unsigned vcpu_id)
{
	struct vlapic *v = vlapic_get(vm, vcpu_id);

	return v ? v->regs : NULL;
}

void vlapic_set_apicv(struct vm *vm, unsigned vcpu_id, bool on)
{
	struct vlapic *v = vlapic_get(vm, vcpu_id);

	if (v)
		WRITE_ONCE(v->apicv, on);
}

bool vlapic_apicv(struct vm *vm, unsigned vcpu_id)
{
	struct vlapic *v = vlapic_get(vm, vcpu_id);

	return v && READ_ONCE(v->apicv);
}

void vlapic_eoi_exit_bitmap(struct vm *vm, unsigned vcpu_id, u64 bitmap[4])
{
	struct vlapic *v = vlapic_get(vm, vcpu_id);

	for (unsigned i = 0; i < 4; i++) {
		u64 lo = v ? reg_get(v, APIC_REG_TMR + 2 * i * REG_STRIDE) : 0;
		u64 hi = v ? reg_get(v, APIC_REG_TMR + (2 * i + 1) * REG_STRIDE) : 0;

		bitmap[i] = lo | (hi << 32);
	}
}

int vlapic_highest_irr(struct vm *vm, unsigned vcpu_id)
{
	struct vlapic *v = vlapic_get(vm, vcpu_id);

	return v ? vec_highest(v, APIC_REG_IRR) : -1;
}

int vlapic_highest_isr(struct vm *vm, unsigned vcpu_id)
{
	struct vlapic *v = vlapic_get(vm, vcpu_id);

	return v ? vec_highest(v, APIC_REG_ISR) : -1;
}

void vlapic_apicv_state(struct vm *vm, unsigned vcpu_id, struct vlapic_apicv_state *st)
{
	struct vlapic *v = vlapic_get(vm, vcpu_id);
	u64 base;

	if (!v) {
		*st = (struct vlapic_apicv_state){ .irr = -1, .isr = -1 };
		return;
	}
	base = READ_ONCE(v->apic_base);
	st->base = base & APIC_BASE_ADDR_MASK;
	st->enabled = base & APIC_BASE_EN;
	st->x2apic = st->enabled && (base & APIC_BASE_EXTD);
	st->irr = vec_highest(v, APIC_REG_IRR);
	st->isr = vec_highest(v, APIC_REG_ISR);
	st->lvt_timer = reg_get(v, APIC_REG_LVT_TIMER);
	st->tmr_gen = READ_ONCE(v->tmr_gen);
}

/* ------------------------------------------------------------ EOI */

/* Lock held: a vector above PPR waits in IRR (what vlapic_pending_vector would return). */
static bool deliverable_pending(struct vlapic *v)
{
	int vector = vec_highest(v, APIC_REG_IRR);

	return vector >= 0 && PRIO_CLASS(vector) > PRIO_CLASS(reg_get(v, APIC_REG_PPR));
}

/*
 * Lock held: retire the highest in-service vector; returns it if level
 * (for the vIOAPIC, after unlocking), else -1. The vCPU is kicked only when
 * the lower PPR lets a pending vector through, or when APIC
 * virtualization's SVI must follow the ISR: most EOIs change nothing the
 * next entry would have to act on.
 */
static ALWAYS_INLINE int eoi_locked(struct vlapic *v)
{
	int vector = vec_highest(v, APIC_REG_ISR);
	bool level;

	if (vector < 0)
		return -1;
	vec_clear(v, APIC_REG_ISR, (u8)vector);
	update_ppr(v);
	level = vec_test(v, APIC_REG_TMR, (u8)vector);
	TRACE(TR_EOI, v->vm, v->vcpu_id, vector, level, 0, 0);
	if (v->apicv || deliverable_pending(v))
		vcpu_kick(v->vm, v->vcpu_id);
	return level ? vector : -1;
}

static void forward_eoi(struct vlapic *v, int vector)
{
	if (vector >= 0)
		vioapic_eoi(v->vm, (u8)vector);
}

int vlapic_x2apic_eoi(struct vm *vm, unsigned vcpu_id, u64 val)
{
	struct vlapic *v = vlapic_get(vm, vcpu_id);
	int level_vector;

	if (!v)
		return -TERN_EINVAL;
	spin_lock(&v->lock);
	if (!x2apic(v) || val) {
		spin_unlock(&v->lock);
		return -TERN_EINVAL;
	}
	level_vector = eoi_locked(v);
	spin_unlock(&v->lock);
	forward_eoi(v, level_vector);
	return 0;
}

void vlapic_eoi_virtualized(struct vm *vm, unsigned vcpu_id, u8 vector)
{
	struct vlapic *v = vlapic_get(vm, vcpu_id);
	bool level;

	if (!v)
		return;
	spin_lock(&v->lock);
	vec_clear(v, APIC_REG_ISR, vector);   /* the CPU did already; keep the page exact */
	update_ppr(v);
	level = vec_test(v, APIC_REG_TMR, vector);
	spin_unlock(&v->lock);
	TRACE(TR_EOI, vm, vcpu_id, vector, level, 1, 0);
	if (level)
		vioapic_eoi(vm, vector);
}

/* ------------------------------------------------------------ IPIs */

/* Turn an ICR value (low word, destination already in place) into a message. */
static void icr_to_irq(struct vlapic *v, u32 lo, u32 dest, struct lapic_irq *irq)
{
	irq->dest = dest;
	irq->vector = lo & APIC_ICR_VECTOR;
	irq->delivery_mode = (lo & APIC_ICR_DM_MASK) >> APIC_ICR_DM_SHIFT;
	irq->shorthand = (lo & APIC_ICR_SH_MASK) >> APIC_ICR_SH_SHIFT;
	irq->dest_logical = lo & APIC_ICR_DEST_LOGICAL;
	irq->level_trigger = lo & APIC_ICR_LEVEL;
	irq->assert = lo & APIC_ICR_ASSERT;
	irq->src_vcpu = (int)v->vcpu_id;
}

/* Lock held: latch ICR and prepare the send; the send happens unlocked. */
static void icr_send(struct vlapic *v, u32 lo, u32 dest, struct reg_effects *fx)
{
	reg_put(v, APIC_REG_ICR_LO, lo & ICR_LO_WRITABLE);
	icr_to_irq(v, lo, dest, &fx->ipi);
	fx->send_ipi = true;
	if ((fx->ipi.delivery_mode == LAPIC_DM_FIXED || fx->ipi.delivery_mode == LAPIC_DM_LOWEST) &&
	    fx->ipi.vector < FIRST_LEGAL_VECTOR)
		raise_error(v, APIC_ESR_SEND_ILLEGAL);
}

static ALWAYS_INLINE void apply_effects(struct vlapic *v, const struct reg_effects *fx)
{
	forward_eoi(v, fx->eoi_vector);
	if (fx->send_ipi) {
		TRACE(TR_IPI, v->vm, v->vcpu_id, fx->ipi.vector, fx->ipi.delivery_mode, fx->ipi.dest,
		      fx->ipi.shorthand);
		lapic_deliver(v->vm, &fx->ipi);
	}
}

/* ------------------------------------------------------------ register reads */

/*
 * Lock held. Read register off in the current mode. Returns 0, or
 * -TERN_EINVAL when the register does not exist (or is write-only) in it.
 */
static int reg_read(struct vlapic *v, unsigned off, u32 *out)
{
	bool x2 = x2apic(v);

	switch (off) {
	case APIC_REG_ID: case APIC_REG_LVR: case APIC_REG_TPR: case APIC_REG_PPR:
	case APIC_REG_LDR: case APIC_REG_SVR: case APIC_REG_ESR: case APIC_REG_ICR_LO:
	case APIC_REG_LVT_CMCI: case APIC_REG_LVT_TIMER: case APIC_REG_LVT_THERMAL:
	case APIC_REG_LVT_PERF: case APIC_REG_LVT_LINT0: case APIC_REG_LVT_LINT1:
	case APIC_REG_LVT_ERROR: case APIC_REG_TMICT: case APIC_REG_TDCR:
		*out = reg_get(v, off);
		return 0;
	case APIC_REG_APR:
		*out = compute_apr(v);
		return x2 ? -TERN_EINVAL : 0;
	case APIC_REG_EOI:
		*out = 0;
		return x2 ? -TERN_EINVAL : 0;
	case APIC_REG_RRD:
	case APIC_REG_ICR_HI:
	case APIC_REG_DFR:
		*out = reg_get(v, off);
		return x2 ? -TERN_EINVAL : 0;
	case APIC_REG_TMCCT:
		*out = timer_current_count(v, clock_now());
		return 0;
	case APIC_REG_ISR ... APIC_REG_IRR + 7 * REG_STRIDE:
		*out = reg_get(v, off);
		return 0;
	default:   /* SELF_IPI is write-only; everything else is reserved */
		*out = 0;
		return -TERN_EINVAL;
	}
}

/* ------------------------------------------------------------ register writes */

/* x2APIC raises #GP on reserved bits; xAPIC drops them. */
static int check_reserved(bool x2, u32 val, u32 writable)
{
	return (x2 && (val & ~writable)) ? -TERN_EINVAL : 0;
}

static int write_lvt(struct vlapic *v, unsigned off, u32 val, u32 writable, bool x2)
{
	int err = check_reserved(x2, val, writable);

	if (err)
		return err;
	val &= writable;
	if (!sw_enabled(v))
		val |= APIC_LVT_MASKED;   /* masks stay set while software-disabled */
	if (off == APIC_REG_LVT_TIMER) {
		if (((val & APIC_LVT_TIMER_MASK) >> APIC_LVT_TIMER_SHIFT) > APIC_TIMER_TSC_DEADLINE)
			return x2 ? -TERN_EINVAL : 0;   /* mode 0b11 is reserved */
		timer_write_lvt(v, val);
		return 0;
	}
	reg_put(v, off, val);
	return 0;
}

static void mask_all_lvts(struct vlapic *v)
{
	for (unsigned off = APIC_REG_LVT_TIMER; off <= APIC_REG_LVT_ERROR; off += REG_STRIDE)
		reg_put(v, off, reg_get(v, off) | APIC_LVT_MASKED);
	reg_put(v, APIC_REG_LVT_CMCI, reg_get(v, APIC_REG_LVT_CMCI) | APIC_LVT_MASKED);
}

static int write_svr(struct vlapic *v, u32 val, bool x2)
{
	int err = check_reserved(x2, val, SVR_WRITABLE);

	if (err)
		return err;
	reg_put(v, APIC_REG_SVR, val & SVR_WRITABLE);
	if (!(val & APIC_SVR_ENABLE))
		mask_all_lvts(v);
	return 0;
}

static int write_esr(struct vlapic *v, u32 val, bool x2)
{
	if (x2 && val)
		return -TERN_EINVAL;
	/* the write latches what was seen since the previous write */
	reg_put(v, APIC_REG_ESR, v->esr_pending);
	v->esr_pending = 0;
	return 0;
}

static int write_tpr(struct vlapic *v, u32 val, bool x2)
{
	int err = check_reserved(x2, val, APIC_TPR_MASK);

	if (err)
		return err;
	reg_put(v, APIC_REG_TPR, val & APIC_TPR_MASK);
	update_ppr(v);
	return 0;
}

static int write_tmict(struct vlapic *v, u32 val)
{
	if (timer_mode(v) == APIC_TIMER_TSC_DEADLINE)
		return 0;   /* ignored in TSC-deadline mode */
	reg_put(v, APIC_REG_TMICT, val);
	timer_start(v, clock_now());
	return 0;
}

/* xAPIC-only registers: ICR high, LDR, DFR (x2APIC: #GP). */
static int write_xapic_only(struct vlapic *v, unsigned off, u32 val, bool x2)
{
	if (x2)
		return -TERN_EINVAL;
	switch (off) {
	case APIC_REG_ICR_HI:
		reg_put(v, off, val & APIC_ICR_HI_XAPIC_MASK);
		break;
	case APIC_REG_LDR:
		reg_put(v, off, val & APIC_LDR_XAPIC_MASK);
		break;
	default:   /* DFR: only the model field is writable, the rest reads 1 */
		reg_put(v, off, (val & APIC_DFR_MODEL_MASK) | ~APIC_DFR_MODEL_MASK);
		break;
	}
	return 0;
}

/*
 * Lock held. Write register off in the current mode; 32-bit value (the
 * x2APIC ICR goes through icr_send directly). Returns 0, or -TERN_EINVAL
 * where x2APIC would #GP (xAPIC silently drops what it cannot take).
 */
static int reg_write(struct vlapic *v, unsigned off, u32 val, struct reg_effects *fx)
{
	bool x2 = x2apic(v);

	switch (off) {
	case APIC_REG_TPR:
		return write_tpr(v, val, x2);
	case APIC_REG_EOI:
		if (x2 && val)
			return -TERN_EINVAL;
		fx->eoi_vector = eoi_locked(v);
		return 0;
	case APIC_REG_LDR:
	case APIC_REG_DFR:
	case APIC_REG_ICR_HI:
		return write_xapic_only(v, off, val, x2);
	case APIC_REG_SVR:
		return write_svr(v, val, x2);
	case APIC_REG_ESR:
		return write_esr(v, val, x2);
	case APIC_REG_ICR_LO:
		if (x2)
			return -TERN_EINVAL;   /* 0x830 is handled as one 64-bit MSR */
		icr_send(v, val, reg_get(v, APIC_REG_ICR_HI) >> APIC_ICR_XAPIC_DEST_SHIFT, fx);
		return 0;
	case APIC_REG_LVT_TIMER:
		return write_lvt(v, off, val, LVT_TIMER_WRITABLE, x2);
	case APIC_REG_LVT_CMCI: case APIC_REG_LVT_THERMAL: case APIC_REG_LVT_PERF:
		return write_lvt(v, off, val, LVT_DM_WRITABLE, x2);
	case APIC_REG_LVT_LINT0: case APIC_REG_LVT_LINT1:
		return write_lvt(v, off, val, LVT_LINT_WRITABLE, x2);
	case APIC_REG_LVT_ERROR:
		return write_lvt(v, off, val, LVT_ERROR_WRITABLE, x2);
	case APIC_REG_TMICT:
		return write_tmict(v, val);
	case APIC_REG_TDCR: {
		int err = check_reserved(x2, val, APIC_TDCR_MASK);

		if (!err)
			timer_set_divider(v, val, clock_now());
		return err;
	}
	case APIC_REG_SELF_IPI:
		if (!x2 || (val & ~APIC_SELF_IPI_VECTOR))
			return -TERN_EINVAL;
		accept_fixed(v, val & APIC_SELF_IPI_VECTOR, false);
		return 0;
	case APIC_REG_ID: case APIC_REG_LVR: case APIC_REG_APR: case APIC_REG_PPR:
	case APIC_REG_RRD: case APIC_REG_TMCCT:
	case APIC_REG_ISR ... APIC_REG_IRR + 7 * REG_STRIDE:
		/* read-only: x2APIC #GPs (APR/RRD do not exist there), xAPIC ignores */
		return x2 ? -TERN_EINVAL : 0;
	default:
		return -TERN_EINVAL;
	}
}

/* ------------------------------------------------------------ xAPIC MMIO */

static bool mmio_access_ok(u64 offset, unsigned size)
{
	return size == 4 && offset < APIC_MMIO_SIZE && IS_ALIGNED(offset, REG_STRIDE);
}

int vlapic_mmio(void *opaque, unsigned vcpu_id, u64 offset, unsigned size, bool write, u64 *val)
{
	struct vlapic *v = vlapic_get(opaque, vcpu_id);
	struct reg_effects fx = { .eoi_vector = -1 };
	u64 ones = size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
	u32 r = 0;

	if (!v || !val)
		return -TERN_EINVAL;
	spin_lock(&v->lock);
	timer_expire(v, clock_now());
	if (!hw_enabled(v) || x2apic(v)) {
		if (!write)
			*val = ones;   /* the xAPIC window is not decoded: all ones */
	} else if (!mmio_access_ok(offset, size)) {
		if (!write)
			*val = 0;
	} else if (write) {
		if (reg_write(v, (unsigned)offset, (u32)*val, &fx))
			raise_error(v, APIC_ESR_ILLEGAL_REG);
	} else {
		if (reg_read(v, (unsigned)offset, &r))
			raise_error(v, APIC_ESR_ILLEGAL_REG);
		*val = r;
	}
	spin_unlock(&v->lock);
	apply_effects(v, &fx);
	return 0;
}

/* ------------------------------------------------------------ MSRs */

/* Which (EN, EXTD) transitions IA32_APIC_BASE allows (SDM 10.12.5). */
static bool apic_base_transition_ok(u64 old, u64 new)
{
	bool old_en = old & APIC_BASE_EN, old_x2 = old & APIC_BASE_EXTD;
	bool new_en = new & APIC_BASE_EN, new_x2 = new & APIC_BASE_EXTD;

	if (new_x2 && !new_en)
		return false;                  /* the invalid state */
	if (old_en == new_en && old_x2 == new_x2)
		return true;
	if (!old_en)
		return !new_x2;                /* disabled -> xAPIC only */
	if (old_x2)
		return !new_en;                /* x2APIC -> disabled only */
	return true;                           /* xAPIC -> x2APIC or disabled */
}

static int write_apic_base(struct vlapic *v, u64 val)
{
	u64 old = v->apic_base;

	if (val & APIC_BASE_RESERVED)
		return -TERN_EINVAL;
	if (!apic_base_transition_ok(old, val))
		return -TERN_EINVAL;
	/* a move needs the xAPIC window trapped at the new base (RAM, devices: refused) */
	if ((val & APIC_BASE_ADDR_MASK) != (old & APIC_BASE_ADDR_MASK) &&
	    vm_lapic_window(v->vm, val & APIC_BASE_ADDR_MASK))
		return -TERN_EINVAL;
	/* the BSP flag is the hardware's to set */
	WRITE_ONCE(v->apic_base, (val & ~APIC_BASE_BSP) | (old & APIC_BASE_BSP));
	if ((old & APIC_BASE_EN) && !(val & APIC_BASE_EN)) {
		/* SDM 10.4.3: a disabled APIC may lose its state; we always do */
		regs_power_on(v);
		WRITE_ONCE(v->events, 0);
	} else if (!(old & APIC_BASE_EXTD) && (val & APIC_BASE_EXTD)) {
		regs_enter_x2apic(v);
	}
	return 0;
}

/* x2APIC MSR -> register offset, or -1 when the MSR is not one. */
static int x2apic_msr_offset(u32 msr)
{
	if (msr < MSR_X2APIC_FIRST || msr > MSR_X2APIC_LAST)
		return -1;
	return (int)((msr - MSR_X2APIC_FIRST) << 4);
}

int vlapic_rdmsr(struct vm *vm, unsigned vcpu_id, u32 msr, u64 *val)
{
	struct vlapic *v = vlapic_get(vm, vcpu_id);
	int off = x2apic_msr_offset(msr);
	int err = 0;
	u32 r = 0;

	if (!v || !val)
		return -TERN_EINVAL;
	spin_lock(&v->lock);
	timer_expire(v, clock_now());
	if (msr == MSR_IA32_APIC_BASE) {
		*val = v->apic_base;
	} else if (msr == MSR_IA32_TSC_DEADLINE) {
		*val = timer_mode(v) == APIC_TIMER_TSC_DEADLINE ? v->tsc_deadline : 0;
	} else if (off < 0 || !x2apic(v)) {
		err = -TERN_EINVAL;
	} else if (off == APIC_REG_ICR_LO) {
		*val = reg_get(v, APIC_REG_ICR_LO) | ((u64)reg_get(v, APIC_REG_ICR_HI) << 32);
	} else {
		err = reg_read(v, (unsigned)off, &r);
		*val = r;
	}
	spin_unlock(&v->lock);
	return err;
}

/* Lock held: the 64-bit x2APIC ICR (destination in bits 63:32). */
static int write_x2apic_icr(struct vlapic *v, u64 val, struct reg_effects *fx)
{
	u32 lo = (u32)val, dest = (u32)(val >> 32);

	if (lo & ~ICR_LO_WRITABLE)
		return -TERN_EINVAL;
	reg_put(v, APIC_REG_ICR_HI, dest);
	icr_send(v, lo, dest, fx);
	return 0;
}

int vlapic_wrmsr(struct vm *vm, unsigned vcpu_id, u32 msr, u64 val)
{
	struct vlapic *v = vlapic_get(vm, vcpu_id);
	struct reg_effects fx = { .eoi_vector = -1 };
	int off = x2apic_msr_offset(msr);
	int err;

	if (!v)
		return -TERN_EINVAL;
	spin_lock(&v->lock);
	timer_expire(v, clock_now());
	if (msr == MSR_IA32_APIC_BASE) {
		err = write_apic_base(v, val);
	} else if (msr == MSR_IA32_TSC_DEADLINE) {
		timer_write_tsc_deadline(v, val, clock_now());
		err = 0;
	} else if (off < 0 || !x2apic(v)) {
		err = -TERN_EINVAL;
	} else if (off == APIC_REG_ICR_LO) {
		err = write_x2apic_icr(v, val, &fx);
	} else if (val & X2APIC_MSR_HIGH_MASK) {
		err = -TERN_EINVAL;
	} else {
		err = reg_write(v, (unsigned)off, (u32)val, &fx);
	}
	spin_unlock(&v->lock);
	apply_effects(v, &fx);
	return err;
}

bool vlapic_hw_enabled(struct vm *vm, unsigned vcpu_id)
{
	struct vlapic *v = vlapic_get(vm, vcpu_id);

	return v && hw_enabled(v);
}

bool vlapic_x2apic_mode(struct vm *vm, unsigned vcpu_id)
{
	struct vlapic *v = vlapic_get(vm, vcpu_id);

	return v && x2apic(v);
}

u64 vlapic_base(struct vm *vm, unsigned vcpu_id)
{
	struct vlapic *v = vlapic_get(vm, vcpu_id);

	return v ? READ_ONCE(v->apic_base) & APIC_BASE_ADDR_MASK : APIC_DEFAULT_BASE;
}

void vlapic_set_cr8(struct vm *vm, unsigned vcpu_id, u64 cr8)
{
	struct vlapic *v = vlapic_get(vm, vcpu_id);

	if (!v)
		return;
	spin_lock(&v->lock);
	reg_put(v, APIC_REG_TPR, (u32)(cr8 & 0xf) << 4);
	update_ppr(v);
	spin_unlock(&v->lock);
}

u64 vlapic_get_cr8(struct vm *vm, unsigned vcpu_id)
{
	struct vlapic *v = vlapic_get(vm, vcpu_id);

	return v ? PRIO_CLASS(reg_get(v, APIC_REG_TPR) & APIC_TPR_MASK) : 0;
}

/* ------------------------------------------------------------ acceptance and injection */

bool vlapic_set_intr(struct vm *vm, unsigned vcpu_id, u8 vector, bool level)
{
	struct vlapic *v = vlapic_get(vm, vcpu_id);
	bool accepted;

	if (!v)
		return false;
	spin_lock(&v->lock);
	accepted = accept_fixed(v, vector, level);
	spin_unlock(&v->lock);
	return accepted;
}

/* Lock held: one addressed message; 1 when accepted. */
static int accept_irq_locked(struct vlapic *v, const struct lapic_irq *irq)
{
	/* fixed/lowest (nearly every message) first; traced where they reach IRR */
	if (irq->delivery_mode == LAPIC_DM_FIXED || irq->delivery_mode == LAPIC_DM_LOWEST)
		return accept_fixed(v, irq->vector, irq->level_trigger);
	if (trace_on(TRACE_CAT_IRQ))
		trace_irq(v->vm, (int)v->vcpu_id, TR_LAPIC_ACCEPT, irq->vector, irq->level_trigger,
			  irq->delivery_mode, 0);
	switch (irq->delivery_mode) {
	case LAPIC_DM_SMI:
		v->smi_ignored++;   /* tern has no SMM */
		return 0;
	case LAPIC_DM_NMI:
		post_event(v, VLAPIC_EV_NMI);
		return 1;
	case LAPIC_DM_INIT:
		if (irq->level_trigger && !irq->assert)
			return 0;   /* INIT level de-assert: no effect since the Pentium 4 */
		post_event(v, VLAPIC_EV_INIT);
		return 1;
	case LAPIC_DM_SIPI:
		v->sipi_vector = irq->vector;
		post_event(v, VLAPIC_EV_SIPI);
		return 1;
	case LAPIC_DM_EXTINT:
		post_event(v, VLAPIC_EV_EXTINT);
		return 1;
	default:
		return 0;
	}
}

int vlapic_accept_irq(struct vm *vm, unsigned vcpu_id, const struct lapic_irq *irq)
{
	struct vlapic *v = vlapic_get(vm, vcpu_id);
	int n = 0;

	if (!v || !irq)
		return 0;
	spin_lock(&v->lock);
	if (hw_enabled(v))
		n = accept_irq_locked(v, irq);
	spin_unlock(&v->lock);
	return n;
}

int vlapic_take_vector(struct vm *vm, unsigned vcpu_id, bool take)
{
	struct vlapic *v = vlapic_get(vm, vcpu_id);
	int vector;
	u8 ppr;

	if (!v)
		return -1;
	spin_lock(&v->lock);
	ppr = update_ppr(v);
	vector = vec_highest(v, APIC_REG_IRR);
	if (vector >= 0 && PRIO_CLASS(vector) <= PRIO_CLASS(ppr))
		vector = -1;
	if (vector >= 0 && take) {
		vec_clear(v, APIC_REG_IRR, (u8)vector);
		vec_set(v, APIC_REG_ISR, (u8)vector);
		/* its class is above PPR's, so above every other ISR bit: no scan */
		reg_put(v, APIC_REG_PPR, ppr_of(v, vector));
	}
	spin_unlock(&v->lock);
	return vector;
}

int vlapic_pending_vector(struct vm *vm, unsigned vcpu_id)
{
	return vlapic_take_vector(vm, vcpu_id, false);
}

void vlapic_accept_vector(struct vm *vm, unsigned vcpu_id, u8 vector)
{
	struct vlapic *v = vlapic_get(vm, vcpu_id);

	if (!v)
		return;
	spin_lock(&v->lock);
	if (vec_clear(v, APIC_REG_IRR, vector)) {
		vec_set(v, APIC_REG_ISR, vector);
		update_ppr(v);
	}
	spin_unlock(&v->lock);
}

unsigned vlapic_take_events(struct vm *vm, unsigned vcpu_id, u8 *sipi_vector)
{
	struct vlapic *v = vlapic_get(vm, vcpu_id);
	unsigned ev;

	/* nothing posted (every interrupt but NMI/INIT/SIPI/ExtINT): no lock;
	 * post_event sets the bit before its kick, so a racing one is seen next time */
	if (!v || !READ_ONCE(v->events))
		return 0;
	spin_lock(&v->lock);
	ev = atomic_xchg(&v->events, 0u);
	if (sipi_vector)
		*sipi_vector = v->sipi_vector;
	spin_unlock(&v->lock);
	return ev;
}

bool vlapic_accepts_extint(struct vm *vm, unsigned vcpu_id)
{
	struct vlapic *v = vlapic_get(vm, vcpu_id);
	u32 lint0;

	if (!v)
		return false;
	if (!hw_enabled(v))
		return true;   /* no APIC: INTR goes straight to the core */
	lint0 = reg_get(v, APIC_REG_LVT_LINT0);
	return !(lint0 & APIC_LVT_MASKED) &&
	       ((lint0 & APIC_LVT_DM_MASK) >> APIC_LVT_DM_SHIFT) == LAPIC_DM_EXTINT;
}

u8 vlapic_ppr(struct vm *vm, unsigned vcpu_id)
{
	struct vlapic *v = vlapic_get(vm, vcpu_id);

	/* unlocked: lowest-priority arbitration tolerates a stale value */
	return v ? compute_ppr(v) : 0;
}

bool vlapic_sw_enabled(struct vm *vm, unsigned vcpu_id)
{
	struct vlapic *v = vlapic_get(vm, vcpu_id);

	return v && sw_enabled(v);
}

/* ------------------------------------------------------------ destination matching */

static bool match_logical_xapic(struct vlapic *v, u32 mda)
{
	u32 ldr = reg_get(v, APIC_REG_LDR) >> APIC_LDR_XAPIC_SHIFT;
	u32 model = reg_get(v, APIC_REG_DFR) >> APIC_DFR_MODEL_SHIFT;

	if (model != APIC_DFR_MODEL_CLUSTER)
		return (mda & ldr) != 0;               /* flat: 8 bits, one per APIC */
	if ((mda >> 4) != 0xf && (mda >> 4) != (ldr >> 4))
		return false;                          /* cluster 0xf reaches all clusters */
	return (mda & ldr & 0xf) != 0;
}

static bool match_x2apic(struct vlapic *v, const struct lapic_irq *irq)
{
	u32 ldr;

	if (irq->dest == LAPIC_X2APIC_BROADCAST)
		return true;
	/* an 8-bit source (IOAPIC, MSI) broadcasting to x2APIC CPUs */
	if (irq->src_vcpu < 0 && irq->dest == LAPIC_XAPIC_BROADCAST)
		return true;
	if (!irq->dest_logical)
		return irq->dest == v->vcpu_id;
	ldr = reg_get(v, APIC_REG_LDR);
	return (irq->dest >> X2APIC_LDR_CLUSTER_SHIFT) == (ldr >> X2APIC_LDR_CLUSTER_SHIFT) &&
	       (irq->dest & ldr & X2APIC_LDR_BITS_MASK) != 0;
}

bool vlapic_match_dest(struct vm *vm, unsigned vcpu_id, const struct lapic_irq *irq)
{
	struct vlapic *v = vlapic_get(vm, vcpu_id);

	if (!v || !irq || !hw_enabled(v))
		return false;
	if (x2apic(v))
		return match_x2apic(v, irq);
	if (irq->dest == LAPIC_X2APIC_BROADCAST)
		return true;
	if (irq->dest > LAPIC_XAPIC_BROADCAST)
		return false;                  /* beyond what an xAPIC can be named by */
	if (!irq->dest_logical)
		return irq->dest == LAPIC_XAPIC_BROADCAST || irq->dest == v->vcpu_id;
	return match_logical_xapic(v, irq->dest);
}

/* ------------------------------------------------------------ timer API */

u64 vlapic_timer_deadline(struct vm *vm, unsigned vcpu_id)
{
	struct vlapic *v = vlapic_get(vm, vcpu_id);
	u64 deadline;

	if (!v)
		return 0;
	spin_lock(&v->lock);
	deadline = v->timer_deadline;
	spin_unlock(&v->lock);
	return deadline;
}

void vlapic_timer_check(struct vm *vm, unsigned vcpu_id, u64 now)
{
	struct vlapic *v = vlapic_get(vm, vcpu_id);

	if (!v)
		return;
	spin_lock(&v->lock);
	timer_expire(v, now);
	spin_unlock(&v->lock);
}

/* ------------------------------------------------------------ dump */

struct dump_buf {
	char *buf;
	size_t len;
	size_t pos;    /* length the full text needs */
};

static void __printf(2, 3) dump_put(struct dump_buf *d, const char *fmt, ...)
{
	va_list ap;
	size_t room = d->pos < d->len ? d->len - d->pos : 0;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(room ? d->buf + d->pos : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		d->pos += (size_t)n;
}

static void dump_vectors(struct dump_buf *d, struct vlapic *v, const char *name, unsigned base)
{
	dump_put(d, "  %s", name);
	for (int w = VECTOR_WORDS - 1; w >= 0; w--)
		dump_put(d, " %08x", reg_get(v, base + (unsigned)w * REG_STRIDE));
	dump_put(d, "\n");
}

static const char *mode_name(struct vlapic *v)
{
	if (!hw_enabled(v))
		return "disabled";
	return x2apic(v) ? "x2apic" : "xapic";
}

int vlapic_dump(struct vm *vm, unsigned vcpu_id, char *buf, size_t len)
{
	struct vlapic *v = vlapic_get(vm, vcpu_id);
	struct dump_buf d = { buf, len, 0 };

	if (!v)
		return -TERN_EINVAL;
	if (buf && len)
		buf[0] = '\0';
	spin_lock(&v->lock);
	dump_put(&d, "vlapic%u: %s base=0x%llx sw=%s apicv=%s events=%#x\n", v->vcpu_id,
		 mode_name(v), (unsigned long long)v->apic_base, sw_enabled(v) ? "on" : "off",
		 v->apicv ? "on" : "off", READ_ONCE(v->events));
	dump_put(&d, "  id=%08x tpr=%02x ppr=%02x svr=%08x ldr=%08x dfr=%08x esr=%02x/%02x\n",
		 reg_get(v, APIC_REG_ID), reg_get(v, APIC_REG_TPR), reg_get(v, APIC_REG_PPR),
		 reg_get(v, APIC_REG_SVR), reg_get(v, APIC_REG_LDR), reg_get(v, APIC_REG_DFR),
		 reg_get(v, APIC_REG_ESR), v->esr_pending);
	dump_vectors(&d, v, "irr", APIC_REG_IRR);
	dump_vectors(&d, v, "isr", APIC_REG_ISR);
	dump_vectors(&d, v, "tmr", APIC_REG_TMR);
	dump_put(&d, "  icr=%08x:%08x lvt timer=%08x lint0=%08x lint1=%08x error=%08x\n",
		 reg_get(v, APIC_REG_ICR_HI), reg_get(v, APIC_REG_ICR_LO),
		 reg_get(v, APIC_REG_LVT_TIMER), reg_get(v, APIC_REG_LVT_LINT0),
		 reg_get(v, APIC_REG_LVT_LINT1), reg_get(v, APIC_REG_LVT_ERROR));
	dump_put(&d, "  timer tmict=%08x tdcr=%x deadline=%llu tsc_deadline=%llu fires=%llu\n",
		 reg_get(v, APIC_REG_TMICT), reg_get(v, APIC_REG_TDCR),
		 (unsigned long long)v->timer_deadline, (unsigned long long)v->tsc_deadline,
		 (unsigned long long)v->timer_fires);
	dump_put(&d, "  dropped fixed=%llu smi=%llu\n", (unsigned long long)v->fixed_dropped,
		 (unsigned long long)v->smi_ignored);
	spin_unlock(&v->lock);
	return (int)d.pos;
}
