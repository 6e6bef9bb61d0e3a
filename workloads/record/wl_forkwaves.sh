#!/usr/bin/env bash
# Fork waves: WAVES (default 25) waves of N (default 300) concurrent `sleep 0.3`, each wave waited for.
waves=${1:-25} n=${2:-300}
for ((w = 0; w < waves; w++)); do
	for ((i = 0; i < n; i++)); do sleep 0.3 & done
	wait
done
