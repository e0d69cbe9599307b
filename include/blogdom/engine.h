/* The engine: a libuv loop driving c-ares queries for a stream of names,
 * within a congestion window and an optional rate, with our own retries. */
#ifndef BLOGDOM_ENGINE_H
#define BLOGDOM_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "blogdom/result.h"
#include "blogdom/router.h"

struct bd_source;
struct bd_rdap;
struct bd_zoneset;

struct bd_engine_config {
  /* Where names go: the resolvers (resolvers.h) or the map of zones
   * (iterate.h), opened with router_cfg. */
  bd_router_open_fn open_router;
  const void *router_cfg;
  unsigned timeout_ms; /* wait for each try, the same for every try */
  unsigned tries;      /* tries in all before a name is given up */
  uint16_t qtype;
  unsigned window_max;   /* most queries in flight */
  unsigned window_init;  /* where the adaptive window starts */
  unsigned window_floor; /* what a window may hold whatever the path */
  uint64_t rate;         /* queries a second at most, 0: no limit */
  bool wildcard_check;   /* ask a random name under each TLD first */
  uint64_t server_rate;  /* queries a second to each server, 0: no cap */
  bool vet;              /* vet the router's resolvers before any name */
  /* The TLDs the input is known to hold at the start are checked before
   * its names go (a router whose checks are per TLD). */
  bool upfront_checks;
  /* The post-DNS stages a verdict goes through, in order (stage.h;
   * not owned: they outlive the engine), and how many. */
  struct bd_stage *stages;
  size_t nstages;
  bool keep_facts; /* the lines show facts: keep each name's records */
  /* --zone: names a zone file judges are never sent (not owned); or
   * NULL. */
  const struct bd_zoneset *zones;
};

struct bd_engine_hooks {
  void *data;
  /* A name has its final verdict. Returns 0, or -1 to end the run (stdout
   * is gone). */
  int (*on_result)(void *data, const struct bd_result *r);
  /* May the name with this sequence number be started? (bounded input
   * order, stdout behind its reader). A no that turns to yes without an
   * event of the engine's own must be followed by bd_engine_resume. */
  bool (*has_room)(void *data, uint64_t seq);
  /* A batch of events was handled: a good moment to flush. */
  void (*on_batch)(void *data);
  /* --state: each name taken, in order: 1 when its line is in the output
   * from an earlier run (the name is skipped, and its number with it), 0
   * to ask it, -1 to end the run (the input is not the state's). NULL:
   * every name is asked. */
  int (*resume)(void *data, uint64_t seq, const char *text, size_t len);
};

struct bd_engine_stats {
  uint64_t started;     /* names taken from the source */
  uint64_t finished;    /* names with a verdict */
  uint64_t unreached;   /* names dropped by an interrupt */
  uint64_t zone_judged; /* names judged by a zone file, never sent */
  uint64_t resumed;     /* names whose lines an earlier run wrote */
  uint64_t queries;     /* queries sent, retries included */
  uint64_t retries;
  uint64_t timeouts;
  uint64_t written_off; /* tries found lost before their timeout (RACK) */
  unsigned inflight;
  unsigned inflight_peak;
  unsigned window;    /* the windows of the servers in use, added up */
  unsigned sidelined; /* servers set aside for failing */
};

struct bd_engine;

/* Sets up the zone of servers, the checks and the handles on loop; nothing
 * is sent before bd_engine_start. Returns 0, or -1 after printing why. *out
 * is set either way: after a failure, run the loop once (it closes what
 * was opened), then free the engine. */
int bd_engine_new(struct bd_engine **out, uv_loop_t *loop,
                  const struct bd_engine_config *cfg, struct bd_source *src,
                  const struct bd_engine_hooks *hooks);

/* Starts sending. The engine closes its handles by itself when every name
 * has its verdict, so uv_run returns. */
void bd_engine_start(struct bd_engine *e);

/* Stops sending now; from the next turn of the loop, queries in flight and
 * names in a stage are dropped without a line (counted as unreached) and
 * the handles are closed. Safe from inside any callback. */
void bd_engine_stop(struct bd_engine *e);

/* Room has come back where has_room had refused it (stdout drained
 * below its low-water mark): takes names again from a pump at the top of
 * the next turn of the loop. The engine pumps only on its own events (an
 * answer, a timer, readable input), and while has_room says no, with
 * nothing in flight, it may have none left: whoever said no calls this
 * when the answer turns to yes. Safe from any callback; nothing once the
 * run is stopping. */
void bd_engine_resume(struct bd_engine *e);

/* True once the engine has closed its handles: every name had its line,
 * or the run was stopped. */
bool bd_engine_closed(const struct bd_engine *e);

/* Why the run was given up (a resolver that lies), or NULL. */
const char *bd_engine_fatal(const struct bd_engine *e);

void bd_engine_get_stats(const struct bd_engine *e,
                         struct bd_engine_stats *stats);

/* A post-DNS stage (see stage.h) is done with p; cancelled when the run
 * is ending and p gets no line. */
struct bd_probe;
void bd_engine_stage_done(struct bd_probe *p, bool cancelled);

/* The impl of the stage p is in (stage.h), for a stage's callbacks that
 * carry only the probe. */
void *bd_engine_stage_impl(const struct bd_probe *p);

/* What a stage's query came to. abuf[0..alen) is the response (borrowed:
 * copy what is kept) when one was judged, else NULL; v is the verdict
 * the engine made of it, as for a name (a referral, a timeout, ...); v is
 * NULL when the run stops first: the query is cancelled and the stage
 * must let its name go (bd_engine_stage_done(p, true)). */
struct bd_verdict;
typedef void (*bd_engine_ask_cb)(void *arg, const unsigned char *abuf,
                                 size_t alen, const struct bd_verdict *v);

/* Asks name (a domain name in the form names.c normalizes to) of type
 * qtype, for a post-DNS stage, as a name of the input would be asked: the
 * same servers (or, with --authoritative, the zone its suffix belongs to,
 * through the map), windows, pace, tries, retries on other servers and TCP
 * after a truncated answer; no TLD checks. A stage's queries go before
 * names not yet started, so a stage never starves. cb(arg, ...) is called
 * exactly once unless an error is returned: from the loop, or before
 * bd_engine_ask returns when, with --authoritative, the zone is already
 * known to have no server. Returns 0, -ENAMETOOLONG, -ECANCELED (the run
 * is stopping) or -ENOMEM. */
int bd_engine_ask(struct bd_engine *e, const char *name, uint16_t qtype,
                  bd_engine_ask_cb cb, void *arg);

/* Frees the engine once uv_run has returned. */
void bd_engine_free(struct bd_engine *e);

#endif
