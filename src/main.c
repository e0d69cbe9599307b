/* blogdom: is this domain name taken? Asks DNS about many names at once
 * and prints one verdict line per name as the answers arrive.
 *
 * The data flows through one module each, in this order (docs/DESIGN.md
 * draws it):
 *   cli.c        argv -> struct bd_config (one option table, --help)
 *   servers.c    -s/-r specs, or the system's resolvers -> addresses
 *   source.c     arguments | streamed files/stdin | keywords.c, x each TLD
 *     linereader.c  bounded, non-blocking line reading
 *     names.c       normalization, validation, host-name rules (libpsl)
 *     shard.c       --shard K/N by a stable hash
 *   engine.c     the pump: names into probes, tries into verdicts; its
 *                life cycle and timers (engine_int.h: the engine object)
 *     intake.c      names from the source as the limits allow; a line at
 *                   once for a name that needs no query
 *     sending.c     the zones' queues served in turn; each try sent
 *     answers.c     a try's outcome: verdict, retry, TCP, RACK write-offs
 *     lines.c       a verdict through the stages to its line
 *     probe.c       a probe's states and the one pool
 *     zone.c        a zone's servers: choice, health; its queue
 *     peer.c        a server address, once: lanes, window, cap, silence
 *     flight.c      a server's tries in send order: which are lost
 *     lane.c        one c-ares channel per server; fdwatch.c, netio.c
 *     window.c      window by bandwidth x delay, pace on rate limits;
 *                   pacer.c  --rate, --server-rate; health.c; random.c
 *     checks.c      server vetting and TLD checks (rules: trust.c)
 *     iterate.c     --authoritative: zones from the root down (auth.c);
 *                   acts on the answers, makes and frees the map
 *       mapzones.c   the map's zones, their servers, sending to one
 *       suffixes.c   the zone that holds each public suffix's names
 *       nslookup.c   addresses of name servers without glue
 *       roothints.c  the built-in root hints; is there IPv6?
 *   dnsmsg.c     the one parser of DNS messages
 *   verdict.c    DNS response -> found / notfound / error
 *   stage.h      post-DNS stages: confirm.c, the registry's word (RDAP);
 *                forsale.c, a name's _for-sale TXT records (RFC 10023)
 *     rdap.c        the RDAP client; rdapload.c, rdapboot.c bootstrap;
 *                   rdapsched.c per-registry scheduling; http.c helpers;
 *                   curluv.c libcurl on the loop; curlapi.c dlopen;
 *                   rdapdomain.c a domain object's status and dates
 *     forsaletxt.c  one _for-sale record read
 *   output.c     --only, --order=input; stdout as a libuv stream with a
 *                high-water mark (never a blocking write on a pipe), and
 *                the errno of a write that failed
 *     format.c      a verdict's line: marks or JSON (pure)
 *     records.c     a name's answer records for its JSON line (rrtext.c:
 *                   record data in presentation format); jsonbuf.c,
 *                   the capped, escaped JSON that stages add
 *   progress.c   the progress line (in place on a terminal, else plain
 *                lines) and the --stats summary (stderr)
 *   text.c, msg.c, rrtype.c, common.h  escaping of untrusted bytes;
 *                diagnostics; record type names; shared macros
 *   resume.c     -o FILE, and --state: a run killed at any moment goes on
 *   zoneset.c    --zone: names judged by zone files, with no query
 *     zonefile.c    a master file read (libzscanner, zlib)
 *     zoneindex.c   its names' fingerprints, sorted and mapped
 *   cachefile.c  the cache directory; files replaced whole
 * main() only wires them together and turns the outcome into an exit
 * status. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "blogdom/cli.h"
#include "blogdom/common.h"
#include "blogdom/confirm.h"
#include "blogdom/engine.h"
#include "blogdom/forsale.h"
#include "blogdom/iterate.h"
#include "blogdom/resolvers.h"
#include "blogdom/msg.h"
#include "blogdom/output.h"
#include "blogdom/progress.h"
#include "blogdom/rdap.h"
#include "blogdom/resume.h"
#include "blogdom/roothints.h"
#include "blogdom/servers.h"
#include "blogdom/source.h"
#include "blogdom/text.h"
#include "blogdom/zoneset.h"

#define EXIT_DEFINITIVE 0
#define EXIT_SOME_ERROR 1
#define EXIT_USAGE 2
#define PROGRESS_INTERVAL_MS 250       /* redrawn in place on a terminal */
#define PROGRESS_LINE_INTERVAL_MS 1000 /* plain lines in a log or a pipe */
#define REORDER_PER_WINDOW 8
/* --state: the most a killed run asks again is what one interval took. */
#define COMMIT_INTERVAL_MS 1000

/* --for-sale's budget of names, in window floors. */
#define FOR_SALE_FLOORS 4

struct app {
  struct bd_config cfg;
  uv_loop_t loop;
  struct bd_source *src;
  struct bd_output *out;
  struct bd_engine *engine;
  struct bd_rdap *rdap;     /* with --confirm */
  struct bd_zoneset *zones; /* with --zone */
  /* The post-DNS stages a verdict goes through, in order, and their own
   * state: the registry's word, then the _for-sale records. */
  struct bd_stage stages[2];
  size_t nstages;
  struct bd_confirm_stage confirm;
  struct bd_forsale forsale;
  struct bd_resume *resume; /* with -o */
  int out_fd;               /* the lines' descriptor: stdout or -o's */
  uv_timer_t commit_timer;  /* --state: commits once a second */
  bool other_input;         /* --state: the input is not the state's */
  int resumed_status;       /* --state of a finished run: its status */
  struct bd_progress progress;
  uv_signal_t sigint;
  uv_signal_t sigterm;
  uv_timer_t progress_timer;
  int signum;
  bool shared_screen; /* result lines go to the terminal of the progress line */
  bool stalled;       /* the loop ran dry with names unanswered: a bug */
  bool input_failed;  /* an input file failed: its later names are lost */
};

/* Says each input file that failed since the last call, once, and
 * remembers for the exit status that one did. Returns whether one had. */
static bool tell_input_failures(struct app *app) {
  struct bd_source_failure f;
  bool any = false;

  while (bd_source_next_failure(app->src, &f)) {
    char shown[BD_ESCAPED_SIZE(256)];
    if (strcmp(f.path, "-") == 0)
      snprintf(shown, sizeof(shown), "standard input");
    else
      bd_text_escape(shown, sizeof(shown), f.path, strnlen(f.path, 256));
    bd_errorf("cannot %s %s: %s", f.opening ? "open" : "read", shown,
              strerror(-f.err));
    app->input_failed = any = true;
  }
  return any;
}

static int on_result(void *data, const struct bd_result *r) {
  struct app *app = data;
  bd_progress_count(&app->progress, r->verdict->status);
  /* Taken down before the first line of a batch, since a full buffer may
   * be written from inside emit; on_batch puts it back. */
  if (app->shared_screen)
    bd_progress_erase(&app->progress);
  return bd_output_emit(app->out, r) != 0 ? -1 : 0;
}

static void on_settled(void *data, uint64_t seq, enum bd_status status) {
  struct app *app = data;
  bd_resume_settled(app->resume, seq, status);
}

static int on_resume(void *data, uint64_t seq, const char *text, size_t len) {
  struct app *app = data;
  switch (bd_resume_name(app->resume, seq, text, len)) {
  case BD_RESUME_ASK:
    return 0;
  case BD_RESUME_DONE:
    return bd_output_skip(app->out, seq) == 0 ? 1 : -1;
  case BD_RESUME_OTHER_INPUT:
    break;
  }
  app->other_input = true;
  return -1;
}

/* --state: what was written is made durable, then the state says so. A
 * state that cannot be written ends the run: it is the promise. */
static int commit(struct app *app, bool complete, int status) {
  int rc;
  if (app->other_input || bd_output_flush(app->out) != 0)
    return 0;
  rc = bd_resume_commit(app->resume, complete, status);
  if (rc != 0) {
    bd_errorf("cannot keep the state in %s: %s", app->cfg.state, strerror(-rc));
    app->input_failed = true; /* exit 2: the run cannot be continued */
    bd_engine_stop(app->engine);
  }
  return rc;
}

static void on_commit_tick(uv_timer_t *t) {
  commit(t->data, false, 0);
}

static bool has_room(void *data, uint64_t seq) {
  struct app *app = data;
  return bd_output_has_room(app->out, seq);
}

static void on_progress_tick(uv_timer_t *t);

/* Once per batch of events: lines reach a pipe as they come, yet a burst
 * of answers costs one write. */
static void on_batch(void *data) {
  struct app *app = data;
  if (bd_output_flush(app->out) != 0) {
    /* The reason (EPIPE or a write error) is told once, at the end. */
    bd_engine_stop(app->engine);
    return;
  }
  /* Said as it happens, after the lines of the names read before it. */
  tell_input_failures(app);
  if (app->shared_screen && app->progress.enabled && !app->progress.drawn)
    on_progress_tick(&app->progress_timer);
}

/* Stdout drained after it was full, or a write failed (from the loop,
 * where nothing else would tell the engine). */
static void on_output_wake(void *data) {
  struct app *app = data;
  if (app->engine == NULL)
    return;
  if (bd_output_error(app->out) != 0)
    bd_engine_stop(app->engine); /* the reason is told at the end */
  else
    bd_engine_resume(app->engine);
}

/* At once, whatever the reader of stdout does: what it takes now goes
 * out, the rest is dropped and counted in the summary. The handlers go,
 * so that a second signal ends the process by its default action, should
 * stderr's reader (a terminal that does not drain) hold up the summary. */
static void on_signal(uv_signal_t *h, int signum) {
  struct app *app = h->data;
  if (app->signum == 0)
    app->signum = signum;
  uv_signal_stop(&app->sigint);
  uv_signal_stop(&app->sigterm);
  bd_engine_stop(app->engine);
  if (app->shared_screen)
    bd_progress_erase(&app->progress);
  bd_output_interrupt(app->out);
}

static void on_progress_tick(uv_timer_t *t) {
  struct app *app = t->data;
  struct bd_engine_stats st;
  /* Lines still queued for the shared terminal would land after the
   * progress line, on it: it waits until they are out. */
  if (app->shared_screen && bd_output_queued(app->out) > 0)
    return;
  bd_engine_get_stats(app->engine, &st);
  bd_progress_draw(&app->progress, &st, uv_hrtime());
}

static void erase_progress(void *data) {
  bd_progress_erase(data);
}

static bool progress_wanted(const struct bd_config *cfg) {
  if (cfg->progress == BD_PROGRESS_AUTO)
    return cfg->verbosity > BD_QUIET && isatty(STDERR_FILENO);
  return cfg->progress == BD_PROGRESS_ON;
}

/* When stdout is a terminal too, the result lines and the progress line
 * share the screen: the progress line is erased before each batch of
 * lines is written and drawn again below them, as apt and cargo do. curl
 * instead drops its meter when stdout is a terminal, but a long run typed
 * at a terminal is exactly where the progress line helps, and diagnostics
 * already erase it the same way (bd_msg_set_before_hook). The cost, a
 * redraw per batch, is paid only when a person is watching. */
static void init_progress(struct app *app) {
  bool in_place = isatty(STDERR_FILENO);
  bd_progress_init(&app->progress, progress_wanted(&app->cfg), in_place,
                   bd_source_total(app->src), uv_hrtime());
  app->shared_screen =
      app->progress.enabled && in_place && isatty(STDOUT_FILENO);
}

/* The servers to ask: -s, -r or the system's resolvers; with
 * --authoritative the root's, from --root or the built-in hints. */
static int resolve_servers(struct bd_config *cfg) {
  int rc;
  if (cfg->authoritative) {
    if (cfg->roots.count > 0)
      return 0;
    if (bd_roothints_add(&cfg->roots, bd_roothints_host_has_ipv6()) != 0) {
      bd_errorf("out of memory");
      return -1;
    }
    return 0;
  }
  if (cfg->servers.count > 0)
    return 0;
  rc = bd_server_list_add_system(&cfg->servers);
  if (rc != 0 || cfg->servers.count == 0) {
    bd_errorf("no DNS server: give one with --server");
    return -1;
  }
  return 0;
}

static int open_output(struct app *app, unsigned window) {
  struct bd_output_config oc;
  memset(&oc, 0, sizeof(oc));
  oc.fd = app->out_fd;
  oc.json = app->cfg.json;
  oc.input_order = app->cfg.input_order;
  oc.only = app->cfg.only;
  oc.reorder_cap = (size_t)window * REORDER_PER_WINDOW;
  oc.loop = &app->loop;
  oc.on_wake = on_output_wake;
  if (app->cfg.state != NULL)
    oc.on_settled = on_settled;
  oc.data = app;
  app->out = bd_output_new(&oc);
  if (app->out == NULL) {
    bd_errorf("out of memory");
    return -1;
  }
  return 0;
}

/* Where an index build has got to, on a terminal. */
struct index_progress {
  uint64_t next_ns;
  bool drawn;
};

/* The index of a big zone file takes seconds to build, once: a line on a
 * terminal says how far it is, redrawn four times a second. */
static void on_index_progress(void *data, const char *path, uint64_t done,
                              uint64_t size) {
  struct index_progress *ip = data;
  char shown[BD_ESCAPED_SIZE(256)];
  uint64_t now = uv_hrtime();

  if (now < ip->next_ns || size == 0)
    return;
  ip->next_ns = now + PROGRESS_INTERVAL_MS * BD_NS_PER_MS;
  bd_text_escape(shown, sizeof(shown), path, strnlen(path, 256));
  fprintf(stderr, "\rblogdom: indexing %s: %.0f%%\033[K", shown,
          100.0 * (double)done / (double)size);
  ip->drawn = true;
}

static int open_zones(struct app *app) {
  struct index_progress ip = {0, false};
  char why[512];
  bool show = progress_wanted(&app->cfg) && isatty(STDERR_FILENO);
  int rc;

  if (app->cfg.nzones == 0)
    return 0;
  rc = bd_zoneset_open(&app->zones, app->cfg.zones, app->cfg.nzones,
                       show ? on_index_progress : NULL, &ip, why, sizeof(why));
  if (ip.drawn)
    fprintf(stderr, "\r\033[K");
  if (rc != 0)
    bd_errorf("%s", why);
  return rc;
}

static int exit_status(const struct app *app);

/* Where the lines go: stdout, or -o's file, with --state as far as an
 * earlier run got. Returns how the run starts, or -1 (exit 2, said). */
static int open_lines(struct app *app) {
  enum bd_resume_start start;
  char why[512];

  app->out_fd = STDOUT_FILENO;
  if (app->cfg.output == NULL)
    return BD_RESUME_FRESH;
  if (bd_resume_open(&app->resume, app->cfg.output, app->cfg.state,
                     bd_config_lines_key(&app->cfg), &app->out_fd, &start,
                     &app->resumed_status, why, sizeof(why)) != 0) {
    bd_errorf("%s", why);
    return -1;
  }
  return (int)start;
}

/* --state of a run that had ended: nothing to ask, the output left as
 * it is, once the input is checked to be the state's, name by name. */
static int check_finished(struct app *app) {
  struct bd_item *item = malloc(sizeof(*item));
  uint64_t seq = 0;
  enum bd_source_status st;
  bool same = item != NULL;

  if (item == NULL) {
    bd_errorf("out of memory");
    return EXIT_USAGE;
  }
  while (same && (st = bd_source_next(app->src, item)) != BD_SOURCE_END) {
    if (st == BD_SOURCE_AGAIN) {
      struct pollfd p = {bd_source_wait_fd(app->src), POLLIN, 0};
      (void)poll(&p, 1, -1);
      continue;
    }
    same = bd_resume_name(app->resume, seq++, item->text, item->len) ==
           BD_RESUME_DONE;
  }
  free(item);
  if (tell_input_failures(app))
    return EXIT_USAGE;
  if (!same || !bd_resume_input_ended(app->resume, seq)) {
    bd_errorf("state file %s was made for another input: the output is as "
              "that run left it",
              app->cfg.state);
    return EXIT_USAGE;
  }
  return app->resumed_status;
}

/* --state at the end: the input checked to its end, the last commit (a
 * finished run's says so and keeps its status), or, for another input
 * than the state's, the output cut back to what it was. */
static void end_lines(struct app *app) {
  struct bd_engine_stats st;
  bool finished;

  if (app->cfg.state == NULL)
    return;
  bd_engine_get_stats(app->engine, &st);
  finished = app->signum == 0 && bd_engine_fatal(app->engine) == NULL &&
             !app->stalled && !app->input_failed && !app->other_input &&
             bd_output_error(app->out) == 0;
  if (finished && !bd_resume_input_ended(app->resume, st.started))
    app->other_input = true;
  if (app->other_input && bd_resume_out_of_memory(app->resume)) {
    /* The last commit stands: a rerun goes on from there. */
    bd_errorf("out of memory: run it again to go on");
    return;
  }
  if (app->other_input) {
    int rc = bd_resume_restore(app->resume);
    if (rc == 0)
      bd_errorf("state file %s was made for another input: the output is as "
                "that run left it",
                app->cfg.state);
    else
      bd_errorf("state file %s was made for another input, and the output "
                "cannot be cut back to what that run left: %s",
                app->cfg.state, strerror(-rc));
    return;
  }
  commit(app, finished, finished ? exit_status(app) : 0);
}

static int open_rdap(struct app *app) {
  struct bd_rdap_config rc;
  if (!app->cfg.confirm)
    return 0;
  memset(&rc, 0, sizeof(rc));
  rc.bootstrap_file = app->cfg.rdap_bootstrap;
  rc.forced_url = app->cfg.rdap_url;
  rc.per_registry_rate = app->cfg.rdap_rate;
  rc.timeout_ms = app->cfg.rdap_timeout_ms;
  rc.tries = app->cfg.rdap_tries;
  return bd_rdap_new(&app->rdap, &app->loop, &rc);
}

/* The stages the options ask for. Each has its own budget of names, apart
 * from the DNS window: the registry's, as many as the window may hold;
 * --for-sale's queries wait in the engine's queues before going out, so
 * a few windows' floors of them keep the servers busy without holding
 * many names. */
static void build_stages(struct app *app, unsigned window_max,
                         unsigned window_floor) {
  if (app->rdap != NULL) {
    app->confirm.rdap = app->rdap;
    app->confirm.json = app->cfg.json;
    bd_confirm_stage_init(&app->stages[app->nstages++], &app->confirm,
                          window_max);
  }
  if (app->cfg.for_sale) {
    unsigned budget = window_max < FOR_SALE_FLOORS * window_floor
                          ? window_max
                          : FOR_SALE_FLOORS * window_floor;
    app->forsale.json = app->cfg.json;
    bd_forsale_stage_init(&app->stages[app->nstages++], &app->forsale,
                          budget > 0 ? budget : 1);
  }
}

static int open_engine(struct app *app, unsigned window) {
  struct bd_engine_config ec;
  struct bd_engine_hooks hooks = {app, on_result, has_room, on_batch,
                                  app->cfg.state != NULL ? on_resume : NULL};
  struct bd_iterate_config map;
  struct bd_resolvers_config resolvers;

  memset(&ec, 0, sizeof(ec));
  /* The mode is the router the engine gets: the map of zones from the
   * root, or the resolvers, vetted unless they are trusted. Checks are
   * per TLD with resolvers, so the input's TLDs can be checked first. */
  if (app->cfg.authoritative) {
    map.roots = app->cfg.roots.items;
    map.nroots = app->cfg.roots.count;
    map.ipv6 = bd_roothints_host_has_ipv6();
    ec.open_router = bd_iterate_open;
    ec.router_cfg = &map;
  } else {
    resolvers.servers = app->cfg.servers.items;
    resolvers.count = app->cfg.servers.count;
    ec.open_router = bd_resolvers_open;
    ec.router_cfg = &resolvers;
    ec.vet = !app->cfg.trust_resolver;
    ec.upfront_checks = true;
  }
  ec.server_rate = app->cfg.server_rate;
  ec.timeout_ms = app->cfg.timeout_ms;
  ec.tries = app->cfg.tries;
  ec.qtype = app->cfg.qtype;
  /* -c N caps the window and lets it reach N whatever the path; without
   * it, the window follows the path's bandwidth x delay. */
  ec.window_max = app->cfg.concurrency ? window : BD_WINDOW_UNCAPPED;
  ec.window_floor = window;
  ec.window_init = app->cfg.concurrency ? window : BD_DEFAULT_WINDOW_INIT;
  ec.rate = app->cfg.rate;
  ec.wildcard_check = !app->cfg.no_wildcard_check;
  ec.json = app->cfg.json;
  ec.zones = app->zones;
  build_stages(app, ec.window_max, ec.window_floor);
  ec.stages = app->stages;
  ec.nstages = app->nstages;
  return bd_engine_new(&app->engine, &app->loop, &ec, app->src, &hooks);
}

/* Handles of our own that must not keep the loop alive: the run ends when
 * the engine has closed its handles. */
static void start_handles(struct app *app) {
  uv_signal_init(&app->loop, &app->sigint);
  uv_signal_init(&app->loop, &app->sigterm);
  app->sigint.data = app->sigterm.data = app;
  uv_signal_start(&app->sigint, on_signal, SIGINT);
  uv_signal_start(&app->sigterm, on_signal, SIGTERM);
  uv_unref((uv_handle_t *)&app->sigint);
  uv_unref((uv_handle_t *)&app->sigterm);
  uv_timer_init(&app->loop, &app->progress_timer);
  app->progress_timer.data = app;
  uv_timer_init(&app->loop, &app->commit_timer);
  app->commit_timer.data = app;
  if (app->cfg.state != NULL) {
    uv_timer_start(&app->commit_timer, on_commit_tick, COMMIT_INTERVAL_MS,
                   COMMIT_INTERVAL_MS);
    uv_unref((uv_handle_t *)&app->commit_timer);
  }
  if (app->progress.enabled) {
    uint64_t ms = app->progress.in_place ? PROGRESS_INTERVAL_MS
                                         : PROGRESS_LINE_INTERVAL_MS;
    uv_timer_start(&app->progress_timer, on_progress_tick, ms, ms);
    uv_unref((uv_handle_t *)&app->progress_timer);
    bd_msg_set_before_hook(erase_progress, &app->progress);
    on_progress_tick(&app->progress_timer);
  }
}

static void close_handles(struct app *app) {
  uv_close((uv_handle_t *)&app->sigint, NULL);
  uv_close((uv_handle_t *)&app->sigterm, NULL);
  uv_close((uv_handle_t *)&app->progress_timer, NULL);
  uv_close((uv_handle_t *)&app->commit_timer, NULL);
  uv_run(&app->loop, UV_RUN_DEFAULT);
  if (uv_loop_close(&app->loop) != 0)
    bd_errorf("internal error: handles left open at exit");
}

static void finish_output(struct app *app) {
  struct bd_engine_stats st;
  char line[512];
  double elapsed = (double)(uv_hrtime() - app->progress.start_ns) / 1e9;
  int err;

  /* Erased first: the last lines below may go to the same screen. */
  bd_progress_erase(&app->progress);
  bd_msg_set_before_hook(NULL, NULL);
  /* Not yet said if the run stopped before another batch: an input that
   * failed is told whatever else ends the run. */
  tell_input_failures(app);
  if (bd_engine_fatal(app->engine) != NULL) {
    bd_errorf("%s", bd_engine_fatal(app->engine));
    return;
  }
  err = bd_output_flush(app->out);
  if (err == -EPIPE)
    return; /* the reader is gone, as after "| head": nothing to tell */
  if (err != 0)
    bd_errorf("write error: %s", strerror(-err));
  bd_engine_get_stats(app->engine, &st);
  /* An interrupt says how far the run got, unless -q asked for errors
   * only; --stats asks for the summary in any case. */
  if (app->cfg.stats || (app->signum != 0 && app->cfg.verbosity > BD_QUIET)) {
    bd_progress_summary(line, sizeof(line), &app->progress.counts, &st,
                        app->cfg.for_sale ? &app->forsale : NULL, elapsed,
                        app->signum, bd_output_dropped(app->out));
    bd_errorf("%s", line);
  }
}

/* The engine is done: what stdout still owes goes out before the run
 * ends, with the loop running, so that a signal still acts (the write
 * requests keep it alive; a failed write ends them). Then the descriptor
 * is blocking again, before the summary, which may share it (2>&1). */
static void drain_output(struct app *app) {
  if (bd_output_flush(app->out) == 0)
    uv_run(&app->loop, UV_RUN_DEFAULT);
  bd_output_close(app->out);
}

static int exit_status(const struct app *app) {
  int err = bd_output_error(app->out);
  if (bd_engine_fatal(app->engine) != NULL || app->other_input)
    return EXIT_USAGE;
  if (err == -EPIPE)
    return 128 + SIGPIPE; /* as if killed by SIGPIPE, without the noise */
  if (err != 0 || app->stalled || app->input_failed)
    return EXIT_USAGE; /* lines were lost: no status may claim otherwise */
  if (app->signum != 0)
    return 128 + app->signum;
  return app->progress.counts.by_status[BD_ERROR] > 0 ? EXIT_SOME_ERROR
                                                      : EXIT_DEFINITIVE;
}

static int run(struct app *app) {
  struct bd_source_config sc;
  unsigned window =
      app->cfg.concurrency ? app->cfg.concurrency : BD_WINDOW_FLOOR;

  if (resolve_servers(&app->cfg) != 0)
    return EXIT_USAGE;
  memset(&sc, 0, sizeof(sc));
  sc.names = app->cfg.names;
  sc.nnames = app->cfg.nnames;
  sc.files = app->cfg.files;
  sc.nfiles = app->cfg.nfiles;
  sc.tlds = app->cfg.tlds;
  sc.ntlds = app->cfg.ntlds;
  sc.max_len = app->cfg.max_len;
  sc.shard = app->cfg.shard;
  if (bd_source_open(&app->src, &sc) != 0) {
    bd_errorf("out of memory");
    return EXIT_USAGE;
  }
  /* A file that cannot be opened is a set-up error: nothing is sent. */
  if (tell_input_failures(app) || open_zones(app) != 0)
    return EXIT_USAGE;
  switch (open_lines(app)) {
  case BD_RESUME_FRESH:
  case BD_RESUME_CONTINUE:
    break;
  case BD_RESUME_COMPLETE:
    return check_finished(app);
  default:
    return EXIT_USAGE;
  }
  if (uv_loop_init(&app->loop) != 0) {
    bd_errorf("cannot start the event loop");
    return EXIT_USAGE;
  }
  if (open_output(app, window) != 0) {
    uv_loop_close(&app->loop);
    return EXIT_USAGE;
  }
  init_progress(app);
  if (app->resume != NULL) {
    uint64_t earlier[3];
    bd_resume_earlier(app->resume, earlier);
    for (int i = 0; i < 3; i++)
      app->progress.counts.by_status[i] += earlier[i];
  }
  if (open_rdap(app) != 0 || open_engine(app, window) != 0) {
    if (app->rdap != NULL)
      bd_rdap_close(app->rdap);
    bd_output_close(app->out);
    uv_run(&app->loop, UV_RUN_DEFAULT);
    uv_loop_close(&app->loop);
    return EXIT_USAGE;
  }
  start_handles(app);
  bd_engine_start(app->engine);
  uv_run(&app->loop, UV_RUN_DEFAULT);
  /* The engine closes itself once every name has its line; a loop that
   * ran dry before must not pass for a finished run. */
  if (!bd_engine_closed(app->engine)) {
    app->stalled = true;
    bd_errorf("internal error: the run stalled with names unanswered");
    bd_engine_stop(app->engine);
    uv_run(&app->loop, UV_RUN_DEFAULT);
  }
  drain_output(app);
  finish_output(app);
  end_lines(app);
  close_handles(app);
  return exit_status(app);
}

/* Started with 0, 1 or 2 closed, the first descriptor we open (a names
 * file, libuv's epoll or signal pipe) would take its number: diagnostics
 * would land in it, and libuv aborts on closing it. So each closed one is
 * opened on /dev/null first, as coreutils does, with a twist for stdout:
 * opened for reading only, writes to it still fail (EBADF) and are
 * reported, since the lines are lost. Stdin reads as empty, and stderr
 * swallows diagnostics, the exit status still telling the outcome.
 * Returns 0, or a negative errno. */
static int reopen_closed_stdio(void) {
  static const int flags[] = {O_RDONLY, O_RDONLY, O_WRONLY};
  for (int fd = 0; fd <= STDERR_FILENO; fd++) {
    int got;
    if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
      continue;
    /* The lower numbers are open by now, so open() returns fd itself. */
    got = open("/dev/null", flags[fd]);
    if (got < 0)
      return -errno;
    if (got != fd) {
      int rc = dup2(got, fd) < 0 ? -errno : 0;
      close(got);
      if (rc != 0)
        return rc;
    }
  }
  return 0;
}

/* --help and --version print with stdio: the same rule as for lines. */
static int stdout_status(void) {
  int err = 0;
  if (fflush(stdout) != 0)
    err = errno;
  else if (ferror(stdout))
    err = EIO;
  if (err == 0)
    return EXIT_DEFINITIVE;
  if (err == EPIPE)
    return 128 + SIGPIPE;
  bd_errorf("write error: %s", strerror(err));
  return EXIT_USAGE;
}

int main(int argc, char **argv) {
  struct app app;
  int status;
  int rc;

  if ((rc = reopen_closed_stdio()) != 0) {
    bd_errorf("cannot open /dev/null: %s", strerror(-rc));
    return EXIT_USAGE;
  }
  /* A reader that goes away shows up as EPIPE from write(2), not as a
   * signal: finish_output() and exit_status() end the run quietly. */
  signal(SIGPIPE, SIG_IGN);
  memset(&app, 0, sizeof(app));
  switch (bd_cli_parse(argc, argv, &app.cfg)) {
  case BD_CLI_RUN:
    bd_msg_set_verbosity(app.cfg.verbosity);
    status = run(&app);
    break;
  case BD_CLI_DONE:
    status = stdout_status();
    break;
  default:
    status = EXIT_USAGE;
    break;
  }
  bd_engine_free(app.engine);
  bd_rdap_free(app.rdap);
  bd_zoneset_free(app.zones);
  bd_resume_close(app.resume);
  bd_output_free(app.out);
  bd_source_close(app.src);
  bd_config_free(&app.cfg);
  return status;
}
