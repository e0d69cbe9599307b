/* blogdom: is this domain name taken? Asks DNS about many names at once
 * and prints one verdict line per name as the answers arrive.
 *
 * The data flows through one module each, in this order (docs/DESIGN.md
 * draws it):
 *   cli.c        argv -> struct bd_config (one option table)
 *     usage.c       --help from the table, --version, a refused option
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
 *     window.c      window by bandwidth x delay, pace on rate limits
 *                   (window_int.h); windowpace.c losses judged, the
 *                   pace; windowsilence.c a server that answers nothing;
 *                   pacer.c  --rate, --server-rate; health.c; random.c
 *     checks.c      server vetting and TLD checks (rules: trust.c)
 *     router.h      where a probe goes and what its answer means: the one
 *                   word on the mode the engine has; main.c picks it
 *     resolvers.c   the recursive mode's router: one zone of resolvers
 *     iterate.c     --authoritative: zones from the root down (auth.c);
 *                   acts on the answers, makes and frees the map
 *       mapzones.c   the map's zones, their servers, sending to one
 *       suffixes.c   the zone that holds each public suffix's names
 *       nslookup.c   addresses of name servers without glue
 *       roothints.c  the built-in root hints; is there IPv6?
 *   dnsmsg.c     the one parser of DNS messages
 *   verdict.c    DNS response -> found / notfound / error
 *   stage.h      post-DNS stages: confirm.c, the registry's word (RDAP);
 *                delegated.c, -A --type: a delegated name's records from
 *                its own servers; forsale.c, a name's _for-sale TXT
 *                records (RFC 10023)
 *     rdap.c        the RDAP client (rdap_int.h); rdapreq.c a request's
 *                   tries over HTTP; rdapload.c, rdapboot.c bootstrap;
 *                   rdapsched.c per-registry scheduling; http.c helpers;
 *                   curluv.c libcurl on the loop; curlapi.c dlopen;
 *                   rdapdomain.c a domain object's status and dates
 *     whois.c       WHOIS where a TLD has no RDAP: one TCP query a
 *                   connection, paced per server; whoisdb.c the servers'
 *                   table (data/whois-servers.txt); whoisreply.c a reply
 *                   judged by its registry's format; whoisaddr.c the
 *                   servers' addresses, through the run's resolvers
 *     forsaletxt.c  one _for-sale record read
 *   output.c     --only, --order=input; stdout as a libuv stream with a
 *                high-water mark (never a blocking write on a pipe), and
 *                the errno of a write that failed
 *     format.c      a verdict's line and its facts: marks or JSON
 *                   (pure; jsonbuf.c, capped and escaped JSON text)
 *     facts.c       what a line may show beyond its verdict, as data:
 *                   records.c, a name's answer records (rrtext.c: their
 *                   presentation format); the registry's word and the
 *                   for-sale records the stages keep
 *   progress.c   the progress line (in place on a terminal, else plain
 *                lines) and the --stats summary (stderr)
 *   text.c, msg.c, rrtype.c, common.h, fifo.h  escaping of untrusted
 *                bytes; diagnostics; record type names; shared macros; an
 *                intrusive first-in first-out list
 *   resume.c     -o FILE, and --state: a run killed at any moment goes on
 *   zoneset.c    --zone: names judged by zone files, with no query
 *     zonefile.c    a master file read (libzscanner, zlib)
 *     zoneindex.c   its names' fingerprints, sorted and mapped
 *   cachefile.c  the cache directory; files replaced whole
 *   run.c        the run on the loop: each event to the output, the
 *                progress line and --state; its end: stdout drained, the
 *                summary, --state committed, the exit status (app.h: the
 *                app object main.c and run.c share)
 * main() only sets them up and wires them together; run.c runs them and
 * turns the outcome into an exit status. */
#include "app.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "blogdom/cli.h"
#include "blogdom/common.h"
#include "blogdom/confirm.h"
#include "blogdom/delegated.h"
#include "blogdom/engine.h"
#include "blogdom/format.h"
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
#include "blogdom/whois.h"
#include "blogdom/zoneset.h"

#define REORDER_PER_WINDOW 8

/* The budget of names of a stage that asks DNS (--for-sale, a delegated
 * name's records), in window floors. */
#define ASKING_STAGE_FLOORS 4

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
  oc.format = app->cfg.format;
  oc.input_order = app->cfg.input_order;
  oc.only = app->cfg.only;
  oc.reorder_cap = (size_t)window * REORDER_PER_WINDOW;
  oc.loop = &app->loop;
  app_output_hooks(app, &oc);
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

/* WHOIS for the TLDs without RDAP. Server names are resolved through the
 * run's own resolvers; with --authoritative, which has none, through the
 * system's, as libcurl does for RDAP's servers. */
static int open_whois(struct app *app) {
  struct bd_whois_config wc;
  struct bd_server_list system;
  int rc;

  if (!app->cfg.confirm)
    return 0;
  memset(&wc, 0, sizeof(wc));
  memset(&system, 0, sizeof(system));
  wc.servers_file = app->cfg.whois_servers;
  wc.forced_host = app->cfg.whois_host;
  wc.rate = app->cfg.whois_rate;
  wc.timeout_ms = app->cfg.whois_timeout_ms;
  wc.resolvers = app->cfg.servers.items;
  wc.nresolvers = app->cfg.servers.count;
  if (app->cfg.authoritative && wc.forced_host == NULL &&
      bd_server_list_add_system(&system) == 0) {
    wc.resolvers = system.items;
    wc.nresolvers = system.count;
  }
  rc = bd_whois_new(&app->whois, &app->loop, &wc);
  bd_server_list_free(&system);
  return rc;
}

/* A stage that asks DNS queries of its own (--for-sale, a delegated
 * name's records): they wait in the engine's queues before going out, so
 * a few windows' floors of names keep the servers busy without holding
 * many names. */
static unsigned stage_budget(unsigned window_max, unsigned window_floor) {
  unsigned budget = window_max < ASKING_STAGE_FLOORS * window_floor
                        ? window_max
                        : ASKING_STAGE_FLOORS * window_floor;
  return budget > 0 ? budget : 1;
}

/* The stages the options ask for, in the order a verdict goes through
 * them. Each has its own budget of names, apart from the DNS window: the
 * registry's, as many as the window may hold; the ones that ask DNS, a
 * stage_budget. A delegated name's records are asked only for a format
 * that shows them. */
static void build_stages(struct app *app, unsigned window_max,
                         unsigned window_floor) {
  if (app->rdap != NULL) {
    app->confirm.rdap = app->rdap;
    app->confirm.keep_facts = bd_format_shows_facts(app->cfg.format);
    app->confirm.whois = app->whois;
    bd_confirm_stage_init(&app->stages[app->nstages++], &app->confirm,
                          window_max);
  }
  app->wants_delegated = app->cfg.authoritative && app->cfg.qtype_given &&
                         bd_format_shows_facts(app->cfg.format);
  if (app->wants_delegated) {
    app->delegated.qtype = app->cfg.qtype;
    bd_delegated_stage_init(&app->stages[app->nstages++], &app->delegated,
                            stage_budget(window_max, window_floor));
  }
  if (app->cfg.for_sale) {
    app->forsale.keep_facts = bd_format_shows_facts(app->cfg.format);
    bd_forsale_stage_init(&app->stages[app->nstages++], &app->forsale,
                          stage_budget(window_max, window_floor));
  }
}

static int open_engine(struct app *app, unsigned window) {
  struct bd_engine_config ec;
  struct bd_engine_hooks hooks = app_engine_hooks(app);
  struct bd_iterate_config map;
  struct bd_resolvers_config resolvers;

  memset(&ec, 0, sizeof(ec));
  memset(&map, 0, sizeof(map));
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
   * it, the window follows the path's bandwidth x delay up to a cap that
   * bounds the memory of what is in flight. */
  ec.window_max = app->cfg.concurrency ? window : BD_DEFAULT_WINDOW_MAX;
  ec.window_floor = window;
  ec.window_init = app->cfg.concurrency ? window : BD_DEFAULT_WINDOW_INIT;
  ec.rate = app->cfg.rate;
  ec.wildcard_check = !app->cfg.no_wildcard_check;
  ec.keep_facts = bd_format_shows_facts(app->cfg.format);
  ec.zones = app->zones;
  build_stages(app, ec.window_max, ec.window_floor);
  map.keep_delegations = app->cfg.for_sale || app->wants_delegated;
  ec.stages = app->stages;
  ec.nstages = app->nstages;
  return bd_engine_new(&app->engine, &app->loop, &ec, app->src, &hooks);
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
  if (app_tell_input_failures(app) || open_zones(app) != 0)
    return EXIT_USAGE;
  switch (open_lines(app)) {
  case BD_RESUME_FRESH:
  case BD_RESUME_CONTINUE:
    break;
  case BD_RESUME_COMPLETE:
    return app_check_finished(app);
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
  if (open_rdap(app) != 0 || open_whois(app) != 0 ||
      open_engine(app, window) != 0) {
    if (app->rdap != NULL)
      bd_rdap_close(app->rdap);
    bd_whois_close(app->whois);
    bd_output_close(app->out);
    uv_run(&app->loop, UV_RUN_DEFAULT);
    uv_loop_close(&app->loop);
    return EXIT_USAGE;
  }
  return app_run_loop(app);
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
   * signal: finish_output() and exit_status() (run.c) end the run
   * quietly. */
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
  bd_whois_free(app.whois);
  bd_zoneset_free(app.zones);
  bd_resume_close(app.resume);
  bd_output_free(app.out);
  bd_source_close(app.src);
  bd_config_free(&app.cfg);
  return status;
}
