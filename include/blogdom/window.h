/* How much one server may be sent: a congestion window sized by the path's
 * bandwidth and delay, and a pace that a rate limit sets. */
#ifndef BLOGDOM_WINDOW_H
#define BLOGDOM_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

#include "blogdom/pacer.h"

/* Queries an epoch needs sent before its loss rate is judged. */
#define BD_WINDOW_EPOCH 32
/* Epochs kept: the one being sent and those still waiting for answers. */
#define BD_WINDOW_EPOCHS 16
/* Queries at the start of an epoch held up against the rest of it. */
#define BD_WINDOW_HEAD 256
/* Delivery-rate samples kept for the bandwidth's windowed maximum. */
#define BD_WINDOW_RATES 10

/* One delivery-rate sample: the answers of a span of time, the queries
 * sent meanwhile, and the queries due: those sent after the latest one
 * answered before the sample, up to the latest one answered in it. */
struct bd_window_rate {
  unsigned answers;
  unsigned sends;
  unsigned due;
  uint64_t span_ns;
};

/* The queries sent in one epoch, and how many of them were answered. */
struct bd_window_epoch {
  bool used;
  uint64_t id; /* send time / epoch length (of the first, in a batch) */
  unsigned sent;
  unsigned answered;
  unsigned span; /* epochs in a batch */
  /* Of the epoch's first BD_WINDOW_HEAD queries (and any sent at the same
   * instant as the last), sent up to head_end_ns: a limit's cliff falls
   * within an epoch, random loss all through it. */
  unsigned head_sent;
  unsigned head_answered;
  uint64_t head_end_ns;
};

/* What a search for a limit has met (windowpace.c): a disturbance may
 * end it early, and it goes on once the disturbance is over. */
struct bd_window_search {
  double calm;    /* the pace the search last found calm */
  bool hit;       /* a back-off halved it */
  bool disturbed; /* ... and one answered in proportion to what it sent */
  bool cut;       /* it ended on more loss than a limit explains: it goes
                     on once the samples are calm again */
  bool recalled;  /* it has had its one recall to `calm` */
  bool resumed;   /* ... and its one resumption */
};

struct bd_window {
  double cwnd;
  double ssthresh;
  double round_cwnd; /* at the start of the round: slow start doubles it */
  uint64_t round_start_ns; /* of slow start's round */
  unsigned min;
  unsigned max;   /* the hard cap (-c, shared among servers) */
  unsigned floor; /* the bandwidth x delay cap never goes below this */
  uint64_t last_cut_ns;
  bool cut_before;
  /* Epochs sent before this speak of a pace that was: a back-off's, a
   * recall's, a search's resumed (windowpace.c). */
  uint64_t judge_from_ns;
  bool have_base;
  double base_loss; /* the loss rate the path has whatever our pace */
  double base_sent; /* the queries it was learnt from, each weighed down */
  double base_lost; /* ... with its age (windowpace.c), and their losses */
  double evidence;  /* of a rise of losses over the base (windowpace.c) */
  /* The path: its shortest round trip, and its bandwidth (answers a
   * second, the largest of the last samples). */
  uint64_t min_rtt_ns;
  uint64_t srtt_ns;   /* the smoothed round trip, our own delays included */
  uint64_t rttvar_ns; /* ... and its mean deviation (RFC 6298) */
  uint64_t epoch_ns;  /* epoch length, from min_rtt */
  struct bd_window_epoch epochs[BD_WINDOW_EPOCHS];
  struct bd_window_epoch batch; /* judged epochs too small to judge alone */
  uint64_t rate_start_ns;       /* of the delivery-rate sample being counted */
  unsigned rate_answers;
  unsigned rate_sends;
  uint32_t rate_due_after;     /* the latest send answered before it */
  uint64_t rate_first_sent_ns; /* the sends of its answered queries */
  uint64_t rate_last_sent_ns;
  struct bd_window_rate rates[BD_WINDOW_RATES];
  unsigned rate_next; /* samples taken so far */
  /* Whether the bandwidth has stopped growing (BBR's full pipe). */
  double full_bw;
  unsigned full_count;
  bool full_pipe;
  /* Set when losses rose with the pace: the server's rate limit. */
  struct bd_pacer pacer;
  double pace;       /* queries a second, 0: not paced */
  double probe_step; /* the pace's growth per calm round */
  unsigned calm;     /* calm rounds past the plateau (windowpace.c) */
  bool searching;    /* the pace is a lower bound: it grows with the
                        delivery-rate samples (windowpace.c) */
  struct bd_window_search search;
  double allowed;  /* the rate answered at the last back-off */
  double cut_sent; /* ... and the rate sent then (0: no back-off since
                      the latest calm round) */
  double cut_lost; /* the share lost then */
  double cut_pace; /* the pace and rate allowed before it */
  double cut_allowed;
  /* A burst of loss is not a limit: the rate the latest calm epoch
   * answered, the one held before this run of back-offs (to go back to
   * once the losses stop; 0: none), and whether the pace is on its way
   * back to it (windowpace.c). */
  double calm_rate;
  double calm_base; /* the path's base loss then */
  double recall;
  double recall_base; /* calm_base when recall was set */
  bool recalling;
  uint64_t pace_set_ns;  /* when the pace last changed */
  unsigned pace_samples; /* delivery-rate samples taken since */
  unsigned cut_samples;  /* ... and since the last back-off */
  /* Silence: the server answers nothing at all (windowsilence.c). */
  uint64_t last_answer_ns;          /* arrival of the latest answer */
  uint64_t latest_answered_sent_ns; /* the latest send that was answered */
  uint32_t sends;                   /* numbered as they go, wrapping */
  uint32_t latest_answered;         /* the number of the latest send answered */
  bool silent;
  bool forgiven; /* a probe went unanswered: a silence, not a limit */
  uint64_t forgiven_end_ns; /* when the last forgiven silence ended */
  uint64_t next_probe_ns;   /* while silent: when a probe may go */
  uint64_t probe_gap_ns;    /* ... and the wait after it */
  unsigned probes;          /* probes sent in this silence */
  bool written_off;         /* bd_window_tick said so, once a silence */
  uint64_t count_from_ns;   /* epochs count sends from here on */
  struct bd_pacer refill;   /* after a silence, until refill_until_ns */
  uint64_t refill_until_ns;
  unsigned lost_shift;       /* doublings of bd_window_lost_after (window.c) */
  uint64_t settled_until_ns; /* the end of the latest epoch judged */
};

/* How long a try must be out, while a later one has been answered, to
 * be lost (RFC 8985's rule, RFC 6298's timeout). */
uint64_t bd_window_lost_after(const struct bd_window *w);

/* A try found lost was answered after all: bd_window_lost_after
 * doubles. */
void bd_window_on_spurious_loss(struct bd_window *w);

/* What a window is doing, for a person watching (-v). */
enum bd_window_phase {
  BD_WINDOW_SLOW_START, /* growing a doubling a round */
  BD_WINDOW_STEADY,     /* the pipe is full, or a cut ended slow start */
  BD_WINDOW_SEARCHING,  /* paced, the pace a lower bound that grows */
  BD_WINDOW_PACED,      /* paced under a limit the server showed */
  BD_WINDOW_SILENT      /* the server answers nothing: probes only */
};

/* Starts at initial (clamped to [min, max]) in slow start; the bandwidth x
 * delay cap never goes below floor. */
void bd_window_init(struct bd_window *w, unsigned initial, unsigned min,
                    unsigned max, unsigned floor);

/* Changes the hard cap and the floor (the server's shares). */
void bd_window_set_limits(struct bd_window *w, unsigned max, unsigned floor);

/* A query leaves now. Returns its number, for bd_window_on_answer. */
uint32_t bd_window_on_send(struct bd_window *w, uint64_t now_ns);

/* An answer came back to query number `send`, sent at sent_ns: grows the window
 * (by one per answer in slow start, doubling at most once a round, while the
 * bandwidth grows with it; by about one per window afterwards), and learns
 * the round trip and the delivery rate.
 * Every epoch whose answers are all in by now is judged: a loss rate
 * clearly above the path's base halves the window and paces the server a
 * little under the rate it answered at. */
void bd_window_on_answer(struct bd_window *w, uint64_t now_ns, uint64_t sent_ns,
                         uint32_t send);

/* Judges the epochs whose answers are all in by now. An epoch is judged
 * only once a query sent after it was answered (as RACK infers a loss from
 * a later delivery): a server that answers nothing is not judged at all,
 * but found silent once nothing has come back for a few round trips while
 * a few queries sent after its last answer wait. Returns true once a
 * silence, when a probe has gone unanswered: the queries in flight are
 * lost, and the caller writes them off. A
 * silence keeps the window and the pace learned before it, lets only a
 * probe out now and then, and ends with the next answer, which brings back
 * the rate held before at once. A silence whose first probe is answered
 * was a limit's cliff: its losses are judged as any others. */
bool bd_window_tick(struct bd_window *w, uint64_t now_ns);

/* A failure on this host (a full socket buffer): halve at once, once per
 * hold_ns. */
void bd_window_on_local_failure(struct bd_window *w, uint64_t now_ns,
                                uint64_t hold_ns);

/* Queries that may be in flight: the window, within the hard cap and
 * twice the bandwidth x delay (or floor); under a pace, a few floors,
 * room for the queries a limit dropped. While silent, the hard cap: the
 * queries lost to the silence hold their slots until their timeout, and
 * the probes go beside them, one at a time (bd_window_delay). */
unsigned bd_window_size(const struct bd_window *w);

/* Nanoseconds until the pace, or while silent the next probe, lets the
 * next query go (0: now). */
uint64_t bd_window_delay(const struct bd_window *w, uint64_t now_ns);

/* The path's bandwidth estimate, answers a second (0: none yet). */
double bd_window_bandwidth(const struct bd_window *w);

/* How long the server has been silent at now_ns: answering nothing, not
 * even the queries sent well after its last answer; 0 when it answers. */
uint64_t bd_window_silence(const struct bd_window *w, uint64_t now_ns);

/* What the window is doing now. */
enum bd_window_phase bd_window_phase(const struct bd_window *w);

#endif
