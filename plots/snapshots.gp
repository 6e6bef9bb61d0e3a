# The kernel's order-9 unusable index at each buddyinfo snapshot (a thick black line) with each
# configuration's model over it; red crosses where a configuration's zone ran out of memory
# (exhaustion: no index there).
# Variables: datafile (columns t_s, kernel, one per configuration, then one "exhausted ..." per
# configuration, with a header row), outfile (without extension), ncfg; optional: title.
if (!exists("title")) title = ""
set terminal pngcairo size 900,540 noenhanced font "sans,11"
set output outfile . ".png"
set datafile separator ","
set datafile missing ""
set key autotitle columnhead
set key outside right top box opaque
set grid
set title title
set xlabel "seconds on the trace's clock"
set ylabel "unusable free space index, order 9"
set yrange [0:*]
plot datafile using 1:($2 / 1000.0) with linespoints lw 3 lc rgb "black" pt 7 ps 0.4 title "kernel", \
     for [i=1:ncfg] datafile using 1:(column(2 + i) / 1000.0) with lines lw 1.5 dashtype i title columnhead(2 + i), \
     for [i=1:ncfg] datafile using 1:(column(2 + ncfg + i) / 1000.0) with points pt 2 ps 1.5 lc rgb "red" \
         title (i == 1 && exh ? "model ran out of memory" : "")
set terminal svg size 900,540 dynamic noenhanced font "sans,12"
set output outfile . ".svg"
replot
