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
 * limit. A first epoch tells a limit's cliff, few losses at its start and
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

#include <string.h>

#include "blogdom/common.h"

/* A rise over the base of more than this share of it, and more than two
 * points, is congestion. */
#define RISE_RELATIVE 0.5
#define RISE_ABSOLUTE 0.02
/* ... and beyond chance: more than this many standard deviations. */
#define NOISE_SIGMAS 3.0
/* How fast the base creeps up towards a higher loss rate. */
#define BASE_CREEP 0.5
#define EPOCH_RTTS 4
#define EPOCH_MIN_NS (20 * BD_NS_PER_MS)
#define EPOCH_MAX_NS BD_NS_PER_S
#define SETTLE_MIN_NS (100 * BD_NS_PER_MS)
#define SETTLE_RTTS 4
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
/* On a rise of losses, the pace drops to this share of the rate answered;
 * each calm epoch after, it grows by PACE_PROBE. */
#define PACE_BACKOFF 0.95
#define PACE_PROBE 1.01
#define PACE_PROBE_MAX 1.25
#define PACE_BINDING 0.9 /* sending at this share of the pace: it binds */
#define PROBE_CALM 8     /* calm rounds before the probe step doubles */
#define PLATEAU 1.05     /* of the rate allowed: small steps up to it */
/* A back-off that finds a third less answered than the latest calm epoch
 * (more than a probe's largest step past a limit can overshoot), with a
 * third of what was sent lost (a limit met by a pace a little over it
 * loses a few percent), is a drop: the rate before is remembered, to go
 * back to. */
#define RECALL_DROP 1.5
/* A searching pace grows by PACE_SEARCH each SEARCH_SAMPLES delivery-rate
 * samples that answered at least SEARCH_CALM of what they sent (of the
 * share the path does not lose); fewer, beyond chance, and it has passed
 * the limit. */
#define PACE_SEARCH 1.25
#define SEARCH_SAMPLES 2
#define SEARCH_CALM 0.9
/* A delivery-rate sample this many intervals long speaks for no pace. */
#define SAMPLE_LATE 2
#define PACE_MIN 10.0
/* Under a pace, the window holds up to this many floors of queries lost
 * to a limit, beside the floor. */
#define PACED_LOST_FLOORS 3
/* A back-off trusts the answers of the last two epochs, at least 16. */
#define RECENT_EPOCHS 2
#define RECENT_ANSWERS 16
/* Pacing slack: a loop turn late by this much still sends its share. */
#define PACE_SLACK_NS (10 * BD_NS_PER_MS)
/* Silent: nothing back for SILENT_RTTS smoothed round trips and for the
 * retransmission timeout of RFC 6298 (the round trip and four times its
 * deviation: a resolver that must ask others answers some names in a
 * millisecond and some in a second), at least SILENT_MIN_NS, while
 * SILENT_SENDS queries sent after the latest one answered (by number)
 * wait; never
 * before a first answer, which a resolver may take long to find. A limit
 * answers some of every few, and a path that loses a share of them answers
 * the rest; a false silence costs a probe gap and a window sent again. */
#define SILENT_SENDS 8
#define SILENT_RTTS 4
#define SILENT_MIN_NS (200 * BD_NS_PER_MS)
/* A silence that begins this soon after a forgiven one ended is no
 * silence but a limit met again as the window came back (a limit of a few
 * queries a second can leave a probe or two unanswered). */
#define SILENCE_MEMORY_NS BD_NS_PER_S
/* While silent, the first probe goes at once, the next after two round
 * trips (at least PROBE_GAP_MIN_NS), then at doubling gaps up to
 * PROBE_GAP_MAX_NS: a silence's end is seen within a quarter second, for
 * four queries a second to a server that stays silent. */
/* After a silence the window refills at this much the bandwidth, for two
 * round trips and at least REFILL_MIN_NS. */
#define REFILL_GAIN 1.25
#define REFILL_MIN_NS (20 * BD_NS_PER_MS)
#define PROBE_GAP_MIN_NS (25 * BD_NS_PER_MS)
#define PROBE_GAP_MAX_NS (250 * BD_NS_PER_MS)

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

static double rate_of(unsigned answers, uint64_t span_ns) {
  return span_ns > 0 ? (double)answers * BD_NS_PER_S / (double)span_ns : 0;
}

/* The answers a second of a sample, or of a sum of them. */
static double sample_rate(const struct bd_window_rate *r) {
  return rate_of(r->answers, r->span_ns);
}

/* The delivery-rate sample taken n samples before the latest (0: the
 * latest). */
static const struct bd_window_rate *sample_back(const struct bd_window *w,
                                                unsigned n) {
  return &w->rates[(w->rate_next - 1 - n) % BD_WINDOW_RATES];
}

double bd_window_bandwidth(const struct bd_window *w) {
  double best = 0;
  for (unsigned i = 0; i < BD_WINDOW_RATES; i++) {
    double rate = sample_rate(&w->rates[i]);
    if (rate > best)
      best = rate;
  }
  return best;
}

/* The rate the server answers at now: the answers of the last `horizon`
 * (at least RECENT_ANSWERS of them, as far as the samples go), the
 * sample being counted included. Where the bandwidth is the best the
 * server ever did, a burst its rate limit let through included, this is
 * what it does once the limit holds. */
static double recent_rate(const struct bd_window *w, uint64_t now_ns,
                          uint64_t horizon) {
  uint64_t span = w->rate_start_ns != 0 && now_ns > w->rate_start_ns
                      ? now_ns - w->rate_start_ns
                      : 0;
  unsigned answers = w->rate_answers;
  for (unsigned i = 1; i <= BD_WINDOW_RATES && i <= w->rate_next; i++) {
    const struct bd_window_rate *r = sample_back(w, i - 1);
    if (span >= horizon && answers >= RECENT_ANSWERS)
      break;
    span += r->span_ns;
    answers += r->answers;
  }
  return rate_of(answers, span);
}

/* Queries a second over epoch e's span: n of them. */
static double epoch_rate(const struct bd_window *w,
                         const struct bd_window_epoch *e, unsigned n) {
  return (double)n * BD_NS_PER_S /
         (double)(w->epoch_ns * (e->span ? e->span : 1));
}

/* A new pace keeps the schedule of the old: a reset would let a burst
 * through at each change. */
static void set_pace(struct bd_window *w, double pace, uint64_t now_ns) {
  uint64_t tat = w->pacer.tat_ns;
  w->pace = pace;
  w->pace_set_ns = now_ns;
  w->pace_samples = 0;
  bd_pacer_init(&w->pacer, (uint64_t)pace, PACE_SLACK_NS);
  w->pacer.tat_ns = tat;
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
}

/* Whether `rate`, the share lost of `sent` queries, is more than chance
 * around a path that loses `base` of them: a binomial's NOISE_SIGMAS
 * standard deviations. A lossy path's epochs of a few dozen queries swing
 * by ten points and more; taken for congestion, each swing paced the
 * server down a third, and the pace sank to its least. */
static bool beyond_noise(double base, double rate, unsigned sent) {
  double rise = rate - base;
  return rise * rise * sent > NOISE_SIGMAS * NOISE_SIGMAS * base * (1 - base);
}

/* How far over the base a share lost must rise to be congestion. */
static double rise_over(double base) {
  double rise = base * RISE_RELATIVE;
  return rise < RISE_ABSOLUTE ? RISE_ABSOLUTE : rise;
}

/* Whether `rate`, the share lost of `sent` queries, is congestion: clearly
 * over the path's base, and beyond chance. */
static bool lost_beyond_base(const struct bd_window *w, double rate,
                             unsigned sent) {
  return rate > w->base_loss + rise_over(w->base_loss) &&
         beyond_noise(w->base_loss, rate, sent);
}

/* Paces the server a little under `allowed`, the rate it answered at
 * while queries went at `sent` a second and losses rose; `search`: that
 * rate is only a lower bound. */
static void pace_under(struct bd_window *w, double allowed, double sent,
                       bool search, uint64_t now_ns) {
  double pace = allowed * PACE_BACKOFF;
  bool found = search || w->searching;
  if (pace < PACE_MIN)
    pace = PACE_MIN;
  w->searching = search;
  w->cut_sent_rate = sent;
  w->allowed = allowed;
  /* The first back-off of a run of them remembers the rate the path
   * answered just before, when that is clearly more than it answers now
   * and a third of what was sent is lost with it (RECALL_DROP), though
   * no more was sent than that calm rate: a burst of loss, or a limit
   * that moved down, not a probe over the limit. Not while a limit is first
   * found, from slow start and through the search after it: a limit's
   * bucket lets a burst through, answered far over the limit. A back-off
   * on the way back to it says which: the limit moved, and it is
   * forgotten. */
  if (w->recalling || found) {
    w->recall = 0;
  } else if (w->recall == 0 && w->calm_rate > RECALL_DROP * allowed &&
             sent > RECALL_DROP * allowed && sent <= PLATEAU * w->calm_rate) {
    w->recall = w->calm_rate;
    w->recall_base = w->calm_base;
  }
  w->recalling = false;
  if (w->pace == 0 || pace < w->pace)
    set_pace(w, pace, now_ns);
  w->probe_step = PACE_PROBE;
  w->calm = 0;
  /* The pace slows the server down; the window stays, as queries lost to
   * a limit hold their slots until their timeout, and a window cut to fit
   * the answered ones would shut. */
  w->last_cut_ns = now_ns;
  w->cut_before = true;
  w->cut_samples = 0;
}

/* Losses rose with the pace: congestion, or a limit on our rate. The
 * answers of the epoch say what rate the server keeps up with. */
static void back_off(struct bd_window *w, const struct bd_window_epoch *e,
                     uint64_t now_ns) {
  /* The rate at which the queries of these epochs were answered, or the
   * rate answers arrive at now if lower: under a limit, the limit. An
   * epoch that began with a burst the limit let through overcounts, and
   * its retries would go into the limit again. Either undercounts when
   * lost queries held the window shut, which probing then makes good; the
   * best delivery rate would overcount, and flood the server. */
  double answered = epoch_rate(w, e, e->answered);
  double recent = recent_rate(w, now_ns, RECENT_EPOCHS * w->epoch_ns);
  double allowed = recent < answered ? recent : answered;
  /* The first back-off follows a run the window alone held, whose lost
   * queries hold it shut until their timeout: what was answered meanwhile
   * says little of the rate allowed, and the pace searches upwards from
   * it until the next loss. Later back-offs measure a pace that kept
   * sending. */
  pace_under(w, allowed, epoch_rate(w, e, e->sent), w->pace == 0, now_ns);
}

/* One delivery-rate sample a round trip (at least 10 ms, for enough
 * answers to count), as BBR takes them. */
static uint64_t rate_interval(const struct bd_window *w) {
  return w->min_rtt_ns > RATE_MIN_NS ? w->min_rtt_ns : RATE_MIN_NS;
}

/* How long a sample lasts when the loop keeps up: its interval, or at a
 * low pace the wait for two answers (at 40 q/s a sample of one answer
 * spans 25 ms, and read as late, no sample ever let a search grow). */
static uint64_t sample_span(const struct bd_window *w) {
  uint64_t interval = rate_interval(w);
  uint64_t two = w->pace > 0 ? (uint64_t)(2 * BD_NS_PER_S / w->pace) : 0;
  return two > interval ? two : interval;
}

/* The latest delivery-rate samples, at least `least` of them and as many
 * more as it takes to count BD_WINDOW_EPOCH sends, out of the latest
 * `avail`, back to the first late one. Returns how many were summed into
 * *sum. */
static unsigned sum_samples(const struct bd_window *w, unsigned least,
                            unsigned avail, struct bd_window_rate *sum) {
  unsigned n = 0;
  memset(sum, 0, sizeof(*sum));
  while (n < avail && n < BD_WINDOW_RATES &&
         (n < least || sum->sends < BD_WINDOW_EPOCH)) {
    const struct bd_window_rate *r = sample_back(w, n);
    /* A sample far longer than its interval is a loop that fell behind
     * (a busy host, valgrind) or a stall: its answers lag its sends by
     * more than it spans, and say nothing of a limit. */
    if (r->span_ns > SAMPLE_LATE * sample_span(w))
      break;
    sum->answers += r->answers;
    sum->sends += r->sends;
    sum->span_ns += r->span_ns;
    n++;
  }
  return n;
}

/* The share of its sends a sum of samples answered. */
static double answered_share(const struct bd_window_rate *sum) {
  return sum->answers < sum->sends ? (double)sum->answers / sum->sends : 1;
}

/* A pace moves with the delivery-rate samples too, not only with the
 * epochs judged, which come a settling time late: every query sent
 * meanwhile over a limit is dropped, and a limit's bucket, filled while
 * the pace was under it, hides the limit until it is spent. The samples
 * since the last back-off (the first aside: it began before) that
 * answered well under what they sent, beyond chance, have passed the
 * limit, and the rate they answered at is the limit; a search's latest
 * sample alone, as the search may have begun on a bucket filled while the
 * window was shut. A searching pace grows each SEARCH_SAMPLES samples
 * that answered what they sent. */
static void check_pace(struct bd_window *w, uint64_t now_ns) {
  struct bd_window_rate sum;
  double calm = SEARCH_CALM * (1 - w->base_loss);
  double share;
  /* On the way back to a rate held before, only the samples of the pace
   * raised, a round trip after it: the ones before may hold the burst of
   * loss that cut it, and the first ones after count the answers to
   * queries sent at the lower pace against sends at the higher. */
  unsigned skip = w->recalling ? 2 : 1;
  unsigned since = w->recalling ? w->pace_samples : w->cut_samples;
  if (w->pace == 0 || since < SEARCH_SAMPLES + skip)
    return;
  if (sum_samples(w, SEARCH_SAMPLES, since - skip, &sum) >= SEARCH_SAMPLES &&
      sum.sends >= BD_WINDOW_EPOCH) {
    share = answered_share(&sum);
    /* Sent no faster than the last back-off found allowed, a share lost
     * is the path's, not a limit's: a limit answers as much as before
     * when sent less, a lossy path (or a burst of loss) answers in
     * proportion, and cutting after it again and again sank the pace to
     * a crawl. The judged epochs teach the base such losses. A search's
     * rate allowed is only where it began, maybe over the limit. */
    if (share < calm && lost_beyond_base(w, 1 - share, sum.sends) &&
        (w->searching || rate_of(sum.sends, sum.span_ns) > w->allowed)) {
      pace_under(w, sample_rate(w->searching ? sample_back(w, 0) : &sum),
                 rate_of(sum.sends, sum.span_ns), false, now_ns);
      return;
    }
  }
  if (!w->searching || w->pace_samples <= SEARCH_SAMPLES)
    return;
  if (sum_samples(w, SEARCH_SAMPLES, SEARCH_SAMPLES, &sum) == SEARCH_SAMPLES &&
      sum.sends > 0 && answered_share(&sum) >= calm &&
      rate_of(sum.sends, sum.span_ns) >= PACE_BINDING * w->pace)
    set_pace(w, w->pace * PACE_SEARCH, now_ns);
}

/* The share of `sent` queries left unanswered. */
static double loss_share(unsigned sent, unsigned answered) {
  return sent > answered ? (double)(sent - answered) / sent : 0;
}

/* A calm round: the pace probes upwards, in small steps up to a little
 * over the rate allowed at the last back-off, and faster past it the
 * longer losses stay away (as CUBIC's window does); a searching pace
 * grows with the samples instead (check_pace). Once it no longer binds it stops
 * growing, and stays out of the way. */
static void probe(struct bd_window *w, const struct bd_window_epoch *e,
                  uint64_t now_ns) {
  double sent = epoch_rate(w, e, e->sent);
  /* Calm proves something only where the pace was what held sending
   * back: a pace raised while the window or the input held it would
   * flood the server once they let go. And it speaks of the pace only
   * if it was sent wholly under it: one step per round of feedback, or
   * steps taken before their answers are judged would overshoot. */
  if (w->pace == 0 || sent < PACE_BINDING * w->pace ||
      e->id * w->epoch_ns < w->pace_set_ns)
    return;
  if (w->searching)
    return;
  /* Calm again after a run of back-offs that began with more answered
   * than now: back to a little under that rate at once, as after a
   * silence, rather than creeping up from a rate a burst of loss left. Calm
   * as the path was before: during the burst the base learns its losses,
   * and a round that loses half is no calm one. */
  if (w->recall > 0 && loss_share(e->sent, e->answered) >
                           w->recall_base + rise_over(w->recall_base))
    return;
  if (w->recall > 0 && w->pace < PACE_BACKOFF * w->recall) {
    w->recalling = true;
    set_pace(w, PACE_BACKOFF * w->recall, now_ns);
    w->recall = 0;
    return;
  }
  /* A calm round at the pace recalled: it holds. */
  w->recalling = false;
  w->recall = 0;
  /* Up to a little over the rate the limit allowed, one small step a
   * round: that is where the next loss is likely (CUBIC's plateau). Past
   * it, the limit has moved, and the steps grow. */
  if (w->pace < PLATEAU * w->allowed) {
    w->calm = 0;
    w->probe_step = PACE_PROBE;
  } else if (++w->calm % PROBE_CALM == 0) {
    w->probe_step = 1 + 2 * (w->probe_step - 1);
    if (w->probe_step > PACE_PROBE_MAX)
      w->probe_step = PACE_PROBE_MAX;
  }
  set_pace(w, w->pace * w->probe_step, now_ns);
}

/* Whether the shares lost of two sets of queries differ by more than
 * chance: a two-sample test of NOISE_SIGMAS standard deviations. */
static bool shares_differ(double p1, unsigned n1, double p2, unsigned n2) {
  double p = (p1 * n1 + p2 * n2) / (n1 + n2);
  double d = p2 - p1;
  return d * d >
         NOISE_SIGMAS * NOISE_SIGMAS * p * (1 - p) * (1.0 / n1 + 1.0 / n2);
}

/* The first epoch judged teaches the base, losing `rate` of its queries,
 * unless it is congestion (returns true): a path loses the same share all
 * through an epoch, while a limit that let a burst through and dropped
 * what followed loses little at the start of one and much after; then
 * the epoch's first queries are the base. An epoch that loses most of its
 * queries all through is congestion too, or a limit met from the first
 * query, or a path that loses that much: the pace searches from its
 * answers, and from what it answers out of what it is sent. */
static bool learn_first_base(struct bd_window *w,
                             const struct bd_window_epoch *e, double rate) {
  w->have_base = true;
  if (e->span == 1 && e->head_sent >= BD_WINDOW_HEAD &&
      e->head_sent < e->sent) {
    unsigned tail_sent = e->sent - e->head_sent;
    unsigned tail_answered =
        e->answered > e->head_answered ? e->answered - e->head_answered : 0;
    double head = loss_share(e->head_sent, e->head_answered);
    double tail = loss_share(tail_sent, tail_answered);
    if (tail > head + rise_over(head) &&
        shares_differ(head, e->head_sent, tail, tail_sent)) {
      w->base_loss = head;
      return true;
    }
  }
  w->base_loss = rate;
  return rate > 0.5;
}

/* Whether epoch e was sent wholly after the last back-off, and no faster
 * than the epoch that caused it: what it loses is lost at a lower rate, and
 * a limit loses less there, so the path's base may learn from it. */
static bool sent_slower_since_cut(const struct bd_window *w,
                                  const struct bd_window_epoch *e) {
  return e->id * w->epoch_ns >= w->last_cut_ns &&
         epoch_rate(w, e, e->sent) <= w->cut_sent_rate;
}

/* Judges epoch e: learns the base, backs off on a clear rise. Only an
 * epoch sent wholly after the last cut may cut again: earlier ones speak
 * of the window that was. A slow sender's epochs are too small to judge
 * alone: they add up until they are not. */
static void judge(struct bd_window *w, const struct bd_window_epoch *one,
                  uint64_t now_ns) {
  struct bd_window_epoch *e = &w->batch;
  double rate;
  bool congested;
  bool noise;

  if (e->sent == 0)
    e->id = one->id;
  e->sent += one->sent;
  e->answered += one->answered;
  e->span++;
  e->head_sent += one->head_sent;
  e->head_answered += one->head_answered;
  if (e->sent < BD_WINDOW_EPOCH)
    return;
  rate = loss_share(e->sent, e->answered);
  if (!w->have_base) {
    if (learn_first_base(w, e, rate))
      back_off(w, e, now_ns);
    memset(e, 0, sizeof(*e));
    return;
  }
  congested = lost_beyond_base(w, rate, e->sent);
  /* The base follows the epochs' shares both ways, by half: the lowest
   * share seen is the luckiest epoch's, below what the path loses. Paced,
   * losses beyond chance are the pace's doing, not the path's: the base
   * falls to a share clearly lower at once, and creeps up to one clearly
   * higher only from what was lost at a lower rate than the losses that
   * set the pace. Within chance it follows both ways: a base that only
   * fell read the path's own swings as a limit. */
  noise = !beyond_noise(w->base_loss, rate, e->sent);
  if (rate < w->base_loss && w->pace > 0 && !noise)
    w->base_loss = rate;
  else if (rate < w->base_loss || noise || w->pace == 0 ||
           sent_slower_since_cut(w, e))
    w->base_loss += BASE_CREEP * (rate - w->base_loss);
  if (congested && (!w->cut_before || e->id * w->epoch_ns >= w->last_cut_ns))
    back_off(w, e, now_ns);
  else if (!congested) {
    /* What the path answers while nothing disturbs it: not during a run
     * of back-offs, whose calm rounds speak of the disturbance. */
    if (w->recall == 0) {
      w->calm_rate = epoch_rate(w, e, e->answered);
      w->calm_base = w->base_loss;
    }
    probe(w, e, now_ns);
  }
  memset(e, 0, sizeof(*e));
}

/* How long nothing must come back for the server to be silent. */
static uint64_t silent_after(const struct bd_window *w) {
  uint64_t quiet = SILENT_RTTS * w->srtt_ns;
  if (quiet < w->srtt_ns + 4 * w->rttvar_ns)
    quiet = w->srtt_ns + 4 * w->rttvar_ns;
  return quiet < SILENT_MIN_NS ? SILENT_MIN_NS : quiet;
}

/* Whether the server has answered nothing for long enough to be silent. */
static bool gone_silent(const struct bd_window *w, uint64_t now_ns) {
  /* An answer read after the caller took its clock is later than now_ns:
   * the server is anything but silent. */
  return w->latest_answered_sent_ns != 0 && now_ns > w->last_answer_ns &&
         now_ns - w->last_answer_ns >= silent_after(w) &&
         (uint32_t)(w->sends - w->latest_answered) >= SILENT_SENDS;
}

/* The epochs counted so far speak of queries the silence lost: none is
 * judged. */
static void forget_epochs(struct bd_window *w) {
  memset(w->epochs, 0, sizeof(w->epochs));
  memset(&w->batch, 0, sizeof(w->batch));
}

static void fall_silent(struct bd_window *w, uint64_t now_ns) {
  uint64_t gap = 2 * w->srtt_ns;
  w->silent = true;
  w->forgiven = false;
  w->written_off = false;
  w->probes = 0;
  w->next_probe_ns = now_ns;
  w->probe_gap_ns = gap > PROBE_GAP_MIN_NS ? gap : PROBE_GAP_MIN_NS;
}

/* A probe went unanswered: the server is silent, not limiting our rate
 * (a limit's bucket refills while nothing is sent), unless a silence ended
 * just before, and the window met the limit again. What the silence lost
 * is forgotten. */
static void forgive(struct bd_window *w, uint64_t now_ns) {
  if (w->forgiven_end_ns != 0 &&
      now_ns - w->forgiven_end_ns < SILENCE_MEMORY_NS)
    return;
  w->forgiven = true;
  forget_epochs(w);
}

/* The first answer after a silence: the window and the pace are those of
 * before. A forgiven silence's delivery-rate sample starts afresh, as the
 * one being counted spans it. */
static void end_silence(struct bd_window *w, uint64_t now_ns) {
  double bw = bd_window_bandwidth(w);
  uint64_t refill = 2 * w->srtt_ns;
  w->silent = false;
  /* The window comes back whole, but not at once: a window's worth sent in
   * one burst overflows a server's socket buffer far from here, and what
   * it drops waits out its timeout. It refills at a little over the
   * bandwidth the path showed, as BBR paces, for two round trips. */
  if (bw > 0) {
    bd_pacer_init(&w->refill, (uint64_t)(REFILL_GAIN * bw), PACE_SLACK_NS);
    w->refill_until_ns =
        now_ns + (refill > REFILL_MIN_NS ? refill : REFILL_MIN_NS);
  }
  if (!w->forgiven)
    return;
  w->forgiven_end_ns = now_ns;
  forget_epochs(w);
  /* The epoch the silence ends in was silent for part of its length: its
   * rate would read low. */
  w->count_from_ns = (now_ns / w->epoch_ns + 1) * w->epoch_ns;
  w->rate_start_ns = now_ns;
  w->rate_answers = 0;
  w->rate_sends = 0;
  /* The first sample after it sees the pipe fill again, sends without
   * their answers yet: the pace takes no word from it (check_pace). */
  w->cut_samples = 0;
  w->pace_samples = 0;
}

/* Whether an epoch's losses are known: every query answered, or a query
 * sent after it answered (RACK's rule: until then a silence and a loss
 * look alike), or some of its own answered and a silence would have been
 * found by now (a window sent at once into a limit's cliff, whose lost
 * queries hold every slot: nothing is sent after them to be answered). */
static bool losses_known(const struct bd_window *w,
                         const struct bd_window_epoch *e, uint64_t now_ns) {
  uint64_t end = (e->id + 1) * w->epoch_ns;
  return e->answered >= e->sent || w->latest_answered_sent_ns >= end ||
         (e->answered > 0 && now_ns >= end + silent_after(w) + w->srtt_ns);
}

/* Judges the epochs whose answers have had their time and whose losses
 * are known. */
static void judge_settled(struct bd_window *w, uint64_t now_ns) {
  /* Answers have had their time when two epochs, 100 ms and four times
   * the smoothed round trip have passed: on a slow host (a busy machine,
   * valgrind) answers wait in the socket, and the round trips say so. */
  uint64_t settle = 2 * w->epoch_ns;
  if (w->silent)
    return;
  if (settle < SETTLE_MIN_NS)
    settle = SETTLE_MIN_NS;
  if (settle < SETTLE_RTTS * w->srtt_ns)
    settle = SETTLE_RTTS * w->srtt_ns;
  for (unsigned i = 0; i < BD_WINDOW_EPOCHS; i++) {
    struct bd_window_epoch *e = &w->epochs[i];
    if (e->used && (e->id + 1) * w->epoch_ns + settle <= now_ns &&
        losses_known(w, e, now_ns)) {
      if ((e->id + 1) * w->epoch_ns > w->settled_until_ns)
        w->settled_until_ns = (e->id + 1) * w->epoch_ns;
      judge(w, e, now_ns);
      e->used = false;
    }
  }
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
  if (!w->silent && gone_silent(w, now_ns))
    fall_silent(w, now_ns);
  /* What is in flight is written off once a probe went unanswered: a
   * limit's cliff answers the first, and its lost queries, sent again at
   * once, would only meet the limit again. */
  if (w->silent && w->probes >= 2 && !w->written_off) {
    w->written_off = true;
    return true;
  }
  judge_settled(w, now_ns);
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

/* A probe of a silent server: the next waits longer. One sent while the
 * last is still unanswered makes the silence a silence. */
static void send_probe(struct bd_window *w, uint64_t now_ns) {
  if (w->probes++ > 0 && !w->forgiven)
    forgive(w, now_ns);
  w->next_probe_ns = now_ns + w->probe_gap_ns;
  w->probe_gap_ns *= 2;
  if (w->probe_gap_ns > PROBE_GAP_MAX_NS)
    w->probe_gap_ns =
        2 * w->srtt_ns > PROBE_GAP_MAX_NS ? 2 * w->srtt_ns : PROBE_GAP_MAX_NS;
}

uint32_t bd_window_on_send(struct bd_window *w, uint64_t now_ns) {
  uint64_t id = now_ns / w->epoch_ns;
  struct bd_window_epoch *e = &w->epochs[id % BD_WINDOW_EPOCHS];

  judge_settled(w, now_ns);
  w->sends++;
  if (w->silent) {
    send_probe(w, now_ns);
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
  if (span < rate_interval(w))
    return;
  sends = w->rate_last_sent_ns - w->rate_first_sent_ns;
  if (sends > span)
    span = sends;
  w->rates[w->rate_next % BD_WINDOW_RATES] =
      (struct bd_window_rate){w->rate_answers, w->rate_sends, span};
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
  check_pace(w, now_ns);
  check_full_pipe(w);
}

/* Whether the last delivery-rate sample fell under COLLAPSE of the best. */
static bool delivery_collapsed(const struct bd_window *w) {
  return w->rate_next > 0 &&
         sample_rate(sample_back(w, 0)) < COLLAPSE * bd_window_bandwidth(w);
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
    end_silence(w, now_ns);
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
  judge_settled(w, now_ns);
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
