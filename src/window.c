/* The window and pace of one server. The window grows as TCP's does (RFC
 * 5681, counted in queries), up to twice the path's bandwidth x delay, as
 * BBR sizes its window: the bandwidth is the largest recent delivery rate,
 * the delay the shortest round trip. So a far server gets the window its
 * distance needs and a near one is not flooded, with no fixed ceiling.
 * Slow start doubles it at most once a round of at least 20 ms, and holds
 * it once answers stop coming faster: near by, a limit that lets a burst
 * through meets a few hundred queries in flight when it starts dropping.
 *
 * Losses are inferred, not waited for: queries are counted per epoch of
 * send time (four round trips, at least 20 ms) and an epoch is judged once
 * its answers have had ample time (two epochs, at least 100 ms), long
 * before any timeout. A loss rate clearly above the path's base rate, and
 * beyond chance for the queries counted, is congestion, or a rate limit: the
 * server is paced a little under the rate it answers at now, then the pace
 * creeps up while losses stay at the base, in small steps up to a little over
 * that rate (where the next loss is likely) and in growing ones past it. The
 * first loss of a run knows least (a limit may have let a burst through, then
 * dropped a window's worth that holds the window shut): from it the pace
 * searches upwards, a quarter more each calm pair of delivery-rate samples,
 * until the answers fall behind the sends; the rate answered then is the
 * limit. A burst of loss met on the way is no limit, and tells itself
 * apart: its back-offs answer in proportion to what they send, where a
 * limit answers its rate whatever is sent over it, and the search goes on
 * once the samples are calm, from the pace it last found calm. The
 * samples count what is lost among the queries due (sent up to the latest
 * one answered), not among those sent meanwhile, which a rising pace
 * outnumbers. A first epoch tells a limit's cliff, few losses at its start and
 * many after, from a lossy path, which loses the same share all through. A
 * lossy path loses the same share at any pace: the base follows the shares
 * seen, and under a pace learns from losses at a lower rate than those that set
 * it, so such a path stops being cut after an epoch or two.
 *
 * A silence is not a limit: a limit answers a share of what it is sent all
 * along, while a server that has stopped (a route that flaps, a restart, a
 * host changing networks) answers nothing at all. Losses are judged only
 * from answers to later queries, as RACK infers them, so a silence is
 * never judged; it is found once a few queries in a row have gone
 * unanswered for a few round trips, and it keeps what the window and the
 * pace learned: only a probe goes out now and then, at doubling gaps as
 * TCP's retransmission timer backs off (RFC 6298 5.5), and the first
 * answer brings back the rate held before. */
#include "blogdom/window.h"
#include "window_int.h"

#include <string.h>

#include "blogdom/common.h"

#define EPOCH_RTTS 4
#define EPOCH_MIN_NS (20 * BD_NS_PER_MS)
#define EPOCH_MAX_NS BD_NS_PER_S
/* The window may hold this many bandwidth x delay products (BBR's cwnd
 * gain) while the bandwidth is still growing, and BDP_GAIN_FULL once it
 * stops (see check_full_pipe). */
#define BDP_GAIN 2.0
#define BDP_GAIN_FULL 1.25
#define FULL_PIPE_GROWTH 1.25
#define FULL_PIPE_ROUNDS 3
#define RATE_MIN_NS (10 * BD_NS_PER_MS)
/* Slow start doubles the window at most once a round of this, near by:
 * a limit's burst of a second's worth lasts a few tens of milliseconds. */
#define SLOW_START_ROUND_MIN_NS (20 * BD_NS_PER_MS)
/* A round whose delivery rate is under this share of the best: slow
 * start holds the window. */
#define COLLAPSE 0.5
/* Under a pace, the window holds up to this many floors of queries lost
 * to a limit, beside the floor. */
#define PACED_LOST_FLOORS 3

/* A try is lost once a later one is answered and it has been out for the
 * retransmission timeout of RFC 6298 (the smoothed round trip and four
 * times its deviation), at least LOST_AFTER_MIN_NS; each loss found wrong
 * doubles that, up to LOST_SHIFT_MAX times. Not RACK's quarter of the
 * shortest round trip: a resolver answers out of order by design, a name
 * in its cache at once and one it must look up in tens or hundreds of
 * milliseconds, and the least is the least retransmission timeout
 * Linux's TCP allows. */
#define LOST_AFTER_MIN_NS (200 * BD_NS_PER_MS)
#define LOST_SHIFT_MAX 6

static double clamp(const struct bd_window *w, double v) {
  if (v < w->min)
    return w->min;
  if (v > w->max)
    return w->max;
  return v;
}

void bd_window_init(struct bd_window *w, unsigned initial, unsigned min,
                    unsigned max, unsigned floor) {
  memset(w, 0, sizeof(*w));
  w->min = min > 0 ? min : 1;
  w->max = max >= w->min ? max : w->min;
  w->floor = floor;
  w->cwnd = clamp(w, initial);
  w->round_cwnd = w->cwnd;
  w->ssthresh = w->max;
  w->epoch_ns = EPOCH_MIN_NS;
  bd_pacer_init(&w->pacer, 0, PACE_SLACK_NS);
}

void bd_window_set_limits(struct bd_window *w, unsigned max, unsigned floor) {
  w->max = max >= w->min ? max : w->min;
  w->floor = floor;
  w->cwnd = clamp(w, w->cwnd);
}

double win_rate_of(unsigned answers, uint64_t span_ns) {
  return span_ns > 0 ? (double)answers * BD_NS_PER_S / (double)span_ns : 0;
}

/* The answers a second of a sample, or of a sum of them. */
double win_sample_rate(const struct bd_window_rate *r) {
  return win_rate_of(r->answers, r->span_ns);
}

/* The delivery-rate sample taken n samples before the latest (0: the
 * latest). */
const struct bd_window_rate *win_sample_back(const struct bd_window *w,
                                             unsigned n) {
  return &w->rates[(w->rate_next - 1 - n) % BD_WINDOW_RATES];
}

/* One delivery-rate sample a round trip (at least 10 ms, for enough
 * answers to count), as BBR takes them. */
uint64_t win_rate_interval(const struct bd_window *w) {
  return w->min_rtt_ns > RATE_MIN_NS ? w->min_rtt_ns : RATE_MIN_NS;
}

double bd_window_bandwidth(const struct bd_window *w) {
  double best = 0;
  for (unsigned i = 0; i < BD_WINDOW_RATES; i++) {
    double rate = win_sample_rate(&w->rates[i]);
    if (rate > best)
      best = rate;
  }
  return best;
}

/* The bandwidth x delay product times the gain (see check_full_pipe), or
 * the floor. */
static double bdp_cap(const struct bd_window *w) {
  double gain = w->full_pipe ? BDP_GAIN_FULL : BDP_GAIN;
  double cap = gain * bd_window_bandwidth(w) * (double)w->min_rtt_ns /
               (double)BD_NS_PER_S;
  return cap < w->floor ? w->floor : cap;
}

/* Halves the window in use, not a window grown past the cap. */
static void cut(struct bd_window *w, uint64_t now_ns) {
  double in_use = w->cwnd < bdp_cap(w) ? w->cwnd : bdp_cap(w);
  w->ssthresh = clamp(w, in_use / 2);
  w->cwnd = w->ssthresh;
  w->last_cut_ns = now_ns;
  w->cut_before = true;
  w->judge_from_ns = now_ns;
}

uint64_t bd_window_lost_after(const struct bd_window *w) {
  uint64_t rto = w->srtt_ns + 4 * w->rttvar_ns;
  if (rto < LOST_AFTER_MIN_NS)
    rto = LOST_AFTER_MIN_NS;
  return rto << w->lost_shift;
}

void bd_window_on_spurious_loss(struct bd_window *w) {
  if (w->lost_shift < LOST_SHIFT_MAX)
    w->lost_shift++;
}

bool bd_window_tick(struct bd_window *w, uint64_t now_ns) {
  if (!w->silent && win_gone_silent(w, now_ns))
    win_fall_silent(w, now_ns);
  /* What is in flight is written off once a probe went unanswered: a
   * limit's cliff answers the first, and its lost queries, sent again at
   * once, would only meet the limit again. */
  if (w->silent && w->probes >= 2 && !w->written_off) {
    w->written_off = true;
    return true;
  }
  win_judge_settled(w, now_ns);
  return false;
}

/* A silence began with the latest answer, which no answer follows while
 * it lasts. */
uint64_t bd_window_silence(const struct bd_window *w, uint64_t now_ns) {
  return w->silent && now_ns > w->last_answer_ns ? now_ns - w->last_answer_ns
                                                 : 0;
}

enum bd_window_phase bd_window_phase(const struct bd_window *w) {
  if (w->silent)
    return BD_WINDOW_SILENT;
  if (w->pace > 0)
    return w->searching ? BD_WINDOW_SEARCHING : BD_WINDOW_PACED;
  return w->cwnd < w->ssthresh && !w->full_pipe ? BD_WINDOW_SLOW_START
                                                : BD_WINDOW_STEADY;
}

/* Whether a query of epoch e sent at sent_ns was among its first. */
static bool in_head(const struct bd_window_epoch *e, uint64_t sent_ns) {
  return sent_ns <= e->head_end_ns;
}

static struct bd_window_epoch *find_epoch(struct bd_window *w, uint64_t id) {
  struct bd_window_epoch *e = &w->epochs[id % BD_WINDOW_EPOCHS];
  return e->used && e->id == id ? e : NULL;
}

uint32_t bd_window_on_send(struct bd_window *w, uint64_t now_ns) {
  uint64_t id = now_ns / w->epoch_ns;
  struct bd_window_epoch *e = &w->epochs[id % BD_WINDOW_EPOCHS];

  win_judge_settled(w, now_ns);
  w->sends++;
  if (w->silent) {
    win_send_probe(w, now_ns);
    return w->sends;
  }
  /* A server that never answered is quiet since the first send. */
  if (w->last_answer_ns == 0)
    w->last_answer_ns = now_ns;
  w->rate_sends++;
  bd_pacer_consume(&w->pacer, now_ns);
  if (now_ns < w->refill_until_ns)
    bd_pacer_consume(&w->refill, now_ns);
  if (now_ns < w->count_from_ns)
    return w->sends;
  if (!e->used || e->id != id) {
    /* A slot still in use here is an epoch whose losses never became
     * known: a silence too short to be found. It says nothing. */
    memset(e, 0, sizeof(*e));
    e->used = true;
    e->id = id;
  }
  e->sent++;
  /* Sends of the same instant as the last of the head are in it: their
   * answers cannot be told apart. */
  if (e->head_sent < BD_WINDOW_HEAD || now_ns == e->head_end_ns) {
    e->head_sent++;
    e->head_end_ns = now_ns;
  }
  return w->sends;
}

/* The round trip sets the epoch length; when it changes, the epochs
 * counted so far speak of other lengths and are dropped. */
static void learn_rtt(struct bd_window *w, uint64_t rtt) {
  uint64_t epoch;
  /* RFC 6298's smoothing, gains 1/8 and 1/4. */
  if (w->srtt_ns == 0) {
    w->srtt_ns = rtt;
    w->rttvar_ns = rtt / 2;
  } else {
    uint64_t dev = rtt > w->srtt_ns ? rtt - w->srtt_ns : w->srtt_ns - rtt;
    w->rttvar_ns = w->rttvar_ns - w->rttvar_ns / 4 + dev / 4;
    w->srtt_ns = w->srtt_ns - w->srtt_ns / 8 + rtt / 8;
  }
  if (w->min_rtt_ns != 0 && rtt >= w->min_rtt_ns)
    return;
  w->min_rtt_ns = rtt > 0 ? rtt : 1;
  epoch = EPOCH_RTTS * w->min_rtt_ns;
  if (epoch < EPOCH_MIN_NS)
    epoch = EPOCH_MIN_NS;
  if (epoch > EPOCH_MAX_NS)
    epoch = EPOCH_MAX_NS;
  if (epoch != w->epoch_ns) {
    w->epoch_ns = epoch;
    memset(w->epochs, 0, sizeof(w->epochs));
    memset(&w->batch, 0, sizeof(w->batch));
  }
}

/* Delivery rate samples. */
/* BBR's test for a full pipe: the bandwidth grew by less than a quarter
 * over three samples. Until then the window may hold two bandwidth x delay
 * products, to find the bandwidth; after, a quarter more than one, which
 * keeps the pipe full without a queue's worth of queries in memory. A
 * bandwidth that grows again by a quarter reopens the search. */
static void check_full_pipe(struct bd_window *w) {
  double bw = bd_window_bandwidth(w);
  if (bw >= FULL_PIPE_GROWTH * w->full_bw) {
    w->full_bw = bw;
    w->full_count = 0;
    w->full_pipe = false;
    return;
  }
  if (++w->full_count >= FULL_PIPE_ROUNDS)
    w->full_pipe = true;
}

/* Slow start's round: the round trip, at least SLOW_START_ROUND_MIN_NS. */
static uint64_t slow_start_round(const struct bd_window *w) {
  return w->min_rtt_ns > SLOW_START_ROUND_MIN_NS ? w->min_rtt_ns
                                                 : SLOW_START_ROUND_MIN_NS;
}

/* A sample spans its answers' arrivals or their queries' sends, the
 * longer: answers that come bunched (held up on their way, or read in one
 * turn of a busy loop) say nothing of a faster path, as BBR's rate samples
 * guard against too. */
static void learn_rate(struct bd_window *w, uint64_t now_ns, uint64_t sent_ns) {
  uint64_t span;
  uint64_t sends;
  if (w->rate_start_ns == 0)
    w->rate_start_ns = w->round_start_ns = now_ns;
  if (w->rate_answers == 0)
    w->rate_first_sent_ns = w->rate_last_sent_ns = sent_ns;
  else if (sent_ns < w->rate_first_sent_ns)
    w->rate_first_sent_ns = sent_ns;
  else if (sent_ns > w->rate_last_sent_ns)
    w->rate_last_sent_ns = sent_ns;
  w->rate_answers++;
  span = now_ns - w->rate_start_ns;
  if (span < win_rate_interval(w))
    return;
  sends = w->rate_last_sent_ns - w->rate_first_sent_ns;
  if (sends > span)
    span = sends;
  w->rates[w->rate_next % BD_WINDOW_RATES] =
      (struct bd_window_rate){w->rate_answers, w->rate_sends,
                              w->latest_answered - w->rate_due_after, span};
  w->rate_due_after = w->latest_answered;
  w->rate_next++;
  w->pace_samples++;
  w->cut_samples++;
  w->rate_start_ns = now_ns;
  w->rate_answers = 0;
  w->rate_sends = 0;
  if (now_ns - w->round_start_ns >= slow_start_round(w)) {
    w->round_cwnd = w->cwnd;
    w->round_start_ns = now_ns;
  }
  win_check_pace(w, now_ns);
  check_full_pipe(w);
}

/* Whether the last delivery-rate sample fell under COLLAPSE of the best. */
static bool delivery_collapsed(const struct bd_window *w) {
  return w->rate_next > 0 && win_sample_rate(win_sample_back(w, 0)) <
                                 COLLAPSE * bd_window_bandwidth(w);
}

void bd_window_on_answer(struct bd_window *w, uint64_t now_ns, uint64_t sent_ns,
                         uint32_t send) {
  struct bd_window_epoch *e;

  w->last_answer_ns = now_ns;
  if (sent_ns > w->latest_answered_sent_ns)
    w->latest_answered_sent_ns = sent_ns;
  /* Every query sent after the latest one answered still waits (RACK). */
  if ((int32_t)(send - w->latest_answered) > 0)
    w->latest_answered = send;
  if (w->silent)
    win_end_silence(w, now_ns);
  learn_rtt(w, now_ns > sent_ns ? now_ns - sent_ns : 0);
  learn_rate(w, now_ns, sent_ns);
  e = find_epoch(w, sent_ns / w->epoch_ns);
  if (e != NULL) {
    e->answered++;
    if (in_head(e, sent_ns))
      e->head_answered++;
  }
  /* Slow start doubles the window once a round, and a round is at least
   * SLOW_START_ROUND_MIN_NS: near by, answers come back so fast that growing by
   * one an answer opens a floor's worth of window before a single loss could be
   * seen, and a limit that let a burst through drops all of it. Nor does it
   * grow once the bandwidth stops growing with it (the pipe is full: more in
   * flight would only queue, or be dropped), nor while answers come at a
   * fraction of the best rate: a limit's cliff, where each slot opened is one
   * more query dropped. */
  if (w->cwnd < w->ssthresh) {
    if (w->cwnd < 2 * w->round_cwnd && !w->full_pipe && !delivery_collapsed(w))
      w->cwnd += 1.0;
  } else
    w->cwnd += 1.0 / w->cwnd;
  /* Growing past the cap would only have to be undone by a cut. */
  if (w->cwnd > bdp_cap(w))
    w->cwnd = bdp_cap(w);
  w->cwnd = clamp(w, w->cwnd);
  win_judge_settled(w, now_ns);
}

void bd_window_on_local_failure(struct bd_window *w, uint64_t now_ns,
                                uint64_t hold_ns) {
  if (w->cut_before && now_ns - w->last_cut_ns < hold_ns)
    return;
  cut(w, now_ns);
}

unsigned bd_window_size(const struct bd_window *w) {
  double size;
  if (w->silent)
    return w->max;
  size = w->cwnd < bdp_cap(w) ? w->cwnd : bdp_cap(w);
  /* Paced, the pace sets the rate; the window only has to hold what is
   * out: a floor's worth, and beside it the queries a limit dropped,
   * which hold their slots until their timeout and would otherwise stop
   * sending for that long. A few floors bound the memory they hold. */
  if (w->pace > 0) {
    double paced = (1 + PACED_LOST_FLOORS) * w->floor;
    if (size < paced)
      size = paced < w->max ? paced : w->max;
  }
  return size < w->min ? w->min : (unsigned)size;
}

uint64_t bd_window_delay(const struct bd_window *w, uint64_t now_ns) {
  uint64_t paced;
  uint64_t refill;
  if (w->silent)
    return w->next_probe_ns > now_ns ? w->next_probe_ns - now_ns : 0;
  paced = bd_pacer_delay(&w->pacer, now_ns);
  if (now_ns >= w->refill_until_ns)
    return paced;
  refill = bd_pacer_delay(&w->refill, now_ns);
  return refill > paced ? refill : paced;
}
