/* The silence of one server: it answers nothing at all, which is no rate
 * limit (window.c's opening comment says why), so it is kept apart from
 * the pace and never judged. Here a silence is found, probed at doubling
 * gaps as TCP's retransmission timer backs off, forgiven once a probe goes
 * unanswered (what it lost is forgotten, not taken for a limit), and ended
 * by the first answer, which brings back the window and the pace held
 * before, refilled at a little over the path's bandwidth. */
#include "blogdom/window.h"
#include "window_int.h"

#include <string.h>

#include "blogdom/common.h"

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

/* How long nothing must come back for the server to be silent. */
uint64_t win_silent_after(const struct bd_window *w) {
  uint64_t quiet = SILENT_RTTS * w->srtt_ns;
  if (quiet < w->srtt_ns + 4 * w->rttvar_ns)
    quiet = w->srtt_ns + 4 * w->rttvar_ns;
  return quiet < SILENT_MIN_NS ? SILENT_MIN_NS : quiet;
}

/* Whether the server has answered nothing for long enough to be silent. */
bool win_gone_silent(const struct bd_window *w, uint64_t now_ns) {
  /* An answer read after the caller took its clock is later than now_ns:
   * the server is anything but silent. */
  return w->latest_answered_sent_ns != 0 && now_ns > w->last_answer_ns &&
         now_ns - w->last_answer_ns >= win_silent_after(w) &&
         (uint32_t)(w->sends - w->latest_answered) >= SILENT_SENDS;
}

/* The epochs counted so far speak of queries the silence lost: none is
 * judged. */
static void forget_epochs(struct bd_window *w) {
  memset(w->epochs, 0, sizeof(w->epochs));
  memset(&w->batch, 0, sizeof(w->batch));
}

void win_fall_silent(struct bd_window *w, uint64_t now_ns) {
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
  win_undo_cut(w, now_ns);
}

/* The first answer after a silence: the window and the pace are those of
 * before. A forgiven silence's delivery-rate sample starts afresh, as the
 * one being counted spans it. */
void win_end_silence(struct bd_window *w, uint64_t now_ns) {
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
  w->rate_due_after = w->latest_answered;
  /* The first sample after it sees the pipe fill again, sends without
   * their answers yet: the pace takes no word from it (check_pace). */
  w->cut_samples = 0;
  w->pace_samples = 0;
}

/* A probe of a silent server: the next waits longer. One sent while the
 * last is still unanswered makes the silence a silence. */
void win_send_probe(struct bd_window *w, uint64_t now_ns) {
  if (w->probes++ > 0 && !w->forgiven)
    forgive(w, now_ns);
  w->next_probe_ns = now_ns + w->probe_gap_ns;
  w->probe_gap_ns *= 2;
  if (w->probe_gap_ns > PROBE_GAP_MAX_NS)
    w->probe_gap_ns =
        2 * w->srtt_ns > PROBE_GAP_MAX_NS ? 2 * w->srtt_ns : PROBE_GAP_MAX_NS;
}
