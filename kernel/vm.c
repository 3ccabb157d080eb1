/* SPDX-License-Identifier: MIT */
/*
 * VM objects: guest RAM (2 MiB host blocks, kernel/vm.h layout), the
 * guest-memory services of kernel/vm.h, guest console output, and the end
 * of a VM. Creation order: RAM, EPT, I/O maps, vCPUs, shared memory,
 * routing, inter-VM doorbells, devices, guest image; then the VM registry.
 */
#include <stdarg.h>

#include "arch/x86/apicv.h"
#include "arch/x86/inject.h"
#include "arch/x86/vmx.h"
#include "drivers/platform.h"
#include "drivers/rtc.h"
#include "irq/routing.h"
#include "irq/vioapic.h"
#include "irq/vlapic.h"
#include "irq/vpic.h"
#include "kernel/console.h"
#include "kernel/intervm.h"
#include "kernel/io.h"
#include "kernel/lib/atomic.h"
#include "kernel/lib/format.h"
#include "kernel/lib/string.h"
#include "kernel/loader_boot.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/rcu.h"
#include "kernel/shm.h"
#include "kernel/vm_impl.h"
#include "kernel/vm_registry.h"

#define VM_PREFIX_MAX 16

unsigned vm_id(const struct vm *vm) { return vm->id; }
u64 vm_ram_size(const struct vm *vm) { return vm->ram_size; }
unsigned vm_nr_vcpus(const struct vm *vm) { return vm->nr_vcpus; }

bool vm_running(const struct vm *vm)
{
	return !READ_ONCE(vm->ended) && !vm_exit_requested(vm);
}
struct io_maps *vm_io_maps(struct vm *vm) { return vm->io; }

/* Block index and offset of gpa, or false when gpa is not RAM. */
static bool gpa_to_block(const struct vm *vm, u64 gpa, u64 *idx, u64 *off)
{
	u64 rel;

	if (gpa < vm->low_ram_end)
		rel = gpa;
	else if (gpa >= VM_HIGH_RAM_BASE && gpa - VM_HIGH_RAM_BASE < vm->ram_size - vm->low_ram_end)
		rel = vm->low_ram_end + (gpa - VM_HIGH_RAM_BASE);
	else
		return false;
	*idx = rel / VM_RAM_BLOCK;
	*off = rel % VM_RAM_BLOCK;
	return true;
}

/* The RAM region holding gpa ends where? (for the same-region check of a range) */
static u64 region_end(const struct vm *vm, u64 gpa)
{
	return gpa < vm->low_ram_end ? vm->low_ram_end :
	       VM_HIGH_RAM_BASE + (vm->ram_size - vm->low_ram_end);
}

void *vm_gpa_to_hva(struct vm *vm, u64 gpa, u64 len)
{
	u64 idx, off, last;

	/* fast path (MMIO instruction fetch, device buffers): inside one low block */
	if (likely(gpa < vm->low_ram_end && len <= VM_RAM_BLOCK - (gpa & (VM_RAM_BLOCK - 1))))
		return vm->blocks[gpa / VM_RAM_BLOCK] + (gpa & (VM_RAM_BLOCK - 1));

	if (gpa + len < gpa || !gpa_to_block(vm, gpa, &idx, &off))
		return NULL;
	if (len > region_end(vm, gpa) - gpa)
		return NULL;
	/* a range across blocks needs them host-contiguous too */
	last = idx + (off + (len ? len - 1 : 0)) / VM_RAM_BLOCK;
	for (u64 i = idx; i < last; i++)
		if (vm->blocks[i] + VM_RAM_BLOCK != vm->blocks[i + 1])
			return NULL;
	return vm->blocks[idx] + off;
}

bool vm_range_has_ram(struct vm *vm, u64 base, u64 len)
{
	u64 end = base + len;

	if (len == 0)
		return false;
	if (end < base)
		end = ~0ull;
	if (base < vm->low_ram_end)
		return true;
	return vm->ram_size > vm->low_ram_end &&
	       base < VM_HIGH_RAM_BASE + (vm->ram_size - vm->low_ram_end) && end > VM_HIGH_RAM_BASE;
}

/* Check the whole range first so a failed copy has no effect. */
static int copy_guest(struct vm *vm, u64 gpa, void *host, u64 len, bool to_guest)
{
	u64 idx, off;

	if (len == 0)
		return 0;
	if (gpa + len < gpa || !gpa_to_block(vm, gpa, &idx, &off) ||
	    len > region_end(vm, gpa) - gpa)
		return -TERN_EFAULT;
	while (len) {
		u64 n = MIN(len, VM_RAM_BLOCK - off);
		u8 *hva = vm->blocks[idx] + off;

		if (to_guest)
			memcpy(hva, host, n);
		else
			memcpy(host, hva, n);
		host = (u8 *)host + n;
		len -= n;
		idx++;
		off = 0;
	}
	return 0;
}

int vm_copy_from_guest(struct vm *vm, void *dst, u64 gpa, u64 len)
{
	return copy_guest(vm, gpa, dst, len, false);
}

int vm_copy_to_guest(struct vm *vm, u64 gpa, const void *src, u64 len)
{
	return copy_guest(vm, gpa, (void *)src, len, true);
}

/* Emit the buffered line as "[vmN] text\n" (console_lock held). */
static void flush_line(struct vm *vm)
{
	char out[VM_PREFIX_MAX + VM_CONSOLE_LINE + 1];
	int n = fmt_snprintf(out, VM_PREFIX_MAX, "[vm%u] ", vm->id);

	memcpy(out + n, vm->line, vm->line_len);
	out[n + vm->line_len] = '\n';
	console_write_line(out, n + vm->line_len + 1);
	vm->line_len = 0;
}

/*
 * A VM that writes faster than the line would otherwise make whoever
 * writes next wait for the UART inside an exit, CPU time charged to
 * nobody. Instead, once the backlog is congested and this VM wrote more
 * than VM_CONSOLE_BURST of it, the vCPU that wrote waits off its CPU until
 * the backlog is calm again (kernel/sched.c); a VM printing a line now and
 * then is never held back by another's flood. Called on the writing vCPU's
 * CPU, in its exit; the counts are per VM and only approximate when its
 * vCPUs write at once, which moves the moment, not the bound.
 */
static void console_backpressure(struct vm *vm, size_t len)
{
	u32 epoch = console_calm_epoch();
	struct vcpu *cur;

	if (READ_ONCE(vm->console_epoch) != epoch) {
		WRITE_ONCE(vm->console_epoch, epoch);
		WRITE_ONCE(vm->console_burst, 0);
	}
	WRITE_ONCE(vm->console_burst, READ_ONCE(vm->console_burst) + (u32)len);
	if (likely(vm->console_burst <= VM_CONSOLE_BURST || !console_congested()))
		return;
	cur = this_cpu()->current_vcpu;
	if (cur && cur->vm == vm)
		vcpu_console_wait(cur);
}

void vm_console_write(struct vm *vm, const char *buf, size_t len)
{
	if (!vm->prefix_console) {
		console_write(buf, len);
		console_backpressure(vm, len);
		return;
	}
	console_backpressure(vm, len);
	spin_lock(&vm->console_lock);
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n') {
			flush_line(vm);
			continue;
		}
		if (buf[i] == '\r')
			continue;
		vm->line[vm->line_len++] = buf[i];
		if (vm->line_len == VM_CONSOLE_LINE)
			flush_line(vm);
	}
	spin_unlock(&vm->console_lock);
}

/* The first stop request decides how the VM stops: false when one came before. */
static bool request_stop(struct vm *vm, enum vm_stop how, int status)
{
	bool first;

	spin_lock(&vm->stop_lock);
	first = READ_ONCE(vm->exit_requested) == VM_STOP_NONE;
	if (first) {
		vm->exit_status = status;   /* before the request: whoever sees it sees the status */
		store_release(&vm->exit_requested, (u8)how);
	}
	spin_unlock(&vm->stop_lock);
	if (!first)
		return false;
	/* the exit path looks at the kick flag only: make every vCPU see the request */
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		vcpu_kick(vm, i);
	return true;
}

void vm_request_exit(struct vm *vm, int status)
{
	request_stop(vm, VM_STOP_EXIT, status);
}

void vm_request_reset(struct vm *vm, const char *source)
{
	if (request_stop(vm, VM_STOP_RESET, 0))
		pr_info("vm%u: reset via %s: rebooting", vm->id, source);
}

void vm_stop_error(struct vm *vm, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (vm_exit_requested(vm))
		return;   /* one reason per VM: the first */
	pr_err("vm%u: %s", vm->id, msg);
	vm_request_exit(vm, VM_STATUS_ERROR);
}

void vm_end(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		vm->vcpus[i]->state = VCPU_STOPPED;
	spin_lock(&vm->console_lock);
	if (vm->line_len)
		flush_line(vm);
	spin_unlock(&vm->console_lock);
	vm->ended = true;
}

static int ram_alloc(struct vm *vm, u64 size)
{
	vm->ram_size = ALIGN_UP(size, VM_RAM_BLOCK);
	vm->low_ram_end = MIN(vm->ram_size, VM_LOW_RAM_MAX);
	vm->nr_blocks = (unsigned)(vm->ram_size / VM_RAM_BLOCK);
	vm->blocks = kzalloc(vm->nr_blocks * sizeof(vm->blocks[0]));
	if (!vm->blocks)
		return -TERN_ENOMEM;
	for (unsigned i = 0; i < vm->nr_blocks; i++) {
		vm->blocks[i] = page_alloc(VM_RAM_BLOCK_ORDER);
		if (!vm->blocks[i])
			return -TERN_ENOMEM;
	}
	return 0;
}

/* Free the interrupt controllers (after devices and routing are gone). */
static void irq_models_destroy(struct vm *vm)
{
	for (unsigned i = 0; i < vm->irq.nr_vcpus; i++)
		vlapic_destroy(vm, i);
	vioapic_destroy(vm);
	vpic_destroy(vm);
}

static void vm_destroy(struct vm *vm)
{
	if (vm->platform)
		pc_platform_destroy(vm);
	if (vm->routing)
		irq_routing_destroy(vm);
	irq_models_destroy(vm);
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		vcpu_destroy(vm->vcpus[i]);
	vmx_vm_destroy(vm);
	shm_vm_destroy(vm);
	io_maps_destroy(vm->io);
	for (unsigned i = 0; vm->blocks && i < vm->nr_blocks; i++)
		if (vm->blocks[i])
			page_free(vm->blocks[i], VM_RAM_BLOCK_ORDER);
	kfree(vm->blocks);
	kfree(vm);
}

/*
 * An xAPIC window's MMIO: the vLAPIC of the accessing vCPU when the window
 * is at that vCPU's base (else nothing is there: all ones), then a
 * re-evaluation of its pending interrupts before the next entry (TPR, EOI,
 * timer and ICR writes change what may be injected).
 */
static int lapic_mmio(void *opaque, unsigned vcpu_id, u64 offset, unsigned size, bool write,
		      u64 *val)
{
	const struct lapic_window *w = opaque;
	struct vm *vm = w->vm;
	int rc;

	if (vcpu_id >= vm->nr_vcpus || vlapic_base(vm, vcpu_id) != w->base) {
		if (!write)
			*val = size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
		return 0;
	}
	rc = vlapic_mmio(vm, vcpu_id, offset, size, write, val);
	if (!write)
		return rc;   /* a read that fired the timer kicked already */
	/*
	 * The vCPU of this exit: timer registers move its deadline, the rest
	 * may change its events; an EOI kicks by itself when it does.
	 */
	if (vlapic_timer_reg((unsigned)offset))
		inject_lapic_timer_set(vm->vcpus[vcpu_id], vlapic_timer_deadline(vm, vcpu_id));
	else if (offset != APIC_REG_EOI)
		WRITE_ONCE(vm->vcpus[vcpu_id]->kicked, true);
	return rc;
}

/* Is [base, base + len) inside one of the VM's shared-memory regions (mapped, not trapped)? */
static bool overlaps_shm(struct vm *vm, u64 base, u64 len)
{
	u64 gpa, size;

	for (unsigned i = 0; vm_shm_region(vm, i, &gpa, &size); i++)
		if (base < gpa + size && gpa < base + len)
			return true;
	return false;
}

int vm_lapic_window(struct vm *vm, u64 base)
{
	struct lapic_window *w;
	int rc = 0;

	if (vm_range_has_ram(vm, base, APIC_MMIO_SIZE) || overlaps_shm(vm, base, APIC_MMIO_SIZE))
		return -TERN_EINVAL;
	spin_lock(&vm->lapic_lock);
	for (unsigned i = 0; i < vm->nr_lapic_windows; i++)
		if (vm->lapic_windows[i].base == base)
			goto out;
	if (vm->nr_lapic_windows == LIMIT_LAPIC_WINDOWS) {
		rc = -TERN_ENOSPC;
		goto out;
	}
	w = &vm->lapic_windows[vm->nr_lapic_windows];
	*w = (struct lapic_window){ vm, base };
	rc = mmio_register(vm, base, APIC_MMIO_SIZE, lapic_mmio, w);
	if (!rc)
		vm->nr_lapic_windows++;
out:
	spin_unlock(&vm->lapic_lock);
	return rc;
}

static const u16 vpic_ports[][2] = {
	{ VPIC_MASTER_CMD_PORT, 2 }, { VPIC_SLAVE_CMD_PORT, 2 }, { VPIC_ELCR_MASTER_PORT, 2 },
};

/* vPIC, vIOAPIC, one vLAPIC per vCPU, and their ports and MMIO windows. */
static int irq_models_create(struct vm *vm)
{
	int rc = vpic_create(vm);

	if (!rc)
		rc = vioapic_create(vm);
	for (unsigned i = 0; !rc && i < vm->nr_vcpus; i++)
		rc = vlapic_create(vm, i);
	for (unsigned i = 0; !rc && i < vm->nr_vcpus; i++)
		rc = apicv_vcpu_init(vm->vcpus[i]);
	for (unsigned i = 0; !rc && i < ARRAY_SIZE(vpic_ports); i++)
		rc = pio_register(vm, vpic_ports[i][0], vpic_ports[i][1], vpic_pio, vm);
	if (!rc)
		rc = mmio_register(vm, VIOAPIC_BASE, VIOAPIC_MMIO_SIZE, vioapic_mmio, vm);
	if (!rc)
		rc = vm_lapic_window(vm, APIC_DEFAULT_BASE);
	if (rc)
		pr_err("vm%u: interrupt controller setup failed (error %d)", vm->id, rc);
	return rc;
}

static int create_parts(struct vm *vm, const struct vm_config *cfg)
{
	int rc;

	if (cfg->mem < VM_RAM_MIN || cfg->cpus == 0 || cfg->cpus > TERN_MAX_VCPUS) {
		pr_err("vm%u: needs at least %llu MiB of RAM and 1 to %u vCPUs", vm->id,
		       VM_RAM_MIN / MiB, TERN_MAX_VCPUS);
		return -TERN_EINVAL;
	}
	rc = ram_alloc(vm, cfg->mem);
	if (rc) {
		pr_err("vm%u: out of memory for %llu MiB of guest RAM", vm->id,
		       (unsigned long long)(cfg->mem / MiB));
		return rc;
	}
	rc = vmx_vm_init(vm);
	vm->io = io_maps_create();
	if (rc || !vm->io) {
		pr_err("vm%u: out of memory for EPT or I/O maps", vm->id);
		return -TERN_ENOMEM;
	}
	vm->irq.nr_vcpus = cfg->cpus;
	for (unsigned i = 0; i < cfg->cpus; i++) {
		vm->vcpus[i] = vcpu_create(vm, i);
		if (!vm->vcpus[i])
			return -TERN_ENOMEM;
		vm->nr_vcpus = i + 1;
	}
	return irq_models_create(vm);
}

/* Routing, then the VM's doorbells for other VMs (doorbell= on the command line). */
static int irq_links_create(struct vm *vm, const struct vm_config *cfg)
{
	int rc = irq_routing_init_default(vm);

	vm->routing = !rc;
	if (rc) {
		pr_err("vm%u: interrupt routing setup failed (error %d)", vm->id, rc);
		return rc;
	}
	rc = intervm_vm_init(vm, vm->id, cfg);
	if (rc)
		pr_err("vm%u: creating its doorbell= doorbells failed (error %d)", vm->id, rc);
	return rc;
}

/* Make the finished VM visible to the others (ring, find, grant by id). */
static int vm_register(struct vm *vm, const struct vm_config *cfg)
{
	int rc = vm_registry_add(vm, vm->id, cfg->control ? VM_REGISTRY_CONTROL : 0);

	if (rc)
		pr_err("vm%u: cannot be registered for inter-VM calls (error %d)", vm->id, rc);
	return rc;
}

struct vm *vm_create(unsigned id, const struct vm_config *cfg, const struct boot_info *bi,
		     bool prefix_console)
{
	struct vm *vm = kzalloc(sizeof(*vm));
	int rc;

	if (!vm) {
		pr_err("vm%u: out of memory", id);
		return NULL;
	}
	vm->id = id;
	vm->prefix_console = prefix_console;
	spin_lock_init(&vm->console_lock);
	spin_lock_init(&vm->lapic_lock);
	spin_lock_init(&vm->stop_lock);
	fmt_snprintf(vm->name, sizeof(vm->name), "%s", cfg->kernel);
	rc = create_parts(vm, cfg);
	if (!rc)
		rc = shm_vm_init(vm, cfg);
	if (!rc)
		rc = irq_links_create(vm, cfg);
	if (!rc) {
		rc = pc_platform_init(vm);
		vm->platform = !rc;
		if (rc)
			pr_err("vm%u: device setup failed (error %d)", id, rc);
	}
	if (!rc)
		rc = loader_boot_vm(vm, cfg, bi);
	if (!rc)
		rc = vm_register(vm, cfg);
	if (rc) {
		vm_destroy(vm);
		return NULL;
	}
	return vm;
}

/* ------------------------------------------------------------ warm reset */

/* Everything vm_create() built on top of RAM, EPT and the vCPUs, gone; fresh I/O maps. */
static int reboot_teardown(struct vm *vm)
{
	if (vm->platform)
		pc_platform_destroy(vm);
	vm->platform = false;
	if (vm->routing)
		irq_routing_destroy(vm);
	vm->routing = false;
	irq_models_destroy(vm);
	io_maps_destroy(vm->io);
	vm->nr_lapic_windows = 0;
	vm->io = io_maps_create();
	return vm->io ? 0 : -TERN_ENOMEM;
}

static void ram_zero(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nr_blocks; i++)
		memset(vm->blocks[i], 0, VM_RAM_BLOCK);
}

/* The RAM, the APIC-access page and every vCPU as at power-on. */
static int reboot_reset_state(struct vm *vm)
{
	int rc = 0;

	ram_zero(vm);
	apicv_vm_reset(vm);
	for (unsigned i = 0; i < vm->nr_vcpus && !rc; i++)
		rc = vcpu_reset(vm->vcpus[i]);
	return rc;
}

/* As vm_create(), on the existing RAM and vCPUs. */
static int reboot_build(struct vm *vm, const struct vm_config *cfg, const struct boot_info *bi)
{
	int rc = irq_models_create(vm);

	if (!rc)
		rc = irq_links_create(vm, cfg);
	if (!rc) {
		rc = pc_platform_init(vm);
		vm->platform = !rc;
	}
	if (!rc)
		rc = loader_boot_vm(vm, cfg, bi);
	return rc;
}

int vm_reboot(struct vm *vm, const struct vm_config *cfg, const struct boot_info *bi)
{
	struct rtc_persist cmos;
	bool keep_cmos;
	int rc;

	/* no other VM may reach its doorbells while they are rebuilt */
	vm_registry_remove(vm);
	synchronize_rcu();
	keep_cmos = rtc_persist_save(vm, &cmos);
	rc = reboot_teardown(vm);
	if (!rc)
		rc = reboot_reset_state(vm);
	if (!rc)
		rc = reboot_build(vm, cfg, bi);
	if (!rc && keep_cmos)
		rtc_persist_restore(vm, &cmos);
	if (!rc)
		rc = vm_register(vm, cfg);
	/* the vCPUs' VMCSs were rebuilt here: their home CPUs load them next */
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		vmx_vcpu_unload(vm->vcpus[i]);
	if (rc)
		pr_err("vm%u: reboot failed (error %d)", vm->id, rc);
	return rc;
}

void vm_restart(struct vm *vm)
{
	vm->nr_parked = 0;
	spin_lock(&vm->stop_lock);
	store_release(&vm->exit_requested, (u8)VM_STOP_NONE);
	spin_unlock(&vm->stop_lock);
	/* after the request is gone: a CPU that sees a vCPU unparked runs it */
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		store_release(&vm->vcpus[i]->parked, false);
		vcpu_kick(vm, i);
	}
}
