// Symbol visibility and ABI versioning of libphi.
//
// libphi.so is built with -fvisibility=hidden: only declarations marked
// PHI_API are part of its ABI. Every public name lives in the inline
// namespace phi::v1 (`namespace phi { inline namespace v1 {`), which changes
// together with the SONAME when the ABI breaks, so a program built against
// another ABI fails to link instead of misbehaving. docs/embedding.md has the
// rules that keep the ABI stable between releases.
#pragma once

#if defined(PHI_BUILDING)
#define PHI_API __attribute__((visibility("default")))
#else
#define PHI_API
#endif

// Members of exported classes that only libphi itself calls.
#define PHI_LOCAL __attribute__((visibility("hidden")))

// The ABI generation: the inline namespace's name and libphi.so's SONAME.
#define PHI_ABI_VERSION 1
