#!/usr/bin/env bash
# Soak: runs the live show for a while (Xvfb and Mesa's software Vulkan where there is no
# display) on the synthetic source, drives it over OSC the way a VJ or a playlist would —
# knobs every second, a preset switch every 3 s, model reloads — and samples its
# resident memory (and its anonymous part: the heap, where a leak shows; the rest is mapped
# files such as shared libraries, which the kernel may drop and read back), threads, open
# files and frame times. Prints a table; fails when memory
# grows after warm-up (more than 1 MB an hour; 2 MB allowed on short runs), when the
# thread or file count climbs, when a frame takes more than a second, or when the show dies.
#
#   scripts/soak.sh [--minutes N] [--warm-up SECONDS] [--every SECONDS] [-- LIVE ARGS...]
#   (LTS=path/to/lts soaks that binary instead of building this checkout)
set -euo pipefail
cd "$(dirname "$0")/.."

minutes=120
warm_up=""
every=10
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --warm-up) warm_up="$2"; shift 2 ;;
    --every) every="$2"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "soak: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
if ! [[ "$minutes" =~ ^[0-9]+([.][0-9]+)?$ ]] || [[ "$minutes" == 0 ]]; then
  echo "soak: --minutes takes a positive number (got $minutes)" >&2; exit 2
fi
duration=$(perl -e "print int($minutes * 60)")
# Warm-up: a minute (every preset and model seen a few times), at most a third of the run.
[[ -n "$warm_up" ]] || warm_up=$(( duration / 3 < 60 ? duration / 3 : 60 ))

if [[ -z "${DISPLAY:-}" ]]; then
  command -v xvfb-run >/dev/null || { echo "soak: no display and no xvfb-run (scripts/setup.sh installs it)" >&2; exit 2; }
  export WGPU_BACKEND="${WGPU_BACKEND:-vulkan}"
  exec xvfb-run -a -s "-screen 0 1280x720x24" "$0" --minutes "$minutes" --warm-up "$warm_up" --every "$every" -- "${extra[@]}"
fi

# LTS: a prebuilt binary to soak instead of building this checkout's.
lts="${LTS:-}"
if [[ -z "$lts" ]]; then
  cargo build --release --bin lts >&2
  lts="${CARGO_TARGET_DIR:-target}/release/lts"
fi

osc_port=$(( 20000 + $$ % 20000 ))
query_port=$(( osc_port + 1 ))
scratch=$(mktemp -d)
log="$scratch/live.log"
trap 'kill "$show" 2>/dev/null || true; rm -rf "$scratch"' EXIT

# One OSC message: address, then (type, value) pairs; types f (float), i (int), s (string).
osc() {
  perl -MIO::Socket::INET -e '
    sub pad { my $s = shift; $s . ("\0" x (4 - length($s) % 4)) }
    my $addr = shift; my ($tags, $args) = (",", "");
    while (@ARGV) {
      my ($type, $value) = splice(@ARGV, 0, 2); $tags .= $type;
      $args .= $type eq "f" ? pack("f>", $value) : $type eq "i" ? pack("l>", $value) : pad($value);
    }
    my $socket = IO::Socket::INET->new(PeerAddr => "127.0.0.1:'"$osc_port"'", Proto => "udp") or exit 1;
    $socket->send(pad($addr) . pad($tags) . $args);' "$@" || true
}

# A reading from the show's OSCQuery server (empty when it does not answer).
reading() {
  perl -MIO::Socket::INET -e '
    my $socket = IO::Socket::INET->new(PeerAddr => "127.0.0.1:'"$query_port"'", Timeout => 2) or exit;
    print $socket "GET /lts/$ARGV[0]?VALUE HTTP/1.0\r\nHost: localhost\r\n\r\n";
    local $/; my $reply = <$socket> // ""; print $1 if $reply =~ /"VALUE":\[([^\]]*)\]/;' "$1"
}

presets=()
for file in presets/*.toml; do presets+=("$(basename "$file" .toml)"); done
models=()
for dir in models/*/; do [[ -f "$dir/model.toml" ]] && models+=("$(basename "$dir")"); done

"$lts" live --source synthetic --size 640x360 --midi off \
  --osc-port "$osc_port" --oscquery-port "$query_port" "${extra[@]}" >"$log" 2>&1 &
show=$!

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
echo "soak: ${minutes} min of lts live (pid $show) on $cpu; warm-up ${warm_up} s; a sample every ${every} s"
printf '%8s %10s %9s %8s %6s %10s %7s %12s\n' seconds "rss MB" "anon MB" threads files frames fps "longest ms"

samples="$scratch/samples"
started=$(date +%s)
started_us=${EPOCHREALTIME/./}
next_sample=$started
cycle=$(( 3 * ${#presets[@]} + 6 ))
tick=0
while :; do
  now=$(date +%s)
  elapsed=$(( now - started ))
  (( elapsed < duration )) || break
  if ! kill -0 "$show" 2>/dev/null; then
    echo "soak: the show died after ${elapsed} s" >&2
    tail -20 "$log" >&2
    exit 1
  fi
  # One cycle: every preset for 3 s, the first two models reloaded on the way, then 6 s on the
  # last preset; memory is compared at the end of each cycle, when the show holds the same
  # things (one model, loaded and faded in).
  phase=$(( tick % cycle ))
  osc /lts/brightness f "0.$(( tick % 4 ))"
  osc /lts/contrast f "1.$(( tick % 5 ))"
  osc /lts/downscale/norm f "0.$(( 3 + tick % 5 ))"
  (( phase % 3 == 0 && phase / 3 < ${#presets[@]} )) && osc /lts/preset s "${presets[$(( phase / 3 ))]}"
  (( phase == 1 || phase == 8 )) && (( ${#models[@]} > 0 )) && osc /lts/model s "${models[$(( phase / 8 % ${#models[@]} ))]}"
  (( phase == 7 )) && osc /lts/state
  if (( now >= next_sample || phase == cycle - 1 )); then
    status="/proc/$show/status"
    rss=$(awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "$status" 2>/dev/null || echo 0)
    anon=$(awk '/^RssAnon/ { printf "%.1f", $2 / 1024 }' "$status" 2>/dev/null || echo 0)
    threads=$(awk '/^Threads/ { print $2 }' "$status" 2>/dev/null || echo 0)
    files=$(ls "/proc/$show/fd" 2>/dev/null | wc -l)
    frames=$(reading frames)
    fps=$(reading fps)
    longest=$(reading frame/longest)
    aligned=$(( phase == cycle - 1 ))
    printf '%8d %10s %9s %8s %6s %10s %7.1f %12.1f%s\n' "$elapsed" "$rss" "${anon:-0}" "$threads" "$files" \
      "${frames:-?}" "${fps:-0}" "${longest:-0}" "$( (( aligned )) && echo '  (end of cycle)')"
    echo "$elapsed $rss $threads $files ${frames:-0} ${longest:-0} $aligned ${anon:-0}" >>"$samples"
    (( now >= next_sample )) && next_sample=$(( next_sample + every ))
  fi
  tick=$(( tick + 1 ))
  # Ticks on whole seconds from the start, however long the messages took.
  wait_us=$(( started_us + tick * 1000000 - ${EPOCHREALTIME/./} ))
  (( wait_us > 0 )) && sleep "$(( wait_us / 1000000 )).$(printf %06d $(( wait_us % 1000000 )))"
done

kill -0 "$show" 2>/dev/null || { echo "soak: the show died at the end" >&2; tail -20 "$log" >&2; exit 1; }
grep -q panicked "$log" && { echo "soak: a thread panicked:" >&2; grep -A3 panicked "$log" >&2; exit 1; }
kill "$show" 2>/dev/null || true

# The median of the memory slopes between every two cycle ends after warm-up (a 2-hour run
# has ~300 cycles, so ~45,000 slopes: sorted by sort(1), not in awk), of the samples' column
# $1: 2 the whole resident memory, 8 its anonymous part.
median_slope() {
  awk -v warm="$warm_up" -v col="$1" '$1 >= warm && $7 { c++; t[c] = $1; m[c] = $col }
    END { for (i = 1; i < c; i++) for (j = i + 1; j <= c; j++) print (m[j] - m[i]) / (t[j] - t[i]) }' \
    "$samples" | sort -g > "$scratch/slopes"
  awk 'NR == FNR { n++; next } FNR == int((n + 1) / 2) { a = $1 } FNR == int(n / 2) + 1 { b = $1 }
    END { print n ? (a + b) / 2 : 0 }' "$scratch/slopes" "$scratch/slopes"
}
per_second=$(median_slope 2)
anon_per_second=$(median_slope 8)

# Verdict over the samples after warm-up. Memory: its trend over the ends of cycles (within a
# cycle, model switches swing the resident size by tens of MB), as the median of the slopes
# between every two of them (Theil–Sen: a stray sample moves it little, a leak lifts it).
# Threads and open files: flat. Frames: advancing, none taking over a second.
awk -v warm="$warm_up" -v per_second="$per_second" -v anon_per_second="$anon_per_second" '
  $1 >= warm { n++; threads[n] = $3; files[n] = $4; frames[n] = $5; if ($6 > longest) longest = $6
               if ($7) { c++; t[c] = $1; rss[c] = $2; anon[c] = $8 } }
  function median(a, k,    i, j, x) {
    for (i = 2; i <= k; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
    return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
  }
  END {
    if (c < 4) { print "soak: too few cycles after warm-up (" c "); run longer" > "/dev/stderr"; exit 1 }
    hours = (t[c] - t[1]) / 3600
    growth = per_second * (t[c] - t[1])
    allowed = hours > 2 ? hours : 2
    m = c < 6 ? 2 : int(c / 3)
    for (i = 1; i <= m; i++) { head[i] = rss[i]; tail[i] = rss[c - m + i]; anon_head[i] = anon[i]; anon_tail[i] = anon[c - m + i] }
    max_threads = 0; max_files = 0
    for (i = 1; i <= n; i++) { if (threads[i] > max_threads) max_threads = threads[i]; if (files[i] > max_files) max_files = files[i] }
    printf "after warm-up, %d cycles over %.1f min: memory %.1f → %.1f MB (medians of the first and last %d); trend %+.2f MB/hour, %+.1f MB over the run (allowed %+.1f MB)\n", c, (t[c] - t[1]) / 60, median(head, m), median(tail, m), m, per_second * 3600, growth, allowed
    printf "of which anonymous (the heap): %.1f → %.1f MB; trend %+.2f MB/hour\n", median(anon_head, m), median(anon_tail, m), anon_per_second * 3600
    printf "threads %d → %d (most %d); open files %d → %d (most %d); longest frame %.0f ms; frames %d → %d\n", threads[1], threads[n], max_threads, files[1], files[n], max_files, longest, frames[1], frames[n]
    bad = 0
    if (growth > allowed) { print "FAIL: memory grows"; bad = 1 }
    if (max_threads > threads[1] + 4 || threads[n] > threads[1] + 1) { print "FAIL: threads climb"; bad = 1 }
    if (max_files > files[1] + 4 || files[n] > files[1] + 1) { print "FAIL: open files climb"; bad = 1 }
    if (longest > 1000) { print "FAIL: a frame took over a second"; bad = 1 }
    if (frames[n] <= frames[1]) { print "FAIL: no frames drawn after warm-up"; bad = 1 }
    if (!bad) print "soak: steady"
    exit bad
  }' "$samples"
