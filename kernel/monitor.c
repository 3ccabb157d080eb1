/* SPDX-License-Identifier: MIT */
/*
 * The serial monitor: escape handling, line editing, command parsing and
 * dispatch (kernel/monitor.h). No kernel services: host-tested as is.
 */
#include "kernel/monitor.h"
#include <tern/errno.h>
#include "kernel/lib/format.h"
#include "kernel/lib/string.h"

#define MONITOR_WORD_SHOWN 24   /* a bad word is quoted up to this length */
#define CH_BS     0x08
#define CH_DEL    0x7f
#define CH_CR     '\r'
#define CH_LF     '\n'
#define CH_FIRST_PRINTABLE 0x20
#define CH_LAST_PRINTABLE  0x7e

struct cmd_def {
	const char *name;
	enum monitor_cmd_id id;
	unsigned min_args, max_args;
	const char *syntax;
	const char *what;
};

static const struct cmd_def cmds[] = {
	{ "help", MON_HELP, 0, 0, "help", "this list" },
	{ "vms", MON_VMS, 0, 0, "vms", "the VMs and their vCPUs" },
	{ "irqdump", MON_IRQDUMP, 0, 1, "irqdump [vm]", "routing, doorbells, vPIC, vIOAPIC" },
	{ "lapic", MON_LAPIC, 2, 2, "lapic <vm> <vcpu>", "a vCPU's local APIC" },
	{ "stats", MON_STATS, 0, 1, "stats [vm]", "exit statistics (tern option stats)" },
	{ "trace", MON_TRACE, 0, 0, "trace", "dump and clear the event trace" },
	{ "quit", MON_QUIT, 0, 0, "quit", "stop every VM and power off" },
};

void monitor_init(struct monitor *m, const struct monitor_ops *ops, void *ctx)
{
	memset(m, 0, sizeof(*m));
	m->ops = ops;
	m->ctx = ctx;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* The next word of *p: its start and length; *p moves past it. 0 at the end. */
static size_t next_word(const char **p, const char **word)
{
	const char *s = *p;
	size_t n = 0;

	while (is_space(*s))
		s++;
	*word = s;
	while (s[n] && !is_space(s[n]))
		n++;
	*p = s + n;
	return n;
}

static const struct cmd_def *find_cmd(const char *w, size_t n)
{
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
		if (strlen(cmds[i].name) == n && !memcmp(cmds[i].name, w, n))
			return &cmds[i];
	return NULL;
}

static int reject(char *err, size_t errlen, const char *what, size_t n, const char *why)
{
	fmt_snprintf(err, errlen, "%.*s%s: %s", (int)MIN(n, MONITOR_WORD_SHOWN), what,
		     n > MONITOR_WORD_SHOWN ? "..." : "", why);
	return -TERN_EINVAL;
}

static int reject_usage(char *err, size_t errlen, const struct cmd_def *def, const char *why)
{
	fmt_snprintf(err, errlen, "%s (usage: %s)", why, def->syntax);
	return -TERN_EINVAL;
}

int monitor_parse(const char *line, struct monitor_cmd *cmd, char *err, size_t errlen)
{
	const char *p = line, *w;
	size_t n = next_word(&p, &w);
	const struct cmd_def *def;

	memset(cmd, 0, sizeof(*cmd));
	if (errlen)
		err[0] = '\0';
	if (!n)
		return 0;
	def = find_cmd(w, n);
	if (!def)
		return reject(err, errlen, w, n, "unknown command (help lists them)");
	cmd->id = def->id;
	for (;;) {
		const char *a;
		size_t an = next_word(&p, &a);

		if (!an)
			break;
		if (cmd->nargs >= def->max_args)
			return reject_usage(err, errlen, def, "too many arguments");
		if (parse_u64(a, an, &cmd->arg[cmd->nargs], false))
			return reject(err, errlen, a, an, "not a number");
		cmd->nargs++;
	}
	if (cmd->nargs < def->min_args)
		return reject_usage(err, errlen, def, "missing arguments");
	return 0;
}

static void say(struct monitor *m, const char *fmt, ...) __printf(2, 3);

static void say(struct monitor *m, const char *fmt, ...)
{
	char text[MONITOR_ERR_MAX + MONITOR_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	m->ops->line(m->ctx, text);
}

static void help(struct monitor *m)
{
	say(m, "monitor: commands:");
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
		say(m, "monitor:   %-18s %s", cmds[i].syntax, cmds[i].what);
	say(m, "monitor: Ctrl-A c closes the monitor, Ctrl-A x quits");
}

/* Run op on one VM, or on every VM when the command has no argument. */
static void each_vm(struct monitor *m, const struct monitor_cmd *cmd,
		    int (*op)(void *ctx, unsigned vm))
{
	unsigned nr = m->ops->nr_vms(m->ctx);

	if (cmd->nargs) {
		if (cmd->arg[0] >= nr || op(m->ctx, (unsigned)cmd->arg[0]))
			say(m, "monitor: no vm%llu", (unsigned long long)cmd->arg[0]);
		return;
	}
	for (unsigned i = 0; i < nr; i++)
		op(m->ctx, i);
}

void monitor_exec(struct monitor *m, const struct monitor_cmd *cmd)
{
	const struct monitor_ops *ops = m->ops;

	switch (cmd->id) {
	case MON_NONE:
		break;
	case MON_HELP:
		help(m);
		break;
	case MON_VMS:
		ops->vms(m->ctx);
		break;
	case MON_IRQDUMP:
		each_vm(m, cmd, ops->irqdump);
		break;
	case MON_LAPIC:
		if (cmd->arg[0] >= ops->nr_vms(m->ctx) || cmd->arg[1] > 0xffffffffull ||
		    ops->lapic(m->ctx, (unsigned)cmd->arg[0], (unsigned)cmd->arg[1]))
			say(m, "monitor: no vm%llu vCPU %llu", (unsigned long long)cmd->arg[0],
			    (unsigned long long)cmd->arg[1]);
		break;
	case MON_STATS:
		each_vm(m, cmd, ops->stats);
		break;
	case MON_TRACE:
		ops->trace(m->ctx);
		break;
	case MON_QUIT:
		say(m, "monitor: quit: stopping every VM");
		ops->quit(m->ctx);
		break;
	}
}

static void prompt(struct monitor *m)
{
	m->ops->raw(m->ctx, MONITOR_PROMPT, sizeof(MONITOR_PROMPT) - 1);
}

static void run_line(struct monitor *m)
{
	struct monitor_cmd cmd;
	char err[MONITOR_ERR_MAX];
	bool quit = false;

	m->buf[m->len] = '\0';
	m->len = 0;
	m->ops->raw(m->ctx, "\n", 1);
	if (monitor_parse(m->buf, &cmd, err, sizeof(err))) {
		say(m, "monitor: %s", err);
	} else {
		monitor_exec(m, &cmd);
		quit = cmd.id == MON_QUIT;
	}
	if (m->open && !quit)
		prompt(m);
}

static void edit_line(struct monitor *m, u8 c)
{
	bool after_cr = m->after_cr;

	m->after_cr = c == CH_CR;
	if (c == CH_CR || (c == CH_LF && !after_cr)) {
		run_line(m);
	} else if (c == CH_BS || c == CH_DEL) {
		if (m->len) {
			m->len--;
			m->ops->raw(m->ctx, "\b \b", 3);
		}
	} else if (c >= CH_FIRST_PRINTABLE && c <= CH_LAST_PRINTABLE &&
		   m->len + 1 < sizeof(m->buf)) {
		m->buf[m->len++] = (char)c;
		m->ops->raw(m->ctx, (const char *)&c, 1);
	}
}

static void toggle(struct monitor *m)
{
	m->open = !m->open;
	m->len = 0;
	m->after_cr = false;
	if (m->open) {
		say(m, "monitor: open (help lists the commands, Ctrl-A c goes back to the guest)");
		prompt(m);
	} else {
		m->ops->raw(m->ctx, "\n", 1);
		say(m, "monitor: closed, console input goes to vm0");
	}
}

/* Input that is not an escape: the monitor's line or the guest. */
static void deliver(struct monitor *m, u8 c)
{
	if (m->open)
		edit_line(m, c);
	else
		m->ops->to_guest(m->ctx, c);
}

static void escape(struct monitor *m, u8 c)
{
	switch (c) {
	case 'c':
		toggle(m);
		break;
	case 'x':
		say(m, "monitor: Ctrl-A x: stopping every VM");
		m->ops->quit(m->ctx);
		break;
	case 'h':
		say(m, "monitor: Ctrl-A c monitor on/off, Ctrl-A x quit, Ctrl-A Ctrl-A sends Ctrl-A");
		break;
	case MONITOR_ESCAPE:
		deliver(m, c);
		break;
	default:
		break;   /* unknown escapes are dropped, as in QEMU */
	}
}

void monitor_feed(struct monitor *m, u8 byte)
{
	if (m->escape) {
		m->escape = false;
		escape(m, byte);
	} else if (byte == MONITOR_ESCAPE) {
		m->escape = true;
	} else {
		deliver(m, byte);
	}
}
