/* SPDX-License-Identifier: MIT */
/*
 * Host tests of kernel/rcu.c: host threads stand in for CPUs. Built twice:
 * test_rcu (ASan+UBSan: a reader touching freed memory is caught) and
 * test_rcu_tsan (ThreadSanitizer: every free is ordered after the reads).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>

#include "kernel/rcu.h"
#include "tests/unit/stub_kernel.h"
#include "tests/unit/stub_rcu_cpu.h"

#define WRITER_CPU      0
#define READER_CPU      1
#define SECOND_CPU      2
#define WAIT_MS         100
#define STRESS_READERS  3
#define STRESS_UPDATES  300

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static bool flag_get(const int *f)
{
	return __atomic_load_n(f, __ATOMIC_ACQUIRE) != 0;
}

static void flag_set(int *f, int v)
{
	__atomic_store_n(f, v, __ATOMIC_RELEASE);
}

static void wait_flag(const int *f)
{
	while (!flag_get(f))
		sleep_ms(1);
}

static void test_read_lock_nests(void **state)
{
	(void)state;
	stub_rcu_set_cpu(WRITER_CPU);
	assert_false(rcu_read_lock_held());
	rcu_read_lock();
	rcu_read_lock();
	assert_true(rcu_read_lock_held());
	rcu_read_unlock();
	assert_true(rcu_read_lock_held());
	rcu_read_unlock();
	assert_false(rcu_read_lock_held());
}

static void test_synchronize_alone_returns(void **state)
{
	u64 before = rcu_grace_periods();

	(void)state;
	stub_rcu_set_cpu(WRITER_CPU);
	rcu_cpu_online(WRITER_CPU);
	synchronize_rcu();  /* no other CPU online: nothing to wait for, not even itself */
	assert_int_equal(rcu_grace_periods(), before + 1);
	rcu_cpu_offline(WRITER_CPU);
}

/* A reader CPU that sits in a read section until told to leave. */
struct reader_ctl {
	unsigned cpu;
	int inside;       /* set by the reader once in its section */
	int leave;        /* set by the test */
	int use_eqs;      /* after leaving: go to guest mode instead of a quiescent point */
	int done;
};

static void *reader_thread(void *arg)
{
	struct reader_ctl *r = arg;

	stub_rcu_set_cpu(r->cpu);
	rcu_cpu_online(r->cpu);
	rcu_read_lock();
	flag_set(&r->inside, 1);
	wait_flag(&r->leave);
	rcu_read_unlock();
	if (flag_get(&r->use_eqs))
		rcu_eqs_enter(r->cpu);
	else
		rcu_quiescent(r->cpu);
	wait_flag(&r->done);
	rcu_cpu_offline(r->cpu);
	return NULL;
}

struct sync_ctl {
	unsigned cpu;
	int returned;
};

static void *sync_thread(void *arg)
{
	struct sync_ctl *s = arg;

	stub_rcu_set_cpu(s->cpu);
	rcu_cpu_online(s->cpu);
	synchronize_rcu();
	flag_set(&s->returned, 1);
	rcu_cpu_offline(s->cpu);
	return NULL;
}

static void run_waits_for_reader(bool use_eqs)
{
	struct reader_ctl r = { .cpu = READER_CPU, .use_eqs = use_eqs };
	struct sync_ctl s = { .cpu = WRITER_CPU };
	pthread_t rt, st;

	assert_int_equal(pthread_create(&rt, NULL, reader_thread, &r), 0);
	wait_flag(&r.inside);
	assert_int_equal(pthread_create(&st, NULL, sync_thread, &s), 0);
	sleep_ms(WAIT_MS);
	assert_false(flag_get(&s.returned));   /* the reader is still inside */
	flag_set(&r.leave, 1);
	assert_int_equal(pthread_join(st, NULL), 0);
	assert_true(flag_get(&s.returned));
	flag_set(&r.done, 1);
	assert_int_equal(pthread_join(rt, NULL), 0);
}

static void test_synchronize_waits_for_reader_quiescent(void **state)
{
	(void)state;
	run_waits_for_reader(false);
}

static void test_synchronize_waits_for_reader_eqs(void **state)
{
	(void)state;
	run_waits_for_reader(true);
}

/* A CPU in guest mode (or idle) holds nothing: a writer must not wait for it. */
struct guest_ctl {
	unsigned cpu;
	int in_guest;
	int done;
	int saw;   /* value read after leaving guest mode */
};

static int *shared_ptr;

static void *guest_thread(void *arg)
{
	struct guest_ctl *g = arg;
	int *p;

	stub_rcu_set_cpu(g->cpu);
	rcu_cpu_online(g->cpu);
	rcu_eqs_enter(g->cpu);
	flag_set(&g->in_guest, 1);
	wait_flag(&g->done);
	rcu_eqs_exit(g->cpu);
	rcu_read_lock();
	p = rcu_dereference(shared_ptr);
	g->saw = p ? *p : -1;
	rcu_read_unlock();
	rcu_cpu_offline(g->cpu);
	return NULL;
}

static void test_guest_mode_cpu_not_waited_for(void **state)
{
	static int second = 2;
	static int first = 1;
	struct guest_ctl g = { .cpu = READER_CPU };
	struct sync_ctl s = { .cpu = WRITER_CPU };
	pthread_t gt, st;

	(void)state;
	rcu_assign_pointer(shared_ptr, &first);
	assert_int_equal(pthread_create(&gt, NULL, guest_thread, &g), 0);
	wait_flag(&g.in_guest);
	rcu_assign_pointer(shared_ptr, &second);
	assert_int_equal(pthread_create(&st, NULL, sync_thread, &s), 0);
	assert_int_equal(pthread_join(st, NULL), 0);  /* would hang if it waited for the guest */
	flag_set(&g.done, 1);
	assert_int_equal(pthread_join(gt, NULL), 0);
	assert_int_equal(g.saw, 2);  /* back from the guest it sees the new pointer */
	rcu_assign_pointer(shared_ptr, NULL);
}

static void test_offline_cpu_not_waited_for(void **state)
{
	struct sync_ctl s = { .cpu = WRITER_CPU };
	pthread_t st;

	(void)state;
	rcu_cpu_online(SECOND_CPU);   /* active, never reports: would stall a writer */
	rcu_cpu_offline(SECOND_CPU);  /* ... but it went offline */
	assert_int_equal(pthread_create(&st, NULL, sync_thread, &s), 0);
	assert_int_equal(pthread_join(st, NULL), 0);
	assert_true(flag_get(&s.returned));
}

/* Two online CPUs that both call synchronize_rcu must not wait for each other. */
static void test_concurrent_writers_no_deadlock(void **state)
{
	struct sync_ctl a = { .cpu = WRITER_CPU }, b = { .cpu = SECOND_CPU };
	pthread_t at, bt;
	u64 before = rcu_grace_periods();

	(void)state;
	for (int round = 0; round < 50; round++) {
		flag_set(&a.returned, 0);
		flag_set(&b.returned, 0);
		assert_int_equal(pthread_create(&at, NULL, sync_thread, &a), 0);
		assert_int_equal(pthread_create(&bt, NULL, sync_thread, &b), 0);
		assert_int_equal(pthread_join(at, NULL), 0);
		assert_int_equal(pthread_join(bt, NULL), 0);
	}
	assert_int_equal(rcu_grace_periods(), before + 100);
}

/* Stress: readers check an invariant of the published object; the writer frees old ones. */
struct stress_obj {
	u64 a;
	u64 twice_a;
};

static struct stress_obj *stress_ptr;
static int stress_stop;
static u64 stress_bad;

static void *stress_reader(void *arg)
{
	unsigned cpu = (unsigned)(uintptr_t)arg;
	u64 reads = 0;

	stub_rcu_set_cpu(cpu);
	rcu_cpu_online(cpu);
	while (!flag_get(&stress_stop)) {
		rcu_read_lock();
		struct stress_obj *o = rcu_dereference(stress_ptr);

		if (o->twice_a != 2 * o->a)
			__atomic_add_fetch(&stress_bad, 1, __ATOMIC_RELAXED);
		rcu_read_unlock();
		if (++reads % 8 == 0) {
			rcu_eqs_enter(cpu);   /* a round trip through the guest ... */
			sched_yield();        /* ... where the host, short of CPUs, runs the writer */
			rcu_eqs_exit(cpu);
		} else {
			rcu_quiescent(cpu);
		}
	}
	rcu_cpu_offline(cpu);
	return NULL;
}

static void test_stress_replace_and_free(void **state)
{
	pthread_t readers[STRESS_READERS];
	struct stress_obj *o = calloc(1, sizeof(*o));

	(void)state;
	stub_rcu_set_cpu(WRITER_CPU);
	rcu_assign_pointer(stress_ptr, o);
	for (unsigned i = 0; i < STRESS_READERS; i++)
		assert_int_equal(pthread_create(&readers[i], NULL, stress_reader,
						(void *)(uintptr_t)(READER_CPU + i)), 0);
	for (u64 n = 1; n <= STRESS_UPDATES; n++) {
		struct stress_obj *next = calloc(1, sizeof(*next));
		struct stress_obj *old = stress_ptr;

		next->a = n;
		next->twice_a = 2 * n;
		rcu_assign_pointer(stress_ptr, next);
		synchronize_rcu();
		old->twice_a = 1;  /* poison: a reader still using it would count it bad */
		free(old);
	}
	flag_set(&stress_stop, 1);
	for (unsigned i = 0; i < STRESS_READERS; i++)
		assert_int_equal(pthread_join(readers[i], NULL), 0);
	assert_int_equal(__atomic_load_n(&stress_bad, __ATOMIC_RELAXED), 0);
	free(stress_ptr);
	stress_ptr = NULL;
}

/* RCU lists: readers walking while a writer adds and deletes. */
struct item {
	struct list_head link;
	u64 value;
};

static void test_rcu_list_add_del(void **state)
{
	struct list_head head = LIST_HEAD_INIT(head);
	struct item items[3] = { { .value = 1 }, { .value = 2 }, { .value = 3 } };
	struct item *it;
	u64 sum = 0;

	(void)state;
	for (int i = 0; i < 3; i++)
		list_add_tail_rcu(&items[i].link, &head);
	list_del_rcu(&items[1].link);
	rcu_read_lock();
	list_for_each_entry_rcu(it, &head, link)
		sum = sum * 10 + it->value;
	rcu_read_unlock();
	assert_int_equal(sum, 13);
	/* a reader standing on the deleted node still gets back to the list */
	assert_ptr_equal(items[1].link.next, &items[2].link);
}

/*
 * A CPU "in guest mode" (active, calling nothing) blocks a writer until it
 * passes a VM entry; rcu_vm_entry reports only while a writer waits, so a
 * VM entry with no writer leaves the counter alone (no per-exit cost).
 */
struct vmentry_ctl {
	unsigned cpu;
	int entered;      /* set once the CPU went "into the guest" */
	int exit_now;     /* set by the test: the CPU takes one exit and re-enters */
	int done;
	int kicked_seen;  /* the writer's kick reached this CPU */
};

static struct vmentry_ctl *kick_target;

void rcu_kick_cpu(unsigned cpu)
{
	if (kick_target && kick_target->cpu == cpu)
		flag_set(&kick_target->kicked_seen, 1);
}

static void *vmentry_cpu_thread(void *arg)
{
	struct vmentry_ctl *g = arg;

	stub_rcu_set_cpu(g->cpu);
	rcu_cpu_online(g->cpu);
	rcu_vm_entry(g->cpu);
	flag_set(&g->entered, 1);
	wait_flag(&g->exit_now);       /* stands for a guest that runs until a kick */
	rcu_vm_entry(g->cpu);          /* the exit handled, entering again */
	wait_flag(&g->done);
	rcu_cpu_offline(g->cpu);
	return NULL;
}

static void test_vm_entry_without_writer_keeps_counter(void **state)
{
	u64 before;

	(void)state;
	stub_rcu_set_cpu(READER_CPU);
	rcu_cpu_online(READER_CPU);
	before = __atomic_load_n(&rcu_cpus[READER_CPU].ctr, __ATOMIC_RELAXED);
	for (int i = 0; i < 100; i++)
		rcu_vm_entry(READER_CPU);
	assert_int_equal(__atomic_load_n(&rcu_cpus[READER_CPU].ctr, __ATOMIC_RELAXED), before);
	assert_true(before & 1);   /* still active: guest mode is not marked per entry */
	rcu_cpu_offline(READER_CPU);
}

static void test_writer_kicks_guest_cpu_and_waits_for_its_entry(void **state)
{
	struct vmentry_ctl g = { .cpu = READER_CPU };
	struct sync_ctl s = { .cpu = WRITER_CPU };
	pthread_t gt, st;

	(void)state;
	kick_target = &g;
	assert_int_equal(pthread_create(&gt, NULL, vmentry_cpu_thread, &g), 0);
	wait_flag(&g.entered);
	assert_int_equal(pthread_create(&st, NULL, sync_thread, &s), 0);
	wait_flag(&g.kicked_seen);               /* the writer asked the CPU to exit */
	sleep_ms(WAIT_MS);
	assert_false(flag_get(&s.returned));     /* no VM entry yet: still waiting */
	flag_set(&g.exit_now, 1);
	assert_int_equal(pthread_join(st, NULL), 0);
	assert_true(flag_get(&s.returned));
	flag_set(&g.done, 1);
	assert_int_equal(pthread_join(gt, NULL), 0);
	kick_target = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vm_entry_without_writer_keeps_counter),
		cmocka_unit_test(test_writer_kicks_guest_cpu_and_waits_for_its_entry),
		cmocka_unit_test(test_read_lock_nests),
		cmocka_unit_test(test_synchronize_alone_returns),
		cmocka_unit_test(test_synchronize_waits_for_reader_quiescent),
		cmocka_unit_test(test_synchronize_waits_for_reader_eqs),
		cmocka_unit_test(test_guest_mode_cpu_not_waited_for),
		cmocka_unit_test(test_offline_cpu_not_waited_for),
		cmocka_unit_test(test_concurrent_writers_no_deadlock),
		cmocka_unit_test(test_stress_replace_and_free),
		cmocka_unit_test(test_rcu_list_add_del),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
