/* The pace of one server: the half of the controller that answers a rate
 * limit (window.c's opening comment tells the whole of it). The window
 * bounds what is in flight, but a limit bounds what is sent a second, and
 * only a pace meets it. Here the epochs are judged for loss once their
 * answers have had their time, and a clear rise paces the server a little
 * under the rate it answers at; calm epochs probe the pace upwards, a pace
 * cut by a burst of loss is recalled to the rate held before, and a pace
 * that is only a lower bound searches upwards with the delivery-rate
 * samples until the answers fall behind the sends. Judging lives with the
 * pace because every judgement ends in a back-off or a probe of it. */
#include "blogdom/window.h"
#include "window_int.h"

#include <math.h>
#include <string.h>

#include "blogdom/common.h"

/* A rise over the base of more than this share of it, and more than two
 * points, is congestion. */
#define RISE_RELATIVE 0.5
#define RISE_ABSOLUTE 0.02
/* ... and beyond chance: more than this many standard deviations, and
 * this many queries more than the base would lose. */
#define NOISE_SIGMAS 3.0
#define EXCESS_MIN 3.0
/* A pace's samples are tested each sample, a hundred times a second near
 * by: out of a search or a recall, only a loss this far beyond chance
 * stops them; a slighter one is the judged epochs' to find. */
#define SAMPLE_SIGMAS 5.0
/* The base is the share lost of the queries learnt from, each weighing
 * half as much once this many more are learnt. */
#define BASE_HALF_LIFE 512.0
/* The evidence that losses rose, a log-likelihood ratio: past this (ln
 * 1000), they did. */
#define EVIDENCE_LIMIT 6.9
#define SETTLE_MIN_NS (100 * BD_NS_PER_MS)
#define SETTLE_RTTS 4
/* On a rise of losses, the pace drops to this share of the rate answered;
 * each calm epoch after, it grows by PACE_PROBE. */
#define PACE_BACKOFF 0.95
#define PACE_PROBE 1.01
#define PACE_CUT_MAX 0.5 /* of the pace before: the most one back-off cuts */
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
#define RECALL_FLOOR 0.25
/* A back-off that answered under DISTURBED_SLACK of the one before, times
 * the fall of the sends to the power DISTURBED_SHARE, answered in
 * proportion to what it sent. */
#define DISTURBED_SLACK 0.9
#define DISTURBED_SHARE 0.5
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
/* A back-off trusts the answers of the last two epochs, at least 64: fewer
 * swing by a tenth by chance, and the pace is set a twentieth under them. */
#define RECENT_EPOCHS 2
#define RECENT_ANSWERS 64

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
    const struct bd_window_rate *r = win_sample_back(w, i - 1);
    if (span >= horizon && answers >= RECENT_ANSWERS)
      break;
    span += r->span_ns;
    answers += r->answers;
  }
  return win_rate_of(answers, span);
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

/* Whether the shares lost of two sets of queries differ by more than
 * chance: a two-sample test of NOISE_SIGMAS standard deviations. */
static bool shares_differ_by(double sigmas, double p1, double n1, double p2,
                             double n2) {
  double p = (p1 * n1 + p2 * n2) / (n1 + n2);
  double d = p2 - p1;
  return d * d > sigmas * sigmas * p * (1 - p) * (1.0 / n1 + 1.0 / n2);
}

static bool shares_differ(double p1, double n1, double p2, double n2) {
  return shares_differ_by(NOISE_SIGMAS, p1, n1, p2, n2);
}

/* The queries of `sent` left unanswered (a batch may count answers to
 * queries sent before it). */
static double lost_of(unsigned sent, unsigned answered) {
  return sent > answered ? (double)(sent - answered) : 0;
}

/* The base, learnt anew from `sent` queries that lost `lost`. */
static void base_set(struct bd_window *w, double sent, double lost) {
  w->base_sent = sent > 0 ? sent : 1;
  w->base_lost = lost;
  w->base_loss = lost / w->base_sent;
}

/* The base, taught `sent` more queries that lost `lost`: the queries it
 * knew weigh less the more it learns since. A share of a batch of a few
 * dozen swings by ten points on a lossy path, and a base that moved half
 * way to each sank to nothing after a few lucky ones, when any loss at
 * all looked beyond chance. */
static void base_learn(struct bd_window *w, double sent, double lost) {
  double keep = exp2(-sent / BASE_HALF_LIFE);
  w->base_sent = w->base_sent * keep + sent;
  w->base_lost = w->base_lost * keep + lost;
  w->base_loss = w->base_lost / w->base_sent;
}

/* Whether `rate`, the share lost of `sent` queries, is more than chance
 * around the base, itself learnt from a count of queries: a two-sample
 * test, which knows a base learnt from few queries is uncertain, and a
 * few more losses than the base's share, at least: of a few dozen
 * queries on a path that loses one in a hundred, one or two lost is
 * chance, whatever the deviations say. */
static bool beyond_noise(const struct bd_window *w, double sigmas, double rate,
                         double sent) {
  return (rate - w->base_loss) * sent >= EXCESS_MIN &&
         shares_differ_by(sigmas, w->base_loss, w->base_sent, rate, sent);
}

/* How far over the base a share lost must rise to be congestion. */
static double rise_over(double base) {
  double rise = base * RISE_RELATIVE;
  return rise < RISE_ABSOLUTE ? RISE_ABSOLUTE : rise;
}

/* Adds what a batch of `sent` queries that lost `lost` says of a rise,
 * and returns whether the losses rose: Page's CUSUM of the log-likelihood
 * ratio of losing the base's share plus the least rise that is congestion
 * against losing the base's share. Batches are judged one after the other,
 * tens of them a second, and a test of each alone at three deviations
 * found a limit in a lossy path's chance swings every few seconds; the
 * sum drifts back to zero with them, while a clear rise passes the limit
 * in a batch or two and a slight one in a few hundred queries. A base
 * learnt from few queries with none lost is taken as half a query's. */
static bool losses_rose(struct bd_window *w, unsigned sent, double lost) {
  double floor = 0.5 / w->base_sent;
  double p0 = w->base_loss > floor ? w->base_loss : floor;
  double p1 = p0 + rise_over(p0);
  if (p0 >= 1)
    return false;
  if (p1 > (1 + p0) / 2)
    p1 = (1 + p0) / 2;
  w->evidence +=
      lost * log(p1 / p0) + ((double)sent - lost) * log((1 - p1) / (1 - p0));
  if (w->evidence < 0)
    w->evidence = 0;
  return w->evidence > EVIDENCE_LIMIT;
}

/* Whether `rate`, the share lost of `sent` queries, is congestion: clearly
 * over the path's base, and beyond chance. */
static bool lost_beyond_base_by(const struct bd_window *w, double sigmas,
                                double rate, unsigned sent) {
  return rate > w->base_loss + rise_over(w->base_loss) &&
         beyond_noise(w, sigmas, rate, sent);
}

static bool lost_beyond_base(const struct bd_window *w, double rate,
                             unsigned sent) {
  return lost_beyond_base_by(w, NOISE_SIGMAS, rate, sent);
}

/* Whether a back-off answered in proportion to what it sent, against the
 * one before it in this run of them: a limit answers its rate whatever
 * is sent over it, while a burst of loss (or a silence) answers a share
 * of what is sent. Answers that fell with the sends (by at least half of
 * their fall, on a log scale, and by a tenth besides, for chance): a
 * disturbance; answers that fell while as much was sent, too. */
static bool answers_fell_with_sends(const struct bd_window *w, double allowed,
                                    double sent) {
  double fall;
  if (w->cut_sent <= 0 || w->allowed <= 0 || sent <= 0)
    return false;
  fall = sent < w->cut_sent ? sent / w->cut_sent : 1;
  return allowed < DISTURBED_SLACK * w->allowed * pow(fall, DISTURBED_SHARE);
}

/* A back-off of a search: whether the search goes on. A search that
 * steps past a limit answers at least a step's share of what it sends (of
 * the share the path does not lose): one halved by a back-off met a
 * silence or a burst of loss, or a limit its bucket hid for several
 * steps, and goes on from the pace halved. One that ends on less than a
 * step's share, or in a disturbance (whose last epochs may lose as little
 * as a limit does), goes on once the samples are calm again, once: past a
 * limit, one step more finds it. A disturbance leaves the pace the search
 * last found calm to go back to (a recall, remember_recall); a back-off
 * on the way back ends the search for good. */
static bool search_goes_on(struct bd_window *w, double allowed, double sent,
                           bool halved, bool disturbed) {
  struct bd_window_search *s = &w->search;
  s->hit = s->hit || halved;
  s->disturbed = s->disturbed || disturbed;
  if (halved)
    return true;
  s->cut = !w->recalling && !s->resumed &&
           (s->hit ||
            allowed < SEARCH_CALM * (1 - w->base_loss) * sent / PACE_SEARCH);
  return false;
}

/* The first back-off of a run of them remembers the rate the path
 * answered just before, when that is clearly more than it answers now and
 * a third of what was sent is lost with it (RECALL_DROP), though no more
 * was sent than that calm rate: a burst of loss, or a limit that moved
 * down, not a probe over the limit. Not while a limit is first found,
 * from slow start and through the search after it: a limit's bucket lets
 * a burst through, answered far over the limit. A search that met a
 * disturbance remembers the pace it last found calm instead, once. A
 * back-off on the way back to it says which: the limit moved, and it is
 * forgotten, with the calm rate it came from (a run of back-offs that
 * remembered it again went back to it again and again). */
static void remember_recall(struct bd_window *w, double allowed, double sent,
                            bool found, double pace) {
  struct bd_window_search *s = &w->search;
  if (w->recalling) {
    w->recall = w->calm_rate = 0;
    s->cut = false;
  } else if (found) {
    if (s->disturbed && !s->recalled && s->calm > pace && s->calm > w->recall) {
      w->recall = s->calm;
      w->recall_base = w->calm_base;
      s->recalled = true;
    }
  } else if (w->recall == 0 && w->calm_rate > RECALL_DROP * allowed &&
             sent > RECALL_DROP * allowed && sent <= PLATEAU * w->calm_rate) {
    w->recall = w->calm_rate;
    w->recall_base = w->calm_base;
  }
}

/* Paces the server a little under `allowed`, the rate it answered at
 * while queries went at `sent` a second and losses rose; `search`: that
 * rate is only a lower bound. */
static void pace_under(struct bd_window *w, double allowed, double sent,
                       bool search, uint64_t now_ns) {
  double pace = allowed * PACE_BACKOFF;
  bool found = search || w->searching;
  bool disturbed = answers_fell_with_sends(w, allowed, sent);
  bool halved = false;
  /* One back-off halves a pace at most, as TCP halves its window once a
   * round trip: what a few epochs answered in a short silence or a burst
   * of loss (next to nothing) is no rate allowed, and a pace set to it sat
   * at its least for seconds after the server came back. A limit that
   * dropped further is met again a round later, and halved again. */
  if (w->pace > 0 && pace < PACE_CUT_MAX * w->pace) {
    pace = PACE_CUT_MAX * w->pace;
    halved = true;
    /* ... and while a rate to go back to is remembered, the back-offs of
     * a disturbance leave at least a quarter of it: at a millisecond a
     * round trip a burst of half a second halved the pace to its least,
     * whose few queries then took seconds to judge the path calm again.
     * Not a limit's: one that moved down by more than that held a pace
     * four times over it for good. */
    if (disturbed && pace < RECALL_FLOOR * w->recall)
      pace = RECALL_FLOOR * w->recall;
  }
  if (pace < PACE_MIN)
    pace = PACE_MIN;
  if (w->searching)
    search = search_goes_on(w, allowed, sent, halved, disturbed);
  else if (search) {
    memset(&w->search, 0, sizeof(w->search));
    w->recall = 0;
  }
  w->searching = search;
  remember_recall(w, allowed, sent, found, pace);
  w->cut_pace = w->pace;
  w->cut_allowed = w->allowed;
  w->allowed = allowed;
  w->cut_sent = sent;
  w->cut_lost = sent > allowed ? 1 - allowed / sent : 0;
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
  w->judge_from_ns = now_ns;
  w->cut_samples = 0;
  w->evidence = 0;
}

/* A back-off as a silence began: its rate allowed counted the first quiet
 * moments, and the pace it set would outlast the silence. */
void win_undo_cut(struct bd_window *w, uint64_t now_ns) {
  if (!w->cut_before || w->last_cut_ns <= w->last_answer_ns ||
      w->cut_pace <= w->pace)
    return;
  set_pace(w, w->cut_pace, now_ns);
  w->allowed = w->cut_allowed;
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

/* How long a sample lasts when the loop keeps up: its interval, or at a
 * low pace the wait for two answers (at 40 q/s a sample of one answer
 * spans 25 ms, and read as late, no sample ever let a search grow). */
static uint64_t sample_span(const struct bd_window *w) {
  uint64_t interval = win_rate_interval(w);
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
    const struct bd_window_rate *r = win_sample_back(w, n);
    /* A sample far longer than its interval is a loop that fell behind
     * (a busy host, valgrind) or a stall: its answers lag its sends by
     * more than it spans, and say nothing of a limit. */
    if (r->span_ns > SAMPLE_LATE * sample_span(w))
      break;
    sum->answers += r->answers;
    sum->sends += r->sends;
    sum->due += r->due;
    sum->span_ns += r->span_ns;
    n++;
  }
  return n;
}

/* The share of its queries due a sum of samples answered. */
static double answered_share(const struct bd_window_rate *sum) {
  return sum->answers < sum->due ? (double)sum->answers / sum->due : 1;
}

/* Back to the rate held before a run of back-offs, at once. */
static void recall_now(struct bd_window *w, uint64_t now_ns) {
  w->recalling = true;
  set_pace(w, w->recall, now_ns);
  w->judge_from_ns = now_ns;
  w->cut_sent = 0;
  w->recall = 0;
  w->evidence = 0;
}

/* Whether the delivery-rate samples since the last back-off (but the
 * first two, which count answers to queries sent before it) answered
 * what the pace sent as calmly as the path did before the disturbance:
 * the burst of loss that cut the pace is over. Epochs are judged a few
 * round trips late, and a far path that waited for a calm one to recall
 * its pace sat halved for a second after a burst of 200 ms. It takes an
 * epoch's worth of queries, or fewer where they lose clearly less than
 * the last back-off found lost: a pace cut low sends an epoch's worth in
 * half a second, and the burst of loss is long over by then. */
static bool calm_since_cut(const struct bd_window *w) {
  struct bd_window_rate sum;
  double lost;
  double then = w->cut_lost;
  if (w->cut_samples < SEARCH_SAMPLES + 2 ||
      sum_samples(w, SEARCH_SAMPLES, w->cut_samples - 2, &sum) <
          SEARCH_SAMPLES ||
      sum.due == 0 ||
      win_rate_of(sum.sends, sum.span_ns) < PACE_BINDING * w->pace)
    return false;
  lost = 1 - answered_share(&sum);
  if (lost > w->recall_base + rise_over(w->recall_base))
    return false;
  return sum.due >= BD_WINDOW_EPOCH ||
         then - lost > SAMPLE_SIGMAS * sqrt(then * (1 - then) / sum.due);
}

/* The samples answered a searching pace calmly: it grows by a step, and
 * a search a disturbance ended goes on. The pace held is the one to go
 * back to should a disturbance meet the search. */
static void search_step(struct bd_window *w, uint64_t now_ns) {
  struct bd_window_search *s = &w->search;
  if (s->cut) {
    s->cut = false;
    s->resumed = true;
    w->judge_from_ns = now_ns;
  }
  s->hit = s->disturbed = false;
  s->calm = w->pace;
  w->searching = true;
  w->recalling = false;
  w->cut_sent = 0;
  set_pace(w, w->pace * PACE_SEARCH, now_ns);
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
void win_check_pace(struct bd_window *w, uint64_t now_ns) {
  struct bd_window_rate sum;
  double calm = SEARCH_CALM * (1 - w->base_loss);
  double share;
  /* On the way back to a rate held before, and while a pace searches
   * upwards, only the samples of the pace raised, a round trip after it:
   * the ones before may hold the burst of loss that cut it, and the first
   * ones after answer queries sent at the lower pace, which say nothing of
   * the higher. */
  bool raised = w->recalling || w->searching;
  unsigned skip = raised ? 2 : 1;
  unsigned since = raised ? w->pace_samples : w->cut_samples;
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
    if (share < calm &&
        lost_beyond_base_by(w, raised ? NOISE_SIGMAS : SAMPLE_SIGMAS, 1 - share,
                            sum.due) &&
        (w->searching || win_rate_of(sum.sends, sum.span_ns) > w->allowed)) {
      pace_under(w,
                 win_sample_rate(w->searching ? win_sample_back(w, 0) : &sum),
                 win_rate_of(sum.sends, sum.span_ns), false, now_ns);
      return;
    }
  }
  if (w->recall > w->pace && !w->recalling && calm_since_cut(w)) {
    recall_now(w, now_ns);
    return;
  }
  if (!(w->searching || w->search.cut) || w->pace_samples <= SEARCH_SAMPLES)
    return;
  if (sum_samples(w, SEARCH_SAMPLES, SEARCH_SAMPLES, &sum) == SEARCH_SAMPLES &&
      sum.due > 0 && answered_share(&sum) >= calm &&
      win_rate_of(sum.sends, sum.span_ns) >= PACE_BINDING * w->pace)
    search_step(w, now_ns);
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
   * than now: back to that rate at once, as after a silence, rather than
   * creeping up from a rate a burst of loss left (it was answered calm:
   * a cut under it again left a pace under a limit a tenth under it). Calm
   * as the path was before: during the burst the base learns its losses,
   * and a round that loses half is no calm one. */
  if (w->recall > 0 && loss_share(e->sent, e->answered) >
                           w->recall_base + rise_over(w->recall_base))
    return;
  if (w->recall > 0 && w->pace < w->recall) {
    recall_now(w, now_ns);
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
      base_set(w, e->head_sent, lost_of(e->head_sent, e->head_answered));
      return true;
    }
  }
  base_set(w, e->sent, lost_of(e->sent, e->answered));
  return rate > 0.5;
}

/* Whether epoch e was sent wholly after the last back-off, and no faster
 * than the server answered then: a limit loses nothing there, so what it
 * loses is the path's, and the base may learn from it. */
static bool sent_slower_since_cut(const struct bd_window *w,
                                  const struct bd_window_epoch *e) {
  return e->id * w->epoch_ns >= w->last_cut_ns &&
         epoch_rate(w, e, e->sent) <= w->allowed;
}

/* Judges epoch e: learns the base, backs off on a clear rise. Only an
 * epoch sent wholly after the last cut may cut again: earlier ones speak
 * of the window that was. A slow sender's epochs are too small to judge
 * alone: they add up until they are not. */
static void judge(struct bd_window *w, const struct bd_window_epoch *one,
                  uint64_t now_ns) {
  struct bd_window_epoch *e = &w->batch;
  double rate;
  double lost;
  bool congested;
  bool calm;
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
  lost = lost_of(e->sent, e->answered);
  if (!w->have_base) {
    if (learn_first_base(w, e, rate))
      back_off(w, e, now_ns);
    memset(e, 0, sizeof(*e));
    return;
  }
  /* Only what was sent since the last back-off speaks of the pace it set;
   * on the way back to a rate held before, or on with a search a burst of
   * loss ended, only what was sent since: the samples make those as soon
   * as the burst is over, before its epochs are judged. */
  if (e->id * w->epoch_ns >= w->judge_from_ns)
    congested = losses_rose(w, e->sent, lost) && rate > w->base_loss;
  else
    congested = false;
  /* A batch clearly over the base that is not yet congestion is no calm
   * round either: the first batches of a burst of loss, or of a limit. */
  calm = !congested && !lost_beyond_base(w, rate, e->sent);
  /* The base learns the batches' shares both ways: the lowest share seen
   * is the luckiest batch's, below what the path loses. Paced, losses
   * beyond chance are the pace's doing, not the path's: the base falls to
   * a share clearly lower at once, and learns one clearly higher only from
   * what was lost at a rate the limit allowed. Within chance it learns
   * both ways: a base that only fell read the path's own swings as a
   * limit, and a pace that creeps over a limit, whose losses the base
   * learns as they come within chance, is found by the evidence summed
   * since the back-off, which runs ahead of the base. */
  noise = !shares_differ(w->base_loss, w->base_sent, rate, e->sent);
  if (rate < w->base_loss && w->pace > 0 && !noise)
    base_set(w, e->sent, lost);
  else if (rate < w->base_loss || noise || w->pace == 0 ||
           sent_slower_since_cut(w, e))
    base_learn(w, e->sent, lost);
  if (congested)
    back_off(w, e, now_ns);
  else if (calm) {
    /* What the path answers while nothing disturbs it: not during a run
     * of back-offs, whose calm rounds speak of the disturbance. */
    if (w->recall == 0) {
      w->calm_rate = epoch_rate(w, e, e->answered);
      w->calm_base = w->base_loss;
    }
    /* Sent since the last back-off, it ends their run. */
    if (e->id * w->epoch_ns >= w->judge_from_ns)
      w->cut_sent = 0;
    probe(w, e, now_ns);
  }
  memset(e, 0, sizeof(*e));
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
         (e->answered > 0 && now_ns >= end + win_silent_after(w) + w->srtt_ns);
}

/* Judges the epochs whose answers have had their time and whose losses
 * are known. */
void win_judge_settled(struct bd_window *w, uint64_t now_ns) {
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
