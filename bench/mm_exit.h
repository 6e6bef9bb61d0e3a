/* mmreplay's exit codes, shared by every room of bench/ (a command returns one; the run
 * engine's suite steps do too). */
#ifndef MM_EXIT_H
#define MM_EXIT_H

#define MM_EXIT_OK 0
#define MM_EXIT_FAIL 1	/* the run failed: bad input, I/O error */
#define MM_EXIT_USAGE 2 /* bad command line */

#endif
