#include "json_scan.h"

#include <string.h>

static int fail(struct json_scan* s) {
  s->failed = 1;
  return 0;
}

void json_scan_init(struct json_scan* s, const char* begin, const char* end) {
  s->p = begin;
  s->end = end;
  s->depth = 0;
  s->failed = 0;
}

void json_scan_ws(struct json_scan* s) {
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r')) ++s->p;
}

static int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static void put(char* out, size_t cap, size_t* n, int* fits, char c) {
  if (out && *n + 1 < cap) {
    out[(*n)++] = c;
  } else {
    *fits = 0;
  }
}

int json_scan_string(struct json_scan* s, char* out, size_t cap, int* fits) {
  size_t n = 0;
  int local_fits = 1;
  if (!fits) fits = &local_fits;
  *fits = 1;
  if (s->failed || s->p >= s->end || *s->p != '"') return fail(s);
  ++s->p;
  for (;;) {
    if (s->p >= s->end) return fail(s);
    unsigned char c = (unsigned char)*s->p++;
    if (c == '"') break;
    if (c < 0x20 || c >= 0x80) return fail(s); /* control bytes, non-ASCII: the shim decides */
    if (c != '\\') {
      put(out, cap, &n, fits, (char)c);
      continue;
    }
    if (s->p >= s->end) return fail(s);
    char e = *s->p++;
    switch (e) {
      case '"': put(out, cap, &n, fits, '"'); break;
      case '\\': put(out, cap, &n, fits, '\\'); break;
      case '/': put(out, cap, &n, fits, '/'); break;
      case 'b': put(out, cap, &n, fits, '\b'); break;
      case 'f': put(out, cap, &n, fits, '\f'); break;
      case 'n': put(out, cap, &n, fits, '\n'); break;
      case 'r': put(out, cap, &n, fits, '\r'); break;
      case 't': put(out, cap, &n, fits, '\t'); break;
      case 'u': {
        unsigned cp = 0;
        if (s->end - s->p < 4) return fail(s);
        for (int i = 0; i < 4; ++i) {
          int d = hex_digit(s->p[i]);
          if (d < 0) return fail(s);
          cp = cp * 16 + (unsigned)d;
        }
        s->p += 4;
        /* NUL cannot be compared as a C string; surrogates are where JSON
         * readers disagree. Either: the shim decides. */
        if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) return fail(s);
        if (cp < 0x80) {
          put(out, cap, &n, fits, (char)cp);
        } else if (cp < 0x800) {
          put(out, cap, &n, fits, (char)(0xC0 | (cp >> 6)));
          put(out, cap, &n, fits, (char)(0x80 | (cp & 0x3F)));
        } else {
          put(out, cap, &n, fits, (char)(0xE0 | (cp >> 12)));
          put(out, cap, &n, fits, (char)(0x80 | ((cp >> 6) & 0x3F)));
          put(out, cap, &n, fits, (char)(0x80 | (cp & 0x3F)));
        }
        break;
      }
      default: return fail(s);
    }
  }
  if (out && cap) out[n < cap ? n : cap - 1] = '\0';
  return 1;
}

/* RFC 8259 numbers with at most 40 mantissa digits and a two-digit exponent:
 * nothing a double cannot hold. */
static int scan_number(struct json_scan* s) {
  int digits = 0;
  if (s->p < s->end && *s->p == '-') ++s->p;
  if (s->p >= s->end) return fail(s);
  if (*s->p == '0') {
    ++s->p;
    ++digits;
  } else if (*s->p >= '1' && *s->p <= '9') {
    while (s->p < s->end && *s->p >= '0' && *s->p <= '9') ++s->p, ++digits;
  } else {
    return fail(s);
  }
  if (s->p < s->end && *s->p == '.') {
    ++s->p;
    int frac = 0;
    while (s->p < s->end && *s->p >= '0' && *s->p <= '9') ++s->p, ++frac;
    if (frac == 0) return fail(s);
    digits += frac;
  }
  if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
    ++s->p;
    if (s->p < s->end && (*s->p == '+' || *s->p == '-')) ++s->p;
    int exp = 0;
    while (s->p < s->end && *s->p >= '0' && *s->p <= '9') ++s->p, ++exp;
    if (exp == 0 || exp > 2) return fail(s);
  }
  if (digits > 40) return fail(s);
  return 1;
}

static int scan_literal(struct json_scan* s, const char* word) {
  size_t n = strlen(word);
  if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0) return fail(s);
  s->p += n;
  return 1;
}

int json_scan_object_begin(struct json_scan* s) {
  json_scan_ws(s);
  if (s->failed || s->p >= s->end || *s->p != '{') return fail(s);
  if (++s->depth > JSON_SCAN_MAX_DEPTH) return fail(s);
  ++s->p;
  return 1;
}

int json_scan_object_next(struct json_scan* s, int* first, char* key, size_t cap, int* key_fits, int* done) {
  *done = 0;
  if (s->failed) return 0;
  json_scan_ws(s);
  if (s->p >= s->end) return fail(s);
  if (*s->p == '}' && *first) {
    ++s->p;
    --s->depth;
    *done = 1;
    return 0;
  }
  if (!*first) {
    /* After a member: ',' and the next, or the closing brace. */
    if (*s->p == '}') {
      ++s->p;
      --s->depth;
      *done = 1;
      return 0;
    }
    if (*s->p != ',') return fail(s);
    ++s->p;
    json_scan_ws(s);
  }
  *first = 0;
  if (!json_scan_string(s, key, cap, key_fits)) return 0;
  json_scan_ws(s);
  if (s->p >= s->end || *s->p != ':') return fail(s);
  ++s->p;
  json_scan_ws(s);
  return 1;
}

int json_scan_value(struct json_scan* s) {
  json_scan_ws(s);
  if (s->failed || s->p >= s->end) return fail(s);
  switch (*s->p) {
    case '"': return json_scan_string(s, NULL, 0, NULL);
    case '{': {
      int done = 0, first = 1;
      if (!json_scan_object_begin(s)) return 0;
      while (json_scan_object_next(s, &first, NULL, 0, NULL, &done)) {
        if (!json_scan_value(s)) return 0;
      }
      return done;
    }
    case '[': {
      if (++s->depth > JSON_SCAN_MAX_DEPTH) return fail(s);
      ++s->p;
      json_scan_ws(s);
      if (s->p < s->end && *s->p == ']') {
        ++s->p;
        --s->depth;
        return 1;
      }
      for (;;) {
        if (!json_scan_value(s)) return 0;
        json_scan_ws(s);
        if (s->p >= s->end) return fail(s);
        if (*s->p == ']') break;
        if (*s->p != ',') return fail(s);
        ++s->p;
      }
      ++s->p;
      --s->depth;
      return 1;
    }
    case 't': return scan_literal(s, "true");
    case 'f': return scan_literal(s, "false");
    case 'n': return scan_literal(s, "null");
    default: return scan_number(s);
  }
}

int json_scan_document(const char* begin, const char* end) {
  struct json_scan s;
  json_scan_init(&s, begin, end);
  if (!json_scan_value(&s)) return 0;
  json_scan_ws(&s);
  return s.p == s.end;
}
