/* A lock-free, intrusive, multi-producer single-consumer queue (Dmitry
 * Vyukov's design): producers on any thread, the loop thread consumes.
 * Push is one atomic exchange and one store, and never waits. */
#ifndef GEN_MPSC_H
#define GEN_MPSC_H

#include <stdatomic.h>

typedef struct gen_mpsc_node {
  _Atomic(struct gen_mpsc_node *) next;
} gen_mpsc_node;

typedef struct gen_mpsc {
  _Atomic(gen_mpsc_node *) head; /* producers swap themselves in here */
  gen_mpsc_node *tail;           /* consumer only */
  gen_mpsc_node stub;            /* keeps the list non-empty so push never tests for empty */
} gen_mpsc;

void gen_mpsc_init(gen_mpsc *q);

/* Any thread. */
void gen_mpsc_push(gen_mpsc *q, gen_mpsc_node *node);

/* Consumer thread only. NULL when the queue is empty, or when a producer is
 * between its two steps; that producer's wake-up follows, so the consumer
 * simply tries again then. */
gen_mpsc_node *gen_mpsc_pop(gen_mpsc *q);

#endif
