/* SPDX-License-Identifier: MIT */
/*
 * Virtual I/O APIC. Register layout and semantics follow the 82093AA
 * datasheet plus the EOI register of version-0x20 parts; what the datasheet
 * leaves open is decided in docs/irq-pic-ioapic.md.
 *
 * Delivery is synchronous: a message goes to lapic_deliver() while the
 * vIOAPIC lock is held (the lock order allows vIOAPIC -> vLAPIC), so the
 * Delivery Status bit is never seen set.
 */
#include "irq/vioapic.h"
#include "irq/irq.h"
#include "irq/irq_source.h"
#include "irq/routing.h"
#include "irq/vlapic.h"
#include "kernel/lib/format.h"
#include "kernel/lib/spinlock.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include <tern/hypercall.h>
#include "kernel/trace.h"

/* Direct (MMIO) registers, offsets in the window. */
#define IOAPIC_MMIO_IOREGSEL   0x00u
#define IOAPIC_MMIO_IOWIN      0x10u
#define IOAPIC_MMIO_EOI        0x40u
#define IOREGSEL_MASK          0xffu
#define EOI_VECTOR_MASK        0xffu
#define DWORD_BYTES            4u
#define QWORD_BYTES            8u

/* Indirect registers, selected by IOREGSEL. */
#define IOAPIC_REG_ID          0x00u
#define IOAPIC_REG_VER         0x01u
#define IOAPIC_REG_ARB         0x02u
#define IOAPIC_REG_REDTBL      0x10u   /* entry n: low half 0x10+2n, high 0x11+2n */

#define IOAPIC_ID_MASK         0x0f000000u
#define IOAPIC_ID_SHIFT        24
#define IOAPIC_VERSION         0x20u
#define IOAPIC_VER_MAXREDIR_SHIFT 16
#define IOAPIC_VER_VALUE       (((u32)(VIOAPIC_NR_PINS - 1) << IOAPIC_VER_MAXREDIR_SHIFT) | \
				IOAPIC_VERSION)

/* Redirection table entry fields. */
#define RTE_VECTOR_MASK        0xffull
#define RTE_DM_SHIFT           8
#define RTE_DM_MASK            (7ull << RTE_DM_SHIFT)
#define RTE_DEST_LOGICAL       BIT64(11)
#define RTE_DELIVERY_STATUS    BIT64(12)   /* read-only */
#define RTE_ACTIVE_LOW         BIT64(13)
#define RTE_REMOTE_IRR         BIT64(14)   /* read-only */
#define RTE_LEVEL              BIT64(15)
#define RTE_MASKED             BIT64(16)
#define RTE_DEST_SHIFT         56
#define RTE_DEST_MASK          (0xffull << RTE_DEST_SHIFT)
#define RTE_WRITABLE           (RTE_VECTOR_MASK | RTE_DM_MASK | RTE_DEST_LOGICAL | \
				RTE_ACTIVE_LOW | RTE_LEVEL | RTE_MASKED | RTE_DEST_MASK)
#define RTE_RESET              RTE_MASKED
#define RTE_HALF_BITS          32
#define RTE_LOW_HALF           0xffffffffull

/* Delivery-mode encodings the 82093AA leaves reserved. */
#define IOAPIC_DM_RESERVED_3   3u
#define IOAPIC_DM_RESERVED_6   6u

typedef u32 vioapic_pins_t;   /* one bit per pin */
STATIC_ASSERT(VIOAPIC_NR_PINS <= 32);

struct vioapic {
	spinlock_t lock;   /* after the vPIC's, before any vLAPIC's */
	struct vm *vm;
	u32 id;
	u8 ioregsel;
	u64 rte[VIOAPIC_NR_PINS];
	irq_line_state_t line[VIOAPIC_NR_PINS];
	bool warned_dm, warned_deliver;
};

static struct vioapic *vioapic_of(struct vm *vm)
{
	return vm ? vm_irq(vm)->vioapic : NULL;
}

/* ------------------------------------------------------------ pin logic */

static unsigned rte_dm(u64 rte)
{
	return (unsigned)((rte & RTE_DM_MASK) >> RTE_DM_SHIFT);
}

/*
 * Level semantics (Remote IRR, EOI) apply to fixed and lowest-priority
 * messages only: NMI, SMI, INIT and ExtINT are always edge on an 82093AA.
 */
static bool rte_level(u64 rte)
{
	unsigned dm = rte_dm(rte);

	return (rte & RTE_LEVEL) && (dm == LAPIC_DM_FIXED || dm == LAPIC_DM_LOWEST);
}

static bool line_asserted(irq_line_state_t line, u64 rte)
{
	return (line != 0) != !!(rte & RTE_ACTIVE_LOW);
}

static bool pin_asserted(const struct vioapic *io, unsigned pin)
{
	return line_asserted(io->line[pin], io->rte[pin]);
}

/* Send pin's message; returns how many vLAPICs accepted it. Lock held. */
static int deliver(struct vioapic *io, unsigned pin)
{
	u64 rte = io->rte[pin];
	unsigned dm = rte_dm(rte);
	struct lapic_irq irq = {
		.dest = (u32)(rte >> RTE_DEST_SHIFT),
		.vector = (u8)(rte & RTE_VECTOR_MASK),
		.delivery_mode = (u8)dm,
		.shorthand = LAPIC_SH_NONE,
		.dest_logical = rte & RTE_DEST_LOGICAL,
		.level_trigger = rte_level(rte),
		.assert = true,
		.src_vcpu = -1,
	};
	int accepted;

	if (dm == IOAPIC_DM_RESERVED_3 || dm == IOAPIC_DM_RESERVED_6) {
		if (!io->warned_dm) {
			io->warned_dm = true;
			pr_warn("vioapic: pin %u uses reserved delivery mode %u; dropped", pin, dm);
		}
		return 0;
	}
	TRACE(TR_IOAPIC, io->vm, -1, pin, irq.vector, irq.dest, irq.level_trigger);
	accepted = lapic_deliver(io->vm, &irq);
	if (accepted < 0 && !io->warned_deliver) {
		io->warned_deliver = true;
		pr_warn("vioapic: pin %u delivery failed (%d)", pin, accepted);
	}
	if (accepted <= 0)
		return 0;
	if (irq.level_trigger)
		io->rte[pin] |= RTE_REMOTE_IRR;   /* until the vLAPIC's EOI */
	return accepted;
}

/* A level pin that is asserted, unmasked and not awaiting EOI fires. */
static int service_level(struct vioapic *io, unsigned pin)
{
	u64 rte = io->rte[pin];

	if (!rte_level(rte) || (rte & (RTE_MASKED | RTE_REMOTE_IRR)) || !pin_asserted(io, pin))
		return 0;
	return deliver(io, pin);
}

/* ------------------------------------------------------------ registers */

static u32 rte_read_half(const struct vioapic *io, unsigned pin, bool high)
{
	return high ? (u32)(io->rte[pin] >> RTE_HALF_BITS) : (u32)io->rte[pin];
}

static void rte_write_half(struct vioapic *io, unsigned pin, bool high, u32 v)
{
	u64 old = io->rte[pin];
	u64 new = high ? (old & RTE_LOW_HALF) | ((u64)v << RTE_HALF_BITS)
		       : (old & ~RTE_LOW_HALF) | v;

	new = (old & ~RTE_WRITABLE) | (new & RTE_WRITABLE);
	if (!rte_level(new))
		new &= ~RTE_REMOTE_IRR;   /* Linux clears a stuck Remote IRR this way */
	io->rte[pin] = new;
	service_level(io, pin);       /* e.g. unmasking an asserted level pin */
}

static bool redtbl_index(u8 reg, unsigned *pin, bool *high)
{
	if (reg < IOAPIC_REG_REDTBL || reg >= IOAPIC_REG_REDTBL + 2 * VIOAPIC_NR_PINS)
		return false;
	*pin = (reg - IOAPIC_REG_REDTBL) / 2;
	*high = (reg - IOAPIC_REG_REDTBL) & 1;
	return true;
}

static u32 iowin_read(const struct vioapic *io)
{
	unsigned pin;
	bool high;

	switch (io->ioregsel) {
	case IOAPIC_REG_ID:
	case IOAPIC_REG_ARB:   /* the arbitration ID follows the APIC ID */
		return io->id;
	case IOAPIC_REG_VER:
		return IOAPIC_VER_VALUE;
	default:
		if (redtbl_index(io->ioregsel, &pin, &high))
			return rte_read_half(io, pin, high);
		return 0;
	}
}

static void iowin_write(struct vioapic *io, u32 v)
{
	unsigned pin;
	bool high;

	if (io->ioregsel == IOAPIC_REG_ID)
		io->id = v & IOAPIC_ID_MASK;
	else if (redtbl_index(io->ioregsel, &pin, &high))
		rte_write_half(io, pin, high, v);
	/* VER, ARB and unimplemented indexes are read-only */
}

static u32 reg_read(const struct vioapic *io, u64 reg)
{
	if (reg == IOAPIC_MMIO_IOREGSEL)
		return io->ioregsel;
	if (reg == IOAPIC_MMIO_IOWIN)
		return iowin_read(io);
	return 0;   /* EOI is write-only; the rest of the window is empty */
}

static void reg_write(struct vioapic *io, u64 reg, u32 v)
{
	if (reg == IOAPIC_MMIO_IOREGSEL)
		io->ioregsel = (u8)(v & IOREGSEL_MASK);
	else if (reg == IOAPIC_MMIO_IOWIN)
		iowin_write(io, v);
}

/* An access of size bytes inside the dword at offset & ~3. */
static void dword_access(struct vm *vm, struct vioapic *io, u64 offset, unsigned size,
			 bool write, u32 *val)
{
	u64 reg = ALIGN_DOWN(offset, DWORD_BYTES);
	unsigned shift = (unsigned)(offset - reg) * 8;
	u32 mask = size == DWORD_BYTES ? ~0u : ((1u << (size * 8)) - 1) << shift;
	u32 cur;

	if (reg == IOAPIC_MMIO_EOI) {
		if (write && shift == 0)
			vioapic_eoi(vm, (u8)(*val & EOI_VECTOR_MASK));
		if (!write)
			*val = 0;
		return;
	}
	spin_lock(&io->lock);
	cur = reg_read(io, reg);
	if (write)
		reg_write(io, reg, (cur & ~mask) | ((*val << shift) & mask));
	else
		*val = (cur & mask) >> shift;
	spin_unlock(&io->lock);
}

int vioapic_mmio(void *opaque, unsigned vcpu_id, u64 offset, unsigned size,
		 bool write, u64 *val)
{
	struct vm *vm = opaque;
	struct vioapic *io = vioapic_of(vm);
	u32 lo, hi;

	if (!io)
		return -TERN_ENODEV;
	if (!val || (size != 1 && size != 2 && size != DWORD_BYTES && size != QWORD_BYTES))
		return -TERN_EINVAL;
	if (offset >= VIOAPIC_MMIO_SIZE || offset + size > VIOAPIC_MMIO_SIZE ||
	    (size == QWORD_BYTES ? !IS_ALIGNED(offset, QWORD_BYTES)
				 : (offset % DWORD_BYTES) + size > DWORD_BYTES)) {
		if (!write)
			*val = 0;   /* undefined access: harmless, never fatal */
		return 0;
	}
	if (size == QWORD_BYTES) {
		lo = (u32)*val;
		hi = (u32)(*val >> 32);
		dword_access(vm, io, offset, DWORD_BYTES, write, &lo);
		dword_access(vm, io, offset + DWORD_BYTES, DWORD_BYTES, write, &hi);
		if (!write)
			*val = lo | ((u64)hi << 32);
		return 0;
	}
	lo = (u32)*val;
	dword_access(vm, io, offset, size, write, &lo);
	if (!write)
		*val = lo;
	return 0;
}

/* ------------------------------------------------------------ public API */

int vioapic_create(struct vm *vm)
{
	struct vm_irq *irq = vm_irq(vm);
	struct vioapic *io;

	if (irq->vioapic)
		return -TERN_EEXIST;
	io = kzalloc(sizeof(*io));
	if (!io)
		return -TERN_ENOMEM;
	spin_lock_init(&io->lock);
	io->vm = vm;
	for (unsigned pin = 0; pin < VIOAPIC_NR_PINS; pin++)
		io->rte[pin] = RTE_RESET;
	irq->vioapic = io;
	return 0;
}

void vioapic_destroy(struct vm *vm)
{
	struct vm_irq *irq = vm_irq(vm);

	kfree(irq->vioapic);
	irq->vioapic = NULL;
}

int vioapic_set_irq(struct vm *vm, unsigned pin, unsigned source_id, int level)
{
	struct vioapic *io = vioapic_of(vm);
	bool was, now;
	int ret = 0;

	if (!io)
		return -TERN_ENODEV;
	if (pin >= VIOAPIC_NR_PINS || source_id >= IRQ_SOURCE_ID_MAX)
		return -TERN_EINVAL;
	spin_lock(&io->lock);
	was = pin_asserted(io, pin);
	irq_line_update(&io->line[pin], source_id, level);
	now = pin_asserted(io, pin);
	if (rte_level(io->rte[pin]))
		ret = service_level(io, pin);
	else if (now && !was && !(io->rte[pin] & RTE_MASKED))
		ret = deliver(io, pin);   /* a masked edge is lost, as on the 82093AA */
	spin_unlock(&io->lock);
	return ret > 0 ? 1 : 0;
}

void vioapic_eoi(struct vm *vm, u8 vector)
{
	struct vioapic *io = vioapic_of(vm);
	vioapic_pins_t acked = 0;

	if (!io)
		return;
	spin_lock(&io->lock);
	for (unsigned pin = 0; pin < VIOAPIC_NR_PINS; pin++) {
		u64 rte = io->rte[pin];

		if ((rte & RTE_VECTOR_MASK) != vector || !(rte_level(rte) || (rte & RTE_REMOTE_IRR)))
			continue;
		io->rte[pin] = rte & ~RTE_REMOTE_IRR;
		acked |= BIT(pin);
	}
	spin_unlock(&io->lock);
	TRACE(TR_REMOTE_IRR, vm, -1, vector, acked, 0, 0);
	if (!acked)
		return;

	/* Without the lock: a resampler may drop the line through set_irq. */
	for (unsigned pin = 0; pin < VIOAPIC_NR_PINS; pin++)
		if (acked & BIT(pin))
			irq_ack_notify(vm, TERN_IRQCHIP_IOAPIC, pin);

	spin_lock(&io->lock);
	for (unsigned pin = 0; pin < VIOAPIC_NR_PINS; pin++)
		if (acked & BIT(pin))
			service_level(io, pin);   /* still asserted: no interrupt is lost */
	spin_unlock(&io->lock);
}

/* Append to buf at *pos, clamping to what fits. */
static void dump_advance(size_t *pos, size_t len, int n)
{
	if (n > 0)
		*pos = MIN(*pos + (size_t)n, len - 1);
}

static int dump_pin(const struct vioapic *io, unsigned pin, char *buf, size_t len)
{
	u64 rte = io->rte[pin];

	return fmt_snprintf(buf, len,
			    "ioapic pin %2u: rte=%016llx vec=%02x dm=%u %s %s %s%s%s dest=%02x line=%llx\n",
			    pin, (unsigned long long)rte, (unsigned)(rte & RTE_VECTOR_MASK),
			    rte_dm(rte), rte & RTE_DEST_LOGICAL ? "log" : "phys",
			    rte & RTE_LEVEL ? "level" : "edge",
			    rte & RTE_ACTIVE_LOW ? "low" : "high",
			    rte & RTE_MASKED ? " masked" : "",
			    rte & RTE_REMOTE_IRR ? " rirr" : "",
			    (unsigned)(rte >> RTE_DEST_SHIFT), (unsigned long long)io->line[pin]);
}

int vioapic_dump(struct vm *vm, char *buf, size_t len)
{
	struct vioapic *io = vioapic_of(vm);
	size_t pos = 0;

	if (!buf || !len)
		return 0;
	buf[0] = '\0';
	if (!io) {
		dump_advance(&pos, len, fmt_snprintf(buf, len, "ioapic: none\n"));
		return (int)pos;
	}
	spin_lock(&io->lock);
	dump_advance(&pos, len, fmt_snprintf(buf, len, "ioapic: id=%u ioregsel=%02x\n",
					     io->id >> IOAPIC_ID_SHIFT, io->ioregsel));
	for (unsigned pin = 0; pin < VIOAPIC_NR_PINS; pin++)
		if (io->rte[pin] != RTE_RESET || io->line[pin])   /* skip untouched pins */
			dump_advance(&pos, len, dump_pin(io, pin, buf + pos, len - pos));
	spin_unlock(&io->lock);
	return (int)pos;
}
