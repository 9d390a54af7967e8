#include "gen_mpsc.h"

#include <stddef.h>

void gen_mpsc_init(gen_mpsc *q) {
  atomic_store_explicit(&q->stub.next, NULL, memory_order_relaxed);
  atomic_store_explicit(&q->head, &q->stub, memory_order_relaxed);
  q->tail = &q->stub;
}

void gen_mpsc_push(gen_mpsc *q, gen_mpsc_node *node) {
  atomic_store_explicit(&node->next, NULL, memory_order_relaxed);
  gen_mpsc_node *prev = atomic_exchange_explicit(&q->head, node, memory_order_acq_rel);
  /* Until this store the consumer cannot see `node`; it reports "empty"
   * meanwhile rather than spinning on us. */
  atomic_store_explicit(&prev->next, node, memory_order_release);
}

gen_mpsc_node *gen_mpsc_pop(gen_mpsc *q) {
  gen_mpsc_node *tail = q->tail;
  gen_mpsc_node *next = atomic_load_explicit(&tail->next, memory_order_acquire);
  if (tail == &q->stub) {
    if (next == NULL) return NULL;
    q->tail = next;
    tail = next;
    next = atomic_load_explicit(&next->next, memory_order_acquire);
  }
  if (next != NULL) {
    q->tail = next;
    return tail;
  }
  if (tail != atomic_load_explicit(&q->head, memory_order_acquire)) return NULL;
  /* `tail` is the last node: re-insert the stub behind it so that it can be
   * handed out without leaving the list empty. */
  gen_mpsc_push(q, &q->stub);
  next = atomic_load_explicit(&tail->next, memory_order_acquire);
  if (next != NULL) {
    q->tail = next;
    return tail;
  }
  return NULL;
}
