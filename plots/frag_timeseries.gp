# Fragmentation over a replay, one line per configuration.
# Variables: datafile (unused: see files), outfile, files (space-separated CSVs),
# titles (space-separated, same order), col (column number), ylabel, title.
if (!exists("col")) col = 4
if (!exists("ylabel")) ylabel = "unusable free space index, order 9"
if (!exists("title")) title = "fragmentation over the replay"
ext = outfile[strlen(outfile)-2:]
if (ext eq "svg") { set terminal svg size 900,540 dynamic noenhanced font "sans,12" } else { set terminal pngcairo size 900,540 noenhanced font "sans,11" }
set output outfile
set datafile separator ","
set key top left opaque box
set grid
set title title
set xlabel "events replayed"
set ylabel ylabel
set yrange [0:1.05]
plot for [i=1:words(files)] word(files, i) skip 1 using 1:(column(col)/1000.0) with lines lw (words(files) - i + 1) * 1.5 + 0.5 dashtype i title word(titles, i)
