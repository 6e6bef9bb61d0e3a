# Clustered bars: one group per row (its first field is the x label), one bar per column.
# Variables: datafile (CSV, header "x,<series>,<series>..."), outfile (without extension:
# writes outfile.png and outfile.svg);
# optional: xlabel, ylabel, title, logy (1 = log scale).
if (!exists("xlabel")) xlabel = ""
if (!exists("ylabel")) ylabel = ""
if (!exists("title")) title = ""
if (!exists("logy")) logy = 0
set terminal pngcairo size 900,540 noenhanced font "sans,11"
set output outfile . ".png"
set datafile separator ","
stats datafile using 1 nooutput
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
set output outfile . ".svg"
replot
