/* Test stand-in for runPHI's include directory (see README.md). */
#include <jailhouse/types.h>
