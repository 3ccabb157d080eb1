/* SPDX-License-Identifier: MIT */
/* Host tests of the serial monitor: parser, escapes, line editing, dispatch (kernel/monitor.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <tern/errno.h>
#include "kernel/monitor.h"

/* What the fake operations saw. */
static char guest[256], rawout[1024], calls[1024];
static size_t guest_len;
static unsigned fake_nr_vms = 2, lines_said;
static char last_line[256];

static void app(char *buf, size_t cap, const char *s, size_t n)
{
	size_t have = strlen(buf);

	assert_true(have + n < cap);
	memcpy(buf + have, s, n);
	buf[have + n] = '\0';
}

static void call(const char *fmt, ...)
{
	char tmp[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	app(calls, sizeof(calls), tmp, strlen(tmp));
}

static void f_to_guest(void *ctx, u8 b) { (void)ctx; guest[guest_len++] = (char)b; }
static void f_raw(void *ctx, const char *s, size_t n) { (void)ctx; app(rawout, sizeof(rawout), s, n); }
static void f_line(void *ctx, const char *t)
{
	(void)ctx;
	lines_said++;
	snprintf(last_line, sizeof(last_line), "%s", t);
}
static void f_vms(void *ctx) { (void)ctx; call("vms;"); }
static int f_irqdump(void *ctx, unsigned vm) { (void)ctx; call("irqdump %u;", vm); return 0; }
static int f_lapic(void *ctx, unsigned vm, unsigned vcpu)
{
	(void)ctx;
	call("lapic %u %u;", vm, vcpu);
	return vcpu < 4 ? 0 : -TERN_ENOENT;
}
static int f_stats(void *ctx, unsigned vm) { (void)ctx; call("stats %u;", vm); return 0; }
static unsigned f_nr_vms(void *ctx) { (void)ctx; return fake_nr_vms; }
static void f_trace(void *ctx) { (void)ctx; call("trace;"); }
static void f_quit(void *ctx) { (void)ctx; call("quit;"); }

static const struct monitor_ops ops = {
	.to_guest = f_to_guest, .raw = f_raw, .line = f_line, .vms = f_vms,
	.irqdump = f_irqdump, .lapic = f_lapic, .stats = f_stats, .nr_vms = f_nr_vms,
	.trace = f_trace, .quit = f_quit,
};

static struct monitor mon;

static int setup(void **state)
{
	(void)state;
	memset(guest, 0, sizeof(guest));
	guest_len = 0;
	rawout[0] = calls[0] = last_line[0] = '\0';
	lines_said = 0;
	fake_nr_vms = 2;
	monitor_init(&mon, &ops, NULL);
	return 0;
}

static void feed(const char *s)
{
	while (*s)
		monitor_feed(&mon, (u8)*s++);
}

static void test_parse_commands(void **state)
{
	struct monitor_cmd c;
	char err[MONITOR_ERR_MAX];

	(void)state;
	assert_int_equal(monitor_parse("  help ", &c, err, sizeof(err)), 0);
	assert_int_equal(c.id, MON_HELP);
	assert_int_equal(monitor_parse("lapic 1 0x3", &c, err, sizeof(err)), 0);
	assert_int_equal(c.id, MON_LAPIC);
	assert_int_equal(c.nargs, 2);
	assert_int_equal(c.arg[0], 1);
	assert_int_equal(c.arg[1], 3);
	assert_int_equal(monitor_parse("stats", &c, err, sizeof(err)), 0);
	assert_int_equal(c.id, MON_STATS);
	assert_int_equal(c.nargs, 0);
	assert_int_equal(monitor_parse("\tirqdump\t2", &c, err, sizeof(err)), 0);
	assert_int_equal(c.id, MON_IRQDUMP);
	assert_int_equal(c.arg[0], 2);
	assert_int_equal(monitor_parse("", &c, err, sizeof(err)), 0);
	assert_int_equal(c.id, MON_NONE);
	assert_int_equal(monitor_parse("   ", &c, err, sizeof(err)), 0);
	assert_int_equal(c.id, MON_NONE);
}

static void test_parse_errors(void **state)
{
	struct monitor_cmd c;
	char err[MONITOR_ERR_MAX];

	(void)state;
	assert_int_equal(monitor_parse("hepl", &c, err, sizeof(err)), -TERN_EINVAL);
	assert_string_equal(err, "hepl: unknown command (help lists them)");
	assert_int_equal(monitor_parse("helpx", &c, err, sizeof(err)), -TERN_EINVAL);
	assert_int_equal(monitor_parse("lapic 1", &c, err, sizeof(err)), -TERN_EINVAL);
	assert_string_equal(err, "missing arguments (usage: lapic <vm> <vcpu>)");
	assert_int_equal(monitor_parse("quit now", &c, err, sizeof(err)), -TERN_EINVAL);
	assert_string_equal(err, "too many arguments (usage: quit)");
	assert_int_equal(monitor_parse("stats vm0", &c, err, sizeof(err)), -TERN_EINVAL);
	assert_string_equal(err, "vm0: not a number");
	assert_int_equal(monitor_parse("stats 1 2", &c, err, sizeof(err)), -TERN_EINVAL);
}

static void test_input_goes_to_guest_until_escape(void **state)
{
	(void)state;
	feed("ls\r");
	assert_int_equal(guest_len, 3);
	assert_memory_equal(guest, "ls\r", 3);
	/* Ctrl-A Ctrl-A is one literal Ctrl-A; unknown escapes vanish */
	feed("\x01\x01" "\x01z" "a");
	assert_int_equal(guest_len, 5);
	assert_int_equal(guest[3], 0x01);
	assert_int_equal(guest[4], 'a');
	assert_string_equal(calls, "");
}

static void test_monitor_session(void **state)
{
	(void)state;
	feed("\x01" "c");
	assert_true(mon.open);
	assert_non_null(strstr(rawout, MONITOR_PROMPT));
	feed("vms\r\nirqdump\rstats 1\r");
	assert_int_equal(guest_len, 0);         /* nothing leaked to the guest */
	/* CR LF ran one command, not an extra empty one; irqdump without a VM runs on all */
	assert_string_equal(calls, "vms;irqdump 0;irqdump 1;stats 1;");
	feed("\x01" "c");
	assert_false(mon.open);
	feed("x");
	assert_int_equal(guest_len, 1);
	assert_int_equal(guest[0], 'x');
}

static void test_line_editing(void **state)
{
	(void)state;
	feed("\x01" "c" "trx\x7f" "ace\x1b\n");   /* DEL erases x; ESC is ignored */
	assert_string_equal(calls, "trace;");
	assert_non_null(strstr(rawout, "trx\b \bace"));
	feed("\x7f\x7f\r");                     /* backspace on an empty line: nothing */
	assert_string_equal(calls, "trace;");
}

static void test_long_line_is_cut(void **state)
{
	char line[3 * MONITOR_LINE_MAX];

	(void)state;
	memset(line, 'a', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	feed("\x01" "c");
	feed(line);
	assert_int_equal(mon.len, MONITOR_LINE_MAX - 1);
	feed("\r");
	assert_int_equal(mon.len, 0);
	assert_non_null(strstr(last_line, "unknown command"));
}

static void test_bad_vm_and_vcpu_are_reported(void **state)
{
	(void)state;
	feed("\x01" "c" "stats 5\r");
	assert_string_equal(calls, "");          /* never reaches the op */
	assert_string_equal(last_line, "monitor: no vm5");
	feed("lapic 1 9\r");
	assert_string_equal(calls, "lapic 1 9;");
	assert_string_equal(last_line, "monitor: no vm1 vCPU 9");
	feed("lapic 2 0\r");
	assert_string_equal(calls, "lapic 1 9;");
	feed("lapic 0 2\r");
	assert_string_equal(calls, "lapic 1 9;lapic 0 2;");
}

static void test_quit_and_ctrl_a_x(void **state)
{
	size_t prompts_before;

	(void)state;
	feed("\x01" "x");
	assert_string_equal(calls, "quit;");
	assert_false(mon.open);
	feed("\x01" "c");
	prompts_before = strlen(rawout);
	feed("quit\r");
	assert_string_equal(calls, "quit;quit;");
	/* no prompt after quit: the machine is going down */
	assert_null(strstr(rawout + prompts_before, MONITOR_PROMPT));
}

static void test_help_lists_every_command(void **state)
{
	(void)state;
	feed("\x01" "c" "help\r");
	assert_true(lines_said >= 8);
	assert_non_null(strstr(last_line, "Ctrl-A x"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_parse_commands, setup),
		cmocka_unit_test_setup(test_parse_errors, setup),
		cmocka_unit_test_setup(test_input_goes_to_guest_until_escape, setup),
		cmocka_unit_test_setup(test_monitor_session, setup),
		cmocka_unit_test_setup(test_line_editing, setup),
		cmocka_unit_test_setup(test_long_line_is_cut, setup),
		cmocka_unit_test_setup(test_bad_vm_and_vcpu_are_reported, setup),
		cmocka_unit_test_setup(test_quit_and_ctrl_a_x, setup),
		cmocka_unit_test_setup(test_help_lists_every_command, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
