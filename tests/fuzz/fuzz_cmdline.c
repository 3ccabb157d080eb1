/* SPDX-License-Identifier: MIT */
/*
 * cmdline_parse() (kernel/cmdline.c) on arbitrary bytes, NUL-terminated.
 * Invariants: on success every string in the config is NUL-terminated inside
 * its array, counts are within their limits, each VM has 1..TERN_MAX_VCPUS
 * vCPUs and 1 MiB..1 TiB of 4 KiB-aligned RAM; at most one VM is the
 * control VM; every doorbell= has a GSI below 1024, ringers that are VMs
 * other than its owner and a GSI not used twice on one owner; every shm=
 * region has a unique non-empty name, a 4 KiB-multiple size, a 2 MiB-aligned
 * gpa inside the window after the previous region, at least two VMs, and
 * each VM's copies are exactly the regions naming it, in order. On failure
 * the reason is a non-empty NUL-terminated string; the error buffer is never
 * overrun (it is exactly sized, so ASan sees an overrun).
 */
#include "kernel/config.h"
#include "kernel/lib/string.h"
#include "irq/irq.h"
#include "tests/fuzz/fuzz.h"

#define ERR_LEN 96

static void check_str(const char *s, size_t max, const char *what)
{
	FUZZ_CHECK(memchr(s, '\0', max) != NULL, "%s not NUL-terminated", what);
}

static void check_doorbells(const struct tern_config *cfg, unsigned owner)
{
	const struct vm_config *vm = &cfg->vms[owner];
	u32 all = (u32)((1ull << cfg->nr_vms) - 1);

	FUZZ_CHECK(vm->nr_doorbells <= CONFIG_MAX_VM_DOORBELLS, "nr_doorbells %u", vm->nr_doorbells);
	for (unsigned i = 0; i < vm->nr_doorbells; i++) {
		const struct doorbell_config *d = &vm->doorbells[i];

		FUZZ_CHECK(d->gsi < 1024, "gsi %u", d->gsi);
		FUZZ_CHECK(d->ringers && !(d->ringers & ~all) && !(d->ringers & (1u << owner)),
			   "vm%u doorbell ringers 0x%x", owner, d->ringers);
		for (unsigned j = 0; j < i; j++)
			FUZZ_CHECK(vm->doorbells[j].gsi != d->gsi, "gsi %u twice", d->gsi);
	}
}

static void check_region(const struct tern_config *cfg, unsigned i)
{
	const struct shm_config *r = &cfg->shm[i];
	u32 all = (u32)((1ull << cfg->nr_vms) - 1);
	u64 start = i ? cfg->shm[i - 1].gpa + cfg->shm[i - 1].size : CONFIG_SHM_WINDOW_GPA;

	check_str(r->name, sizeof(r->name), "shm name");
	FUZZ_CHECK(r->name[0] && r->index == i, "region %u: name '%s' index %u", i, r->name, r->index);
	FUZZ_CHECK(r->size >= 4096 && !(r->size & 0xfff), "size 0x%llx", (unsigned long long)r->size);
	FUZZ_CHECK(!(r->gpa & (CONFIG_SHM_ALIGN - 1)) && r->gpa >= start &&
		   r->gpa + r->size <= CONFIG_SHM_WINDOW_GPA + CONFIG_SHM_WINDOW_SIZE,
		   "gpa 0x%llx", (unsigned long long)r->gpa);
	FUZZ_CHECK((r->vms & (r->vms - 1)) && !(r->vms & ~all), "vms 0x%x", r->vms);
	for (unsigned j = 0; j < i; j++)
		FUZZ_CHECK(strcmp(cfg->shm[j].name, r->name), "name '%s' twice", r->name);
}

/* VM v's copies are the regions naming it, in order. */
static void check_vm_regions(const struct tern_config *cfg, unsigned v)
{
	const struct vm_config *vm = &cfg->vms[v];
	unsigned n = 0;

	for (unsigned i = 0; i < cfg->nr_shm; i++) {
		if (!(cfg->shm[i].vms & (1u << v)))
			continue;
		FUZZ_CHECK(n < vm->nr_shm && !memcmp(&vm->shm[n], &cfg->shm[i], sizeof(cfg->shm[i])),
			   "vm%u copy %u of region %u", v, n, i);
		n++;
	}
	FUZZ_CHECK(n == vm->nr_shm, "vm%u has %u regions, %u name it", v, vm->nr_shm, n);
}

static void check_links(const struct tern_config *cfg)
{
	unsigned controls = 0;

	FUZZ_CHECK(cfg->nr_shm <= CONFIG_MAX_SHM, "nr_shm %u", cfg->nr_shm);
	for (unsigned i = 0; i < cfg->nr_shm; i++)
		check_region(cfg, i);
	for (unsigned v = 0; v < cfg->nr_vms; v++) {
		controls += cfg->vms[v].control;
		check_doorbells(cfg, v);
		check_vm_regions(cfg, v);
	}
	FUZZ_CHECK(controls <= 1, "%u control VMs", controls);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tern_config cfg;
	char *line = malloc(size + 1);
	char *err = malloc(ERR_LEN);
	int ret;

	if (!line || !err)
		abort();
	memcpy(line, data, size);
	line[size] = '\0';
	ret = cmdline_parse(line, &cfg, err, ERR_LEN);
	check_str(err, ERR_LEN, "err");
	if (ret) {
		FUZZ_CHECK(ret < 0, "ret %d", ret);
		FUZZ_CHECK(err[0] != '\0', "rejected (%d) without a reason", ret);
	} else {
		FUZZ_CHECK(cfg.nr_vms >= 1 && cfg.nr_vms <= CONFIG_MAX_VMS, "nr_vms %u", cfg.nr_vms);
		FUZZ_CHECK(cfg.loglevel >= 0 && cfg.loglevel <= 3, "loglevel %d", cfg.loglevel);
		check_str(cfg.trace, sizeof(cfg.trace), "trace");
		for (unsigned i = 0; i < cfg.nr_vms; i++) {
			const struct vm_config *vm = &cfg.vms[i];

			check_str(vm->kernel, sizeof(vm->kernel), "kernel");
			FUZZ_CHECK(vm->kernel[0] != '\0', "vm%u without a kernel", i);
			check_str(vm->args, sizeof(vm->args), "args");
			FUZZ_CHECK(vm->cpus >= 1 && vm->cpus <= TERN_MAX_VCPUS, "cpus %u", vm->cpus);
			FUZZ_CHECK(vm->mem >= MiB && vm->mem <= 1024 * GiB && !(vm->mem & 0xfff),
				   "mem 0x%llx", (unsigned long long)vm->mem);
			FUZZ_CHECK(vm->nr_modules <= CONFIG_MAX_VM_MODULES, "nr_modules %u",
				   vm->nr_modules);
			for (unsigned m = 0; m < vm->nr_modules; m++) {
				check_str(vm->modules[m], sizeof(vm->modules[m]), "module");
				FUZZ_CHECK(vm->modules[m][0] != '\0', "empty module name");
			}
		}
		check_links(&cfg);
	}
	free(line);
	free(err);
	return 0;
}
