#!/usr/bin/env bash
# Fork/exec: N (default 4000) /bin/true, then M (default 300) `sh -c 'seq|sort|head|wc'` pipelines.
n=${1:-4000} m=${2:-300}
for ((i = 0; i < n; i++)); do /bin/true; done
for ((i = 0; i < m; i++)); do sh -c "seq $((1000 + i * 7)) | sort -r | head -n 50 | wc -l" >/dev/null; done
