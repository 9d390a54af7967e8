/*
 * CGenesis: the C engine of Genesis.
 *
 * This is the one public header of the engine. Swift imports it as the
 * `CGenesis` module; the C tests, the fuzzers and the C benchmarks include it
 * directly. Everything public is prefixed `gen_`.
 *
 * Conventions (after libuv and picohttpparser):
 *  - functions that can fail return 0 or a positive count on success and a
 *    negative GEN_E* code on failure; gen_strerror() names the code;
 *  - parsing never allocates and never copies: results are offsets into the
 *    caller's buffer (gen_span);
 *  - only the engine's loop thread touches libuv handles; every gen_conn_* and
 *    gen_listener_* call made from another thread is posted to the loop through
 *    a lock-free queue, so all of them are safe to call from any thread.
 */
#ifndef CGENESIS_H
#define CGENESIS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */
/* ------------------------------------------------------------------------ */

/* Engine error codes. Negative, and far from libuv's (which are negated errno
 * values, all above -4096), so a single int can carry either kind. */
enum {
  GEN_OK = 0,
  GEN_EBADLENGTH = -10001,    /* Content-Length is not a non-negative decimal that fits */
  GEN_EDUPLENGTH = -10002,    /* two Content-Length headers in one header block */
  GEN_ENOCOLON = -10003,      /* a header line without ':' */
  GEN_EHEADERSIZE = -10004,   /* header block longer than the configured maximum */
  GEN_EBODYSIZE = -10005,     /* Content-Length above the configured maximum */
  GEN_EEMPTYNAME = -10006,    /* a header line that starts with ':' */
  GEN_EBADJSON = -10007,      /* a text/event-json body that is not a JSON object */
  GEN_EBADXML = -10008,       /* a text/event-xml body without <event><headers> */
  GEN_ECLOSED = -10020,       /* the connection is closed or closing */
  GEN_EWRITEFULL = -10021,    /* the write queue is above its high watermark */
  GEN_ENOMEM = -10022,        /* an allocation failed */
  GEN_EINVAL = -10023,        /* an argument is out of range */
  GEN_EEOF = -10024,          /* the peer closed the connection */
  GEN_ESTOPPED = -10025,      /* the engine is stopping */
};

/* A static, human-readable name for a GEN_E* code or a libuv error code. */
const char *gen_strerror(int code);

/* ------------------------------------------------------------------------ */
/* Spans: the parser's output                                                */
/* ------------------------------------------------------------------------ */

/* A range of bytes inside a caller-owned buffer. len == 0 means "absent". */
typedef struct gen_span {
  uint32_t off;
  uint32_t len;
} gen_span;

/* ------------------------------------------------------------------------ */
/* Frame parser (gen_parse.c)                                                */
/* ------------------------------------------------------------------------ */

/* What a frame is, from its Content-Type (client side) or its role. */
typedef enum gen_frame_kind {
  GEN_FRAME_OTHER = 0,          /* a Content-Type we do not know, or none */
  GEN_FRAME_AUTH_REQUEST,       /* auth/request */
  GEN_FRAME_COMMAND_REPLY,      /* command/reply */
  GEN_FRAME_API_RESPONSE,       /* api/response */
  GEN_FRAME_EVENT_PLAIN,        /* text/event-plain */
  GEN_FRAME_EVENT_JSON,         /* text/event-json */
  GEN_FRAME_EVENT_XML,          /* text/event-xml */
  GEN_FRAME_LOG_DATA,           /* log/data */
  GEN_FRAME_DISCONNECT_NOTICE,  /* text/disconnect-notice */
  GEN_FRAME_RUDE_REJECTION,     /* text/rude-rejection */
  GEN_FRAME_COMMAND,            /* a client command (GEN_PARSE_COMMANDS mode) */
} gen_frame_kind;

/* Which side of the protocol the bytes come from. */
typedef enum gen_parse_mode {
  /* FreeSWITCH -> client frames: "Name: value" lines, a blank line, then
   * Content-Length bytes of body. CRLF line ends are tolerated. */
  GEN_PARSE_SERVER_FRAMES = 0,
  /* client -> FreeSWITCH commands, as mod_event_socket reads them: CR/LF bytes
   * before a command are skipped, the first line is the command, CR bytes are
   * ignored when looking for the blank line, header lines without ':' are
   * ignored, and a Content-Length that is not a positive number means "no
   * body" (FreeSWITCH 1.10.12). */
  GEN_PARSE_COMMANDS = 1,
} gen_parse_mode;

typedef struct gen_parser_limits {
  uint32_t max_header_bytes; /* header block, outer or inner; default 16 MiB */
  uint32_t max_body_bytes;   /* Content-Length; default 16 MiB (FreeSWITCH's libesl cap) */
} gen_parser_limits;

/* Fills the defaults above. */
void gen_parser_limits_init(gen_parser_limits *limits);

/* A parsed frame. Every span is an offset into the buffer given to
 * gen_parse_frame (not relative to `start`). */
typedef struct gen_frame {
  uint32_t start;           /* offset of the frame's first byte */
  uint32_t size;            /* bytes the frame occupies, header block + blank line + body */
  uint16_t kind;            /* gen_frame_kind */
  uint16_t flags;           /* GEN_FRAME_F_* */
  gen_span headers;         /* outer header lines, without the terminating blank line */
  gen_span body;            /* the Content-Length bytes */
  gen_span content_type;    /* raw value of Content-Type */
  gen_span reply_text;      /* raw value of Reply-Text */
  gen_span job_uuid;        /* raw value of the outer Job-UUID (bgapi replies) */
  gen_span command;         /* GEN_PARSE_COMMANDS: the first line, without its line end */
  /* Events. Plain: the inner header lines and the inner body (everything after
   * the inner blank line). JSON: the whole object, and the raw (still escaped,
   * quotes excluded) value of its "_body" member. XML: the <headers> element's
   * content, and the raw (still escaped) content of <body>. A JSON or XML
   * body that is malformed does not fail the parse (the framing is intact):
   * gen_header_next reports GEN_EBADJSON / GEN_EBADXML on it. */
  gen_span event_headers;
  gen_span event_body;
  /* text/event-plain (GEN_PARSE_SERVER_FRAMES): the raw (still %-encoded)
   * value of the first inner header of each well-known name
   * (gen_well_known_header), recorded while the parser walks the inner header
   * lines anyway, so that metrics and ESLEvent.name need no second scan.
   * Names match case-insensitively; the value is what gen_header_next gives
   * (spaces and tabs after the colon skipped, a trailing CR dropped). off == 0
   * means absent (an inner header never starts at offset 0); len == 0 with
   * off > 0 is a present, empty value. Valid only when GEN_FRAME_F_WELL_KNOWN
   * is set in flags. */
  gen_span well_known[8];
} gen_frame;

/* The inner headers gen_frame.well_known records, by index. */
typedef enum gen_well_known_header {
  GEN_WK_EVENT_NAME = 0,
  GEN_WK_EVENT_SUBCLASS = 1,
  GEN_WK_CALL_DIRECTION = 2,
  GEN_WK_CHANNEL_STATE = 3,
  GEN_WK_ANSWER_STATE = 4,
  GEN_WK_HANGUP_CAUSE = 5,
  GEN_WK_EVENT_DATE_TIMESTAMP = 6,
  GEN_WK_COUNT = 7, /* well_known[7] is padding, always {0, 0} */
} gen_well_known_header;

enum {
  GEN_FRAME_F_CRLF = 1,          /* some line of the frame ended in CRLF */
  GEN_FRAME_F_HAS_BODY = 2,      /* a Content-Length header was present (even 0) */
  GEN_FRAME_F_EVENT_BODY = 4,    /* the event carries a body (inner Content-Length / _body / <body>) */
  GEN_FRAME_F_WELL_KNOWN = 8,    /* well_known[] was filled (plain events) */
};

/* Parses one frame starting at data[start], with data[end] the first byte not
 * yet received. Returns:
 *   > 0  the frame is complete: *frame is filled, and the return value is the
 *        number of bytes it occupies from `start` (leading CR/LF skipped in
 *        GEN_PARSE_COMMANDS mode are included in that count);
 *   0    more bytes are needed. If the header block is complete, frame->size
 *        holds the total size the frame will have, so the caller can make room;
 *        otherwise frame->size is 0;
 *   < 0  a GEN_E* error: the stream is malformed and cannot be resynchronised.
 * Never reads data[end] or beyond. Allocates nothing. */
int64_t gen_parse_frame(const char *data, uint32_t start, uint32_t end,
                        gen_parse_mode mode, const gen_parser_limits *limits,
                        gen_frame *frame);

/* ------------------------------------------------------------------------ */
/* Header access (gen_headers.c): lazy, in place                             */
/* ------------------------------------------------------------------------ */

/* How a header value is encoded where it stands. */
typedef enum gen_value_encoding {
  GEN_VALUE_RAW = 0,        /* use as is (outer envelope, JSON-free text) */
  GEN_VALUE_URL = 1,        /* %XX-encoded (plain event headers, XML header texts) */
  GEN_VALUE_JSON = 2,       /* a JSON string's content, escapes still in place */
  GEN_VALUE_JSON_ARRAY = 3, /* a JSON array of strings, brackets included */
} gen_value_encoding;

typedef struct gen_header {
  gen_span name;
  gen_span value;
  uint32_t encoding;        /* gen_value_encoding */
} gen_header;

/* Iterates the headers of a block, in order, duplicates included.
 * `format` is GEN_FRAME_EVENT_PLAIN / _JSON / _XML for an event's
 * event_headers span, GEN_FRAME_COMMAND for the headers of a
 * GEN_PARSE_COMMANDS frame (mod_event_socket's rules: lines without ':' and
 * empty values skipped), or any other kind for an outer header block (values
 * then come back GEN_VALUE_RAW). *cursor starts at 0. Returns 1 when a header
 * was produced, 0 at the end, or a negative GEN_E* code. For JSON, the
 * "_body" member and the "Content-Length" member the serializer appends with
 * it are not headers and are skipped. */
int gen_header_next(const char *data, gen_span block, uint16_t format,
                    uint32_t *cursor, gen_header *out);

/* Finds the first header whose name equals `name` case-insensitively
 * (FreeSWITCH's own rule). Returns 1 if found, 0 if not, < 0 on error. */
int gen_header_find(const char *data, gen_span block, uint16_t format,
                    const char *name, size_t name_len, gen_header *out);

/* ------------------------------------------------------------------------ */
/* Value decoding (gen_headers.c)                                            */
/* ------------------------------------------------------------------------ */

/* 1 if src[0..len) contains a byte that decoding would change. */
int gen_url_needs_decode(const char *src, size_t len);

/* Strict %XX decoding (both hex cases); '+' stays '+'; a '%' not followed by
 * two hex digits is copied. dst must hold len bytes; dst == src is allowed.
 * Returns the decoded length. */
size_t gen_url_decode(const char *src, size_t len, char *dst);

/* FreeSWITCH's switch_url_encode: bytes < 0x20 or > 0x7E and the characters
 * of SWITCH_URL_UNSAFE become %XX (uppercase); a '%' already followed by two
 * uppercase hex digits is copied as is. Returns the encoded length, or a
 * negative GEN_EINVAL if dst_cap (at least 3 * len suffices) is too small. */
int64_t gen_url_encode(const char *src, size_t len, char *dst, size_t dst_cap);

/* Unescapes the content of a JSON string (without its quotes) into dst, which
 * must hold len bytes (unescaping never grows; \uXXXX becomes UTF-8,
 * surrogate pairs joined). Returns the length, or GEN_EBADJSON. */
int64_t gen_json_unescape(const char *src, size_t len, char *dst);

/* Iterates the strings of a GEN_VALUE_JSON_ARRAY value; each element comes
 * back as the span of a string's content, escapes still in place. */
int gen_json_array_next(const char *data, gen_span array, uint32_t *cursor,
                        gen_span *element);

/* Unescapes XML text (&amp; &lt; &gt; &quot; &apos; &#N; &#xH;) into dst
 * (never grows). Returns the length. */
size_t gen_xml_unescape(const char *src, size_t len, char *dst);

/* ------------------------------------------------------------------------ */
/* Slabs (gen_slab.c): reference-counted read buffers                        */
/* ------------------------------------------------------------------------ */

/* Bytes are read from a socket once, into a slab; parsed frames are offsets
 * into it. A slab lives as long as someone holds a reference: the connection
 * while it reads into it, and every event handed to Swift. */
typedef struct gen_slab gen_slab;

gen_slab *gen_slab_create(uint32_t capacity);    /* refcount 1; NULL on ENOMEM */
void gen_slab_retain(gen_slab *slab);
void gen_slab_release(gen_slab *slab);           /* frees at zero */
const char *gen_slab_data(const gen_slab *slab);
uint32_t gen_slab_capacity(const gen_slab *slab);
/* Bytes currently allocated to live slabs, process-wide (for memory tests and metrics). */
uint64_t gen_slab_live_bytes(void);

/* ------------------------------------------------------------------------ */
/* Engine (gen_engine.c): one libuv loop on its own thread                   */
/* ------------------------------------------------------------------------ */

typedef struct gen_engine gen_engine;

/* Starts a loop thread. Returns 0 or a negative code. */
int gen_engine_create(gen_engine **out);

/* Closes every connection and listener (their on_close callbacks run), stops
 * the loop thread, joins it and frees the engine. Called from the loop thread
 * itself (inside a callback) it returns at once: the loop stops after that
 * callback and the thread frees the engine on its way out. */
void gen_engine_destroy(gen_engine *engine);

/* 1 if the caller runs on the engine's loop thread. */
int gen_engine_on_loop_thread(const gen_engine *engine);

/* Runs fn(arg) on the loop thread, soon. Safe from any thread. Returns 0 or
 * GEN_ESTOPPED / GEN_ENOMEM. */
int gen_engine_post(gen_engine *engine, void (*fn)(void *arg), void *arg);

/* A one-shot timer on the loop thread: fn(arg) runs after `ms` milliseconds.
 * Cheap (one uv_timer per call, no thread). Returns an id > 0 that
 * gen_engine_cancel_timer accepts, or a negative code. */
int64_t gen_engine_set_timer(gen_engine *engine, uint64_t ms,
                             void (*fn)(void *arg), void *arg);
/* Cancels a timer that has not fired; fn will not run. Returns 1 if it was
 * cancelled, 0 if it already fired or was unknown. Safe from any thread (the
 * cancellation itself is posted; a timer firing concurrently may still run,
 * unless this is called on the loop thread). */
int gen_engine_cancel_timer(gen_engine *engine, int64_t timer_id);

/* ------------------------------------------------------------------------ */
/* Connections (gen_conn.c): TCP client and accepted server connections      */
/* ------------------------------------------------------------------------ */

typedef struct gen_conn gen_conn;

typedef struct gen_conn_config {
  gen_parse_mode parse_mode;     /* default GEN_PARSE_SERVER_FRAMES */
  gen_parser_limits limits;      /* defaults of gen_parser_limits_init */
  uint32_t slab_size;            /* bytes per read slab; default 256 KiB */
  uint64_t write_high_watermark; /* queued bytes above which writes fail with GEN_EWRITEFULL; default 64 MiB */
  uint64_t write_low_watermark;  /* queued bytes below which on_writable fires after a refusal; default 16 MiB */
  uint32_t max_batch;            /* frames per on_frames call at most; default 1024 (one array per
                                  * engine, as large as its largest max_batch, serves every read) */
  int release_idle_slab;         /* nonzero: drop the read slab whenever every byte read has been
                                  * parsed (frames handed out keep their own reference), so an idle
                                  * connection holds no read buffer; costs an allocation per read.
                                  * For servers holding many mostly idle connections. Default 0. */
} gen_conn_config;

void gen_conn_config_init(gen_conn_config *config);

/* Callbacks, all on the loop thread. `ctx` is passed back untouched. */
typedef struct gen_conn_callbacks {
  void *ctx;
  /* Client connections: the TCP connect finished (status 0) or failed (< 0;
   * on_close follows). */
  void (*on_connect)(void *ctx, gen_conn *conn, int status);
  /* Complete frames parsed from the bytes read, all inside `slab`, in stream
   * order. The callee retains the slab for as long as it keeps a frame.
   * Return nonzero to pause reading (backpressure): the socket is not read
   * again until gen_conn_resume_reading. Frames already read are still
   * delivered (they are bounded by one read's worth of bytes). */
  int (*on_frames)(void *ctx, gen_conn *conn, gen_slab *slab,
                   const gen_frame *frames, size_t count);
  /* After a write was refused with GEN_EWRITEFULL, the queue fell below the
   * low watermark. */
  void (*on_writable)(void *ctx, gen_conn *conn);
  /* The last callback. reason: 0 after gen_conn_close, GEN_EEOF when the
   * peer closed, a GEN_E* parse error (the stream was malformed), or a
   * negative libuv code. After it returns the engine drops its reference. */
  void (*on_close)(void *ctx, gen_conn *conn, int reason);
} gen_conn_callbacks;

/* Opens a TCP connection to host:port (an IPv4 or IPv6 literal, or a name
 * resolved with getaddrinfo). Returns the connection with one reference for
 * the caller (release it with gen_conn_release), or NULL with *err set.
 * Callbacks start with on_connect. */
gen_conn *gen_conn_connect(gen_engine *engine, const char *host, uint16_t port,
                           const gen_conn_config *config,
                           const gen_conn_callbacks *callbacks, int *err);

void gen_conn_retain(gen_conn *conn);
void gen_conn_release(gen_conn *conn);

/* Replaces the callbacks. Only on the loop thread (typically in on_accept,
 * before the first read). */
void gen_conn_set_callbacks(gen_conn *conn, const gen_conn_callbacks *callbacks);

/* Copies the bytes and queues them for writing, in call order across
 * threads. Returns 0, GEN_EWRITEFULL (nothing queued; on_writable will follow)
 * or GEN_ECLOSED. */
int gen_conn_write(gen_conn *conn, const void *data, size_t len);

/* Like gen_conn_write, but never sent from the calling thread: the bytes join
 * the loop's next batched write. For a writer that knows more writes follow
 * (a command pipelined behind others still unanswered), where one send per
 * call would cost a syscall, and a wake-up of the peer, each. */
int gen_conn_write_batched(gen_conn *conn, const void *data, size_t len);

/* The same for several pieces written back to back, atomically with respect
 * to other writes (one frame never interleaves with another). */
int gen_conn_writev(gen_conn *conn, const void *const *pieces,
                    const size_t *lengths, size_t count);

/* gen_conn_writev for the loop's next batch, as gen_conn_write_batched. */
int gen_conn_writev_batched(gen_conn *conn, const void *const *pieces,
                            const size_t *lengths, size_t count);

/* On the loop thread, writes what is queued now, instead of at the loop's
 * next batch, once at least `at_least` bytes wait. Elsewhere, nothing.
 * Returns 1 when it flushed. A write that completes at once may run
 * on_writable before this returns, so call it holding no lock that
 * on_writable takes. */
int gen_conn_flush_queued(gen_conn *conn, uint64_t at_least);

/* Writes `data` `count` times, refilling the socket as it drains, without
 * holding count copies in memory (the simulator's blast mode). on_done(arg)
 * runs on the loop thread when all copies are written or the connection
 * closed (then with the number written so far). Returns 0 or a negative code. */
int gen_conn_write_repeated(gen_conn *conn, const void *data, size_t len,
                            uint64_t count,
                            void (*on_done)(void *arg, uint64_t written),
                            void *arg);

/* Bytes queued for writing and not yet handed to the kernel. */
uint64_t gen_conn_write_queue_bytes(const gen_conn *conn);

void gen_conn_pause_reading(gen_conn *conn);
void gen_conn_resume_reading(gen_conn *conn);

/* Closes after the queued writes are flushed (graceful), or at once when
 * `abort` is nonzero. on_close follows with reason 0. Idempotent. */
void gen_conn_close(gen_conn *conn, int abort);

/* Peer and local addresses as "ip:port" text ("[ip]:port" for IPv6).
 * Returns the length written (NUL-terminated) or a negative code. */
int gen_conn_peer_name(const gen_conn *conn, char *buf, size_t cap);
int gen_conn_local_name(const gen_conn *conn, char *buf, size_t cap);

/* ------------------------------------------------------------------------ */
/* Listeners (gen_conn.c)                                                    */
/* ------------------------------------------------------------------------ */

typedef struct gen_listener gen_listener;

/* A connection was accepted. Set its callbacks here (gen_conn_set_callbacks)
 * and retain it if you keep it; reading starts when this returns. Return
 * nonzero to refuse it (it is closed at once). */
typedef int (*gen_accept_cb)(void *ctx, gen_listener *listener, gen_conn *conn);

/* Binds and listens on host:port (port 0 picks a free one), accepted
 * connections use `config`. Blocks the caller until the loop has bound the
 * socket (must not be called on the loop thread). Returns the listener or
 * NULL with *err set (for example UV_EADDRINUSE). */
gen_listener *gen_listener_open(gen_engine *engine, const char *host,
                                uint16_t port, int backlog,
                                const gen_conn_config *config,
                                gen_accept_cb on_accept, void *ctx, int *err);

/* The bound port (useful after port 0). */
uint16_t gen_listener_port(const gen_listener *listener);

/* Stops accepting; connections already accepted stay open. The listener is
 * freed once the loop has closed it; on_closed(ctx) (may be NULL) runs on the
 * loop thread then. */
void gen_listener_close(gen_listener *listener, void (*on_closed)(void *ctx));

/* ---- end of the engine core; metrics and HTTP sections follow ---------- */

/* ======================================================================== */
/* Metrics (gen_metrics.c, gen_prometheus.c)                                 */
/* ======================================================================== */

/* The process-wide metric registry: the engine's only global state.
 *
 * A family (name, help, type, label names, bucket layout) is registered once;
 * a series (family + label values) is resolved once to a gen_series handle.
 * Registration and resolution take a lock and may allocate; recording through
 * a handle takes no lock, allocates nothing and does no string work, so it is
 * safe and cheap from any thread: counters and histograms add into the
 * calling thread's own copy of a fixed, never-moving value array (summed
 * when read; folded back when the thread exits), gauges use relaxed atomics
 * on the shared array. A thread's first recording attaches its copy (once,
 * under the lock).
 *
 * Names. Family and label names may be given in OpenTelemetry form: every
 * character outside [A-Za-z0-9_:] (labels: [A-Za-z0-9_]) becomes '_'
 * ("hangup.cause" -> "hangup_cause"). A counter's exposed name always ends in
 * "_total": the suffix is appended when the given name lacks it, so
 * "genesis.commands.sent" and "genesis_commands_sent_total" name the same
 * family. Units are the caller's (durations in seconds, named "_seconds").
 *
 * Environment, read once when the registry is first used:
 *   OTEL_SDK_DISABLED=true      recording is off (gen_metrics_set_enabled
 *                               can turn it back on);
 *   OTEL_SERVICE_NAME           the target_info series' service_name
 *                               (default "genesis");
 *   OTEL_RESOURCE_ATTRIBUTES    k=v,k=v pairs (values %-decoded), added to
 *                               target_info as labels. */

typedef enum gen_metric_type {
  GEN_METRIC_COUNTER = 0,
  GEN_METRIC_GAUGE = 1,
  GEN_METRIC_HISTOGRAM = 2,
} gen_metric_type;

/* The fixed bucket layouts (upper bounds, seconds). */
typedef enum gen_bucket_layout {
  GEN_BUCKETS_NONE = 0,     /* counters and gauges */
  /* Command round trips and other short waits: 25 us .. 60 s. */
  GEN_BUCKETS_LATENCY = 1,
  /* Calls, ring groups: 0.5 s .. 4 h. */
  GEN_BUCKETS_DURATION = 2,
} gen_bucket_layout;

/* Most upper bounds a histogram may have (+Inf excluded). */
#define GEN_METRIC_MAX_BUCKETS 48
/* Most label names a family may have. */
#define GEN_METRIC_MAX_LABELS 16

/* Copies the upper bounds of a fixed layout into bounds (capacity cap) and
 * returns their number. */
size_t gen_metric_layout_bounds(gen_bucket_layout layout, double *bounds,
                                size_t cap);

/* Registers a family, or finds it again: registering the same name with the
 * same type, label names and buckets returns the same id. Histograms take
 * either a fixed layout or `bucket_count` strictly increasing finite
 * `bucket_bounds` (layout GEN_BUCKETS_NONE). Returns the family id (>= 0) or
 * GEN_EINVAL (bad name, a conflicting registration, too many labels or
 * buckets, a label named "le" on a histogram) / GEN_ENOMEM. */
int gen_metric_family(const char *name, const char *help, gen_metric_type type,
                      const char *const *label_names, size_t label_count,
                      gen_bucket_layout layout, const double *bucket_bounds,
                      size_t bucket_count);

/* A resolved series: where its values live. Pass it to the recording
 * functions of its family's type only. GEN_SERIES_NONE records into a sink
 * that is never exposed, so a failed resolution can be recorded through
 * harmlessly. */
typedef uint32_t gen_series;
enum { GEN_SERIES_NONE = 0 }; /* an enum, not a cast macro: Swift imports it */

/* Resolves family + label values (one per label name, in order; NULL counts
 * as "") to a series, creating it at zero on first use. Returns the handle
 * (> 0) or GEN_EINVAL / GEN_ENOMEM (no room left in the value array). */
int64_t gen_metric_series(int family, const char *const *label_values,
                          size_t label_count);

/* The standard families: every metric of docs/METRICS.md, registered when the
 * registry starts, so their ids are these constants. */
typedef enum gen_std_metric {
  GEN_M_TARGET_INFO = 0,
  GEN_M_COMMANDS_SENT,            /* command */
  GEN_M_COMMANDS_DURATION,        /* command */
  GEN_M_COMMANDS_ERRORS,          /* command, error */
  GEN_M_EVENTS_RECEIVED,          /* event_name, event_subclass, direction, channel_state, answer_state, hangup_cause */
  GEN_M_CONNECTIONS_ACTIVE,       /* type */
  GEN_M_CONNECTIONS_ERRORS,       /* type, error */
  GEN_M_CHANNEL_OPERATIONS,       /* operation, success, error */
  GEN_M_CHANNEL_OPERATION_DURATION, /* operation */
  GEN_M_CHANNEL_HANGUP_CAUSES,    /* hangup_cause, error */
  GEN_M_CHANNEL_BRIDGE_OPERATIONS, /* success, error */
  GEN_M_CHANNEL_DTMF_RECEIVED,    /* dtmf_digit */
  GEN_M_CALL_DURATION,            /* (none) */
  GEN_M_RING_GROUP_OPERATIONS,    /* mode, has_balancer */
  GEN_M_RING_GROUP_OPERATION_DURATION, /* mode, has_balancer */
  GEN_M_RING_GROUP_RESULTS,       /* mode, result, has_balancer, error */
  GEN_M_TIMEOUTS,                 /* timeout_type, timeout_operation, timeout_duration */
  GEN_M_QUEUE_OPERATIONS,         /* queue_id, op */
  GEN_M_QUEUE_WAIT_DURATION,      /* queue_id */
  GEN_M_COMMANDS_IN_FLIGHT,       /* type */
  GEN_M_EVENT_LAG,                /* (none) */
  GEN_M_BACKPRESSURE_PAUSES,      /* type */
  GEN_M_BYTES_READ,               /* type */
  GEN_M_BYTES_WRITTEN,            /* type */
  GEN_M_PARSE_ERRORS,             /* kind */
  GEN_M_CONNECTIONS_RECONNECTS,   /* type, result */
  GEN_M_STD_COUNT
} gen_std_metric;

/* The label value gen_metric_parse_error_kind gives a GEN_E* parse error
 * ("bad_content_length", "header_too_large", ...; "other" for the rest). */
const char *gen_metric_parse_error_kind(int code);

/* Recording. No lock, no allocation; a no-op while recording is disabled. */
void gen_counter_add(gen_series series, uint64_t n);
void gen_counter_add_double(gen_series series, double v); /* v >= 0; others ignored */
void gen_gauge_set(gen_series series, double v);
void gen_gauge_add(gen_series series, double delta);
void gen_histogram_observe(gen_series series, double v);

/* Inline fast paths of gen_counter_add and gen_histogram_observe, for
 * callers in other languages that inline C (Swift does): on a thread that
 * already has its shard, recording is a few loads and stores with no call;
 * otherwise (first recording of a thread, recording off) they call the
 * functions above. Same semantics. The declarations below are the registry's
 * internals these need; nothing else may touch them. */
#define GEN_METRIC_CELL_MASK_ ((1u << 21) - 1)
#define GEN_METRIC_LAYOUT_SLOTS_ 64
#ifdef __cplusplus
#define GEN_THREAD_LOCAL_ thread_local
#else
#define GEN_THREAD_LOCAL_ _Thread_local
#endif
extern GEN_THREAD_LOCAL_ uint64_t *gen_metrics_tls_cells_
    __attribute__((tls_model("initial-exec")));
extern int gen_metrics_recording_;
extern uint64_t *const gen_metric_cells_base_;
/* The bucket of `v` among `count` ascending bounds: the first bound >= v
 * (Prometheus' le is inclusive), found by a branchless lower bound because
 * observed values are unpredictable and branches would mispredict. Values
 * above every bound, and NaN, land in +Inf (index count). */
static inline uint32_t gen_metric_bucket_index_(const double *bounds, uint32_t count, double v) {
  uint32_t n = count;
  if (!n || v != v) return count;
  const double *first = bounds;
  while (n > 1) {
    uint32_t half = n / 2;
    first = first[half - 1] < v ? first + half : first;
    n -= half;
  }
  return (uint32_t)(first - bounds) + (*first < v);
}

/* A layout's bounds, and a table that finds a value's bucket in O(1): the
 * value's exponent and first mantissa bit (its half-octave, the top bits of
 * the double read as an integer) index `cell_first`, the first bound at or
 * above that half-octave's start. When no half-octave holds two bounds (true
 * of the 1-2.5-5 layouts), the bucket is that index plus one comparison.
 * Layouts that do not fit (a half-octave with two bounds, a bound <= 0, a
 * span over GEN_METRIC_BUCKET_CELLS_) have cell_count 0 and use the search
 * above. bounds[count] is +Inf, so the comparison needs no range check. */
#define GEN_METRIC_BUCKET_CELLS_ 128
#define GEN_METRIC_BUCKET_CELL_SHIFT_ 51
typedef struct gen_metric_layout_bounds_ {
  uint32_t count;
  uint32_t cell_count;  /* 0: search the bounds instead */
  int64_t cell_low;     /* the half-octave of bounds[0] */
  uint8_t cell_first[GEN_METRIC_BUCKET_CELLS_];
  double bounds[GEN_METRIC_MAX_BUCKETS + 1];
} gen_metric_layout_bounds_;
extern gen_metric_layout_bounds_ gen_metric_layout_bounds_table_[GEN_METRIC_LAYOUT_SLOTS_];

static inline __attribute__((always_inline)) uint32_t gen_metric_layout_bucket_(
    const gen_metric_layout_bounds_ *l, double v) {
  if (__builtin_expect(l->cell_count == 0, 0)) return gen_metric_bucket_index_(l->bounds, l->count, v);
  uint64_t bits;
  __builtin_memcpy(&bits, &v, sizeof bits);
  /* Negative values (sign bit) and zero or subnormals (below cell_low) go
   * to the first cell; NaN and +Inf (the largest exponent) to the last,
   * whose first bound is the +Inf sentinel. */
  int64_t cell = (int64_t)(bits >> GEN_METRIC_BUCKET_CELL_SHIFT_) - l->cell_low;
  cell = (bits >> 63) ? 0 : cell;
  cell = cell < 0 ? 0 : cell;
  cell = cell >= (int64_t)l->cell_count ? (int64_t)l->cell_count - 1 : cell;
  uint32_t first = l->cell_first[cell];
  return first + (l->bounds[first] < v);
}

static inline __attribute__((always_inline)) void gen_counter_add_inline(gen_series series,
                                                                         uint64_t n) {
  uint64_t *local = gen_metrics_tls_cells_;
  if (__builtin_expect(local != 0 && __atomic_load_n(&gen_metrics_recording_, __ATOMIC_RELAXED), 1)) {
    uint64_t *cell = &local[series & GEN_METRIC_CELL_MASK_];
    __atomic_store_n(cell, __atomic_load_n(cell, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
  } else {
    gen_counter_add(series, n);
  }
}

static inline __attribute__((always_inline)) void gen_histogram_observe_inline(gen_series series,
                                                                               double v) {
  uint64_t *local = gen_metrics_tls_cells_;
  if (__builtin_expect(local == 0 || !__atomic_load_n(&gen_metrics_recording_, __ATOMIC_RELAXED), 0)) {
    gen_histogram_observe(series, v);
    return;
  }
  uint32_t base = series & GEN_METRIC_CELL_MASK_;
  const gen_metric_layout_bounds_ *l = &gen_metric_layout_bounds_table_[
      __atomic_load_n(&gen_metric_cells_base_[base], __ATOMIC_RELAXED) & (GEN_METRIC_LAYOUT_SLOTS_ - 1)];
  uint64_t *bucket = &local[base + 1 + gen_metric_layout_bucket_(l, v)];
  __atomic_store_n(bucket, __atomic_load_n(bucket, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
  uint64_t *sum = &local[base + 2 + l->count];
  uint64_t bits = __atomic_load_n(sum, __ATOMIC_RELAXED);
  double total;
  __builtin_memcpy(&total, &bits, sizeof total);
  total += v;
  __builtin_memcpy(&bits, &total, sizeof bits);
  __atomic_store_n(sum, bits, __ATOMIC_RELAXED);
}

/* Reads back a value (tests, and Swift's own checks). A counter's integer
 * and double parts summed; a histogram's count and sum. */
double gen_counter_value(gen_series series);
double gen_gauge_value(gen_series series);
uint64_t gen_histogram_count(gen_series series);
double gen_histogram_sum(gen_series series);

/* Recording on/off for the whole process (initially on unless
 * OTEL_SDK_DISABLED=true). */
void gen_metrics_set_enabled(int enabled);
int gen_metrics_enabled(void);

/* A growable byte buffer the renderer appends to. Zero-initialise it; free
 * its data with gen_buf_free. */
typedef struct gen_buf {
  char *data;
  size_t len;
  size_t cap;
} gen_buf;

void gen_buf_free(gen_buf *buf);

/* Appends the whole registry in Prometheus text format 0.0.4 to `out`: per
 * family with at least one series, "# HELP" and "# TYPE", then its samples in
 * resolution order (histograms: cumulative _bucket{le} in increasing order
 * ending in +Inf, then _sum and _count). target_info comes first. Returns 0 or
 * GEN_ENOMEM. */
int gen_metrics_render(gen_buf *out);

/* The content type of that rendering, for an HTTP response. */
#define GEN_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* ======================================================================== */
/* Observability HTTP server (gen_http.c)                                    */
/* ======================================================================== */

/* A read-only HTTP/1.1 server on the engine's loop: GET (or HEAD) /metrics,
 * /health and /ready; 404 for other paths, 405 for other methods, 400 and a
 * close for malformed or oversized requests. Keep-alive and pipelining are
 * supported; a connection that does not complete a request within
 * idle_timeout_ms of the previous response (or of accepting) is dropped. */
typedef struct gen_http_server gen_http_server;

typedef struct gen_http_config {
  const char *host;            /* bind address; default "0.0.0.0" */
  uint16_t port;               /* default 8000; 0 picks a free port */
  uint32_t idle_timeout_ms;    /* default 10000 */
  uint32_t max_request_bytes;  /* URL + headers + body of one request; default 8192 */
  /* 0: /health reports the flag of gen_http_server_set_healthy (initially
   * healthy). > 0: healthy additionally requires a gen_http_server_heartbeat
   * within this window (a consumer: 30000), and the first heartbeat makes the
   * server ready. */
  uint32_t heartbeat_window_ms;
} gen_http_config;

void gen_http_config_init(gen_http_config *config);

/* Binds and starts serving. Blocks until the socket is bound (must not be
 * called on the loop thread). Returns 0 with *out set, or a negative code
 * (a libuv one such as UV_EADDRINUSE, or GEN_E*). */
int gen_http_server_open(gen_engine *engine, const gen_http_config *config,
                         gen_http_server **out);

/* The bound port (useful after port 0). */
uint16_t gen_http_server_port(const gen_http_server *server);

/* Health and readiness, from any thread:
 *   /ready  200 {"status":"ready"}  or 503 {"status":"not ready"};
 *   /health 200 {"status":"ok"}     or 503 {"status":"unhealthy"}.
 * A new server is healthy and not ready. */
void gen_http_server_set_ready(gen_http_server *server, int ready);
void gen_http_server_set_healthy(gen_http_server *server, int healthy);
/* A HEARTBEAT event arrived (see heartbeat_window_ms). */
void gen_http_server_heartbeat(gen_http_server *server);

/* Stops listening, closes every client connection and frees the server.
 * Off the loop thread it returns once that is done; on the loop thread it
 * only starts it. gen_engine_destroy closes and frees a server still open, so
 * call this before gen_engine_destroy or not at all. */
void gen_http_server_close(gen_http_server *server);

/* ======================================================================== */
/* Redis (gen_redis.c)                                                       */
/* ======================================================================== */

/* A thin asynchronous Redis client on the engine's loop: Debian's hiredis
 * (its async API and libuv adapter) does the protocol, this unit only posts
 * work to the loop and turns hiredis' outcomes into GEN_E* codes. Every
 * function is safe from any thread; every callback runs on the loop thread.
 * Policy (scripts, leases, retries) lives in Swift. */
typedef struct gen_redis gen_redis;

/* A reply, valid only during the callback that hands it over. It is
 * hiredis' own redisReply, read through the accessors below so that Swift
 * needs no hiredis header. */
typedef struct gen_redis_reply gen_redis_reply;

typedef enum gen_redis_type {
  GEN_REDIS_REPLY_STRING = 1,
  GEN_REDIS_REPLY_ARRAY = 2,
  GEN_REDIS_REPLY_INTEGER = 3,
  GEN_REDIS_REPLY_NIL = 4,
  GEN_REDIS_REPLY_STATUS = 5,
  GEN_REDIS_REPLY_ERROR = 6,
} gen_redis_type;

/* Redis error codes (gen_redis_strerror names them, and every other code). */
enum {
  GEN_EREDIS_CONNECT = -10040,  /* the TCP connection could not be made */
  GEN_EREDIS_IO = -10041,       /* the connection failed or the server closed it */
  GEN_EREDIS_PROTOCOL = -10042, /* the server sent bytes hiredis cannot parse */
  GEN_EREDIS_AUTH = -10043,     /* AUTH or SELECT was refused */
};

const char *gen_redis_strerror(int code);

/* What a subscriber connection received. */
typedef enum gen_redis_push_kind {
  GEN_REDIS_PUSH_SUBSCRIBED = 1,   /* a SUBSCRIBE took effect; payload empty */
  GEN_REDIS_PUSH_UNSUBSCRIBED = 2, /* an UNSUBSCRIBE took effect; payload empty */
  GEN_REDIS_PUSH_MESSAGE = 3,      /* a PUBLISH to a subscribed channel */
} gen_redis_push_kind;

typedef struct gen_redis_config {
  const char *host;      /* an IP literal or a name (resolved blocking, on the loop); default "127.0.0.1" */
  uint16_t port;         /* default 6379 */
  const char *password;  /* NULL: no AUTH */
  uint32_t db;           /* 0: no SELECT */
  void *ctx;             /* passed back to the three callbacks */
  /* Exactly once: 0 when connected (and authenticated, and the db
   * selected), or a negative code when that failed (on_close follows).
   * Commands may be issued before it: they are sent after the handshake. */
  void (*on_ready)(void *ctx, int status);
  /* The last callback, after every pending command's callback: reason 0
   * after gen_redis_close, else why the connection ended (GEN_EREDIS_*). */
  void (*on_close)(void *ctx, int reason);
  /* Subscriber connections: confirmations and messages, in arrival order.
   * May be NULL for a command connection. */
  void (*on_push)(void *ctx, int kind, const char *channel, size_t channel_len,
                  const char *payload, size_t payload_len);
} gen_redis_config;

void gen_redis_config_init(gen_redis_config *config);

/* Starts connecting. Returns 0 with *out holding one reference for the
 * caller (gen_redis_release), or a negative code (nothing to release). */
int gen_redis_open(gen_engine *engine, const gen_redis_config *config,
                   gen_redis **out);

/* The reply to one command: status 0 with the reply (which may be an
 * error reply, GEN_REDIS_REPLY_ERROR), or status < 0 and reply NULL when
 * the connection ended before the reply came (GEN_ECLOSED after
 * gen_redis_close, else a GEN_EREDIS_* code). Called exactly once. */
typedef void (*gen_redis_reply_cb)(void *arg, int status,
                                   const gen_redis_reply *reply);

/* Sends argv[0..argc) (binary-safe: each argument has its length; the bytes
 * are copied before returning). Replies come in command order. Returns 0
 * (cb will run) or a negative code (GEN_ESTOPPED, GEN_ENOMEM, GEN_EINVAL;
 * cb will not run). */
int gen_redis_command(gen_redis *redis, size_t argc, const char *const *argv,
                      const size_t *argv_len, gen_redis_reply_cb cb, void *arg);

/* SUBSCRIBE / UNSUBSCRIBE one channel on this connection, which becomes a
 * subscriber connection (use a separate one for commands). The outcome is
 * an on_push GEN_REDIS_PUSH_SUBSCRIBED / _UNSUBSCRIBED. Returns 0 or a
 * negative code. */
int gen_redis_subscribe(gen_redis *redis, const char *channel, size_t len);
int gen_redis_unsubscribe(gen_redis *redis, const char *channel, size_t len);

/* Drops the connection at once: pending commands get GEN_ECLOSED, then
 * on_close(0). Idempotent. gen_engine_destroy closes a connection still
 * open. */
void gen_redis_close(gen_redis *redis);

void gen_redis_retain(gen_redis *redis);
void gen_redis_release(gen_redis *redis);

/* Reading a reply (during its callback only). */
int gen_redis_reply_type(const gen_redis_reply *reply);        /* gen_redis_type */
int64_t gen_redis_reply_integer(const gen_redis_reply *reply); /* INTEGER */
/* STRING, STATUS and ERROR: the bytes (not necessarily NUL-free) and length. */
const char *gen_redis_reply_string(const gen_redis_reply *reply, size_t *len);
size_t gen_redis_reply_count(const gen_redis_reply *reply);    /* ARRAY */
const gen_redis_reply *gen_redis_reply_element(const gen_redis_reply *reply,
                                               size_t index);

#ifdef __cplusplus
}
#endif

#endif /* CGENESIS_H */
