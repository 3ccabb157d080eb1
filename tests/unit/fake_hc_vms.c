/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irq/routing.h"
#include "kernel/hypercall.h"
#include "kernel/intervm.h"
#include "kernel/rcu.h"
#include "kernel/shm.h"
#include "kernel/vcpu.h"
#include "kernel/vm.h"
#include "kernel/vm_registry.h"
#include "tests/unit/fake_guest_ram.h"
#include "tests/unit/fake_hc_vms.h"
#include "tests/unit/real_chips.h"

struct hcvm hcvms[HCVM_MAX];
unsigned hcvm_count;
static bool call_long_mode;   /* the mode of the caller of the hypercall running now */

struct hcvm *hcvm_of(const struct vm *vm)
{
	for (unsigned i = 0; vm && i < hcvm_count; i++)
		if (hcvms[i].vm == vm)
			return &hcvms[i];
	return NULL;
}

/* ---------------------------------------------------------------- kernel/vm.h, vcpu.h, shm.h */

bool vcpu_long_mode(struct vcpu *v)
{
	(void)v;
	return call_long_mode;
}

unsigned vm_id(const struct vm *vm)
{
	const struct hcvm *h = hcvm_of(vm);

	return h ? h->id : 0;
}

bool vm_running(const struct vm *vm)
{
	return hcvm_of(vm) != NULL;
}

void vm_console_write(struct vm *vm, const char *buf, size_t len)
{
	struct hcvm *h = hcvm_of(vm);

	if (!h)
		abort();
	for (size_t i = 0; i < len; i++, h->console_len++)
		if (h->console_len < HCVM_CONSOLE_MAX)
			h->console[h->console_len] = buf[i];
}

int shm_query(struct vm *vm, u64 index, struct tern_shm_info *out)
{
	const struct hcvm *h = hcvm_of(vm);

	if (!h)
		abort();
	if (index >= h->nr_shm)
		return -TERN_ENOENT;
	*out = h->shm[index];
	return 0;
}

/* ---------------------------------------------------------------- setup */

/* Region i as kernel/shm.c reports it: 2 MiB-aligned in the window, in gpa order. */
static void make_shm(struct hcvm *h, unsigned i, unsigned nr_vms)
{
	struct tern_shm_info *s = &h->shm[i];
	static const char *const names[HCVM_MAX_SHM] = { "chan0", "chan1", "fifteen-chars-2" };

	STATIC_ASSERT(sizeof("fifteen-chars-2") == TERN_SHM_NAME_MAX);   /* the longest name */
	memset(s, 0, sizeof(*s));
	s->gpa = TERN_SHM_WINDOW_GPA + (u64)i * 2 * MiB;
	s->size = (u64)(i + 1) * 4096;
	s->region = i;
	s->vms = (u32)BIT(nr_vms) - 1;
	snprintf(s->name, sizeof(s->name), "%s", names[i]);
}

/* Free a VM no longer (or never) registered. */
static void free_vm(struct hcvm *h)
{
	fake_guest_ram_set(h->vm, NULL, 0);
	real_chips_vm_free(h->vm);
	for (unsigned c = 0; c < h->nr_vcpus; c++)
		free(h->vcpu[c]);
	free(h->ram);
	memset(h, 0, sizeof(*h));
}

static int make_vm(struct hcvm *h, unsigned id, unsigned nr_vms, const struct hcvm_config *cfg)
{
	static struct vm_config vc;
	int rc = 0;

	if (!cfg->nr_vcpus || cfg->nr_vcpus > HCVM_MAX_VCPUS || !cfg->ram_size ||
	    cfg->nr_shm > HCVM_MAX_SHM || cfg->nr_doorbells > CONFIG_MAX_VM_DOORBELLS)
		return -TERN_EINVAL;
	memset(h, 0, sizeof(*h));
	h->id = id;
	h->control = cfg->control;
	h->vm = real_chips_vm_new(cfg->nr_vcpus);
	h->ram = calloc(1, cfg->ram_size);
	h->ram_size = cfg->ram_size;
	for (unsigned c = 0; c < cfg->nr_vcpus; c++) {
		h->vcpu[c] = calloc(1, sizeof(struct vcpu));
		if (h->vcpu[c]) {
			h->vcpu[c]->vm = h->vm;
			h->vcpu[c]->id = c;
		}
		h->nr_vcpus = c + 1;
	}
	if (!h->vm || !h->ram || !h->vcpu[cfg->nr_vcpus - 1])
		abort();
	fake_guest_ram_set(h->vm, h->ram, h->ram_size);
	h->nr_shm = cfg->nr_shm;
	for (unsigned i = 0; i < cfg->nr_shm; i++)
		make_shm(h, i, nr_vms);
	if (cfg->limits)
		rc = irq_routing_set_limits(h->vm, &cfg->lim);
	if (!rc) {
		memset(&vc, 0, sizeof(vc));
		vc.control = cfg->control;
		vc.nr_doorbells = cfg->nr_doorbells;
		memcpy(vc.doorbells, cfg->doorbells, sizeof(vc.doorbells));
		rc = intervm_vm_init(h->vm, id, &vc);
	}
	if (!rc)
		rc = vm_registry_add(h->vm, id, cfg->control ? VM_REGISTRY_CONTROL : 0);
	if (rc)
		free_vm(h);
	return rc;
}

int hcvm_setup(unsigned nr, const struct hcvm_config *cfg)
{
	if (hcvm_count || nr > HCVM_MAX)
		return -TERN_EINVAL;
	for (unsigned i = 0; i < nr; i++) {
		/* counted first: vm_id() and the console find the VM while it is made */
		int rc;

		hcvm_count = i + 1;
		rc = make_vm(&hcvms[i], i, nr, &cfg[i]);
		if (rc) {
			hcvm_count = i;
			hcvm_teardown();
			return rc;
		}
	}
	return 0;
}

void hcvm_teardown(void)
{
	for (unsigned i = 0; i < hcvm_count; i++)
		vm_registry_remove(hcvms[i].vm);
	synchronize_rcu();   /* as the kernel does before freeing a registered VM */
	for (unsigned i = hcvm_count; i-- > 0;)
		free_vm(&hcvms[i]);
	hcvm_count = 0;
}

s64 hcvm_call_mode(unsigned vm, unsigned vcpu, bool long_mode, u64 nr, u64 a0, u64 a1, u64 a2,
		   u64 a3)
{
	struct vcpu *v;

	if (vm >= hcvm_count || vcpu >= hcvms[vm].nr_vcpus)
		abort();
	v = hcvms[vm].vcpu[vcpu];
	v->gpr[GPR_RAX] = nr;
	v->gpr[GPR_RBX] = a0;
	v->gpr[GPR_RCX] = a1;
	v->gpr[GPR_RDX] = a2;
	v->gpr[GPR_RSI] = a3;
	call_long_mode = long_mode;
	return hypercall_dispatch(v, nr);
}

s64 hcvm_call(unsigned vm, unsigned vcpu, u64 nr, u64 a0, u64 a1, u64 a2, u64 a3)
{
	return hcvm_call_mode(vm, vcpu, true, nr, a0, a1, a2, a3);
}
