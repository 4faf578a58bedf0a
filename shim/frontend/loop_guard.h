/* The loop guard the front end (C) and the shim (C++) share: a forwarded call
 * must never reach runphi again, whatever PATH or runc_path say (two copies
 * installed as runc, a wrapper script, a symlink chain).
 *
 * Before it execs (or spawns) runc, runphi sets RUNPHI_FORWARDED to
 * "<pid>:<who>:<runc path>". A runphi that starts with that marker naming its
 * own pid (an exec chain: copies, symlinks, `exec` wrappers) or its parent's
 * (a wrapper that forks, or the runc that `runphi list` spawns) was reached by
 * its own forwarded call: it stops with an error instead of forwarding again.
 * Also, runc is never looked up as this program's own file. */
#ifndef RUNPHI_LOOP_GUARD_H
#define RUNPHI_LOOP_GUARD_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RUNPHI_FORWARDED_ENV "RUNPHI_FORWARDED"

#ifdef __cplusplus
extern "C" {
#endif

/* 1 (after printing why) when this process was reached by a call runphi
 * itself forwarded to "runc". */
static inline int runphi_loop_detected(const char* who) {
  const char* mark = getenv(RUNPHI_FORWARDED_ENV);
  if (!mark || !*mark) return 0;
  char* end = NULL;
  long pid = strtol(mark, &end, 10);
  if (end == mark || *end != ':') return 0;
  if (pid != (long)getpid() && pid != (long)getppid()) return 0; /* an unrelated descendant, e.g. a hook */
  const char* runc = strchr(end + 1, ':');
  runc = runc ? runc + 1 : "?";
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  self[n > 0 ? n : 0] = '\0';
  fprintf(stderr,
          "%s: forwarding loop: this call was forwarded to %s as the real runc, but that leads to runphi again (%s; a "
          "copy, wrapper or symlink of runphi named runc?). Set runc_path in the runphi configuration to the real "
          "runc binary, or put the real runc first on PATH.\n",
          who, runc, n > 0 ? self : "this program");
  return 1;
}

/* Sets the marker before exec'ing or spawning `runc`; 0 when it could not. */
static inline int runphi_mark_forwarded(const char* runc, const char* who) {
  char value[4200];
  int n = snprintf(value, sizeof value, "%ld:%s:%s", (long)getpid(), who, runc);
  if (n < 0 || (size_t)n >= sizeof value) {
    n = snprintf(value, sizeof value, "%ld:%s:?", (long)getpid(), who);
    if (n < 0) return 0;
  }
  return setenv(RUNPHI_FORWARDED_ENV, value, 1) == 0;
}

static inline void runphi_unmark_forwarded(void) {
  unsetenv(RUNPHI_FORWARDED_ENV);
}

/* An executable regular file that is not this program itself. */
static inline int runphi_usable_runc(const char* path) {
  struct stat st, self;
  if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || access(path, X_OK) != 0) return 0;
  if (stat("/proc/self/exe", &self) == 0 && st.st_dev == self.st_dev && st.st_ino == self.st_ino) return 0;
  return 1;
}

/* runc_path if it names an executable file, else the first `runc` (or the
 * runc_path name without a slash) on PATH; never this program. 0 when there
 * is none. */
static inline int runphi_locate_runc(const char* configured, char* out, size_t cap) {
  int has_slash = configured && strchr(configured, '/') != NULL;
  if (has_slash && runphi_usable_runc(configured)) {
    if (strlen(configured) + 1 > cap) return 0;
    memcpy(out, configured, strlen(configured) + 1);
    return 1;
  }
  const char* name = configured && *configured && !has_slash ? configured : "runc";
  const char* path = getenv("PATH");
  if (!path) path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  while (*path) {
    const char* colon = strchr(path, ':');
    size_t len = colon ? (size_t)(colon - path) : strlen(path);
    if (len > 0 && len + 1 + strlen(name) + 1 <= cap) {
      memcpy(out, path, len);
      out[len] = '/';
      memcpy(out + len + 1, name, strlen(name) + 1);
      if (runphi_usable_runc(out)) return 1;
    }
    if (!colon) break;
    path = colon + 1;
  }
  return 0;
}

#ifdef __cplusplus
}
#endif

#endif
