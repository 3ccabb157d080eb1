/* SPDX-License-Identifier: MIT */
/* Host tests of the tern command-line parser (kernel/cmdline.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "irq/irq.h"
#include "kernel/config.h"

static struct tern_config cfg;
static char err[256];

static int parse(const char *line)
{
	memset(err, 'x', sizeof(err) - 1);
	err[sizeof(err) - 1] = '\0';
	return cmdline_parse(line, &cfg, err, sizeof(err));
}

/* The line is rejected and the reason mentions every given fragment. */
static void assert_rejected(const char *line, const char *frag1, const char *frag2)
{
	assert_int_equal(parse(line), -TERN_EINVAL);
	if (!strstr(err, frag1) || (frag2 && !strstr(err, frag2)))
		fail_msg("for '%s' got reason '%s', expected '%s' and '%s'", line, err, frag1,
			 frag2 ? frag2 : "");
	assert_null(strchr(err, '\n'));   /* one line */
}

static void test_defaults_and_single_vm(void **state)
{
	(void)state;
	assert_int_equal(parse("vm=demo.elf"), 0);
	assert_string_equal(err, "");
	assert_int_equal(cfg.nr_vms, 1);
	assert_string_equal(cfg.vms[0].kernel, "demo.elf");
	assert_int_equal(cfg.vms[0].mem, CONFIG_DEFAULT_VM_MEM);
	assert_int_equal(cfg.vms[0].cpus, 1);
	assert_int_equal(cfg.vms[0].nr_modules, 0);
	assert_string_equal(cfg.vms[0].args, "");
	assert_int_equal(cfg.loglevel, 2);
	assert_false(cfg.stats);
	assert_false(cfg.irqdump);
	assert_string_equal(cfg.trace, "");
}

static void test_unquoted_space_splits(void **state)
{
	(void)state;
	/* Unquoted, a space ends args=: the rest is another token (and unknown). */
	assert_rejected("vm=linux,args=console=ttyS0 root=/dev/ram0", "'root=/dev/ram0'",
			"unknown token");
	assert_int_equal(parse("\tstats  vm=linux,args=console=ttyS0\\ root=/dev/ram0  "), 0);
	assert_string_equal(cfg.vms[0].args, "console=ttyS0 root=/dev/ram0");
}

static void test_full_vm_quoted(void **state)
{
	(void)state;
	assert_int_equal(parse("stats \"vm=linux,mem=512M,cpus=4,module=initrd,module=extra.bin,"
			       "args=console=ttyS0 root=/dev/ram0 a,b=c\" irqdump "
			       "trace=irq,doorbell loglevel=3 vm=b.elf,mem=0x200000"), 0);
	assert_int_equal(cfg.nr_vms, 2);
	assert_string_equal(cfg.vms[0].kernel, "linux");
	assert_int_equal(cfg.vms[0].mem, 512ull << 20);
	assert_int_equal(cfg.vms[0].cpus, 4);
	assert_int_equal(cfg.vms[0].nr_modules, 2);
	assert_string_equal(cfg.vms[0].modules[0], "initrd");
	assert_string_equal(cfg.vms[0].modules[1], "extra.bin");
	assert_string_equal(cfg.vms[0].args, "console=ttyS0 root=/dev/ram0 a,b=c");
	assert_string_equal(cfg.vms[1].kernel, "b.elf");
	assert_int_equal(cfg.vms[1].mem, 2ull << 20);
	assert_true(cfg.stats);
	assert_true(cfg.irqdump);
	assert_string_equal(cfg.trace, "irq,doorbell");
	assert_int_equal(cfg.loglevel, 3);
}

static void test_grub_style_quoting_and_escapes(void **state)
{
	(void)state;
	/* GRUB wraps an argument with spaces in quotes and backslash-escapes \ ' " */
	assert_int_equal(parse("\"vm=g.elf,args=say \\\"hi\\\" it\\'s a\\\\b\""), 0);
	assert_string_equal(cfg.vms[0].args, "say \"hi\" it's a\\b");
	/* Quotes may group part of a token; a backslash escapes a space. */
	assert_int_equal(parse("vm=g.elf,args=\"x y\"z\\ w"), 0);
	assert_string_equal(cfg.vms[0].args, "x yz w");
	/* args= keeps commas and '=' and may be the only option. */
	assert_int_equal(parse("vm=k,args=a,b,,c=d,"), 0);
	assert_string_equal(cfg.vms[0].args, "a,b,,c=d,");
	assert_int_equal(cfg.vms[0].mem, CONFIG_DEFAULT_VM_MEM);
}

static void test_kernel_path_skipped(void **state)
{
	(void)state;
	assert_int_equal(parse("/boot/tern.elf vm=a.elf"), 0);
	assert_int_equal(cfg.nr_vms, 1);
	assert_string_equal(cfg.vms[0].kernel, "a.elf");
	/* Only a first token is a path; later ones are tokens like any other. */
	assert_rejected("vm=a.elf /boot/tern.elf", "/boot/tern.elf", "unknown token");
}

static void test_sizes(void **state)
{
	(void)state;
	assert_int_equal(parse("vm=a,mem=1G"), 0);
	assert_int_equal(cfg.vms[0].mem, 1ull << 30);
	assert_int_equal(parse("vm=a,mem=1024K"), 0);
	assert_int_equal(cfg.vms[0].mem, 1ull << 20);
	assert_int_equal(parse("vm=a,cpus=64"), 0);
	assert_int_equal(cfg.vms[0].cpus, TERN_MAX_VCPUS);
	assert_rejected("vm=a,mem=1020K", "mem=1020K", "below 1 MiB");
	assert_rejected("vm=a,mem=1048577", "mem=1048577", "multiple of 4 KiB");
	assert_rejected("vm=a,mem=12Q", "mem=12Q", "not a size");
	assert_rejected("vm=a,mem=99999999999G", "mem=99999999999G", "too large");
	assert_rejected("vm=a,mem=2048G", "mem=2048G", "larger than 1 TiB");
	assert_rejected("vm=a,cpus=0", "cpus=0", "1..64");
	assert_rejected("vm=a,cpus=65", "cpus=65", "1..64");
	assert_rejected("vm=a,cpus=2x", "cpus=2x", "not a number");
	assert_rejected("vm=a,cpus=4K", "cpus=4K", "not a number");
}

static void test_pins(void **state)
{
	(void)state;
	assert_int_equal(parse("vm=a,cpus=3,pin=1:0:7"), 0);
	assert_int_equal(cfg.vms[0].nr_pins, 3);
	assert_int_equal(cfg.vms[0].pin[0], 1);
	assert_int_equal(cfg.vms[0].pin[1], 0);
	assert_int_equal(cfg.vms[0].pin[2], 7);
	/* fewer pins than vCPUs: the rest are placed automatically */
	assert_int_equal(parse("vm=a,pin=2,cpus=4"), 0);
	assert_int_equal(cfg.vms[0].nr_pins, 1);
	assert_int_equal(cfg.vms[0].pin[0], 2);
	assert_int_equal(parse("vm=a"), 0);
	assert_int_equal(cfg.vms[0].nr_pins, 0);
	assert_rejected("vm=a,cpus=2,pin=0:1:1", "pin= lists 3 CPUs for 2 vCPUs", NULL);
	assert_int_equal(parse("vm=a,pin=3"), 0);   /* one vCPU by default, one pin */
	assert_rejected("vm=a,pin=3:3", "pin= lists 2 CPUs for 1 vCPUs", NULL);
	assert_rejected("vm=a,cpus=2,pin=0::1", "pin=0::1", "'' is not a CPU number");
	assert_rejected("vm=a,cpus=2,pin=0:", "pin=0:", "'' is not a CPU number");
	assert_rejected("vm=a,cpus=2,pin=x", "pin=x", "'x' is not a CPU number");
	assert_rejected("vm=a,cpus=2,pin=255", "pin=255", "not a CPU number");
	assert_rejected("vm=a,cpus=2,pin=0,pin=1", "pin= given twice", NULL);
}

static void test_rejections_name_the_token(void **state)
{
	(void)state;
	assert_rejected("vm=a.elf bogus", "'bogus'", "unknown token");
	assert_rejected("vm=a.elf stats=1", "stats=1", "unknown token");
	assert_rejected("vm=a,colour=blue", "unknown vm option 'colour'", NULL);
	assert_rejected("vm=a,mem", "'mem' has no =VALUE", NULL);
	assert_rejected("vm=a,mem=", "empty value for mem=", NULL);
	assert_rejected("vm=a,,cpus=2", "vm=a,,cpus=2", "stray comma");
	assert_rejected("vm=a,", "stray comma", NULL);
	assert_rejected("vm=", "empty kernel module name", NULL);
	assert_rejected("vm=,mem=4M", "empty kernel module name", NULL);
	assert_rejected("vm=mem=4M", "must come first", NULL);
	assert_rejected("vm=a,args=", "empty args=", NULL);
	assert_rejected("vm=a,module=", "empty value for module=", NULL);
	assert_rejected("vm=a \"\"", "empty token", NULL);
	assert_rejected("vm=a,mem=4M,mem=8M", "mem= given twice", NULL);
	assert_rejected("vm=a,cpus=1,cpus=1", "cpus= given twice", NULL);
	assert_rejected("vm=a stats stats", "'stats'", "given twice");
	assert_rejected("vm=a irqdump irqdump", "'irqdump'", "given twice");
	assert_rejected("vm=a loglevel=1 loglevel=1", "loglevel= given twice", NULL);
	assert_rejected("vm=a trace=irq trace=exit", "trace= given twice", NULL);
	assert_rejected("vm=a loglevel=4", "loglevel must be 0..3", NULL);
	assert_rejected("vm=a loglevel=", "loglevel must be 0..3", NULL);
	assert_rejected("vm=a trace=irq,disk", "unknown trace category 'disk'", NULL);
	assert_rejected("vm=a trace=irq,", "unknown trace category ''", NULL);
	assert_rejected("vm=a trace=", "empty trace= list", NULL);
}

static void test_quoting_errors(void **state)
{
	(void)state;
	assert_rejected("vm=\"a.elf", "unterminated double quote", NULL);
	assert_rejected("vm=a.elf\\", "backslash ends the line", NULL);
}

static void test_limits(void **state)
{
	char line[4096];
	size_t n;

	(void)state;
	/* One vm= too many. */
	n = 0;
	for (int i = 0; i <= CONFIG_MAX_VMS; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "vm=k%d ", i);
	assert_rejected(line, "vm=k8", "more than 8 vm= tokens");
	line[n - 7] = '\0';   /* drop the ninth */
	assert_int_equal(parse(line), 0);
	assert_int_equal(cfg.nr_vms, CONFIG_MAX_VMS);

	/* One module= too many. */
	n = (size_t)snprintf(line, sizeof(line), "vm=k");
	for (int i = 0; i <= CONFIG_MAX_VM_MODULES; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, ",module=m%d", i);
	assert_rejected(line, "more than 8 module= options", NULL);

	/* Names up to CONFIG_STR_MAX - 1 bytes fit; one more is refused. */
	memcpy(line, "vm=", 3);
	memset(line + 3, 'k', CONFIG_STR_MAX - 1);
	line[3 + CONFIG_STR_MAX - 1] = '\0';
	assert_int_equal(parse(line), 0);
	assert_int_equal(strlen(cfg.vms[0].kernel), CONFIG_STR_MAX - 1);
	line[3 + CONFIG_STR_MAX - 1] = 'k';
	line[3 + CONFIG_STR_MAX] = '\0';
	assert_rejected(line, "kernel module name is 256 bytes, the limit is 255", NULL);
	/* The quoted token in a message is shortened. */
	assert_non_null(strstr(err, "...'"));

	n = (size_t)snprintf(line, sizeof(line), "vm=k,args=");
	memset(line + n, 'a', sizeof(cfg.vms[0].args));
	line[n + sizeof(cfg.vms[0].args)] = '\0';
	assert_rejected(line, "args= is 512 bytes, the limit is 511", NULL);

	/* A token longer than any command line can hold. */
	memset(line, 'z', 1500);
	line[1500] = '\0';
	assert_rejected(line, "token longer than 1023 bytes", NULL);
}

static void test_nothing_to_run(void **state)
{
	(void)state;
	assert_rejected("", "no vm= token", NULL);
	assert_rejected("/boot/tern.elf stats", "no vm= token", NULL);
	assert_int_equal(cmdline_parse(NULL, &cfg, err, sizeof(err)), -TERN_EINVAL);
}

static void test_reparse_resets(void **state)
{
	(void)state;
	assert_int_equal(parse("vm=a stats loglevel=0"), 0);
	assert_int_equal(parse("vm=b"), 0);
	assert_int_equal(cfg.nr_vms, 1);
	assert_string_equal(cfg.vms[0].kernel, "b");
	assert_false(cfg.stats);
	assert_int_equal(cfg.loglevel, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_and_single_vm),
		cmocka_unit_test(test_unquoted_space_splits),
		cmocka_unit_test(test_full_vm_quoted),
		cmocka_unit_test(test_grub_style_quoting_and_escapes),
		cmocka_unit_test(test_kernel_path_skipped),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_pins),
		cmocka_unit_test(test_rejections_name_the_token),
		cmocka_unit_test(test_quoting_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_nothing_to_run),
		cmocka_unit_test(test_reparse_resets),
	};

	return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
