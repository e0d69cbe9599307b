/* The app's own header, shared by main.c (its set-up and wiring) and run.c
 * (the run on the loop and its end) and by no one else: the app object,
 * the exit statuses, and the few functions main.c calls in run.c. */
#ifndef BLOGDOM_APP_H
#define BLOGDOM_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "blogdom/cli.h"
#include "blogdom/confirm.h"
#include "blogdom/engine.h"
#include "blogdom/forsale.h"
#include "blogdom/output.h"
#include "blogdom/progress.h"
#include "blogdom/stage.h"

#define EXIT_DEFINITIVE 0
#define EXIT_SOME_ERROR 1
#define EXIT_USAGE 2
#define PROGRESS_INTERVAL_MS 250 /* redrawn in place on a terminal */

struct bd_rdap;
struct bd_whois;
struct bd_resume;
struct bd_source;
struct bd_zoneset;

struct app {
  struct bd_config cfg;
  uv_loop_t loop;
  struct bd_source *src;
  struct bd_output *out;
  struct bd_engine *engine;
  struct bd_rdap *rdap;     /* with --confirm */
  struct bd_whois *whois;   /* with --confirm, unless WHOIS is off */
  struct bd_zoneset *zones; /* with --zone */
  /* The post-DNS stages a verdict goes through, in order, and their own
   * state: the registry's word, then the _for-sale records. */
  struct bd_stage stages[3];
  size_t nstages;
  struct bd_confirm_stage confirm;
  struct bd_forsale forsale;
  /* -A --type with a format that shows records: a delegated name's
   * records from its own servers. */
  bool wants_delegated;
  struct bd_delegated delegated;
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

/* run.c: the run on the loop, and its end. */
bool app_tell_input_failures(struct app *app);
/* The hooks main.c hands to the engine and to the output. */
struct bd_engine_hooks app_engine_hooks(struct app *app);
void app_output_hooks(struct app *app, struct bd_output_config *oc);
/* --state of a run that had ended; returns the exit status. */
int app_check_finished(struct app *app);
/* From the engine's start to the exit status. */
int app_run_loop(struct app *app);

#endif
