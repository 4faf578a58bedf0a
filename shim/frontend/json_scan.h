/* A strict, allocation-free JSON scanner for the front end. It accepts a
 * subset of what libphi's jsoncpp reader (strict mode) accepts: anything
 * outside that subset -- raw bytes >= 0x80, control characters, surrogate
 * escapes, \u0000, numbers that could overflow a double, nesting deeper than
 * JSON_SCAN_MAX_DEPTH -- is a failure, and the front end then hands the call
 * to the C++ shim, which decides. */
#ifndef RUNPHI_FRONTEND_JSON_SCAN_H
#define RUNPHI_FRONTEND_JSON_SCAN_H

#include <stddef.h>

#define JSON_SCAN_MAX_DEPTH 64

struct json_scan {
  const char* p;
  const char* end;
  int depth;
  int failed; /* sticky: once set, every call returns 0 */
};

/* A value's text: [begin, end). */
struct json_span {
  const char* begin;
  const char* end;
};

void json_scan_init(struct json_scan* s, const char* begin, const char* end);
void json_scan_ws(struct json_scan* s);
/* Validates one value of any type and moves past it; 0 on failure. */
int json_scan_value(struct json_scan* s);
/* Decodes a string at s->p into out (NUL-terminated, at most cap-1 bytes).
 * *fits is 0 when it was longer; the string is still validated and skipped. */
int json_scan_string(struct json_scan* s, char* out, size_t cap, int* fits);
/* Iterates an object's members: call json_scan_object_begin, set first = 1,
 * then json_scan_object_next until it returns 0; on each member it decodes the key
 * into key/cap and leaves s->p at the member's value, which the caller must
 * consume (json_scan_value). *done is set at the closing brace. */
int json_scan_object_begin(struct json_scan* s);
int json_scan_object_next(struct json_scan* s, int* first, char* key, size_t cap, int* key_fits, int* done);
/* True when the whole text is one valid JSON value and nothing but white
 * space follows it. */
int json_scan_document(const char* begin, const char* end);

#endif
