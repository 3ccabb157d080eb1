/* SPDX-License-Identifier: MIT */
#include "kernel/loader.h"
#include "kernel/loader_boot.h"
#include "kernel/loader_select.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/vm_impl.h"

static const struct boot_module *find_module(struct vm *vm, const struct boot_info *bi,
					     const char *name, const char *what)
{
	const struct boot_module *m = boot_module_find(bi, name);

	if (!m)
		pr_err("vm%u: no boot module named '%s' (the %s)", vm->id, name, what);
	else if (m->end < m->start)
		m = NULL;
	return m;
}

static int gather_modules(struct vm *vm, const struct vm_config *cfg, const struct boot_info *bi,
			  struct loader_module *mods)
{
	for (unsigned i = 0; i < cfg->nr_modules; i++) {
		const struct boot_module *m = find_module(vm, bi, cfg->modules[i], "module");

		if (!m)
			return -TERN_ENOENT;
		mods[i] = (struct loader_module){ cfg->modules[i], phys_to_virt(m->start),
						  m->end - m->start };
	}
	return 0;
}

int loader_boot_vm(struct vm *vm, const struct vm_config *cfg, const struct boot_info *bi)
{
	struct loader_module mods[CONFIG_MAX_VM_MODULES];
	const struct boot_module *k = find_module(vm, bi, cfg->kernel, "kernel");
	struct loader_image img;
	int rc;

	if (!k)
		return -TERN_ENOENT;
	rc = gather_modules(vm, cfg, bi, mods);
	if (rc)
		return rc;
	img = (struct loader_image){ phys_to_virt(k->start), k->end - k->start, cfg->args,
				     cfg->nr_modules, mods };
	return loader_select_load(vm, &img, cfg->kernel);
}
