# Host time per event per configuration: median bars with min-max whiskers.
# Run as plots/lines.gp's header describes (data, PNG and SVG as /dev/fd/3, 4, 5; ARG1..ARG4 =
# title, x label, y label, note; never evaluated). Data: CSV, header "config,median,min,max".
if (!exists("datafile")) datafile = "/dev/fd/3"
if (!exists("pngfile")) pngfile = "/dev/fd/4"
if (!exists("svgfile")) svgfile = "/dev/fd/5"
title = ARGC >= 1 && strlen(ARG1) > 0 ? ARG1 : "host time per event"
ylabel = ARGC >= 3 && strlen(ARG3) > 0 ? ARG3 : "host ns per event (median of repeats, min-max)"
note = ARGC >= 4 ? ARG4 : ""
if (strlen(note) > 0) { set label 99 note at graph 0.5, 0.55 center front tc rgb "#b00000" font ",13" }
set terminal pngcairo size 1000,600 noenhanced font "sans,10"
set output pngfile
set datafile separator ","
set style fill solid 0.7 border -1
set boxwidth 0.7
set grid ytics
set yrange [0:*]
set xtics rotate by -45 left font ",8"
set bmargin 10
set rmargin 12
set title title
set ylabel ylabel
plot datafile skip 1 using 0:2:xtic(1) with boxes lc rgb "#4a7ab5" notitle, \
     datafile skip 1 using 0:2:3:4 with yerrorbars lc rgb "black" pt 0 ps 0 notitle
set terminal svg size 1000,600 dynamic noenhanced font "sans,11"
set output svgfile
replot
