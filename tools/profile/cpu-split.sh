#!/usr/bin/env bash
# CPU seconds used per process group over an interval: Postgres, Kafka, Redis, each service.
#   tools/profile/cpu-split.sh 20     # sample for 20 s (run it while a benchmark loads the stack)
set -euo pipefail
interval=${1:-20}
snapshot() {
  for stat in /proc/[0-9]*/stat; do
    pid=${stat#/proc/}; pid=${pid%/stat}
    cmd=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | cut -c1-300) || continue
    ticks=$(awk '{print $14+$15}' "$stat" 2>/dev/null) || continue
    case "$cmd" in
      *services/*/src/main.ts*) group=$(sed -E 's#.*services/([a-z]+)/src/main.ts.*#\1#' <<<"$cmd") ;;
      postgres*|*/postgres\ *) group=postgres ;;
      *kafka.Kafka*) group=kafka ;;
      *redis-server*) group=redis ;;
      *bench*|*jest*) group=driver ;;
      *) group=other ;;
    esac
    echo "$pid $group $ticks"
  done
}
before=$(snapshot); sleep "$interval"; after=$(snapshot)
hz=$(getconf CLK_TCK)
join <(sort <<<"$before") <(sort <<<"$after") | awk -v hz="$hz" -v s="$interval" '
  { d = $5 - $3; if (d > 0) cpu[$2] += d }
  END { for (g in cpu) { total += cpu[g]; printf "%-14s %6.1f s  %5.1f%% of one core\n", g, cpu[g]/hz, 100*cpu[g]/hz/s }
        printf "%-14s %6.1f s  %5.1f%% of one core\n", "TOTAL", total/hz, 100*total/hz/s }' | sort -k2 -rn
