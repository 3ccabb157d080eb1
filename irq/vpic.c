/* SPDX-License-Identifier: MIT */
/*
 * Virtual 8259A PIC pair. Behaviour follows the 8259A datasheet; the design
 * choices that the datasheet leaves open are listed in docs/irq-pic-ioapic.md.
 *
 * Model: each IR input has a line (OR of its sources) whose current level
 * is kept in `input`. Edge-triggered IRs latch IRR on a rising input;
 * level-triggered IRs (ELCR or ICW1.LTIM) make IRR follow the input. The
 * master's IR2 input is the slave's INT output (ORed with any source
 * driving pin 2), so a slave request that vanishes before INTA ends as a
 * spurious IRQ15 exactly as on hardware.
 */
#include "irq/vpic.h"
#include "irq/irq.h"
#include "irq/irq_source.h"
#include "irq/routing.h"
#include "kernel/lib/format.h"
#include "kernel/lib/spinlock.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include <tern/hypercall.h>

enum pic_index { PIC_MASTER, PIC_SLAVE, PIC_COUNT };

#define PIC_IRS            8
#define PIC_IR_MASK        (PIC_IRS - 1)
#define PIC_CASCADE_IR     2      /* the PC wires the slave's INT to master IR2 */
#define PIC_SPURIOUS_IR    7      /* what a chip answers when its request vanished */
#define PIC_BSP            0      /* INTR reaches vCPU 0 */

/* Command port (A0 = 0): bit 4 selects ICW1, else bit 3 selects OCW3 over OCW2. */
#define ICW1_SELECT        BIT(4)
#define ICW1_IC4           BIT(0) /* ICW4 follows */
#define ICW1_SNGL          BIT(1) /* single chip: no ICW3, no cascade */
#define ICW1_LTIM          BIT(3) /* all IRs level-triggered */
#define OCW3_SELECT        BIT(3)

#define ICW2_VECTOR_MASK   0xf8u  /* T7-T3 in 8086 mode */

#define ICW4_UPM           BIT(0) /* 8086 mode */
#define ICW4_AEOI          BIT(1)
#define ICW4_SFNM          BIT(4) /* special fully nested mode */

#define OCW2_LEVEL_MASK    0x07u
#define OCW2_CMD_SHIFT     5
enum ocw2_cmd {
	OCW2_ROTATE_AEOI_CLEAR   = 0,
	OCW2_NONSPECIFIC_EOI     = 1,
	OCW2_NOP                 = 2,
	OCW2_SPECIFIC_EOI        = 3,
	OCW2_ROTATE_AEOI_SET     = 4,
	OCW2_ROTATE_NONSPEC_EOI  = 5,
	OCW2_SET_PRIORITY        = 6,
	OCW2_ROTATE_SPECIFIC_EOI = 7,
};

#define OCW3_RIS           BIT(0) /* with RR: read ISR instead of IRR */
#define OCW3_RR            BIT(1)
#define OCW3_POLL          BIT(2)
#define OCW3_SMM           BIT(5)
#define OCW3_ESMM          BIT(6) /* SMM bit is valid */

#define POLL_INTERRUPT     BIT(7) /* poll byte: a request was pending */

/* PIIX ELCR: IRQ 0, 1, 2 and 8, 13 are hard-wired edge-triggered. */
#define ELCR_MASTER_WRITABLE 0xf8u
#define ELCR_SLAVE_WRITABLE  0xdeu

/* Power-on state: what a PC BIOS leaves behind. */
#define PIC_RESET_MASTER_BASE 0x08u
#define PIC_RESET_SLAVE_BASE  0x70u
#define PIC_RESET_MASTER_ICW3 BIT(PIC_CASCADE_IR)
#define PIC_RESET_SLAVE_ICW3  PIC_CASCADE_IR
#define PIC_ALL_MASKED        0xffu
#define PORT_FLOAT            0xffu /* an unclaimed byte on the bus */

enum icw_state { ICW_DONE, ICW_WAIT2, ICW_WAIT3, ICW_WAIT4 };

struct pic_chip {
	irq_line_state_t line[PIC_IRS];  /* sources asserting each IR */
	u8 input;          /* current level of each IR input */
	u8 irr, isr, imr;
	u8 elcr, elcr_writable;
	u8 vector_base;    /* ICW2 */
	u8 icw3;           /* master: IRs with a slave; slave: its ID */
	u8 icw1, icw4;     /* as last written, for the dump */
	u8 top;            /* IR with the highest priority (rotation) */
	enum icw_state icw;
	bool special_mask, read_isr, poll, rotate_on_aeoi;
};

struct vpic {
	spinlock_t lock;   /* after the routing writer, before the vIOAPIC */
	struct vm *vm;
	struct pic_chip chip[PIC_COUNT];
	bool intr;         /* last INTR level, to kick the BSP on a rising edge */
	bool warned_mcs80;
};

/* Pins whose ISR bit went clear during one operation: 0-7 master, 8-15 slave. */
typedef u16 pic_acks_t;

static inline unsigned pin_of(unsigned idx, unsigned ir)
{
	return idx * PIC_IRS + ir;
}

/* ------------------------------------------------------------ chip logic */

static bool is_cascade_ir(const struct vpic *p, unsigned idx, unsigned ir)
{
	const struct pic_chip *m = &p->chip[PIC_MASTER];

	return idx == PIC_MASTER && ir == PIC_CASCADE_IR &&
	       !(m->icw1 & ICW1_SNGL) && (m->icw3 & BIT(PIC_CASCADE_IR));
}

/*
 * Level-triggered IR (IRR follows the input) or edge-triggered (IRR latches
 * on a rising input, INTA clears it). The cascade input is edge-triggered
 * as on a PIIX (ELCR bit 2 is fixed 0).
 */
static bool ir_is_level(const struct pic_chip *c, unsigned ir)
{
	return (c->icw1 & ICW1_LTIM) || (c->elcr & BIT(ir));
}

/* 0 = highest priority, 7 = lowest, given the current rotation. */
static unsigned prio(const struct pic_chip *c, unsigned ir)
{
	return (ir - c->top) & PIC_IR_MASK;
}

/* The IR of highest priority among bits, or -1. */
static int highest_of(const struct pic_chip *c, u8 bits)
{
	for (unsigned p = 0; p < PIC_IRS; p++) {
		unsigned ir = (c->top + p) & PIC_IR_MASK;

		if (bits & BIT(ir))
			return (int)ir;
	}
	return -1;
}

/* ISR bits that take part in priority resolution and non-specific EOI. */
static u8 isr_visible(const struct pic_chip *c)
{
	return c->special_mask ? c->isr & ~c->imr : c->isr;
}

/*
 * The request this chip presents on INT, or -1: the highest unmasked IRR
 * bit that outranks everything in service. In special fully nested mode
 * the master lets a cascade IR interrupt again while it is in service.
 */
static int chip_request(const struct vpic *p, unsigned idx)
{
	const struct pic_chip *c = &p->chip[idx];
	int req, srv;

	if (c->icw != ICW_DONE)
		return -1;   /* mid-initialisation the vector base is not settled */
	req = highest_of(c, c->irr & ~c->imr);
	if (req < 0)
		return -1;
	srv = highest_of(c, isr_visible(c));
	if (srv < 0)
		return req;
	if (prio(c, (unsigned)srv) < prio(c, (unsigned)req))
		return -1;
	if (srv == req && !((c->icw4 & ICW4_SFNM) && is_cascade_ir(p, idx, (unsigned)req)))
		return -1;
	return req;
}

/* The IR input of chip idx is now at level: latch or follow it in IRR. */
static void chip_input(struct vpic *p, unsigned idx, unsigned ir, bool level)
{
	struct pic_chip *c = &p->chip[idx];
	u8 bit = BIT(ir);
	bool was = c->input & bit;

	c->input = level ? c->input | bit : c->input & ~bit;
	if (ir_is_level(c, ir))
		c->irr = level ? c->irr | bit : c->irr & ~bit;
	else if (level && !was)
		c->irr |= bit;
}

/* After a trigger-mode change: level IRs take their IRR from the input. */
static void chip_resync_levels(struct vpic *p, unsigned idx)
{
	struct pic_chip *c = &p->chip[idx];

	for (unsigned ir = 0; ir < PIC_IRS; ir++)
		if (ir_is_level(c, ir))
			c->irr = (c->irr & ~BIT(ir)) | (c->input & BIT(ir));
}

/*
 * Propagate the slave's INT to master IR2 and the master's INT to INTR;
 * kick the BSP when INTR rises. Called after every state change.
 */
static void vpic_update(struct vpic *p)
{
	struct pic_chip *m = &p->chip[PIC_MASTER];
	bool slave_int = chip_request(p, PIC_SLAVE) >= 0;
	bool intr;

	chip_input(p, PIC_MASTER, PIC_CASCADE_IR, slave_int || m->line[PIC_CASCADE_IR] != 0);
	intr = chip_request(p, PIC_MASTER) >= 0;
	if (intr && !p->intr)
		vcpu_kick(p->vm, PIC_BSP);
	p->intr = intr;
}

/* In-service ends for ir (EOI, auto-EOI, reinitialisation). */
static void chip_end_service(struct pic_chip *c, unsigned idx, unsigned ir, pic_acks_t *acks)
{
	c->isr &= ~BIT(ir);
	*acks |= (pic_acks_t)BIT(pin_of(idx, ir));
}

/* INTA (or a poll read) on one chip: returns the IR taken, or -1. */
static int chip_ack(struct vpic *p, unsigned idx, pic_acks_t *acks)
{
	struct pic_chip *c = &p->chip[idx];
	int ir = chip_request(p, idx);

	if (ir < 0)
		return -1;
	if (!ir_is_level(c, (unsigned)ir))
		c->irr &= ~BIT(ir);
	if (idx == PIC_SLAVE) {
		/*
		 * The slave's INT falls during its INTA: if it still requests
		 * afterwards, master IR2 sees a fresh edge and nothing is lost.
		 */
		p->chip[PIC_MASTER].input &= ~BIT(PIC_CASCADE_IR);
	}
	if (c->icw4 & ICW4_AEOI) {
		*acks |= (pic_acks_t)BIT(pin_of(idx, (unsigned)ir));
		if (c->rotate_on_aeoi)
			c->top = (ir + 1) & PIC_IR_MASK;
	} else {
		c->isr |= BIT(ir);
	}
	return ir;
}

/* ------------------------------------------------------------ commands */

static void chip_reset(struct pic_chip *c, unsigned idx, pic_acks_t *acks)
{
	for (unsigned ir = 0; ir < PIC_IRS; ir++)
		if (c->isr & BIT(ir))
			chip_end_service(c, idx, ir, acks);
	c->irr = 0;      /* edge latches reset; level IRs resync from input */
	c->imr = 0;
	c->top = 0;      /* IR7 lowest */
	c->icw4 = 0;     /* IC4 = 0 means every ICW4 function is zero */
	c->special_mask = false;
	c->read_isr = false;
	c->poll = false;
	c->rotate_on_aeoi = false;
}

/* INTA still answers with ICW2's vector: an x86 CPU has no CALL cycles. */
static void warn_mcs80(struct vpic *p, u8 icw4)
{
	if (!(icw4 & ICW4_UPM) && !p->warned_mcs80) {
		p->warned_mcs80 = true;
		pr_warn("vpic: guest selected MCS-80/85 mode; vectors stay 8086-style");
	}
}

static void write_icw1(struct vpic *p, unsigned idx, u8 v, pic_acks_t *acks)
{
	struct pic_chip *c = &p->chip[idx];

	chip_reset(c, idx, acks);
	c->icw1 = v;
	c->icw = ICW_WAIT2;
	chip_resync_levels(p, idx);
	if (!(v & ICW1_IC4))
		warn_mcs80(p, 0);
}

static void write_ocw2(struct pic_chip *c, unsigned idx, u8 v, pic_acks_t *acks)
{
	unsigned level = v & OCW2_LEVEL_MASK;
	int ir;

	switch ((enum ocw2_cmd)(v >> OCW2_CMD_SHIFT)) {
	case OCW2_ROTATE_AEOI_CLEAR:
		c->rotate_on_aeoi = false;
		break;
	case OCW2_ROTATE_AEOI_SET:
		c->rotate_on_aeoi = true;
		break;
	case OCW2_NONSPECIFIC_EOI:
	case OCW2_ROTATE_NONSPEC_EOI:
		ir = highest_of(c, isr_visible(c));
		if (ir < 0)
			break;
		chip_end_service(c, idx, (unsigned)ir, acks);
		if (v >> OCW2_CMD_SHIFT == OCW2_ROTATE_NONSPEC_EOI)
			c->top = (ir + 1) & PIC_IR_MASK;
		break;
	case OCW2_SPECIFIC_EOI:
	case OCW2_ROTATE_SPECIFIC_EOI:
		if (c->isr & BIT(level))
			chip_end_service(c, idx, level, acks);
		if (v >> OCW2_CMD_SHIFT == OCW2_ROTATE_SPECIFIC_EOI)
			c->top = (level + 1) & PIC_IR_MASK;
		break;
	case OCW2_SET_PRIORITY:
		c->top = (level + 1) & PIC_IR_MASK;
		break;
	case OCW2_NOP:
		break;
	}
}

static void write_ocw3(struct pic_chip *c, u8 v)
{
	if (v & OCW3_ESMM)
		c->special_mask = v & OCW3_SMM;
	if (v & OCW3_POLL)
		c->poll = true;
	if (v & OCW3_RR)
		c->read_isr = v & OCW3_RIS;
}

static void write_command(struct vpic *p, unsigned idx, u8 v, pic_acks_t *acks)
{
	struct pic_chip *c = &p->chip[idx];

	if (v & ICW1_SELECT)
		write_icw1(p, idx, v, acks);
	else if (v & OCW3_SELECT)
		write_ocw3(c, v);
	else
		write_ocw2(c, idx, v, acks);
}


static void write_data(struct vpic *p, unsigned idx, u8 v)
{
	struct pic_chip *c = &p->chip[idx];
	bool icw4 = c->icw1 & ICW1_IC4;

	switch (c->icw) {
	case ICW_WAIT2:
		c->vector_base = v & ICW2_VECTOR_MASK;
		c->icw = !(c->icw1 & ICW1_SNGL) ? ICW_WAIT3 : icw4 ? ICW_WAIT4 : ICW_DONE;
		break;
	case ICW_WAIT3:
		c->icw3 = v;
		c->icw = icw4 ? ICW_WAIT4 : ICW_DONE;
		break;
	case ICW_WAIT4:
		c->icw4 = v;
		warn_mcs80(p, v);
		c->icw = ICW_DONE;
		break;
	case ICW_DONE:
		c->imr = v;
		break;
	}
}

static void write_elcr(struct vpic *p, unsigned idx, u8 v)
{
	struct pic_chip *c = &p->chip[idx];

	c->elcr = v & c->elcr_writable;
	chip_resync_levels(p, idx);
}

/* A poll read: acknowledges like INTA and answers with the level. */
static u8 read_poll(struct vpic *p, unsigned idx, pic_acks_t *acks)
{
	int ir = chip_ack(p, idx, acks);

	p->chip[idx].poll = false;
	return ir < 0 ? 0 : (u8)(POLL_INTERRUPT | (unsigned)ir);
}

/* ------------------------------------------------------------ port access */

static struct vpic *vpic_of(struct vm *vm)
{
	return vm ? vm_irq(vm)->vpic : NULL;
}

static void notify_acks(struct vm *vm, pic_acks_t acks)
{
	for (unsigned pin = 0; pin < VPIC_NR_PINS; pin++)
		if (acks & BIT(pin))
			irq_ack_notify(vm, pin < PIC_IRS ? TERN_IRQCHIP_PIC_MASTER :
					   TERN_IRQCHIP_PIC_SLAVE, pin);
}

/*
 * End an operation entered with the lock held; returns with it released.
 * Ended services are reported (lock dropped: a resampler calls back into
 * vpic_set_irq) before the outputs are re-evaluated, so a line the
 * resampler releases does not first re-latch a stale cascade request.
 */
static void vpic_finish(struct vpic *p, pic_acks_t acks)
{
	if (acks) {
		spin_unlock(&p->lock);
		notify_acks(p->vm, acks);
		spin_lock(&p->lock);
	}
	vpic_update(p);
	spin_unlock(&p->lock);
}

/* One byte access to one of our ports, lock held. false: not our port. */
static bool vpic_byte(struct vpic *p, u16 port, bool in, u8 *v, pic_acks_t *acks)
{
	unsigned idx;

	switch (port) {
	case VPIC_MASTER_CMD_PORT:
	case VPIC_SLAVE_CMD_PORT:
		idx = port == VPIC_SLAVE_CMD_PORT;
		if (!in)
			write_command(p, idx, *v, acks);
		else if (p->chip[idx].poll)
			*v = read_poll(p, idx, acks);
		else
			*v = p->chip[idx].read_isr ? p->chip[idx].isr : p->chip[idx].irr;
		return true;
	case VPIC_MASTER_DATA_PORT:
	case VPIC_SLAVE_DATA_PORT:
		idx = port == VPIC_SLAVE_DATA_PORT;
		if (!in)
			write_data(p, idx, *v);
		else if (p->chip[idx].poll)
			*v = read_poll(p, idx, acks);
		else
			*v = p->chip[idx].imr;
		return true;
	case VPIC_ELCR_MASTER_PORT:
	case VPIC_ELCR_SLAVE_PORT:
		idx = port == VPIC_ELCR_SLAVE_PORT;
		if (in)
			*v = p->chip[idx].elcr;
		else
			write_elcr(p, idx, *v);
		return true;
	default:
		return false;
	}
}

int vpic_pio(void *opaque, unsigned vcpu_id, u16 port, unsigned size, bool in, u32 *val)
{
	struct vm *vm = opaque;
	struct vpic *p = vpic_of(vm);
	pic_acks_t acks = 0;
	u32 out = 0;

	if (!p)
		return -TERN_ENODEV;
	if (!val || (size != 1 && size != 2 && size != 4))
		return -TERN_EINVAL;
	spin_lock(&p->lock);
	for (unsigned i = 0; i < size; i++) {
		u8 byte = in ? PORT_FLOAT : (u8)(*val >> (8 * i));

		vpic_byte(p, (u16)(port + i), in, &byte, &acks);
		out |= (u32)byte << (8 * i);
	}
	vpic_finish(p, acks);
	if (in)
		*val = out;
	return 0;
}

/* ------------------------------------------------------------ public API */

static void chip_power_on(struct pic_chip *c, u8 base, u8 icw3, u8 elcr_writable)
{
	c->icw1 = ICW1_SELECT | ICW1_IC4;
	c->icw4 = ICW4_UPM;
	c->vector_base = base;
	c->icw3 = icw3;
	c->imr = PIC_ALL_MASKED;
	c->elcr_writable = elcr_writable;
	c->icw = ICW_DONE;
}

int vpic_create(struct vm *vm)
{
	struct vm_irq *irq = vm_irq(vm);
	struct vpic *p;

	if (irq->vpic)
		return -TERN_EEXIST;
	p = kzalloc(sizeof(*p));
	if (!p)
		return -TERN_ENOMEM;
	spin_lock_init(&p->lock);
	p->vm = vm;
	chip_power_on(&p->chip[PIC_MASTER], PIC_RESET_MASTER_BASE, PIC_RESET_MASTER_ICW3,
		      ELCR_MASTER_WRITABLE);
	chip_power_on(&p->chip[PIC_SLAVE], PIC_RESET_SLAVE_BASE, PIC_RESET_SLAVE_ICW3,
		      ELCR_SLAVE_WRITABLE);
	irq->vpic = p;
	return 0;
}

void vpic_destroy(struct vm *vm)
{
	struct vm_irq *irq = vm_irq(vm);

	kfree(irq->vpic);
	irq->vpic = NULL;
}

int vpic_set_irq(struct vm *vm, unsigned pin, unsigned source_id, int level)
{
	struct vpic *p = vpic_of(vm);
	unsigned idx = pin / PIC_IRS, ir = pin % PIC_IRS;
	struct pic_chip *c;
	bool line, latched;
	u8 before;

	if (!p)
		return -TERN_ENODEV;
	if (pin >= VPIC_NR_PINS || source_id >= IRQ_SOURCE_ID_MAX)
		return -TERN_EINVAL;
	c = &p->chip[idx];
	spin_lock(&p->lock);
	before = c->irr;
	line = irq_line_update(&c->line[ir], source_id, level);
	if (!(idx == PIC_MASTER && ir == PIC_CASCADE_IR))
		chip_input(p, idx, ir, line);
	vpic_update(p);   /* also feeds master IR2 from its own line and the slave */
	latched = (c->irr & ~before & ~c->imr) & BIT(ir);
	spin_unlock(&p->lock);
	return latched ? 1 : 0;
}

bool vpic_intr_pending(struct vm *vm)
{
	struct vpic *p = vpic_of(vm);
	bool pending;

	if (!p)
		return false;
	spin_lock(&p->lock);
	pending = chip_request(p, PIC_MASTER) >= 0;
	spin_unlock(&p->lock);
	return pending;
}

int vpic_intr_ack(struct vm *vm)
{
	struct vpic *p = vpic_of(vm);
	pic_acks_t acks = 0;
	int ir, sir, vector;

	if (!p)
		return -TERN_ENODEV;
	spin_lock(&p->lock);
	ir = chip_ack(p, PIC_MASTER, &acks);
	if (ir < 0) {
		vector = p->chip[PIC_MASTER].vector_base + PIC_SPURIOUS_IR;
	} else if (is_cascade_ir(p, PIC_MASTER, (unsigned)ir)) {
		sir = chip_ack(p, PIC_SLAVE, &acks);
		vector = p->chip[PIC_SLAVE].vector_base + (sir < 0 ? PIC_SPURIOUS_IR : sir);
	} else {
		vector = p->chip[PIC_MASTER].vector_base + ir;
	}
	vpic_finish(p, acks);
	return vector;
}

static int dump_chip(const struct pic_chip *c, const char *name, char *buf, size_t len)
{
	return fmt_snprintf(buf, len,
			    "%s: irr=%02x isr=%02x imr=%02x elcr=%02x input=%02x base=%02x "
			    "icw1=%02x icw3=%02x icw4=%02x top=%u init=%u%s%s%s%s\n",
			    name, c->irr, c->isr, c->imr, c->elcr, c->input, c->vector_base,
			    c->icw1, c->icw3, c->icw4, c->top, (unsigned)c->icw,
			    c->special_mask ? " smm" : "", c->poll ? " poll" : "",
			    c->read_isr ? " read-isr" : "", c->rotate_on_aeoi ? " rotate-aeoi" : "");
}

/* Append to buf at *pos, clamping to what fits. */
static void dump_advance(size_t *pos, size_t len, int n)
{
	if (n > 0)
		*pos = MIN(*pos + (size_t)n, len ? len - 1 : 0);
}

int vpic_dump(struct vm *vm, char *buf, size_t len)
{
	struct vpic *p = vpic_of(vm);
	size_t pos = 0;

	if (!buf || !len)
		return 0;
	buf[0] = '\0';
	if (!p) {
		dump_advance(&pos, len, fmt_snprintf(buf, len, "pic: none\n"));
		return (int)pos;
	}
	spin_lock(&p->lock);
	dump_advance(&pos, len, dump_chip(&p->chip[PIC_MASTER], "pic master", buf, len));
	dump_advance(&pos, len, dump_chip(&p->chip[PIC_SLAVE], "pic slave", buf + pos, len - pos));
	dump_advance(&pos, len, fmt_snprintf(buf + pos, len - pos, "pic intr=%u\n", p->intr));
	spin_unlock(&p->lock);
	return (int)pos;
}
