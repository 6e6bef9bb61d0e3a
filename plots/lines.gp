# Lines (or points) of several series against their own x, from one CSV whose columns come in
# (x, y) pairs, the y column's header being the series' title.
#
# How mmreplay runs every script here (bench/output/plot.c), so that no name or data value is ever
# evaluated by gnuplot (issue 14; docs/hardening.md); keep it when changing or adding a script:
#   gnuplot -d -e "nseries=3; logx=0; ..." -c plots/lines.gp TITLE XLABEL YLABEL \
#       3<data.csv 4>out.png 5>out.svg
# - files arrive as descriptors (/dev/fd/3 data, /dev/fd/4 PNG, /dev/fd/5 SVG): no path reaches
#   gnuplot, which would run a file name starting with '<' or '|' as a command;
# - text arrives as ARG1..ARG4 (title, x label, y label, a note drawn across the graph: what is
#   empty or exhausted in it) and as the data's header and first
#   column (series titles, tick labels): plain string values, never parsed;
# - -e holds only numbers and fixed words formatted by plot.c;
# - never use eval, macros (@), backquotes, system(), load or call on any of these values.
#
# Variables (-e): nseries (column pairs), yscale (divide y by it), logx, logy (1 = log
# scale), points (1 = points instead of lines), keypos (0 top left, 1 top right, 2 bottom left,
# 3 bottom right); datafile, pngfile, svgfile default to the descriptors above.
if (!exists("datafile")) datafile = "/dev/fd/3"
if (!exists("pngfile")) pngfile = "/dev/fd/4"
if (!exists("svgfile")) svgfile = "/dev/fd/5"
if (!exists("nseries")) nseries = 1
if (!exists("yscale")) yscale = 1.0
if (!exists("logx")) logx = 0
if (!exists("logy")) logy = 0
if (!exists("points")) points = 0
if (!exists("keypos")) keypos = 0
title = ARGC >= 1 ? ARG1 : ""
xlabel = ARGC >= 2 && strlen(ARG2) > 0 ? ARG2 : "events replayed"
ylabel = ARGC >= 3 ? ARG3 : ""
note = ARGC >= 4 ? ARG4 : ""
if (strlen(note) > 0) { set label 99 note at graph 0.5, 0.55 center front tc rgb "#b00000" font ",13" }
set terminal pngcairo size 900,540 noenhanced font "sans,11"
set output pngfile
set datafile separator ","
# the key's text left-aligned after its sample, so no title is clipped at the box's edge
if (keypos == 1) {
  set key opaque box top right Left reverse width 1
} else { if (keypos == 2) {
  set key opaque box bottom left Left reverse width 1
} else { if (keypos == 3) {
  set key opaque box bottom right Left reverse width 1
} else {
  set key opaque box top left Left reverse width 1
} } }
# series told apart by colour and shape alike; open shapes stay visible where series overlap
array COLOR[8] = ["#1f5fbf", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
array SHAPE[8] = [6, 2, 4, 1, 8, 3, 10, 12]
color(i) = COLOR[(i - 1) % 8 + 1]
shape(i) = SHAPE[(i - 1) % 8 + 1]
set grid
set title title
set xlabel xlabel
set ylabel ylabel
if (logx) { set logscale x }
if (logy) { set logscale y }
# non-positive values have no place on a log axis: leave them out
okx(v) = (!logx || v > 0) ? v : 1/0
oky(v) = (!logy || v > 0) ? v : 1/0
if (points) {
  plot for [i=1:nseries] datafile using (okx(column(2*i-1))):(oky(column(2*i) / yscale)) \
       with points pt shape(i) ps (1.4 - 0.15 * (i - 1)) lw 1.2 lc rgb color(i) title columnheader(2*i)
} else {
  plot for [i=1:nseries] datafile using (okx(column(2*i-1))):(oky(column(2*i) / yscale)) \
       with lines lw (nseries - i + 1) * 1.5 + 0.5 dashtype i lc rgb color(i) title columnheader(2*i)
}
set terminal svg size 900,540 dynamic noenhanced font "sans,12"
set output svgfile
replot
