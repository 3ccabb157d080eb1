/* SPDX-License-Identifier: MIT */
/*
 * tern's serial monitor and console-input escapes (like QEMU's -serial mon:stdio):
 *
 *   Ctrl-A c   open / close the monitor (its prompt is "(tern) ")
 *   Ctrl-A x   stop every VM and power off (the usual exit line)
 *   Ctrl-A h   list the escapes
 *   Ctrl-A Ctrl-A   a literal Ctrl-A
 * Every other byte goes to the first VM's COM1 while the monitor is closed,
 * and into the monitor's command line while it is open.
 *
 * Commands: help, vms, irqdump [vm], lapic <vm> <vcpu>, stats [vm], trace, quit.
 *
 * This file is the byte state machine, the line editor and the command
 * parser (host-tested); what the commands do comes from struct monitor_ops
 * (kernel/console_input.c in tern).
 */
#ifndef TERN_MONITOR_H
#define TERN_MONITOR_H

#include "kernel/lib/types.h"

#define MONITOR_ESCAPE     0x01     /* Ctrl-A */
#define MONITOR_LINE_MAX   80
#define MONITOR_MAX_ARGS   2
#define MONITOR_PROMPT     "(tern) "
#define MONITOR_ERR_MAX    96

enum monitor_cmd_id {
	MON_NONE,        /* empty line */
	MON_HELP,
	MON_VMS,
	MON_IRQDUMP,
	MON_LAPIC,
	MON_STATS,
	MON_TRACE,
	MON_QUIT,
};

struct monitor_cmd {
	enum monitor_cmd_id id;
	unsigned nargs;
	u64 arg[MONITOR_MAX_ARGS];
};

/*
 * What the commands do. Functions returning int return 0, or -TERN_ENOENT
 * for a VM or vCPU that does not exist (the monitor says so).
 */
struct monitor_ops {
	void (*to_guest)(void *ctx, u8 byte);            /* a byte for the first VM's COM1 */
	void (*raw)(void *ctx, const char *s, size_t n); /* echo and prompt, raw on the console */
	void (*line)(void *ctx, const char *text);       /* one tern line ("tern: " added) */
	void (*vms)(void *ctx);
	int (*irqdump)(void *ctx, unsigned vm);
	int (*lapic)(void *ctx, unsigned vm, unsigned vcpu);
	int (*stats)(void *ctx, unsigned vm);
	unsigned (*nr_vms)(void *ctx);
	void (*trace)(void *ctx);
	void (*quit)(void *ctx);
};

struct monitor {
	const struct monitor_ops *ops;
	void *ctx;
	bool escape;        /* the last byte was Ctrl-A */
	bool open;          /* input goes to the monitor */
	bool after_cr;      /* swallow the LF of a CR LF pair */
	size_t len;
	char buf[MONITOR_LINE_MAX];
};

/* Set up m, closed, with its operations. */
void monitor_init(struct monitor *m, const struct monitor_ops *ops, void *ctx);

/* One byte of console input: escapes, guest input or monitor line editing. */
void monitor_feed(struct monitor *m, u8 byte);

/*
 * Parse one command line. Returns 0 and fills *cmd, or -TERN_EINVAL with a
 * one-line reason in err (unknown command, missing/extra/bad argument).
 */
int monitor_parse(const char *line, struct monitor_cmd *cmd, char *err, size_t errlen);

/* Run a parsed command through m's operations (output via ops->line). */
void monitor_exec(struct monitor *m, const struct monitor_cmd *cmd);

#endif
