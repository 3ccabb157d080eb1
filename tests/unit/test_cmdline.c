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

static void test_control_flag(void **state)
{
	(void)state;
	assert_int_equal(parse("vm=a vm=b,control,mem=4M,args=x"), 0);
	assert_false(cfg.vms[0].control);
	assert_true(cfg.vms[1].control);
	assert_int_equal(cfg.vms[1].mem, 4ull << 20);
	assert_string_equal(cfg.vms[1].args, "x");
	assert_int_equal(parse("vm=a,args=control"), 0);   /* inside args= it is the guest's */
	assert_false(cfg.vms[0].control);
	assert_rejected("vm=a,control vm=b,control", "vm0 is the control VM already", NULL);
	assert_rejected("vm=a,control,control", "control given twice", NULL);
	assert_rejected("vm=a,control=1", "control takes no value", NULL);
	assert_rejected("vm=a,controller", "'controller' has no =VALUE", NULL);
}

static void test_doorbell_links(void **state)
{
	(void)state;
	/* Link tokens may come before the vm= tokens they name. */
	assert_int_equal(parse("doorbell=1:40:0 vm=a vm=b vm=c doorbell=0:41:1+2 doorbell=1:1023:2"), 0);
	assert_int_equal(cfg.vms[1].nr_doorbells, 2);
	assert_int_equal(cfg.vms[1].doorbells[0].gsi, 40);
	assert_int_equal(cfg.vms[1].doorbells[0].ringers, BIT(0));
	assert_int_equal(cfg.vms[1].doorbells[1].gsi, 1023);
	assert_int_equal(cfg.vms[1].doorbells[1].ringers, BIT(2));
	assert_int_equal(cfg.vms[0].nr_doorbells, 1);
	assert_int_equal(cfg.vms[0].doorbells[0].gsi, 41);
	assert_int_equal(cfg.vms[0].doorbells[0].ringers, BIT(1) | BIT(2));
	assert_int_equal(cfg.vms[2].nr_doorbells, 0);
	/* The same GSI on two owners is two doorbells. */
	assert_int_equal(parse("vm=a vm=b doorbell=0:40:1 doorbell=1:40:0"), 0);
	assert_int_equal(cfg.vms[0].nr_doorbells, 1);
	assert_int_equal(cfg.vms[1].nr_doorbells, 1);
}

static void test_doorbell_rejections(void **state)
{
	char line[2048];
	size_t n;

	(void)state;
	assert_rejected("vm=a vm=b doorbell=1:40", "'doorbell=1:40'",
			"2 fields, needs 3: doorbell=OWNER:GSI:RINGER[+RINGER]...");
	assert_rejected("vm=a vm=b doorbell=1:40:0:3", "more than 3 fields: doorbell=OWNER", NULL);
	assert_rejected("vm=a vm=b doorbell=1", "1 field, needs 3", NULL);
	assert_rejected("vm=a vm=b doorbell=1::0", "empty field 2", NULL);
	assert_rejected("vm=a vm=b doorbell=", "empty field 1", NULL);
	assert_rejected("vm=a vm=b doorbell=2:40:0", "there is no vm2 (vm= tokens: 2", NULL);
	assert_rejected("vm=a vm=b doorbell=x:40:0", "'x' is not a VM number", NULL);
	assert_rejected("vm=a vm=b doorbell=1:1024:0", "GSI '1024' is not a number in 0..1023", NULL);
	assert_rejected("vm=a vm=b doorbell=1:-1:0", "GSI '-1'", NULL);
	assert_rejected("vm=a vm=b doorbell=1:40:1", "vm1 owns the doorbell", NULL);
	assert_rejected("vm=a vm=b doorbell=1:40:0+1", "vm1 owns the doorbell", NULL);
	assert_rejected("vm=a vm=b vm=c doorbell=1:40:0+0", "vm0 is listed twice", NULL);
	assert_rejected("vm=a vm=b doorbell=1:40:0+", "empty VM number in '0+'", NULL);
	assert_rejected("vm=a vm=b doorbell=1:40:+0", "empty VM number", NULL);
	assert_rejected("vm=a vm=b doorbell=1:40:5", "there is no vm5", NULL);
	assert_rejected("vm=a vm=b doorbell=1:40:0 doorbell=1:40:0", "vm1 has a doorbell= on GSI 40 already",
			NULL);
	/* Errors of the vm= pass come first; no vm= at all is reported as such. */
	assert_rejected("doorbell=9:1:1", "no vm= token", NULL);
	assert_rejected("doorbell=9:1:1 vm=a bogus", "'bogus'", "unknown token");
	/* CONFIG_MAX_VM_DOORBELLS per owner. */
	n = (size_t)snprintf(line, sizeof(line), "vm=a vm=b");
	for (int i = 0; i <= CONFIG_MAX_VM_DOORBELLS; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " doorbell=0:%d:1", i);
	assert_rejected(line, "more than 16 doorbell= tokens for vm0", NULL);
}

static void test_shm_links(void **state)
{
	(void)state;
	assert_int_equal(parse("shm=chan:64K:0+1 vm=a vm=b vm=c shm=big_1.x-y:3M:2+0 shm=c:4096:1+2"), 0);
	assert_int_equal(cfg.nr_shm, 3);
	assert_string_equal(cfg.shm[0].name, "chan");
	assert_int_equal(cfg.shm[0].index, 0);
	assert_int_equal(cfg.shm[0].size, 64 * 1024);
	assert_int_equal(cfg.shm[0].gpa, CONFIG_SHM_WINDOW_GPA);
	assert_int_equal(cfg.shm[0].vms, BIT(0) | BIT(1));
	assert_string_equal(cfg.shm[1].name, "big_1.x-y");
	assert_int_equal(cfg.shm[1].gpa, CONFIG_SHM_WINDOW_GPA + (2 << 20));   /* 2 MiB aligned */
	assert_int_equal(cfg.shm[1].size, 3 << 20);
	assert_int_equal(cfg.shm[2].gpa, CONFIG_SHM_WINDOW_GPA + (6 << 20));   /* after 2M + 3M */
	assert_int_equal(cfg.shm[2].size, 4096);
	/* Each VM holds copies of its regions, in gpa order. */
	assert_int_equal(cfg.vms[0].nr_shm, 2);
	assert_string_equal(cfg.vms[0].shm[0].name, "chan");
	assert_string_equal(cfg.vms[0].shm[1].name, "big_1.x-y");
	assert_int_equal(cfg.vms[0].shm[1].index, 1);
	assert_int_equal(cfg.vms[0].shm[1].gpa, cfg.shm[1].gpa);
	assert_int_equal(cfg.vms[1].nr_shm, 2);
	assert_string_equal(cfg.vms[1].shm[1].name, "c");
	assert_int_equal(cfg.vms[1].shm[1].index, 2);
	assert_int_equal(cfg.vms[2].nr_shm, 2);
	/* The whole window in one region. */
	assert_int_equal(parse("vm=a vm=b shm=w:256M:0+1"), 0);
	assert_int_equal(cfg.shm[0].size, CONFIG_SHM_WINDOW_SIZE);
}

static void test_shm_rejections(void **state)
{
	char line[2048];
	size_t n;

	(void)state;
	assert_rejected("vm=a vm=b shm=chan:64K", "'shm=chan:64K'",
			"2 fields, needs 3: shm=NAME:SIZE:VM+VM[+VM]...");
	assert_rejected("vm=a vm=b shm=:64K:0+1", "empty field 1", NULL);
	assert_rejected("vm=a vm=b shm=ch/an:64K:0+1", "shm name 'ch/an' may hold only letters", NULL);
	assert_rejected("vm=a vm=b shm=0123456789abcdef:64K:0+1", "shm name is 16 bytes, the limit is 15",
			NULL);
	assert_rejected("vm=a vm=b shm=c:64K:0+1 shm=c:8K:0+1", "a region named 'c' exists already", NULL);
	assert_rejected("vm=a vm=b shm=c:6000:0+1", "size 6000 is not a multiple of 4 KiB", NULL);
	assert_rejected("vm=a vm=b shm=c:0:0+1", "in 4 KiB..256 MiB", NULL);
	assert_rejected("vm=a vm=b shm=c:257M:0+1", "size 257M", "4 KiB..256 MiB");
	assert_rejected("vm=a vm=b shm=c:lots:0+1", "size 'lots' is not a size", NULL);
	assert_rejected("vm=a vm=b shm=c:99999999999G:0+1", "size 99999999999G is too large", NULL);
	assert_rejected("vm=a vm=b shm=c:4K:0", "at least two VMs", NULL);
	assert_rejected("vm=a vm=b shm=c:4K:0+0", "vm0 is listed twice", NULL);
	assert_rejected("vm=a vm=b shm=c:4K:0+2", "there is no vm2", NULL);
	/* 255 MiB then 2 MiB: the second starts at +256 MiB, past the window. */
	assert_rejected("vm=a vm=b shm=a:255M:0+1 shm=b:4K:0+1", "'shm=b:4K:0+1'",
			"do not fit the 256 MiB window at 0xe0000000");
	n = (size_t)snprintf(line, sizeof(line), "vm=a vm=b");
	for (int i = 0; i <= CONFIG_MAX_SHM; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " shm=r%d:4K:0+1", i);
	assert_rejected(line, "more than 8 shm= tokens", NULL);
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
	assert_int_equal(parse("vm=a,control stats loglevel=0 vm=c doorbell=0:1:1 shm=s:4K:0+1"), 0);
	assert_int_equal(parse("vm=b"), 0);
	assert_false(cfg.vms[0].control);
	assert_int_equal(cfg.vms[0].nr_doorbells, 0);
	assert_int_equal(cfg.vms[0].nr_shm, 0);
	assert_int_equal(cfg.nr_shm, 0);
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
		cmocka_unit_test(test_control_flag),
		cmocka_unit_test(test_doorbell_links),
		cmocka_unit_test(test_doorbell_rejections),
		cmocka_unit_test(test_shm_links),
		cmocka_unit_test(test_shm_rejections),
		cmocka_unit_test(test_nothing_to_run),
		cmocka_unit_test(test_reparse_resets),
	};

	return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
