# Free blocks per order at the end of a replay, bars grouped by order, one bar per configuration.
# Variables: datafile (CSV, header "order,<config>,<config>...", a row per order), outfile, title.
if (!exists("title")) title = "free blocks per order at the end of the replay"
ext = outfile[strlen(outfile)-2:]
if (ext eq "svg") { set terminal svg size 900,540 dynamic noenhanced font "sans,12" } else { set terminal pngcairo size 900,540 noenhanced font "sans,11" }
set output outfile
set datafile separator ","
stats datafile using 1 nooutput
ncols = STATS_columns
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set logscale y
set yrange [0.8:*]
set grid ytics
set key top right
set title title
set xlabel "block order (a block is 2^order pages of 4 KiB)"
set ylabel "free blocks (log scale)"
plot for [c=2:ncols] datafile using (column(c) > 0 ? column(c) : 1/0):xtic(1) title columnhead(c)
