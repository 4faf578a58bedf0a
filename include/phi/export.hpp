// Symbol visibility for libphi. The library is built with -fvisibility=hidden;
// only declarations marked PHI_API are part of the ABI of libphi.so.
#pragma once

#if defined(PHI_BUILDING)
#define PHI_API __attribute__((visibility("default")))
#else
#define PHI_API
#endif
