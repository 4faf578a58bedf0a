/* Test stand-in for runPHI's include directory (see README.md). */
#include <jailhouse/cell-config.h>
