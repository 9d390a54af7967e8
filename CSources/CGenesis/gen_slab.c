#include <stdatomic.h>
#include <stdlib.h>

#include "CGenesis.h"

struct gen_slab {
  _Atomic uint32_t refs;
  uint32_t capacity;
  /* max_align_t alignment keeps the bytes suitable for any caller reads. */
  _Alignas(16) char data[];
};

/* Process-wide by contract: the metrics and the memory tests read it. */
static _Atomic uint64_t gen_slab_live;

gen_slab *gen_slab_create(uint32_t capacity) {
  gen_slab *slab = malloc(sizeof(gen_slab) + (size_t)capacity);
  if (!slab) return NULL;
  atomic_init(&slab->refs, 1);
  slab->capacity = capacity;
  atomic_fetch_add_explicit(&gen_slab_live, capacity, memory_order_relaxed);
  return slab;
}

void gen_slab_retain(gen_slab *slab) {
  atomic_fetch_add_explicit(&slab->refs, 1, memory_order_relaxed);
}

void gen_slab_release(gen_slab *slab) {
  if (!slab) return;
  if (atomic_fetch_sub_explicit(&slab->refs, 1, memory_order_acq_rel) != 1) return;
  atomic_fetch_sub_explicit(&gen_slab_live, slab->capacity, memory_order_relaxed);
  free(slab);
}

const char *gen_slab_data(const gen_slab *slab) { return slab->data; }

uint32_t gen_slab_capacity(const gen_slab *slab) { return slab->capacity; }

uint64_t gen_slab_live_bytes(void) {
  return atomic_load_explicit(&gen_slab_live, memory_order_relaxed);
}

/* The connection may rewind a slab nobody else holds instead of allocating a
 * new one: with a count of 1 no frame of it is referenced anywhere. */
int gen_slab_is_unique(const gen_slab *slab) {
  return atomic_load_explicit(&slab->refs, memory_order_acquire) == 1;
}
