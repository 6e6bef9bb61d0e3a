# Lines from several CSV files (one per configuration) against a common x column.
# Variables: outfile (path without extension: writes outfile.png and outfile.svg); files, titles (space-separated, same order); xcol, ycol (column numbers);
# optional: yscale (divide y by it), xlabel, ylabel, title, logx, logy (1 = log scale), key.
if (!exists("yscale")) yscale = 1.0
if (!exists("xlabel")) xlabel = "events replayed"
if (!exists("ylabel")) ylabel = ""
if (!exists("title")) title = ""
if (!exists("logx")) logx = 0
if (!exists("logy")) logy = 0
if (!exists("key")) key = "top left"
if (!exists("style")) style = "lines"
set terminal pngcairo size 900,540 noenhanced font "sans,11"
set output outfile . ".png"
set datafile separator ","
eval("set key opaque box " . key)
set grid
set title title
set xlabel xlabel
set ylabel ylabel
if (logx) { set logscale x }
if (logy) { set logscale y }
# non-positive values have no place on a log axis: leave them out
okx(v) = (!logx || v > 0) ? v : 1/0
oky(v) = (!logy || v > 0) ? v : 1/0
if (style eq "points") {
  plot for [i=1:words(files)] word(files, i) skip 1 using (okx(column(xcol))):(oky(column(ycol) / yscale)) \
       with points pt (i + 4) ps 0.6 title word(titles, i)
} else {
  plot for [i=1:words(files)] word(files, i) skip 1 using (okx(column(xcol))):(oky(column(ycol) / yscale)) \
       with lines lw (words(files) - i + 1) * 1.5 + 0.5 dashtype i title word(titles, i)
}
set terminal svg size 900,540 dynamic noenhanced font "sans,12"
set output outfile . ".svg"
replot
