/* Sub-benchmarks of `mmreplay bench`, one file each (bench_NAME.c). */
#ifndef MICROBENCH_H
#define MICROBENCH_H

int bench_buddy(int argc, char **argv);
int bench_parse(int argc, char **argv);
int bench_vmlist(int argc, char **argv);
int bench_replay(int argc, char **argv);
int bench_gen(int argc, char **argv);
int bench_vma(int argc, char **argv);

#endif
