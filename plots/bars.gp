# Clustered bars: one group per row (its first field is the x label), one bar per column.
# Run as plots/lines.gp's header describes (data, PNG and SVG as /dev/fd/3, 4, 5; ARG1..ARG4 =
# title, x label, y label, note; never evaluated). Data: CSV, header "x,<series>,<series>...".
# Variables (-e): logy (1 = log scale).
if (!exists("datafile")) datafile = "/dev/fd/3"
if (!exists("pngfile")) pngfile = "/dev/fd/4"
if (!exists("svgfile")) svgfile = "/dev/fd/5"
if (!exists("logy")) logy = 0
title = ARGC >= 1 ? ARG1 : ""
xlabel = ARGC >= 2 ? ARG2 : ""
ylabel = ARGC >= 3 ? ARG3 : ""
note = ARGC >= 4 ? ARG4 : ""
if (strlen(note) > 0) { set label 99 note at graph 0.5, 0.55 center front tc rgb "#b00000" font ",13" }
set terminal pngcairo size 900,540 noenhanced font "sans,11"
set output pngfile
set datafile separator ","
stats datafile using 2 nooutput
ncols = STATS_columns
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
if (logy) { set logscale y; set yrange [0.8:*] } else { set yrange [0:*] }
set grid ytics
set key top right
set title title
set xlabel xlabel
set ylabel ylabel
plot for [c=2:ncols] datafile using (column(c) > 0 || !logy ? column(c) : 1/0):xtic(1) title columnhead(c)
set terminal svg size 900,540 dynamic noenhanced font "sans,12"
set output svgfile
replot
