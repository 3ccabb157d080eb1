/* SPDX-License-Identifier: MIT */
/*
 * I/O instruction exits: IN/OUT through pio_dispatch, and string I/O
 * (INS/OUTS, with REP) element by element through guest-linear memory.
 * A long REP runs in batches: the instruction restarts with the updated
 * RCX/RSI/RDI so one exit never holds the CPU for long.
 */
#include "arch/x86/exit.h"
#include "arch/x86/inject.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_caps.h"
#include "arch/x86/vmx_gwalk.h"
#include "arch/x86/vmx_insn.h"
#include "arch/x86/x86.h"
#include "kernel/io.h"
#include "kernel/vm_impl.h"

#define STRING_IO_BATCH 1024
#define IO_TIMER_PORTS_END 0x80   /* writes below may reprogram the PIT or RTC */
#define SEG_ES 0
#define SEG_DS 3

static u64 size_mask(unsigned bytes)
{
	return bytes >= 8 ? ~0ull : (1ull << (8 * bytes)) - 1;
}

/* Write val into the low bytes of *reg as an x86 register write of that size. */
static void reg_write_sized(u64 *reg, u64 val, unsigned bytes)
{
	if (bytes >= 4)
		*reg = val & size_mask(bytes);   /* 32-bit writes zero-extend */
	else
		*reg = (*reg & ~size_mask(bytes)) | (val & size_mask(bytes));
}

static __attribute__((noinline, cold)) int io_failed(struct vcpu *v, u16 port, bool in, int rc)
{
	vm_stop_error(v->vm, "vCPU %u: %s port 0x%x failed (error %d) at rip 0x%llx", v->id,
		      in ? "in from" : "out to", port, rc,
		      (unsigned long long)vmcs_read(VMCS_GUEST_RIP));
	return VMX_RUN_YIELD;
}

/* The same for an IN/OUT, from its exit qualification: the hot path keeps neither port nor direction. */
static __attribute__((noinline, cold)) int io_failed_q(struct vcpu *v, int rc)
{
	u64 q = vmcs_read(VMCS_EXIT_QUALIFICATION);

	return io_failed(v, (u16)(q >> IOQ_PORT_SHIFT), q & IOQ_IN, rc);
}

struct string_io {
	unsigned size, addr_bytes;
	bool in, rep;
	u16 port;
	u64 seg_base;
	s64 step;
};

static void string_io_setup(struct string_io *s, u64 q)
{
	enum insn_mode mode = guest_insn_mode();
	u64 info = vmx_caps.ins_outs_info ? vmcs_read(VMCS_EXIT_INSN_INFO) : 0;
	unsigned seg = s->in ? SEG_ES : SEG_DS;

	s->addr_bytes = mode == INSN_MODE_64 ? 8 : mode == INSN_MODE_32 ? 4 : 2;
	if (vmx_caps.ins_outs_info) {
		s->addr_bytes = 2u << ((info >> IOINFO_ADDR_SIZE_SHIFT) & IOINFO_ADDR_SIZE_MASK);
		if (!s->in)
			seg = (info >> IOINFO_SEG_SHIFT) & IOINFO_SEG_MASK;
	}
	/* 64-bit mode ignores segment bases except FS and GS */
	s->seg_base = (mode == INSN_MODE_64 && seg < 4) ? 0 :
		      vmcs_read(VMCS_GUEST_ES_BASE + 2 * seg);
	s->rep = q & IOQ_REP;
	s->step = (vmcs_read(VMCS_GUEST_RFLAGS) & RFLAGS_DF) ? -(s64)s->size : (s64)s->size;
}

static int string_element(struct vcpu *v, const struct string_io *s, u64 *index)
{
	u64 gva = s->seg_base + (*index & size_mask(s->addr_bytes));
	u32 val = 0;
	int rc;

	if (!s->in && guest_read_linear(v, gva, &val, s->size))
		return -TERN_EFAULT;
	rc = pio_dispatch(v->vm, v->id, s->port, s->size, s->in, &val);
	if (rc)
		return rc;
	if (s->port < IO_TIMER_PORTS_END && !s->in)
		inject_timers_changed(v);
	if (s->in && guest_write_linear(v, gva, &val, s->size))
		return -TERN_EFAULT;
	reg_write_sized(index, *index + (u64)s->step, s->addr_bytes);
	return 0;
}

/* Out of line: it would make the plain IN/OUT path save six registers. */
static __attribute__((noinline)) int exit_string_io(struct vcpu *v, u64 q, unsigned size, bool in,
					   u16 port)
{
	struct string_io s = { .size = size, .in = in, .port = port };
	u64 *index, count;
	unsigned done = 0;

	string_io_setup(&s, q);
	index = &v->gpr[in ? GPR_RDI : GPR_RSI];
	count = s.rep ? v->gpr[GPR_RCX] & size_mask(s.addr_bytes) : 1;
	while (count && done < STRING_IO_BATCH) {
		int rc = string_element(v, &s, index);

		if (rc == -TERN_EFAULT) {
			vm_stop_error(v->vm, "vCPU %u: string I/O on port 0x%x touches memory outside "
				      "RAM at rip 0x%llx", v->id, port,
				      (unsigned long long)vmcs_read(VMCS_GUEST_RIP));
			return VMX_RUN_YIELD;
		}
		if (rc)
			return io_failed(v, port, in, rc);
		count--;
		done++;
		if (s.rep)
			reg_write_sized(&v->gpr[GPR_RCX], count, s.addr_bytes);
	}
	if (!count)
		exit_skip_insn(v);
	return 0;
}

/* Access sizes by the qualification's size field (0: 1 byte, 1: 2, 3: 4; the rest cannot occur). */
static const u8 io_size[IOQ_SIZE_MASK + 1] = { 1, 2, 4, 4, 4, 4, 4, 4 };

/*
 * IN/OUT to port (q is the exit qualification) through r, or through
 * pio_dispatch (unclaimed ports) when r is NULL: the handler, then the
 * instruction's completion. The value goes through v->io_val rather than
 * a local and the qualification is read again after the handler, so only v
 * lives across the call (one saved register, no stack frame). Bits 63:32 of
 * an exit qualification are zero, so (u32)q >> 16 is the port and
 * q < 0x80 << 16 means a port below 0x80.
 */
static inline __attribute__((always_inline)) int port_access(struct vcpu *v, u64 q,
							     const struct io_range *r)
{
	unsigned size = io_size[q & IOQ_SIZE_MASK];
	bool in = q & IOQ_IN;
	u16 port = (u16)((u32)q >> IOQ_PORT_SHIFT);
	int rc;

	v->io_val = in ? 0 : (u32)v->gpr[GPR_RAX];
	rc = r ? r->fn.pio(r->opaque, v->id, port, size, in, &v->io_val) :
		 pio_dispatch(v->vm, v->id, port, size, in, &v->io_val);
	if (unlikely(rc))
		return io_failed_q(v, rc);
	/* the exit's VMCS is still the current one (the RIP update below relies on it too) */
	q = vmcs_read(VMCS_EXIT_QUALIFICATION);
	if (q & IOQ_IN) {
		size = io_size[q & IOQ_SIZE_MASK];
		if (size == 4)
			v->gpr[GPR_RAX] = v->io_val;   /* a 32-bit write zero-extends */
		else
			reg_write_sized(&v->gpr[GPR_RAX], v->io_val, size);
	} else if (unlikely(q < ((u64)IO_TIMER_PORTS_END << IOQ_PORT_SHIFT))) {
		inject_timers_changed(v);   /* PIT 0x40-0x43, port 0x61, RTC 0x70-0x71 */
	}
	exit_skip_insn(v);
	return 0;
}

/* Out of line: string I/O, and a port outside the range this vCPU hit last. */
static __attribute__((noinline)) int exit_io_other(struct vcpu *v, u64 q)
{
	u16 port = (u16)(q >> IOQ_PORT_SHIFT);
	const struct io_range *r;

	if (q & IOQ_STRING)
		return exit_string_io(v, q, io_size[q & IOQ_SIZE_MASK], q & IOQ_IN, port);
	r = pio_lookup(v->vm, port);
	if (r)
		v->io_pio = r;
	return port_access(v, q, r);
}

/*
 * IN/OUT. The hot path: the port is in the range this vCPU hit last, so
 * its handler is called directly; the qualification is decoded once and the
 * instruction length read only to advance RIP.
 */
EXIT_HOT int exit_io(struct vcpu *v)
{
	u64 q = vmcs_read(VMCS_EXIT_QUALIFICATION);
	const struct io_range *r = v->io_pio;

	if (likely(!(q & IOQ_STRING) && io_range_has(r, (u32)q >> IOQ_PORT_SHIFT)))
		return port_access(v, q, r);
	return exit_io_other(v, q);
}
