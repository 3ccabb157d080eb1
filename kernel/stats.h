/* SPDX-License-Identifier: MIT */
/*
 * Exit statistics: per vCPU, counts and total TSC ticks by exit reason,
 * and the busiest I/O ports, MMIO pages, MSRs and hypercall numbers.
 * Aggregated per VM and printed like `perf kvm stat` (reason, count,
 * share %, time %, average ticks) at VM end with the `stats` option and on
 * demand from the monitor.
 *
 * Cost: nothing extra while `stats` is off (the exit path tests one global
 * bit, shared with the trace: TRACE_CAT_STATS in trace_mask). While on,
 * each exit adds two RDTSCs, an array increment and a small hash update.
 *
 * kernel/stats.c holds the tables and the report (host-tested);
 * kernel/stats_vm.c the per-vCPU storage, the exit hooks and printing.
 */
#ifndef TERN_STATS_H
#define TERN_STATS_H

#include "kernel/lib/types.h"

#define STATS_MAX_REASONS  80     /* >= EXIT_REASON_MAX (arch/x86/vmcs_fields.h) */
#define STATS_KEY_SLOTS    64     /* distinct keys per table; more go to "other" */
#define STATS_TOP_N        8      /* rows of each top-N table in a report */
#define STATS_LINE_MAX     128

/* The keyed tables. */
enum stats_kind {
	STATS_PORT,      /* I/O port */
	STATS_MMIO,      /* guest-physical 4 KiB page of an MMIO access */
	STATS_MSR,       /* MSR index (RDMSR and WRMSR) */
	STATS_HCALL,     /* hypercall number (RAX at VMCALL) */
	STATS_KINDS,
	STATS_NONE = STATS_KINDS,   /* an exit without a key */
};

struct stats_key {
	u64 key;
	u64 count;
	u64 ticks;
};

struct stats_table {
	unsigned used;
	struct stats_key slot[STATS_KEY_SLOTS];   /* open addressing; count 0 = free */
	u64 other_count, other_ticks;             /* keys that found no free slot */
};

struct exit_stats {
	u64 count[STATS_MAX_REASONS];
	u64 ticks[STATS_MAX_REASONS];
	struct stats_table keys[STATS_KINDS];
};

/* Receives each report line (no "tern: " prefix, no newline). */
typedef void (*stats_line_fn)(void *ctx, const char *line);
/* Names an exit reason for the report (vmx_exit_reason_name in tern). */
typedef const char *(*stats_reason_fn)(u32 reason);

/*
 * Count one exit of reason (>= STATS_MAX_REASONS is ignored) that took
 * ticks; with kind < STATS_KINDS also under key in that table.
 */
void stats_account(struct exit_stats *s, u32 reason, enum stats_kind kind, u64 key, u64 ticks);

/* Add every count of src into dst. */
void stats_merge(struct exit_stats *dst, const struct exit_stats *src);

/* Total exits and ticks over every reason. */
u64 stats_total_count(const struct exit_stats *s);
u64 stats_total_ticks(const struct exit_stats *s);

/*
 * The n busiest keys of t by count (ties: lower key first) into out.
 * Returns how many were written (<= n).
 */
unsigned stats_top(const struct stats_table *t, struct stats_key *out, unsigned n);

/*
 * The report: a header with title, one row per reason that occurred
 * (busiest first: reason, count, share %, time %, average ticks), then
 * each non-empty top-N table.
 */
void stats_report(const struct exit_stats *s, const char *title, stats_reason_fn name,
		  stats_line_fn emit, void *ctx);

/* ---- kernel glue (kernel/stats_vm.c) ---- */

struct vm;
struct vcpu;

/* Turn exit statistics on (the `stats` option). */
void stats_enable(void);

/* True while statistics are collected. */
bool stats_enabled(void);

/* One observed exit, on the exit handler's stack. */
struct exit_obs {
	u64 start;                  /* TSC at the handler's start */
	struct exit_stats *st;      /* the vCPU's table; NULL: statistics off */
	enum stats_kind kind;
	u64 key;
	u32 reason;
};

/*
 * Exit hooks, called by the exit dispatcher only while trace_on(TRACE_CAT_EXIT |
 * TRACE_CAT_STATS): begin before the handler (finds the vCPU's table and
 * the exit's key, traces the exit, reads the TSC); end after it (accounts
 * the ticks, traces the entry).
 */
void exit_observe_begin(struct vcpu *v, u32 reason, struct exit_obs *o);
void exit_observe_end(struct vcpu *v, const struct exit_obs *o, int rc);

/* Print vm's statistics: the VM's aggregate table and each vCPU's totals. */
void stats_print_vm(struct vm *vm);

#endif
