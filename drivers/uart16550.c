/* SPDX-License-Identifier: MIT */
#include "drivers/platform.h"
#include "drivers/uart16550.h"
#include "irq/routing.h"
#include "kernel/io.h"
#include "kernel/lib/spinlock.h"
#include "kernel/mm.h"
#include "kernel/vm.h"

/* Register offsets. */
#define UART_RBR 0   /* read, DLAB=0 */
#define UART_THR 0   /* write, DLAB=0 */
#define UART_DLL 0   /* DLAB=1 */
#define UART_IER 1   /* DLAB=0 */
#define UART_DLM 1   /* DLAB=1 */
#define UART_IIR 2   /* read */
#define UART_FCR 2   /* write */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define IER_ERBFI       BIT(0)   /* received data available */
#define IER_ETBEI       BIT(1)   /* THR empty */
#define IER_ELSI        BIT(2)   /* receiver line status */
#define IER_EDSSI       BIT(3)   /* modem status */
#define IER_MASK        0x0f

#define IIR_NO_INT      0x01
#define IIR_MSR         0x00
#define IIR_THRE        0x02
#define IIR_RDA         0x04
#define IIR_RLS         0x06
#define IIR_CTI         0x0c     /* character timeout (FIFO mode) */
#define IIR_FIFO_ON     0xc0

#define FCR_FIFO_EN     BIT(0)
#define FCR_RX_RESET    BIT(1)
#define FCR_TX_RESET    BIT(2)
#define FCR_TRIGGER     0xc0
#define FCR_TRIGGER_SHIFT 6

#define LCR_DLAB        BIT(7)

#define MCR_DTR         BIT(0)
#define MCR_RTS         BIT(1)
#define MCR_OUT1        BIT(2)
#define MCR_OUT2        BIT(3)
#define MCR_LOOP        BIT(4)
#define MCR_MASK        0x1f

#define LSR_DR          BIT(0)
#define LSR_OE          BIT(1)
#define LSR_PE          BIT(2)
#define LSR_FE          BIT(3)
#define LSR_BI          BIT(4)
#define LSR_THRE        BIT(5)
#define LSR_TEMT        BIT(6)
#define LSR_ERRORS      (LSR_OE | LSR_PE | LSR_FE | LSR_BI)

#define MSR_DCTS        BIT(0)
#define MSR_DDSR        BIT(1)
#define MSR_TERI        BIT(2)
#define MSR_DDCD        BIT(3)
#define MSR_CTS         BIT(4)
#define MSR_DSR         BIT(5)
#define MSR_RI          BIT(6)
#define MSR_DCD         BIT(7)
#define MSR_DELTAS      (MSR_DCTS | MSR_DDSR | MSR_TERI | MSR_DDCD)
/* Outside loopback the line looks like a connected terminal. */
#define MSR_CONNECTED   (MSR_CTS | MSR_DSR | MSR_DCD)

#define DIVISOR_115200  1
#define BUS_FLOAT       0xff     /* a byte no register answers */

static const u8 fifo_trigger_levels[4] = { 1, 4, 8, 14 };

struct uart16550 {
	spinlock_t lock;         /* guards everything below */
	struct vm *vm;
	u16 base;
	u32 gsi;
	unsigned source_id;
	u8 ier, lcr, mcr, fcr, scr, dll, dlm;
	u8 lsr_errors;           /* sticky LSR error bits, cleared by reading LSR */
	u8 msr;                  /* status (high nibble) and deltas (low nibble) */
	u8 rbr;                  /* last byte read from the FIFO */
	bool thr_ipending;
	int irq_level;
	u8 rx[UART16550_FIFO_SIZE];
	unsigned rx_head, rx_count;
};

/* Bytes a THR write produced for the console, flushed after the lock drops. */
struct uart_tx {
	unsigned len;
	char buf[sizeof(u32)];
};

static bool fifo_enabled(const struct uart16550 *u)
{
	return u->fcr & FCR_FIFO_EN;
}

static unsigned rx_capacity(const struct uart16550 *u)
{
	return fifo_enabled(u) ? UART16550_FIFO_SIZE : 1;
}

static unsigned rx_trigger(const struct uart16550 *u)
{
	if (!fifo_enabled(u))
		return 1;
	return fifo_trigger_levels[(u->fcr & FCR_TRIGGER) >> FCR_TRIGGER_SHIFT];
}

/* The highest-priority pending interrupt, as an IIR identification. */
static u8 uart_pending(const struct uart16550 *u)
{
	if ((u->ier & IER_ELSI) && (u->lsr_errors & LSR_ERRORS))
		return IIR_RLS;
	if ((u->ier & IER_ERBFI) && u->rx_count)
		return u->rx_count >= rx_trigger(u) ? IIR_RDA : IIR_CTI;
	if ((u->ier & IER_ETBEI) && u->thr_ipending)
		return IIR_THRE;
	if ((u->ier & IER_EDSSI) && (u->msr & MSR_DELTAS))
		return IIR_MSR;
	return IIR_NO_INT;
}

/*
 * Drive the line to match the pending state; only changes reach set_irq.
 * A GSI without a route (the guest may have routed it away) is no error.
 */
static int uart_update_irq(struct uart16550 *u)
{
	int level = uart_pending(u) != IIR_NO_INT;
	int ret;

	if (level == u->irq_level)
		return 0;
	ret = set_irq(u->vm, u->source_id, u->gsi, level);
	if (ret < 0 && ret != -TERN_ENOENT)
		return ret;
	u->irq_level = level;
	return 0;
}

static void rx_clear(struct uart16550 *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
}

/* Queue a received byte; false when it was lost to an overrun. */
static bool rx_push(struct uart16550 *u, u8 byte)
{
	if (u->rx_count >= rx_capacity(u)) {
		u->lsr_errors |= LSR_OE;
		if (!fifo_enabled(u))   /* 16450 mode: the new byte replaces RBR */
			u->rx[u->rx_head] = byte;
		return false;
	}
	u->rx[(u->rx_head + u->rx_count) % UART16550_FIFO_SIZE] = byte;
	u->rx_count++;
	return true;
}

static u8 rx_pop(struct uart16550 *u)
{
	if (u->rx_count) {
		u->rbr = u->rx[u->rx_head];
		u->rx_head = (u->rx_head + 1) % UART16550_FIFO_SIZE;
		u->rx_count--;
	}
	return u->rbr;
}

/* Modem status inputs: wired to MCR outputs in loopback. */
static u8 msr_inputs(u8 mcr)
{
	u8 s = 0;

	if (!(mcr & MCR_LOOP))
		return MSR_CONNECTED;
	if (mcr & MCR_RTS)
		s |= MSR_CTS;
	if (mcr & MCR_DTR)
		s |= MSR_DSR;
	if (mcr & MCR_OUT1)
		s |= MSR_RI;
	if (mcr & MCR_OUT2)
		s |= MSR_DCD;
	return s;
}

static void msr_set_inputs(struct uart16550 *u, u8 now)
{
	u8 was = u->msr & ~MSR_DELTAS;
	u8 deltas = u->msr & MSR_DELTAS;
	u8 changed = was ^ now;

	if (changed & MSR_CTS)
		deltas |= MSR_DCTS;
	if (changed & MSR_DSR)
		deltas |= MSR_DDSR;
	if ((was & MSR_RI) && !(now & MSR_RI))   /* trailing edge of RI */
		deltas |= MSR_TERI;
	if (changed & MSR_DCD)
		deltas |= MSR_DDCD;
	u->msr = now | deltas;
}

static u8 uart_read_iir(struct uart16550 *u)
{
	u8 id = uart_pending(u);

	if (id == IIR_THRE)   /* reading IIR acknowledges THRE */
		u->thr_ipending = false;
	return id | (fifo_enabled(u) ? IIR_FIFO_ON : 0);
}

static u8 uart_read_lsr(struct uart16550 *u)
{
	u8 lsr = LSR_THRE | LSR_TEMT | u->lsr_errors;

	if (u->rx_count)
		lsr |= LSR_DR;
	u->lsr_errors = 0;
	return lsr;
}

static u8 uart_read_msr(struct uart16550 *u)
{
	u8 msr = u->msr;

	u->msr &= ~MSR_DELTAS;
	return msr;
}

static u8 uart_read(struct uart16550 *u, unsigned reg)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (reg) {
	case UART_RBR:
		return dlab ? u->dll : rx_pop(u);
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR:
		return uart_read_iir(u);
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		return uart_read_lsr(u);
	case UART_MSR:
		return uart_read_msr(u);
	default:
		return u->scr;
	}
}

/* THR write: transmission is instant, so THR empties again at once. */
static int uart_write_thr(struct uart16550 *u, u8 v, struct uart_tx *tx)
{
	int ret;

	u->thr_ipending = false;
	ret = uart_update_irq(u);   /* the line drops, then rises: an edge per byte */
	if (ret < 0)
		return ret;
	if (u->mcr & MCR_LOOP)
		rx_push(u, v);
	else if (tx->len < sizeof(tx->buf))
		tx->buf[tx->len++] = (char)v;
	u->thr_ipending = true;
	return 0;
}

static void uart_write_ier(struct uart16550 *u, u8 v)
{
	u8 old = u->ier;

	u->ier = v & IER_MASK;
	if (!(old & IER_ETBEI) && (u->ier & IER_ETBEI))
		u->thr_ipending = true;   /* THR is empty: enabling ETBEI interrupts */
}

static void uart_write_fcr(struct uart16550 *u, u8 v)
{
	if ((v ^ u->fcr) & FCR_FIFO_EN)
		rx_clear(u);            /* changing FIFO mode resets the FIFOs */
	if (v & FCR_RX_RESET)
		rx_clear(u);
	u->fcr = v & (FCR_FIFO_EN | FCR_TRIGGER);
}

static int uart_write(struct uart16550 *u, unsigned reg, u8 v, struct uart_tx *tx)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (reg) {
	case UART_THR:
		if (dlab)
			u->dll = v;
		else
			return uart_write_thr(u, v, tx);
		break;
	case UART_IER:
		if (dlab)
			u->dlm = v;
		else
			uart_write_ier(u, v);
		break;
	case UART_FCR:
		uart_write_fcr(u, v);
		break;
	case UART_LCR:
		u->lcr = v;
		break;
	case UART_MCR:
		u->mcr = v & MCR_MASK;
		msr_set_inputs(u, msr_inputs(u->mcr));
		break;
	case UART_SCR:
		u->scr = v;
		break;
	default:   /* LSR, MSR: read-only */
		break;
	}
	return 0;
}

/*
 * The registers are 8 bits wide: a wider access is split into byte
 * accesses at consecutive ports, as the ISA bus does; bytes beyond the
 * UART's ports float high.
 */
static int uart_pio(void *opaque, unsigned vcpu_id, u16 port, unsigned size,
		    bool in, u32 *val)
{
	struct uart16550 *u = opaque;
	struct uart_tx tx = { 0 };
	u32 result = 0;
	int ret = 0;

	(void)vcpu_id;
	spin_lock(&u->lock);
	for (unsigned i = 0; i < size && i < sizeof(u32) && ret == 0; i++) {
		unsigned reg = (unsigned)port + i - u->base;
		u8 byte = (u8)(*val >> (8 * i));

		if (reg >= UART16550_NR_PORTS)
			byte = BUS_FLOAT;
		else if (in)
			byte = uart_read(u, reg);
		else
			ret = uart_write(u, reg, byte, &tx);
		result |= (u32)byte << (8 * i);
		if (ret == 0)
			ret = uart_update_irq(u);
	}
	spin_unlock(&u->lock);
	if (in)
		*val = result;
	if (tx.len)
		vm_console_write(u->vm, tx.buf, tx.len);
	return ret;
}

int uart16550_rx(struct uart16550 *u, u8 byte)
{
	bool kept;
	int ret;

	spin_lock(&u->lock);
	kept = rx_push(u, byte);
	ret = uart_update_irq(u);
	spin_unlock(&u->lock);
	if (ret < 0)
		return ret;
	return kept ? 0 : -TERN_ENOSPC;
}

int uart16550_receive(struct vm *vm, u8 byte)
{
	struct uart16550 *u = pc_platform_com1(vm);

	if (!u)
		return -TERN_ENODEV;
	return uart16550_rx(u, byte);
}

static void uart_reset(struct uart16550 *u)
{
	u->dll = DIVISOR_115200;
	u->msr = msr_inputs(0);
	u->thr_ipending = false;
	u->irq_level = 0;
	rx_clear(u);
}

int uart16550_create(struct vm *vm, u16 base, u32 gsi, struct uart16550 **out)
{
	struct uart16550 *u;
	int ret;

	u = kzalloc(sizeof(*u));
	if (!u)
		return -TERN_ENOMEM;
	spin_lock_init(&u->lock);
	u->vm = vm;
	u->base = base;
	u->gsi = gsi;
	uart_reset(u);
	ret = irq_source_alloc(vm);
	if (ret < 0)
		goto fail;
	u->source_id = (unsigned)ret;
	ret = pio_register(vm, base, UART16550_NR_PORTS, uart_pio, u);
	if (ret < 0) {
		irq_source_free(vm, u->source_id);
		goto fail;
	}
	*out = u;
	return 0;
fail:
	kfree(u);
	return ret;
}

void uart16550_destroy(struct uart16550 *u)
{
	if (!u)
		return;
	irq_source_free(u->vm, u->source_id);
	kfree(u);
}
