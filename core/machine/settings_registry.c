/* The settings registry the program uses: the machine's settings (settings.c's table). Kept in
 * its own file so that a test can link its own registry instead (tests/test_registry_extra.c). */
#include "core/machine/settings.h"

const struct setting *const settings = settings_table;
