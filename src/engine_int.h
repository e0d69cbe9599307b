/* The engine's own header, shared by the files that make it up (engine.c,
 * intake.c, sending.c, answers.c, lines.c) and by no one else: the engine
 * object, and the few functions one of its files calls in another. The
 * public interface is blogdom/engine.h. */
#ifndef BLOGDOM_ENGINE_INT_H
#define BLOGDOM_ENGINE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "blogdom/engine.h"
#include "blogdom/pacer.h"
#include "blogdom/peer.h"
#include "blogdom/probe.h"
#include "blogdom/random.h"
#include "blogdom/router.h"
#include "blogdom/source.h"
#include "blogdom/stage.h"
#include "blogdom/verdict.h"

#define MAX_WRITE_OFFS 8

struct bd_checks;
struct bd_zone;

struct bd_engine {
  uv_loop_t *loop;
  struct bd_engine_config cfg;
  struct bd_engine_hooks hooks;
  struct bd_source *src;

  struct bd_router *router; /* where each probe goes: the only word on the
                               mode the engine runs in */
  struct bd_probe_pool pool;
  struct bd_peers peers; /* every server address, once */
  /* Zones with probes QUEUED (retries, checks, the map's names), served
   * in turn: a zone that cannot send holds back only its own. */
  struct bd_zone *waiting_head;
  struct bd_zone *waiting_tail;
  struct bd_checks *checks; /* NULL when no check is wanted */
  struct bd_stage *stages;  /* the caller's (cfg.stages) */
  size_t nstages;

  uv_timer_t tick;   /* lets c-ares expire queries */
  uv_timer_t wakeup; /* pacing, local back-off, a stop */
  uv_poll_t input;   /* the source's descriptor while it would block */
  int input_fd;      /* the descriptor input watches */
  bool input_watched;
  bool input_initialized;
  bool input_closing; /* input is closing, to watch another descriptor */
  bool handles_initialized;
  bool tick_running;
  bool wakeup_armed;
  bool source_done;
  bool stopping;
  bool closed;
  bool warned_local;
  /* Inside engine_pump() or engine_on_answer(), where no query may be sent and
   * no lane closed: engine_pump() waits, and the outermost pump goes round
   * again (after engine_on_answer, the lane's on_io pumps). */
  unsigned busy;
  bool pump_again;
  /* The response engine_on_answer() is handling, and whose: what an ask's
   * callback gets when its verdict comes from it. */
  const unsigned char *answer;
  size_t answer_len;
  const struct bd_probe *answer_of;

  struct bd_pacer pacer;
  struct bd_random random;
  uint64_t backoff_until_ns;
  /* Servers whose silence ended, with probes still out (BD_PEER_RESEND):
   * written off at the top of the next pump. A server past the few kept
   * leaves its probes to their timeout. */
  struct bd_peer *write_offs[MAX_WRITE_OFFS];
  size_t nwrite_offs;
  uint64_t next_seq;
  struct bd_engine_stats stats;
  struct bd_item item; /* the source's next name */
  bool item_held;      /* item is taken from the source, not yet started */
};

/* engine.c: the pump, its timers, and the life cycle. */
void engine_pump(struct bd_engine *e);
/* Frees p (its line is out, or it will have none). */
void engine_free_probe(struct bd_engine *e, struct bd_probe *p);
void engine_pump_soon(struct bd_engine *e);
void engine_arm_wakeup(struct bd_engine *e, uint64_t wait_ns);

/* intake.c: names from the source. */
void engine_finish_unsent_names(struct bd_engine *e);
bool engine_start_next_name(struct bd_engine *e);

/* sending.c: the zones' queues, and tries sent. */
void engine_queue_probe(struct bd_engine *e, struct bd_probe *p);
struct bd_zone *engine_leave_ring(struct bd_engine *e);
void engine_end_unsent(struct bd_engine *e, struct bd_probe *p);
void engine_send_try(struct bd_engine *e, struct bd_probe *p, size_t server);
void engine_send_what_may_go(struct bd_engine *e);

/* answers.c: verdicts, retries, and the servers' judgement. */
void engine_on_answer(void *arg, int status, int timeouts, unsigned char *abuf,
                      int alen);
bool engine_keep_verdict(struct bd_probe *p, const struct bd_verdict *v);
void engine_finish_probe(struct bd_engine *e, struct bd_probe *p,
                         const struct bd_verdict *v);
void engine_give_up(struct bd_engine *e, struct bd_probe *p,
                    const struct bd_verdict *v);
void engine_on_sidelined(void *data, struct bd_zone *z, size_t i);
void engine_on_peer_event(void *data, struct bd_peer *zs,
                          enum bd_peer_event ev);

/* lines.c: the stages and the lines. */
void engine_report(struct bd_engine *e, uint64_t seq, const char *name,
                   size_t len, const struct bd_verdict *v, struct bd_result *r);
void engine_deliver_as(struct bd_engine *e, struct bd_probe *p,
                       const struct bd_verdict *v);
void engine_release(struct bd_engine *e, struct bd_probe *p);
void engine_advance(struct bd_engine *e, struct bd_probe *p);
void engine_drain_backlogs(struct bd_engine *e);
bool engine_stages_full(const struct bd_engine *e);

#endif
