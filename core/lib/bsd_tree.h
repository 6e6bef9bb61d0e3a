/* libbsd's <sys/tree.h> (RB_* red-black trees) for core/. Its RB_GENERATE_STATIC marks the
 * generated functions __unused, which libbsd's overlay cdefs.h leaves undefined (Debian #522773),
 * so define it here before including the tree. */
#ifndef BSD_TREE_H
#define BSD_TREE_H

#ifndef __unused
#define __unused __attribute__((__unused__))
#endif
#include <sys/tree.h>

#endif
