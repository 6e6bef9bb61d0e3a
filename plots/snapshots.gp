# The kernel's order-9 unusable index at each buddyinfo snapshot (the first series, a thick black
# line) with each configuration's model over it (the middle series, lines), and the snapshots
# where a configuration's zone had run out of memory (the last series, red crosses: no index
# there). One CSV whose columns come in (x, y) pairs, the y column's header being the title.
# Run as every script here is (plots/lines.gp's header; bench/output/plot.c): files as descriptors
# /dev/fd/3 (data), 4 (PNG), 5 (SVG); text as ARG1..ARG3 (title, x label, y label); -e only
# numbers: nseries (column pairs, >= 2), yscale (divide y by it), keypos. Never eval, macros,
# backquotes, system(), load or call on any of these values.
if (!exists("datafile")) datafile = "/dev/fd/3"
if (!exists("pngfile")) pngfile = "/dev/fd/4"
if (!exists("svgfile")) svgfile = "/dev/fd/5"
if (!exists("nseries")) nseries = 2
if (!exists("yscale")) yscale = 1.0
if (!exists("keypos")) keypos = 2
title = ARGC >= 1 ? ARG1 : ""
xlabel = ARGC >= 2 ? ARG2 : ""
ylabel = ARGC >= 3 ? ARG3 : ""
set terminal pngcairo size 900,540 noenhanced font "sans,11"
set output pngfile
set datafile separator ","
set datafile missing ""
if (keypos == 1) {
  set key opaque box top right
} else { if (keypos == 2) {
  set key opaque box bottom left
} else { if (keypos == 3) {
  set key opaque box bottom right
} else {
  set key opaque box top left
} } }
set grid
set title title
set xlabel xlabel
set ylabel ylabel
set yrange [0:*]
plot datafile using (column(1)):(column(2) / yscale) with linespoints lw 3 lc rgb "black" pt 7 ps 0.4 \
       title columnheader(2), \
     for [i=2:nseries-1] datafile using (column(2*i-1)):(column(2*i) / yscale) with lines lw 1.5 \
       dashtype i title columnheader(2*i), \
     datafile using (column(2*nseries-1)):(column(2*nseries) / yscale) with points pt 2 ps 1.5 \
       lc rgb "red" title columnheader(2*nseries)
set terminal svg size 900,540 dynamic noenhanced font "sans,12"
set output svgfile
replot
