/* SPDX-License-Identifier: MIT */
/*
 * Exit statistics tables and their report (kernel/stats.h). No kernel
 * services: built unchanged into tern and into the host tests.
 */
#include "kernel/stats.h"
#include "kernel/lib/format.h"
#include "kernel/lib/string.h"

#define HASH_MULT     0x9e3779b97f4a7c15ull   /* Fibonacci hashing */
#define HASH_BITS     6                       /* log2(STATS_KEY_SLOTS) */
#define PERCENT_SCALE 10000ull                /* shares in hundredths of a percent */
#define AVG_SCALE     10ull                   /* averages with one decimal */

STATIC_ASSERT((1u << HASH_BITS) == STATS_KEY_SLOTS);

static const char *const kind_titles[STATS_KINDS] = {
	[STATS_PORT] = "I/O port",
	[STATS_MMIO] = "MMIO page",
	[STATS_MSR] = "MSR",
	[STATS_HCALL] = "hypercall",
};

static unsigned slot_of(u64 key)
{
	return (unsigned)((key * HASH_MULT) >> (64 - HASH_BITS));
}

/* The slot holding key, or a free one for it; NULL when the table is full. */
static struct stats_key *find_slot(struct stats_table *t, u64 key)
{
	unsigned i = slot_of(key);

	for (unsigned n = 0; n < STATS_KEY_SLOTS; n++, i = (i + 1) % STATS_KEY_SLOTS) {
		struct stats_key *k = &t->slot[i];

		if (!k->count || k->key == key)
			return k;
	}
	return NULL;
}

static void table_add(struct stats_table *t, u64 key, u64 count, u64 ticks)
{
	struct stats_key *k = find_slot(t, key);

	if (!k) {
		t->other_count += count;
		t->other_ticks += ticks;
		return;
	}
	if (!k->count) {
		k->key = key;
		t->used++;
	}
	k->count += count;
	k->ticks += ticks;
}

void stats_account(struct exit_stats *s, u32 reason, enum stats_kind kind, u64 key, u64 ticks)
{
	if (reason >= STATS_MAX_REASONS)
		return;
	s->count[reason]++;
	s->ticks[reason] += ticks;
	if (kind < STATS_KINDS)
		table_add(&s->keys[kind], key, 1, ticks);
}

void stats_merge(struct exit_stats *dst, const struct exit_stats *src)
{
	for (unsigned r = 0; r < STATS_MAX_REASONS; r++) {
		dst->count[r] += src->count[r];
		dst->ticks[r] += src->ticks[r];
	}
	for (unsigned k = 0; k < STATS_KINDS; k++) {
		const struct stats_table *t = &src->keys[k];

		for (unsigned i = 0; i < STATS_KEY_SLOTS; i++)
			if (t->slot[i].count)
				table_add(&dst->keys[k], t->slot[i].key, t->slot[i].count,
					  t->slot[i].ticks);
		dst->keys[k].other_count += t->other_count;
		dst->keys[k].other_ticks += t->other_ticks;
	}
}

u64 stats_total_count(const struct exit_stats *s)
{
	u64 n = 0;

	for (unsigned r = 0; r < STATS_MAX_REASONS; r++)
		n += s->count[r];
	return n;
}

u64 stats_total_ticks(const struct exit_stats *s)
{
	u64 n = 0;

	for (unsigned r = 0; r < STATS_MAX_REASONS; r++)
		n += s->ticks[r];
	return n;
}

/* a ranks before b: more exits, then the lower key. */
static bool busier(const struct stats_key *a, const struct stats_key *b)
{
	return a->count > b->count || (a->count == b->count && a->key < b->key);
}

unsigned stats_top(const struct stats_table *t, struct stats_key *out, unsigned n)
{
	unsigned have = 0;

	for (unsigned i = 0; i < STATS_KEY_SLOTS; i++) {
		const struct stats_key *k = &t->slot[i];
		unsigned j;

		if (!k->count)
			continue;
		/* insertion into the sorted out[0..have) */
		for (j = have; j > 0 && busier(k, &out[j - 1]); j--)
			if (j < n)
				out[j] = out[j - 1];
		if (j < n) {
			out[j] = *k;
			if (have < n)
				have++;
		}
	}
	return have;
}

/* "12.34" for part/whole in hundredths of a percent. */
static void percent(char *buf, size_t len, u64 part, u64 whole)
{
	u64 p = whole ? part * PERCENT_SCALE / whole : 0;

	fmt_snprintf(buf, len, "%llu.%02llu", (unsigned long long)(p / 100),
		     (unsigned long long)(p % 100));
}

/* "123.4": ticks / count with one decimal. */
static void average(char *buf, size_t len, u64 ticks, u64 count)
{
	u64 a = count ? ticks * AVG_SCALE / count : 0;

	fmt_snprintf(buf, len, "%llu.%llu", (unsigned long long)(a / AVG_SCALE),
		     (unsigned long long)(a % AVG_SCALE));
}

static void emit_row(const char *what, u64 count, u64 ticks, u64 all_count, u64 all_ticks,
		     stats_line_fn emit, void *ctx)
{
	char line[STATS_LINE_MAX], share[16], time[16], avg[24];

	percent(share, sizeof(share), count, all_count);
	percent(time, sizeof(time), ticks, all_ticks);
	average(avg, sizeof(avg), ticks, count);
	fmt_snprintf(line, sizeof(line), "  %-22s %10llu %7s%% %7s%% %10s", what,
		     (unsigned long long)count, share, time, avg);
	emit(ctx, line);
}

static void report_reasons(const struct exit_stats *s, stats_reason_fn name, u64 all_count,
			   u64 all_ticks, stats_line_fn emit, void *ctx)
{
	bool done[STATS_MAX_REASONS] = { false };

	for (;;) {
		int best = -1;

		for (unsigned r = 0; r < STATS_MAX_REASONS; r++)
			if (s->count[r] && !done[r] &&
			    (best < 0 || s->count[r] > s->count[best]))
				best = (int)r;
		if (best < 0)
			return;
		done[best] = true;
		emit_row(name((u32)best), s->count[best], s->ticks[best], all_count, all_ticks,
			 emit, ctx);
	}
}

static void report_table(const struct stats_table *t, enum stats_kind kind, u64 all_count,
			 u64 all_ticks, stats_line_fn emit, void *ctx)
{
	struct stats_key top[STATS_TOP_N];
	unsigned n = stats_top(t, top, STATS_TOP_N);
	char line[STATS_LINE_MAX], key[24];

	if (!n)
		return;
	fmt_snprintf(line, sizeof(line), "  %-22s %10s %8s %8s %10s", kind_titles[kind], "count",
		     "share", "time", "avg ticks");
	emit(ctx, line);
	for (unsigned i = 0; i < n; i++) {
		fmt_snprintf(key, sizeof(key), "0x%llx", (unsigned long long)top[i].key);
		emit_row(key, top[i].count, top[i].ticks, all_count, all_ticks, emit, ctx);
	}
	if (t->other_count)
		emit_row("(other)", t->other_count, t->other_ticks, all_count, all_ticks, emit, ctx);
}

void stats_report(const struct exit_stats *s, const char *title, stats_reason_fn name,
		  stats_line_fn emit, void *ctx)
{
	u64 all_count = stats_total_count(s), all_ticks = stats_total_ticks(s);
	char line[STATS_LINE_MAX];

	fmt_snprintf(line, sizeof(line), "%s: %llu exits, %llu ticks in tern", title,
		     (unsigned long long)all_count, (unsigned long long)all_ticks);
	emit(ctx, line);
	if (!all_count)
		return;
	fmt_snprintf(line, sizeof(line), "  %-22s %10s %8s %8s %10s", "exit reason", "count",
		     "share", "time", "avg ticks");
	emit(ctx, line);
	report_reasons(s, name, all_count, all_ticks, emit, ctx);
	for (unsigned k = 0; k < STATS_KINDS; k++)
		report_table(&s->keys[k], (enum stats_kind)k, all_count, all_ticks, emit, ctx);
}
