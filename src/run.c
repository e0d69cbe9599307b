/* The run on the loop, from the engine's start to the exit status: what
 * each event does (a name's result goes to the progress counts and the
 * output, a batch's end flushes stdout, a drained stdout lets the engine
 * take names again, a signal cuts the run short, the timers redraw the
 * progress line and commit --state), and how the run ends (what stdout
 * still owes, the summary, --state's last commit, the exit status). It is
 * apart from main.c, which sets the modules up and wires them together,
 * so that each of the two reads as one job. */
#include "app.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/msg.h"
#include "blogdom/resume.h"
#include "blogdom/source.h"
#include "blogdom/text.h"

#define PROGRESS_LINE_INTERVAL_MS 1000 /* plain lines in a log or a pipe */
/* --state: the most a killed run asks again is what one interval took. */
#define COMMIT_INTERVAL_MS 1000

/* Says each input file that failed since the last call, once, and
 * remembers for the exit status that one did. Returns whether one had. */
bool app_tell_input_failures(struct app *app) {
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
  app_tell_input_failures(app);
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

/* The hooks main.c hands to the engine: each result, room for a name, a
 * batch's end; with --state, each name taken. */
struct bd_engine_hooks app_engine_hooks(struct app *app) {
  struct bd_engine_hooks hooks = {app, on_result, has_room, on_batch,
                                  app->cfg.state != NULL ? on_resume : NULL};
  return hooks;
}

/* The hooks main.c hands to the output: stdout drained or failed; with
 * --state, a line that took its place. */
void app_output_hooks(struct app *app, struct bd_output_config *oc) {
  oc->on_wake = on_output_wake;
  if (app->cfg.state != NULL)
    oc->on_settled = on_settled;
  oc->data = app;
}

static int exit_status(const struct app *app);

/* --state of a run that had ended: nothing to ask, the output left as
 * it is, once the input is checked to be the state's, name by name. */
int app_check_finished(struct app *app) {
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
  if (app_tell_input_failures(app))
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
  app_tell_input_failures(app);
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
    struct bd_summary_stages stages = {
        .for_sale = app->cfg.for_sale ? &app->forsale : NULL,
        .delegated = app->wants_delegated ? &app->delegated : NULL};
    bd_progress_summary(line, sizeof(line), &app->progress.counts, &st, &stages,
                        elapsed, app->signum, bd_output_dropped(app->out));
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

/* From the engine's start to the exit status: the loop runs until every
 * name has its line (or the run is stopped), then the run ends. */
int app_run_loop(struct app *app) {
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
