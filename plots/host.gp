# Host time per event per configuration: median bars with min-max whiskers, one row per
# configuration (horizontal, so every label reads at full size however many there are).
# Run as plots/lines.gp's header describes (data, PNG and SVG as /dev/fd/3, 4, 5; ARG1..ARG4 =
# title, x label, y label, note; never evaluated). Data: CSV, header "config,median,min,max";
# -e nseries (the configurations) sizes the picture.
if (!exists("datafile")) datafile = "/dev/fd/3"
if (!exists("pngfile")) pngfile = "/dev/fd/4"
if (!exists("svgfile")) svgfile = "/dev/fd/5"
if (!exists("nrows")) nrows = exists("nseries") ? nseries : 30
title = ARGC >= 1 && strlen(ARG1) > 0 ? ARG1 : "host time per event"
xlabel = ARGC >= 3 && strlen(ARG3) > 0 ? ARG3 : "host ns per event (median of repeats, min-max)"
note = ARGC >= 4 ? ARG4 : ""
if (strlen(note) > 0) { set label 99 note at graph 0.5, 0.55 center front tc rgb "#b00000" font ",13" }
height = 140 + 22 * (nrows > 1 ? nrows : 1)
set terminal pngcairo size 1000,height noenhanced font "sans,11"
set output pngfile
set datafile separator ","
set style fill solid 0.7 border -1
set grid xtics
set xrange [0:*]
set yrange [nrows - 0.4:-0.6]  # the summary's first configuration on top
set ytics nomirror font ",10"
set offsets 0, 0, 0, 0
set title title
set xlabel xlabel
plot datafile skip 1 using 2:0:(0):2:($0 - 0.35):($0 + 0.35):ytic(1) with boxxyerror lc rgb "#4a7ab5" notitle, \
     datafile skip 1 using 2:0:3:4 with xerrorbars lc rgb "black" pt 0 ps 0 notitle
set terminal svg size 1000,height dynamic noenhanced font "sans,12"
set output svgfile
replot
