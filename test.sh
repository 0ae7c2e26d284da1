#!/usr/bin/env bash
# The test command: builds everything and runs every test project against real SQLite files and a throw-away
# PostgreSQL cluster on a free loopback port. Prints "N passed, N failed" (", N skipped" when any) as its last line
# and exits non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")"

work=$(mktemp -d "${TMPDIR:-/tmp}/gantry-test.XXXXXX")
chmod 755 "$work"
cleanup() {
  scripts/pg-throwaway.sh stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '\n== %s\n' "$*"; }

say "PostgreSQL: starting a throw-away cluster"
# fsync off: the cluster is thrown away; tests kill Gantry servers, never PostgreSQL.
if ! GANTRY_TEST_POSTGRES=$(PG_EXTRA_OPTS="-c fsync=off -c full_page_writes=off" scripts/pg-throwaway.sh start "$work/pg"); then
  echo "could not start PostgreSQL"
  echo "0 passed, 1 failed"
  exit 1
fi
export GANTRY_TEST_POSTGRES
echo "$GANTRY_TEST_POSTGRES"

say "Gearman clients: gearman, gearadmin, Perl Gearman::Client"
# The Gearman tests drive Gantry with real clients (Debian packages; we run as root). When the install fails the
# tests that need them fail with a message naming the packages; they do not skip.
if ! command -v gearman >/dev/null || ! command -v gearadmin >/dev/null || ! perl -MGearman::Client -e1 2>/dev/null; then
  gearman_packages=(gearman-tools libgearman-client-perl)
  apt_install() {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 "${gearman_packages[@]}" >>"$work/apt.log" 2>&1
  }
  if apt_install || { apt-get update -qq -o DPkg::Lock::Timeout=300 >>"$work/apt.log" 2>&1 && apt_install; }; then
    echo "installed ${gearman_packages[*]}"
  else
    echo "could not install ${gearman_packages[*]}; the Gearman tests will fail. apt-get said:"
    tail -n 20 "$work/apt.log"
  fi
else
  echo "present"
fi

say "Node: npm packages the tests drive Gantry with (real clients this project did not write)"
# Each folder pins its packages with package-lock.json: standardwebhooks (Webhooks/node) verifies the webhook signatures,
# eventsource (Functional/node) is a real SSE client that resumes with Last-Event-ID. When a folder cannot be installed,
# the tests that need it fail naming its package.
if ! command -v npm >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 nodejs npm >>"$work/apt.log" 2>&1 \
    || { apt-get update -qq -o DPkg::Lock::Timeout=300 >>"$work/apt.log" 2>&1 \
         && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 nodejs npm >>"$work/apt.log" 2>&1; } \
    || echo "could not install nodejs and npm; the tests that run Node clients will fail"
fi
for node_folder in tests/Gantry.Server.Tests/Webhooks/node:standardwebhooks tests/Gantry.Server.Tests/Functional/node:eventsource; do
  folder=${node_folder%%:*} package=${node_folder##*:}
  if [ -d "$folder/node_modules/$package" ]; then
    echo "$package: present"
  elif (cd "$folder" && npm ci --no-audit --no-fund >>"$work/npm.log" 2>&1); then
    echo "$package: installed"
  else
    echo "could not install $package in $folder; the tests that need it will fail. npm said:"
    tail -n 20 "$work/npm.log"
  fi
done

say "Build"
if ! dotnet build Gantry.slnx -c Release -nologo -v quiet -clp:ErrorsOnly; then
  echo "the build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

results="$work/results"
mkdir -p "$results"
crashed=0
for project in tests/*.Tests/*.Tests.csproj; do
  name=$(basename "$project" .csproj)
  say "Test $name"
  if ! dotnet test "$project" -c Release --no-build -nologo \
      --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" --results-directory "$results" \
      -- RunConfiguration.TestSessionTimeout=1200000; then
    [ -f "$results/$name.trx" ] || crashed=$((crashed + 1))
  fi
done

# Sum the counters of every results file; a test project that produced no results file counts as one failure.
read -r passed failed skipped < <(python3 - "$results" "$crashed" <<'PY'
import glob, re, sys
passed = failed = skipped = 0
for path in glob.glob(sys.argv[1] + "/*.trx"):
    text = open(path, encoding="utf-8").read()
    m = re.search(r"<Counters [^>]*>", text)
    if not m:
        failed += 1
        continue
    c = dict(re.findall(r'(\w+)="(\d+)"', m.group(0)))
    passed += int(c.get("passed", 0))
    failed += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0)) + int(c.get("aborted", 0))
    # xunit leaves notExecuted at 0 for skipped tests; they are the ones counted but not executed.
    skipped += int(c.get("total", 0)) - int(c.get("executed", 0))
print(passed, failed + int(sys.argv[2]), skipped)
PY
)

# CI keeps only the end of this output, so the failed tests are named again here, each with the start of
# its message, just above the summary line.
python3 - "$results" <<'PY'
import glob, re, sys, html
for path in sorted(glob.glob(sys.argv[1] + "/*.trx")):
    text = open(path, encoding="utf-8").read()
    for m in re.finditer(r'<UnitTestResult [^>]*testName="([^"]*)"[^>]*outcome="Failed"[^>]*>(.*?)</UnitTestResult>', text, re.S):
        name, body = html.unescape(m.group(1)), m.group(2)
        msg = re.search(r"<Message>(.*?)</Message>", body, re.S)
        trace = re.search(r"<StackTrace>(.*?)</StackTrace>", body, re.S)
        print("FAILED " + name)
        for part in (msg, trace):
            if part:
                for line in html.unescape(part.group(1)).strip().splitlines()[:8]:
                    print("    " + line[:300])
PY

summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
echo
echo "$summary"
[ "$failed" -eq 0 ]
