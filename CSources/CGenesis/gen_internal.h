/* Private declarations shared by the engine's I/O units (engine, conn,
 * listener). Not part of the public header: these touch libuv directly. */
#ifndef GEN_INTERNAL_H
#define GEN_INTERNAL_H

#include <stdatomic.h>
#include <stddef.h>

#include <uv.h>

#include "CGenesis.h"
#include "gen_mpsc.h"

#define gen_container_of(ptr, type, member)                                    \
  ((type *)((char *)(ptr) - offsetof(type, member)))

/* A unit of work for the loop thread. Embedded in the object it acts on, so
 * that posting allocates nothing; `run` recovers the object with
 * gen_container_of. */
typedef struct gen_task {
  gen_mpsc_node node;
  struct gen_task *deferred_next; /* loop-thread list, see gen_engine_schedule */
  void (*run)(struct gen_task *task);
} gen_task;

/* Queues `task` to run on the loop thread. From another thread it goes
 * through the MPSC queue and a coalesced uv_async_send; from the loop thread
 * it is deferred to the end of the current loop phase, so that many writes
 * issued from one read callback become one flush. Returns 0, or GEN_ESTOPPED
 * once the engine has shut its queue (the task will never run). */
int gen_engine_schedule(gen_engine *engine, gen_task *task);

uv_loop_t *gen_engine_uv_loop(gen_engine *engine);

/* 1 from gen_engine_destroy on: no new connection or listener may start. */
int gen_engine_stopping(const gen_engine *engine);

/* The frames of one read: every connection of the engine parses into this
 * one array, since parsing runs only on the loop thread, one read callback
 * at a time (libuv never nests them), and on_frames is done with the frames
 * when it returns. One array per connection cost 10,000 idle outbound
 * sessions 2 KiB each. Grown to hold `count` frames; NULL when out of
 * memory. Loop thread only. */
gen_frame *gen_engine_frames(gen_engine *engine, uint32_t count);

/* Objects the engine must close when it is destroyed (connections,
 * listeners). Loop thread only. */
typedef struct gen_engine_link {
  struct gen_engine_link *prev, *next;
  void (*shutdown)(struct gen_engine_link *link);
} gen_engine_link;

void gen_engine_track(gen_engine *engine, gen_engine_link *link);
void gen_engine_untrack(gen_engine *engine, gen_engine_link *link);

/* Connections accepted by a listener (gen_listener.c -> gen_conn.c), loop
 * thread only. gen_conn_accepted takes the new socket from `server` and
 * returns the connection holding the engine's reference, or NULL (the socket
 * is then dropped). gen_conn_accepted_start begins reading, or closes it when
 * `refused`. */
gen_conn *gen_conn_accepted(gen_engine *engine, uv_stream_t *server,
                            const gen_conn_config *config);
void gen_conn_accepted_start(gen_conn *conn, int refused);

/* 1 if the caller holds the only reference to `slab`. */
int gen_slab_is_unique(const gen_slab *slab);

/* Fills gaps in a caller's configuration (zeros mean "default"). */
void gen_conn_config_normalize(gen_conn_config *config);

/* Resolves host:port for the loop (IPv4/IPv6 literals without a lookup).
 * Blocking only for names. Returns 0 or a libuv code. */
int gen_resolve(const char *host, uint16_t port, struct sockaddr_storage *out);

#endif
