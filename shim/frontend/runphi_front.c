/* runphi's front end: a small static program (musl, no C++ runtime) that
 * answers one question before anything heavy is loaded: is this call surely
 * runc's? If so it execs runc with the original argv; otherwise it execs the
 * C++ shim (runphi-shim, which links libphi) with the original argv. It
 * decides exactly as libphi's router would (docs/architecture.md, "The front
 * end") and never guesses: whatever it cannot parse or read completely goes
 * to the shim. tests/route_vectors holds the table both must agree on. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "json_scan.h"
#include "loop_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RUNPHI_SHIM_RELATIVE_PATH
#define RUNPHI_SHIM_RELATIVE_PATH "../libexec/runphi/runphi-shim"
#endif

/* libphi's limits and defaults (runtime_options.cpp, routing.cpp). */
#define DEFAULT_CONFIG_PATH "/etc/runphi/runphi.json"
#define DEFAULT_STATE_ROOT "/run/runPHI"
#define DEFAULT_RUNC_PATH "/usr/local/sbin/runc_vanilla"
#define RUNC_DEFAULT_ROOT "/run/runc"
#define MAX_CONFIG_BYTES (1u << 20)
/* A bundle's config.json is a few kilobytes; a bigger one goes to the shim. */
#define MAX_BUNDLE_CONFIG_BYTES (256u << 10)

extern char** environ;

/* ---- the call as parsed ---- */

enum flag_kind { BOOL_FLAG, VALUE_FLAG };

struct flag {
  const char* name;
  char short_name;
  enum flag_kind kind;
};

enum route_kind { EXISTING, CREATING, NO_ID };

struct verb {
  const char* name;
  enum route_kind kind;
  int flags_before_args_only; /* exec, ps: Go stops parsing flags at the first positional */
  int max_args;               /* positionals, the id included; -1: any */
  const struct flag* flags;
};

#define B(n, s) \
  { n, s, BOOL_FLAG }
#define V(n, s) \
  { n, s, VALUE_FLAG }
#define END \
  { NULL, 0, BOOL_FLAG }

/* The global flags runphi knows, minus those the shim must see (help,
 * version, runphi-config): those are not in the table, so they hand over. */
static const struct flag global_flags[] = {B("debug", 0),    V("log", 0),  V("log-format", 0),
                                           V("root", 0),     V("criu", 0), B("systemd-cgroup", 0),
                                           V("rootless", 0), END};

/* The verbs' flags, as in shim/oci_grammar.cpp. */
static const struct flag create_flags[] = {V("bundle", 'b'),
                                           V("console-socket", 0),
                                           V("pid-file", 0),
                                           B("no-pivot", 0),
                                           B("no-new-keyring", 0),
                                           V("preserve-fds", 0),
                                           END};
static const struct flag run_flags[] = {
    V("bundle", 'b'),     V("console-socket", 0), B("detach", 'd'),       B("keep", 0),         V("pid-file", 0),
    B("no-subreaper", 0), B("no-pivot", 0),       B("no-new-keyring", 0), V("preserve-fds", 0), END};
static const struct flag delete_flags[] = {B("force", 'f'), END};
static const struct flag kill_flags[] = {B("all", 'a'), END};
static const struct flag events_flags[] = {V("interval", 0), B("stats", 0), END};
static const struct flag ps_flags[] = {V("format", 'f'), END};
static const struct flag exec_flags[] = {V("console-socket", 0),
                                         V("cwd", 0),
                                         V("env", 'e'),
                                         B("tty", 't'),
                                         V("user", 'u'),
                                         V("additional-gids", 'g'),
                                         V("process", 'p'),
                                         B("detach", 'd'),
                                         V("pid-file", 0),
                                         V("process-label", 0),
                                         V("apparmor", 0),
                                         B("no-new-privs", 0),
                                         V("cap", 'c'),
                                         V("preserve-fds", 0),
                                         V("cgroup", 0),
                                         B("ignore-paused", 0),
                                         END};
static const struct flag update_flags[] = {V("resources", 'r'),
                                           V("blkio-weight", 0),
                                           V("cpu-period", 0),
                                           V("cpu-quota", 0),
                                           V("cpu-share", 0),
                                           V("cpu-rt-period", 0),
                                           V("cpu-rt-runtime", 0),
                                           V("cpuset-cpus", 0),
                                           V("cpuset-mems", 0),
                                           V("kernel-memory", 0),
                                           V("kernel-memory-tcp", 0),
                                           V("memory", 0),
                                           V("cpu-idle", 0),
                                           V("memory-reservation", 0),
                                           V("memory-swap", 0),
                                           V("pids-limit", 0),
                                           V("l3-cache-schema", 0),
                                           V("mem-bw-schema", 0),
                                           END};
static const struct flag spec_flags[] = {V("bundle", 'b'), B("rootless", 0), END};
static const struct flag no_flags[] = {END};

/* The verbs the front end may forward. Not here, so always the shim's: list
 * (merges runphi's containers), checkpoint, restore, help, guest-status. */
static const struct verb verbs[] = {{"create", CREATING, 0, 1, create_flags},
                                    {"run", CREATING, 0, 1, run_flags},
                                    {"start", EXISTING, 0, 1, no_flags},
                                    {"state", EXISTING, 0, 1, no_flags},
                                    {"kill", EXISTING, 0, 2, kill_flags},
                                    {"delete", EXISTING, 0, 1, delete_flags},
                                    {"pause", EXISTING, 0, 1, no_flags},
                                    {"resume", EXISTING, 0, 1, no_flags},
                                    {"events", EXISTING, 0, 1, events_flags},
                                    {"update", EXISTING, 0, 1, update_flags},
                                    {"ps", EXISTING, 1, -1, ps_flags},
                                    {"exec", EXISTING, 1, -1, exec_flags},
                                    {"spec", NO_ID, 0, 0, spec_flags},
                                    {"features", NO_ID, 0, 0, no_flags},
                                    {NULL, NO_ID, 0, 0, NULL}};

struct call {
  const char* root; /* --root, NULL when absent */
  const struct verb* verb;
  const char* id;
  const char* bundle; /* --bundle, NULL when absent */
};

/* ---- small helpers ---- */

static void say(const char* a, const char* b, const char* c) {
  fprintf(stderr, "runphi: %s%s%s\n", a, b ? b : "", c ? c : "");
}

/* Go's strconv.ParseBool; -1 when it is not a boolean. */
static int go_bool(const char* v) {
  static const char* yes[] = {"1", "t", "T", "TRUE", "true", "True"};
  static const char* no[] = {"0", "f", "F", "FALSE", "false", "False"};
  for (size_t i = 0; i < 6; ++i) {
    if (!strcmp(v, yes[i])) return 1;
    if (!strcmp(v, no[i])) return 0;
  }
  return -1;
}

/* Matches a dash token as shim/oci_grammar.cpp's matchFlag does: "--name",
 * "-name", "--name=v", "-n". *value is the inline value or NULL. Returns NULL
 * for an unknown flag (help included: the shim prints help). */
static const struct flag* match_flag(const struct flag* flags, const char* tok, const char** value, int* is_help) {
  const char* body = tok + (tok[1] == '-' ? 2 : 1);
  const char* eq = strchr(body, '=');
  size_t len = eq ? (size_t)(eq - body) : strlen(body);
  *value = eq ? eq + 1 : NULL;
  *is_help = (len == 4 && !strncmp(body, "help", 4)) || (len == 1 && body[0] == 'h');
  for (const struct flag* f = flags; f->name; ++f) {
    if ((strlen(f->name) == len && !strncmp(body, f->name, len)) || (len == 1 && body[0] == f->short_name)) return f;
  }
  return NULL;
}

/* Parses argv the way the shim does; 0 when anything is not plainly a
 * forwardable call (the shim then decides, and reports usage errors). */
static int parse_call(int argc, char** argv, struct call* c) {
  int i = 1;
  memset(c, 0, sizeof *c);
  for (; i < argc; ++i) {
    const char *tok = argv[i], *value;
    int is_help;
    if (!strcmp(tok, "--")) return 0;
    if (strlen(tok) < 2 || tok[0] != '-') break;
    const struct flag* f = match_flag(global_flags, tok, &value, &is_help);
    if (!f) return 0; /* unknown, --help, --version, --runphi-config */
    if (f->kind == BOOL_FLAG) {
      int b = go_bool(value ? value : "true");
      if (b < 0) return 0;
      if (!strcmp(f->name, "debug") && b) return 0; /* the shim logs the forwarding at debug */
      continue;
    }
    if (!value) {
      if (i + 1 >= argc) return 0;
      value = argv[++i];
    }
    if (!strcmp(f->name, "root")) c->root = value;
    if (!strcmp(f->name, "log-format") && strcmp(value, "text") && strcmp(value, "json")) return 0;
  }
  if (i >= argc) return 0;
  for (const struct verb* v = verbs; v->name; ++v) {
    if (!strcmp(argv[i], v->name)) c->verb = v;
  }
  if (!c->verb) return 0;

  int positionals = 0;
  for (++i; i < argc; ++i) {
    const char *tok = argv[i], *value;
    int is_help;
    if (!strcmp(tok, "--")) return 0;
    if (strlen(tok) < 2 || tok[0] != '-') {
      if (positionals++ == 0) c->id = tok;
      if (c->verb->flags_before_args_only) break; /* the rest is the command line */
      continue;
    }
    const struct flag* f = match_flag(c->verb->flags, tok, &value, &is_help);
    if (is_help && !f) return 0;
    if (!f && positionals > 0) {
      ++positionals; /* an unknown dash token after a positional is an argument (kill id -9) */
      continue;
    }
    if (!f) return 0;
    if (f->kind == BOOL_FLAG) {
      if (go_bool(value ? value : "true") < 0) return 0;
      continue;
    }
    if (!value) {
      if (i + 1 >= argc) return 0;
      value = argv[++i];
    }
    if (!strcmp(f->name, "bundle")) c->bundle = value;
  }
  if (c->verb->max_args >= 0 && positionals > c->verb->max_args) return 0;
  if (c->verb->kind != NO_ID && (!c->id || !*c->id)) return 0;
  return 1;
}

/* Ids the front end handles: runc's own rule ([A-Za-z0-9_+.-], not "." or
 * ".."), and no leading dot. Anything else is the shim's to judge. */
static int plain_id(const char* id) {
  if (!*id || id[0] == '.' || strlen(id) > 1024) return 0;
  for (const char* p = id; *p; ++p) {
    char ch = *p;
    int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
             ch == '-' || ch == '.' || ch == '+';
    if (!ok) return 0;
  }
  return 1;
}

/* libphi's escapePathComponent (runtime/state_store.cpp). */
static int escape_component(const char* text, char* out, size_t cap) {
  static const char hex[] = "0123456789ABCDEF";
  size_t n = 0;
  for (size_t i = 0; text[i]; ++i) {
    unsigned char ch = (unsigned char)text[i];
    int plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
                ch == '-' || (ch == '.' && i > 0);
    if (n + 4 > cap) return 0;
    if (plain) {
      out[n++] = (char)ch;
    } else {
      out[n++] = '%';
      out[n++] = hex[ch >> 4];
      out[n++] = hex[ch & 15];
    }
  }
  if (n == 0) {
    if (cap < 2) return 0;
    out[n++] = '%';
  }
  out[n] = '\0';
  return 1;
}

/* Reads a whole regular file of at most max bytes into a malloc'd buffer;
 * NULL when it is anything else. */
static char* read_small_file(const char* path, size_t max, size_t* size) {
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) return NULL;
  struct stat st;
  char* buf = NULL;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 0 || (size_t)st.st_size > max) goto out;
  buf = malloc((size_t)st.st_size + 1);
  if (!buf) goto out;
  size_t n = 0;
  for (;;) {
    ssize_t r = read(fd, buf + n, (size_t)st.st_size + 1 - n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      free(buf);
      buf = NULL;
      goto out;
    }
    if (r == 0) break;
    n += (size_t)r;
    if (n > (size_t)st.st_size) { /* grew while read */
      free(buf);
      buf = NULL;
      goto out;
    }
  }
  buf[n] = '\0';
  *size = n;
out:
  close(fd);
  return buf;
}

/* ---- runphi.json: state_root and runc_path ---- */

struct settings {
  char state_root[PATH_MAX];
  char runc_path[PATH_MAX];
  const char* config_path;
};

static int copy_string(char* out, size_t cap, const char* in) {
  size_t n = strlen(in);
  if (n + 1 > cap) return 0;
  memcpy(out, in, n + 1);
  return 1;
}

/* A string member decoded into out (cap bytes); 0 on anything else. */
static int string_member(struct json_scan* s, char* out, size_t cap) {
  int fits;
  json_scan_ws(s);
  return s->p < s->end && *s->p == '"' && json_scan_string(s, out, cap, &fits) && fits;
}

/* The "log" object: path, level, journald. Levels above info would make the
 * shim log the forwarding itself: then the shim must run. */
static int read_log_object(struct json_scan* s) {
  char key[32], value[PATH_MAX];
  int first = 1, done = 0, fits, seen = 0;
  if (!json_scan_object_begin(s)) return 0;
  while (json_scan_object_next(s, &first, key, sizeof key, &fits, &done)) {
    int bit;
    if (!fits) return 0;
    if (!strcmp(key, "path")) {
      bit = 1;
      if (!string_member(s, value, sizeof value)) return 0;
    } else if (!strcmp(key, "level")) {
      bit = 2;
      if (!string_member(s, value, sizeof value)) return 0;
      if (strcmp(value, "error") && strcmp(value, "warn") && strcmp(value, "info")) return 0;
    } else if (!strcmp(key, "journald")) {
      bit = 4;
      json_scan_ws(s);
      if (s->end - s->p >= 4 && !memcmp(s->p, "true", 4)) {
        s->p += 4;
      } else if (s->end - s->p >= 5 && !memcmp(s->p, "false", 5)) {
        s->p += 5;
      } else {
        return 0;
      }
    } else {
      return 0; /* libphi rejects unknown keys */
    }
    if (seen & bit) return 0; /* libphi rejects duplicates */
    seen |= bit;
  }
  return done;
}

/* libphi's RuntimeOptions::configPath and fromFile, for the two settings the
 * front end needs. 0 when the shim must read it (flag, unreadable, odd). */
static int read_settings(struct settings* out) {
  const char* env = getenv("RUNPHI_CONFIG");
  out->config_path = env && *env ? env : DEFAULT_CONFIG_PATH;
  strcpy(out->state_root, DEFAULT_STATE_ROOT);
  strcpy(out->runc_path, DEFAULT_RUNC_PATH);
  struct stat st;
  if (stat(out->config_path, &st) != 0) return errno == ENOENT; /* missing: the documented defaults */
  size_t size = 0;
  char* text = read_small_file(out->config_path, MAX_CONFIG_BYTES, &size);
  if (!text) return 0;
  static const char* strings[] = {"backend",    "platform_template", "state_root", "runc_path",
                                  "driver_dir", "monitor_path",      "cli_path",   NULL};
  struct json_scan s;
  char key[32], value[PATH_MAX];
  int first = 1, done = 0, fits, ok = 0, seen = 0;
  json_scan_init(&s, text, text + size);
  if (!json_scan_object_begin(&s)) goto out;
  while (json_scan_object_next(&s, &first, key, sizeof key, &fits, &done)) {
    int bit = -1;
    if (!fits) goto out;
    for (int k = 0; strings[k]; ++k) {
      if (!strcmp(key, strings[k])) bit = k;
    }
    if (bit >= 0) {
      if (!string_member(&s, value, sizeof value)) goto out;
      if (!strcmp(key, "state_root") && (value[0] != '/' || !copy_string(out->state_root, PATH_MAX, value))) goto out;
      if (!strcmp(key, "runc_path") && (!value[0] || !copy_string(out->runc_path, PATH_MAX, value))) goto out;
    } else if (!strcmp(key, "log")) {
      bit = 7;
      if (!read_log_object(&s)) goto out;
    } else {
      goto out;
    }
    if (seen & (1 << bit)) goto out;
    seen |= 1 << bit;
  }
  if (!done) goto out;
  json_scan_ws(&s);
  ok = s.p == s.end;
out:
  free(text);
  return ok;
}

/* ---- the route ---- */

enum decision { TO_RUNC, TO_SHIM };

/* An absolute path with nothing for filepath.Abs to clean: no "//", no "."
 * or ".." component, no trailing slash. libphi cleans any other --root as
 * runc does; the front end does not, it hands such calls over. */
static int is_clean_absolute(const char* p) {
  if (p[0] != '/') return 0;
  if (p[1] == '\0') return 1;
  for (const char* c = p; *c; ++c) {
    if (*c != '/') continue;
    const char* n = c + 1;
    if (*n == '\0' || *n == '/') return 0;
    if (n[0] == '.' && (n[1] == '\0' || n[1] == '/')) return 0;
    if (n[0] == '.' && n[1] == '.' && (n[2] == '\0' || n[2] == '/')) return 0;
  }
  return 1;
}

/* libphi's StateStore::holds, answered only when surely "no". */
static enum decision state_absent(const struct settings* cfg, const struct call* c) {
  char root_key[3 * PATH_MAX + 2], id_key[3 * 1024 + 2], path[PATH_MAX];
  /* An empty --root is runc's default, as libphi reads it. */
  const char* root = c->root && *c->root ? c->root : RUNC_DEFAULT_ROOT;
  if (!is_clean_absolute(root)) return TO_SHIM;
  if (!escape_component(root, root_key, sizeof root_key)) return TO_SHIM;
  if (!escape_component(c->id, id_key, sizeof id_key)) return TO_SHIM;
  size_t need = strlen(cfg->state_root) + strlen(root_key) + strlen(id_key) + 3;
  if (need > sizeof path) return TO_SHIM;
  strcpy(path, cfg->state_root);
  strcat(path, "/");
  strcat(path, root_key);
  strcat(path, "/");
  strcat(path, id_key);
  struct stat st;
  if (stat(path, &st) == 0 || errno != ENOENT) return TO_SHIM;
  return TO_RUNC;
}

struct open_how_compat {
  unsigned long long flags, mode, resolve;
};
#define RESOLVE_NO_MAGICLINKS_COMPAT 0x02
#define RESOLVE_IN_ROOT_COMPAT 0x10
#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/* libphi's regularFileInRootfs(rootfs, "boot/config.json"): TO_RUNC only
 * when the rootfs surely has no such regular file. */
static enum decision no_zic_config(const char* rootfs) {
  int root = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) return errno == ENOENT ? TO_RUNC : TO_SHIM;
  struct open_how_compat how = {O_PATH | O_CLOEXEC, 0, RESOLVE_IN_ROOT_COMPAT | RESOLVE_NO_MAGICLINKS_COMPAT};
  long fd;
  do {
    fd = syscall(SYS_openat2, root, "boot/config.json", &how, sizeof how);
  } while (fd < 0 && errno == EAGAIN);
  int err = errno;
  close(root);
  if (fd < 0) return err == ENOENT || err == ENOTDIR || err == ELOOP ? TO_RUNC : TO_SHIM; /* ENOSYS: the shim walks */
  struct stat st;
  enum decision d = fstat((int)fd, &st) == 0 && !S_ISREG(st.st_mode) ? TO_RUNC : TO_SHIM;
  close((int)fd);
  return d;
}

/* libphi's decideCreate: TO_RUNC for an annotation asking for runc, no
 * root.path, or a rootfs without boot/config.json. */
static enum decision bundle_is_runc(const char* bundle_flag) {
  const char* bundle = bundle_flag && *bundle_flag ? bundle_flag : ".";
  char path[PATH_MAX], rootfs[PATH_MAX], key[64], value[16];
  if (strlen(bundle) + sizeof "/config.json" > sizeof path) return TO_SHIM;
  strcpy(path, bundle);
  strcat(path, "/config.json");
  size_t size = 0;
  char* text = read_small_file(path, MAX_BUNDLE_CONFIG_BYTES, &size);
  if (!text) return TO_SHIM;
  enum decision d = TO_SHIM;
  /* Validate the whole document first: libphi refuses a malformed one. */
  if (!json_scan_document(text, text + size)) goto out;

  /* Duplicate keys: the last wins, as libphi reads bundles. */
  struct json_span annotations = {NULL, NULL}, root = {NULL, NULL};
  struct json_scan s;
  int first = 1, done = 0, fits;
  json_scan_init(&s, text, text + size);
  if (!json_scan_object_begin(&s)) goto out; /* top level not an object */
  while (json_scan_object_next(&s, &first, key, sizeof key, &fits, &done)) {
    json_scan_ws(&s);
    const char* begin = s.p;
    if (!json_scan_value(&s)) goto out;
    if (fits && !strcmp(key, "annotations")) annotations = (struct json_span){begin, s.p};
    if (fits && !strcmp(key, "root")) root = (struct json_span){begin, s.p};
  }
  if (!done) goto out;

  if (annotations.begin && *annotations.begin == '{') {
    struct json_span wanted = {NULL, NULL};
    first = 1;
    json_scan_init(&s, annotations.begin, annotations.end);
    json_scan_object_begin(&s);
    while (json_scan_object_next(&s, &first, key, sizeof key, &fits, &done)) {
      json_scan_ws(&s);
      const char* begin = s.p;
      if (!json_scan_value(&s)) goto out;
      if (fits && !strcmp(key, "org.runphi.runtime")) wanted = (struct json_span){begin, s.p};
    }
    if (wanted.begin) {
      /* "runc" is surely runc; "runphi" is the shim's; any other value the
       * shim warns about. */
      json_scan_init(&s, wanted.begin, wanted.end);
      if (*wanted.begin == '"' && string_member(&s, value, sizeof value) && !strcmp(value, "runc")) d = TO_RUNC;
      goto out;
    }
  }

  if (!root.begin || *root.begin != '{') {
    d = TO_RUNC; /* no rootfs: runc gives its own error */
    goto out;
  }
  struct json_span path_span = {NULL, NULL};
  first = 1;
  json_scan_init(&s, root.begin, root.end);
  json_scan_object_begin(&s);
  while (json_scan_object_next(&s, &first, key, sizeof key, &fits, &done)) {
    json_scan_ws(&s);
    const char* begin = s.p;
    if (!json_scan_value(&s)) goto out;
    if (fits && !strcmp(key, "path")) path_span = (struct json_span){begin, s.p};
  }
  if (!path_span.begin || *path_span.begin != '"') {
    d = TO_RUNC;
    goto out;
  }
  json_scan_init(&s, path_span.begin, path_span.end);
  if (!string_member(&s, rootfs, sizeof rootfs)) goto out;
  if (!rootfs[0]) {
    d = TO_RUNC;
    goto out;
  }
  if (rootfs[0] != '/') {
    char joined[PATH_MAX];
    if (strlen(bundle) + 1 + strlen(rootfs) + 1 > sizeof joined) goto out;
    strcpy(joined, bundle);
    strcat(joined, "/");
    strcat(joined, rootfs);
    strcpy(rootfs, joined);
  }
  d = no_zic_config(rootfs);
out:
  free(text);
  return d;
}

static enum decision decide(const struct settings* cfg, const struct call* c) {
  if (c->verb->kind == NO_ID) return TO_RUNC; /* spec, features: libphi's "not a partitioned container" */
  if (!plain_id(c->id)) return TO_SHIM;
  if (state_absent(cfg, c) != TO_RUNC) return TO_SHIM;
  if (c->verb->kind == EXISTING) return TO_RUNC;
  return bundle_is_runc(c->bundle);
}

/* ---- where calls go ---- */

static int self_dir(char* out, size_t cap) {
  ssize_t n = readlink("/proc/self/exe", out, cap - 1);
  if (n <= 0) return 0;
  out[n] = '\0';
  char* slash = strrchr(out, '/');
  if (!slash) return 0;
  *slash = '\0';
  return 1;
}

/* The shim: beside the front end in the build tree, under libexec when
 * installed (the same relative path from sbin). */
static void exec_shim(char** argv) {
  char dir[PATH_MAX], path[PATH_MAX + 128], tried[2 * PATH_MAX + 256] = "";
  static const char* relative[] = {"runphi-shim", RUNPHI_SHIM_RELATIVE_PATH};
  if (!self_dir(dir, sizeof dir)) {
    say("cannot find runphi-shim: /proc/self/exe is not readable", NULL, NULL);
    _exit(1);
  }
  for (size_t i = 0; i < 2; ++i) {
    if (strlen(dir) + 1 + strlen(relative[i]) + 1 > sizeof path) continue;
    strcpy(path, dir);
    strcat(path, "/");
    strcat(path, relative[i]);
    execv(path, argv);
    if (strlen(tried) + strlen(path) + 3 < sizeof tried) {
      if (tried[0]) strcat(tried, ", ");
      strcat(tried, path);
    }
  }
  say("cannot execute runphi-shim (looked at ", tried, ")");
  _exit(1);
}

int main(int argc, char** argv) {
  (void)argc;
  if (runphi_loop_detected("runphi")) return 1;
  struct call call;
  struct settings cfg;
  const char* debug = getenv("RUNPHI_DEBUG_LEVEL");
  if (debug && *debug) exec_shim(argv); /* the shim logs at that level */
  if (!parse_call(argc, argv, &call) || !read_settings(&cfg) || decide(&cfg, &call) != TO_RUNC) exec_shim(argv);

  char runc[PATH_MAX];
  if (!runphi_locate_runc(cfg.runc_path, runc, sizeof runc)) exec_shim(argv); /* the shim says why */
  runphi_mark_forwarded(runc, "runphi");
  execv(runc, argv);
  runphi_unmark_forwarded();
  exec_shim(argv); /* the shim reports the failure in full */
  return 1;
}
