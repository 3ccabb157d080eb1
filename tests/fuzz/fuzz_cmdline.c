/* SPDX-License-Identifier: MIT */
/*
 * cmdline_parse() (kernel/cmdline.c) on arbitrary bytes, NUL-terminated.
 * Invariants: on success every string in the config is NUL-terminated inside
 * its array, counts are within their limits, each VM has 1..TERN_MAX_VCPUS
 * vCPUs and 1 MiB..1 TiB of 4 KiB-aligned RAM; on failure the reason is a
 * non-empty NUL-terminated string; the error buffer is never overrun (it is
 * exactly sized, so ASan sees an overrun).
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
	}
	free(line);
	free(err);
	return 0;
}
