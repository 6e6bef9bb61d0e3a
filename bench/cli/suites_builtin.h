/* Built-in suites of `mmreplay suite NAME`: programs rather than suite files, one file each
 * (suite_NAME.c), listed in cmd_suite.c. */
#ifndef SUITES_BUILTIN_H
#define SUITES_BUILTIN_H

int suite_test_vmalloc(int argc, char **argv);

#endif
