/* runstat: runs a command and reports what it cost, for the bench scripts.
 *
 *   runstat REPORT COMMAND [ARG]...
 *
 * Forks, execs COMMAND, waits with wait4(2) and writes the child's own
 * figures to REPORT as "key value" lines: wall_ns (monotonic clock from fork
 * to reaping), utime_us, stime_us, maxrss_kb, and exit or signal. Exits 0
 * once REPORT is written, 1 if it is not, 127 if the fork fails.
 *
 * Why not measure from Python with os.wait4: a child's peak RSS starts at
 * its parent's when it is forked, and Linux carries it across exec, so a
 * command forked from a Python process reports at least Python's RSS
 * (tens of MiB, more than blogdom's own). Forked from this small process
 * it reports its own. GNU time does the same, but needs a package.
 * COMMAND gets SIGTERM if runstat dies (PR_SET_PDEATHSIG), so that a
 * benchmark that is killed leaves nothing running. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static long long micros(struct timeval tv) {
  return (long long)tv.tv_sec * 1000000 + tv.tv_usec;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fputs("usage: runstat REPORT COMMAND [ARG]...\n", stderr);
    return 2;
  }
  int64_t start = now_ns();
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    perror("runstat: fork");
    return 127;
  }
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent)
      _exit(127); /* runstat died before the line above */
    execvp(argv[2], argv + 2);
    fprintf(stderr, "runstat: %s: %s\n", argv[2], strerror(errno));
    _exit(127);
  }
  int status;
  struct rusage usage;
  while (wait4(pid, &status, 0, &usage) < 0) {
    if (errno != EINTR) {
      perror("runstat: wait4");
      return 1;
    }
  }
  int64_t wall = now_ns() - start;
  FILE *report = fopen(argv[1], "w");
  if (!report) {
    perror("runstat: report");
    return 1;
  }
  fprintf(report, "wall_ns %lld\nutime_us %lld\nstime_us %lld\nmaxrss_kb %ld\n",
          (long long)wall, micros(usage.ru_utime), micros(usage.ru_stime),
          usage.ru_maxrss);
  if (WIFEXITED(status))
    fprintf(report, "exit %d\n", WEXITSTATUS(status));
  else if (WIFSIGNALED(status))
    fprintf(report, "signal %d\n", WTERMSIG(status));
  return fclose(report) == 0 ? 0 : 1;
}
