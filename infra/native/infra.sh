#!/usr/bin/env bash
# infra.sh — runs the project's dev/CI infrastructure natively, without containers:
# an Apache Kafka broker (single-node KRaft) and an Apicurio Registry with its
# Confluent-compatible API, both fetched from Maven Central with Maven into a cache
# outside the repository. PostgreSQL is expected to be running already; the registry
# keeps its schemas there. On request (`up zipkin`) also a Zipkin server, the trace
# backend, from the same place, keeping traces in memory. See infra/README.md.
#
#   infra.sh up|down|restart [kafka|registry|zipkin] | status | logs [kafka|registry|zipkin] | reset | fetch [zipkin] | env
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# ---------------------------------------------------------------------------
# Settings (documented in infra/README.md)
# ---------------------------------------------------------------------------
FLEET_CACHE_DIR=${FLEET_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kafka-fleet}
FLEET_STATE_DIR=${FLEET_STATE_DIR:-$FLEET_CACHE_DIR/state}

KAFKA_VERSION=${KAFKA_VERSION:-4.4.0}
KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
KAFKA_HEAP=${KAFKA_HEAP:--Xmx1g -Xms256m}
KAFKA_JAVA_HOME=${KAFKA_JAVA_HOME:-${JAVA_HOME:-}}

APICURIO_VERSION=${APICURIO_VERSION:-3.3.3}
REGISTRY_PORT=${REGISTRY_PORT:-8081}
REGISTRY_MANAGEMENT_PORT=${REGISTRY_MANAGEMENT_PORT:-9081}
REGISTRY_JAVA_HOME=${REGISTRY_JAVA_HOME:-}
REGISTRY_HEAP=${REGISTRY_HEAP:--Xmx512m}
REGISTRY_DB_HOST=${REGISTRY_DB_HOST:-127.0.0.1}
REGISTRY_DB_PORT=${REGISTRY_DB_PORT:-5432}
REGISTRY_DB_USER=${REGISTRY_DB_USER:-postgres}
REGISTRY_DB_PASSWORD=${REGISTRY_DB_PASSWORD:-}
REGISTRY_DB_NAME=${REGISTRY_DB_NAME:-fleet_registry}

ZIPKIN_VERSION=${ZIPKIN_VERSION:-3.6.1}
ZIPKIN_PORT=${ZIPKIN_PORT:-9411}
ZIPKIN_HEAP=${ZIPKIN_HEAP:--Xmx384m}
ZIPKIN_JAVA_HOME=${ZIPKIN_JAVA_HOME:-${JAVA_HOME:-}}
# Spans kept in memory; the oldest traces go first beyond this.
ZIPKIN_MAX_SPANS=${ZIPKIN_MAX_SPANS:-500000}

KAFKA_START_TIMEOUT=${KAFKA_START_TIMEOUT:-90}
ZIPKIN_START_TIMEOUT=${ZIPKIN_START_TIMEOUT:-90}
REGISTRY_START_TIMEOUT=${REGISTRY_START_TIMEOUT:-120}
STOP_TIMEOUT=${STOP_TIMEOUT:-20}

HOST=127.0.0.1 # everything listens on loopback only

# Derived paths
KAFKA_HOME="$FLEET_CACHE_DIR/kafka-$KAFKA_VERSION"
APICURIO_HOME="$FLEET_CACHE_DIR/apicurio-$APICURIO_VERSION"
ZIPKIN_HOME="$FLEET_CACHE_DIR/zipkin-$ZIPKIN_VERSION"
ZIPKIN_JAR="$ZIPKIN_HOME/zipkin-server-$ZIPKIN_VERSION-exec.jar"
LOG_DIR="$FLEET_STATE_DIR/logs"
RUN_DIR="$FLEET_STATE_DIR/run"
KAFKA_DATA_DIR="$FLEET_STATE_DIR/kafka/data"
KAFKA_CONFIG="$FLEET_STATE_DIR/kafka/server.properties"
REGISTRY_TMP_DIR="$FLEET_STATE_DIR/registry/tmp"
REGISTRY_URL="http://$HOST:$REGISTRY_PORT/apis/ccompat/v7"
ZIPKIN_URL="http://$HOST:$ZIPKIN_PORT"

# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------
say() { printf 'infra: %s\n' "$*"; }
warn() { printf 'infra: %s\n' "$*" >&2; }
die() {
  printf 'infra: error: %s\n' "$*" >&2
  exit 1
}

log_file() { echo "$LOG_DIR/$1.log"; }
pid_file() { echo "$RUN_DIR/$1.pid"; }
port_of() { case $1 in kafka) echo "$KAFKA_PORT" ;; registry) echo "$REGISTRY_PORT" ;; zipkin) echo "$ZIPKIN_PORT" ;; esac; }

# The text that identifies our process on its command line, so that a PID reused by
# some other program after a crash is never mistaken for (or killed as) ours.
signature_of() { case $1 in kafka) echo "kafka.Kafka" ;; registry) echo "quarkus-run.jar" ;; zipkin) echo "zipkin-server-" ;; esac; }

# True when something accepts TCP connections on 127.0.0.1:$1.
port_answers() {
  timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null
}

# Who listens on port $1 (any address), as "pid N (command line)", or "" if nobody.
port_owner() {
  local port=$1 line pid cmd
  command -v ss >/dev/null 2>&1 || return 0
  line=$(ss -ltnpH "sport = :$port" 2>/dev/null | head -n 1) || true
  [ -n "$line" ] || return 0
  pid=$(sed -n 's/.*pid=\([0-9]*\).*/\1/p' <<<"$line")
  if [ -n "$pid" ]; then
    cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-120 | sed 's/ *$//') || true
    echo "pid $pid (${cmd:-unknown command})"
  else
    echo "a process ss cannot name (run as its owner or root to see it)"
  fi
}

# True when port $1 is in use, whether or not it answers on 127.0.0.1.
port_taken() {
  port_answers "$1" && return 0
  command -v ss >/dev/null 2>&1 && [ -n "$(ss -ltnH "sport = :$1" 2>/dev/null)" ]
}

# Fail with a clear message when port $1 (needed by $2) is held by someone else.
require_free_port() {
  local port=$1 what=$2 owner
  port_taken "$port" || return 0
  owner=$(port_owner "$port")
  die "port $port ($what) is already taken${owner:+ by $owner}. Stop that process or set $what to another port (see infra/README.md)."
}

require_kafka_ports() {
  require_free_port "$KAFKA_PORT" KAFKA_PORT
  require_free_port "$KAFKA_CONTROLLER_PORT" KAFKA_CONTROLLER_PORT
}

require_zipkin_ports() {
  require_free_port "$ZIPKIN_PORT" ZIPKIN_PORT
}

require_registry_ports() {
  require_free_port "$REGISTRY_PORT" REGISTRY_PORT
  require_free_port "$REGISTRY_MANAGEMENT_PORT" REGISTRY_MANAGEMENT_PORT
}

# PID of our running component $1, or nothing.
running_pid() {
  local file pid
  file=$(pid_file "$1")
  [ -f "$file" ] || return 0
  pid=$(cat "$file" 2>/dev/null) || return 0
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$(signature_of "$1")" || return 0
  echo "$pid"
}

# Major version of the java binary $1 (8 for "1.8.0_x", 17 for "17.0.15"), or "" if it does not run.
java_major() {
  local v
  v=$("$1" -version 2>&1 | awk -F'"' '/version/ { print $2; exit }') || true
  [ -n "$v" ] || return 0
  case $v in
  1.*) v=${v#1.} && echo "${v%%.*}" ;;
  *) echo "${v%%[.+-]*}" ;;
  esac
}

# The java binary of $1 (a JAVA_HOME) or the one on PATH.
java_bin_of() {
  if [ -n "$1" ]; then echo "$1/bin/java"; else command -v java 2>/dev/null || true; fi
}

# Kafka 4.x brokers need Java 17; 3.x ran on 11.
kafka_min_java() { if [ "${KAFKA_VERSION%%.*}" -ge 4 ]; then echo 17; else echo 11; fi; }
# Apicurio Registry 3.x is built for Java 21 (class files version 65); 2.x for 11.
registry_min_java() { if [ "${APICURIO_VERSION%%.*}" -ge 3 ]; then echo 21; else echo 11; fi; }

KAFKA_JAVA=""
REGISTRY_JAVA=""
ZIPKIN_JAVA=""

# Picks the java for Kafka: KAFKA_JAVA_HOME, else JAVA_HOME, else java on PATH.
resolve_kafka_java() {
  local bin major need
  need=$(kafka_min_java)
  bin=$(java_bin_of "$KAFKA_JAVA_HOME")
  [ -n "$bin" ] || die "no java found: Kafka $KAFKA_VERSION needs Java $need or newer. Install a JDK/JRE (e.g. apt-get install openjdk-17-jre-headless) or set KAFKA_JAVA_HOME."
  [ -x "$bin" ] || die "no java at $bin (from KAFKA_JAVA_HOME/JAVA_HOME): Kafka $KAFKA_VERSION needs Java $need or newer."
  major=$(java_major "$bin")
  [ -n "$major" ] || die "$bin does not run ('$bin -version' failed): Kafka needs a working Java $need or newer."
  [ "$major" -ge "$need" ] || die "Java $major at $bin is too old for Kafka $KAFKA_VERSION, which needs Java $need or newer. Set KAFKA_JAVA_HOME to a newer JDK."
  KAFKA_JAVA=$bin
}

# Picks the java for Zipkin (3.x needs Java 17): ZIPKIN_JAVA_HOME, else JAVA_HOME, else java on PATH.
resolve_zipkin_java() {
  local bin major need=17
  bin=$(java_bin_of "$ZIPKIN_JAVA_HOME")
  [ -n "$bin" ] || die "no java found: Zipkin $ZIPKIN_VERSION needs Java $need or newer. Install a JDK/JRE (e.g. apt-get install openjdk-17-jre-headless) or set ZIPKIN_JAVA_HOME."
  [ -x "$bin" ] || die "no java at $bin (from ZIPKIN_JAVA_HOME/JAVA_HOME): Zipkin $ZIPKIN_VERSION needs Java $need or newer."
  major=$(java_major "$bin")
  [ -n "$major" ] || die "$bin does not run ('$bin -version' failed): Zipkin needs a working Java $need or newer."
  [ "$major" -ge "$need" ] || die "Java $major at $bin is too old for Zipkin $ZIPKIN_VERSION, which needs Java $need or newer. Set ZIPKIN_JAVA_HOME to a newer JDK."
  ZIPKIN_JAVA=$bin
}

# Picks the java for the registry: REGISTRY_JAVA_HOME, else the default java when new
# enough, else the newest suitable JDK found in the usual install places.
resolve_registry_java() {
  local need bin major best="" best_major=0 candidate
  need=$(registry_min_java)
  if [ -n "$REGISTRY_JAVA_HOME" ]; then
    bin="$REGISTRY_JAVA_HOME/bin/java"
    [ -x "$bin" ] || die "no java at $bin (REGISTRY_JAVA_HOME): Apicurio Registry $APICURIO_VERSION needs Java $need or newer."
    major=$(java_major "$bin")
    if [ -z "$major" ] || [ "$major" -lt "$need" ]; then
      die "Java ${major:-?} at $bin (REGISTRY_JAVA_HOME) is too old for Apicurio Registry $APICURIO_VERSION, which needs Java $need or newer."
    fi
    REGISTRY_JAVA=$bin
    return
  fi
  local default_bin default_major=""
  default_bin=$(java_bin_of "${JAVA_HOME:-}")
  if [ -n "$default_bin" ] && [ -x "$default_bin" ]; then
    default_major=$(java_major "$default_bin")
    if [ -n "$default_major" ] && [ "$default_major" -ge "$need" ]; then
      REGISTRY_JAVA=$default_bin
      return
    fi
  fi
  for candidate in /usr/lib/jvm/*/bin/java /opt/java/*/bin/java /opt/*jdk*/bin/java \
    "$HOME"/.sdkman/candidates/java/*/bin/java /Library/Java/JavaVirtualMachines/*/Contents/Home/bin/java; do
    [ -x "$candidate" ] || continue
    major=$(java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge "$need" ] && [ "$major" -gt "$best_major" ]; then
      best=$candidate best_major=$major
    fi
  done
  [ -n "$best" ] || die "Apicurio Registry $APICURIO_VERSION needs Java $need or newer, but the default java is ${default_major:+Java $default_major at }${default_bin:-missing} and no JDK $need+ was found under /usr/lib/jvm, /opt or ~/.sdkman. Install one (e.g. Temurin 21/25) and/or set REGISTRY_JAVA_HOME to it."
  REGISTRY_JAVA=$best
}

# psql against the registry's PostgreSQL; the password (if any) goes through the environment.
registry_psql() {
  PGPASSWORD=$REGISTRY_DB_PASSWORD PGCONNECT_TIMEOUT=5 PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 \
    -h "$REGISTRY_DB_HOST" -p "$REGISTRY_DB_PORT" -U "$REGISTRY_DB_USER" -d postgres "$@"
}

require_postgres() {
  command -v psql >/dev/null 2>&1 ||
    die "psql (the PostgreSQL client) is not on PATH: it is needed to create the registry's database '$REGISTRY_DB_NAME'. Install postgresql-client."
  port_answers "$REGISTRY_DB_PORT" || [ "$REGISTRY_DB_HOST" != "$HOST" ] ||
    die "PostgreSQL is unreachable at $REGISTRY_DB_HOST:$REGISTRY_DB_PORT (nothing listens there): start PostgreSQL 15 first; the registry keeps its schemas in it."
  local out
  out=$(registry_psql -Atc 'select 1' 2>&1) ||
    die "PostgreSQL at $REGISTRY_DB_HOST:$REGISTRY_DB_PORT refused user '$REGISTRY_DB_USER': ${out//$'\n'/ }"
}

# Creates the registry's database once; Apicurio creates its tables itself.
ensure_registry_database() {
  local exists
  exists=$(registry_psql -Atc "select 1 from pg_database where datname = '$REGISTRY_DB_NAME'")
  if [ "$exists" != 1 ]; then
    registry_psql -c "create database \"$REGISTRY_DB_NAME\"" >/dev/null
    say "created database $REGISTRY_DB_NAME on $REGISTRY_DB_HOST:$REGISTRY_DB_PORT"
  fi
}

# Keeps the previous run's log as <log>.1, so a log holds one run and the last crash
# stays readable after a restart.
rotate_log() {
  local file
  file=$(log_file "$1")
  if [ -s "$file" ]; then mv -f "$file" "$file.1"; fi
  : >"$file"
}

# Starts "$@" detached from this shell (its own session: a Ctrl-C here or the end of
# this script does not reach it), output appended to log $1, PID recorded in its pid file.
# The inner shell writes its own PID and then execs the command, so the recorded PID is
# the java process itself.
spawn() {
  local name=$1 pidf
  shift
  pidf=$(pid_file "$name")
  rm -f "$pidf"
  # fd 9 is the command lock (take_lock): the long-lived process must not inherit it.
  local detach=(setsid -f)
  command -v setsid >/dev/null 2>&1 || detach=(nohup) # e.g. macOS: no setsid
  # shellcheck disable=SC2016 # $$ and $@ belong to the inner shell
  "${detach[@]}" bash -c 'echo $$ >"$1"; shift; exec "$@"' spawn "$pidf" "$@" \
    </dev/null >>"$(log_file "$name")" 2>&1 9>&- &
  for _ in $(seq 1 50); do
    [ -s "$pidf" ] && return 0
    sleep 0.1
  done
  die "could not start $name (no PID recorded in $pidf)"
}

# Called when component $1 is not alive any more during its start.
died_during_start() {
  local file
  file=$(log_file "$1")
  rm -f "$(pid_file "$1")"
  warn "$1 died during start. Last 30 lines of $file:"
  tail -n 30 "$file" >&2 || true
  die "$1 failed to start; full log: $file"
}

timed_out() {
  local file
  file=$(log_file "$1")
  warn "timed out after $2s waiting for $1 to answer on port $(port_of "$1"). Last 30 lines of $file:"
  tail -n 30 "$file" >&2 || true
  die "$1 did not become ready in $2s (it is still running as pid $3; see $file, or run '$0 down')"
}

# ---------------------------------------------------------------------------
# Fetch (Maven)
# ---------------------------------------------------------------------------
require_mvn() {
  command -v mvn >/dev/null 2>&1 ||
    die "mvn (Apache Maven) is not on PATH: it is needed once to fetch $1 from Maven Central into $FLEET_CACHE_DIR. Install maven (apt-get install maven)."
}

# Runs Maven quietly; on failure shows its output, which names the missing artifact.
run_mvn() {
  local out
  mkdir -p "$LOG_DIR"
  out="$LOG_DIR/fetch.log"
  if ! mvn -B -q -Dstyle.color=never "$@" >"$out" 2>&1; then
    warn "Maven failed (mvn $*). Its output ($out):"
    sed 's/\x1b\[[0-9;]*m//g' "$out" | grep -v '^\[ERROR\] *$' | tail -n 40 >&2
    return 1
  fi
}

# The artifacts are laid out in a temporary folder and renamed into place when complete,
# so an interrupted fetch never leaves a half-filled cache that looks usable.
fetch_kafka() {
  [ -f "$KAFKA_HOME/.complete" ] && return 0
  require_mvn "Kafka $KAFKA_VERSION"
  local tmp="$KAFKA_HOME.partial.$$"
  say "fetching Kafka $KAFKA_VERSION (org.apache.kafka:kafka_2.13 + log4j2) into $KAFKA_HOME ..."
  rm -rf "$tmp" && mkdir -p "$tmp"
  run_mvn -f "$HERE/kafka/pom.xml" -Dkafka.version="$KAFKA_VERSION" -Dfleet.work.dir="$tmp/.mvn" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp/libs" ||
    { rm -rf "$tmp"; die "could not fetch Kafka $KAFKA_VERSION from Maven Central (is the version right? KAFKA_VERSION=$KAFKA_VERSION)"; }
  ls "$tmp"/libs/kafka_2.13-*.jar >/dev/null 2>&1 || { rm -rf "$tmp"; die "fetched Kafka $KAFKA_VERSION but kafka_2.13 jar is missing in $tmp/libs"; }
  rm -rf "$tmp/.mvn" && touch "$tmp/.complete"
  rm -rf "$KAFKA_HOME" && mv "$tmp" "$KAFKA_HOME"
}

fetch_registry() {
  [ -f "$APICURIO_HOME/.complete" ] && return 0
  require_mvn "Apicurio Registry $APICURIO_VERSION"
  local tmp="$APICURIO_HOME.partial.$$" run
  say "fetching Apicurio Registry $APICURIO_VERSION (io.apicurio:apicurio-registry-app:tar.gz:all, ~160 MB) into $APICURIO_HOME ..."
  rm -rf "$tmp" && mkdir -p "$tmp"
  run_mvn -f "$HERE/registry/pom.xml" -Dapicurio.version="$APICURIO_VERSION" -Dfleet.work.dir="$tmp/.mvn" \
    dependency:unpack-dependencies -DoutputDirectory="$tmp" ||
    { rm -rf "$tmp"; die "could not fetch Apicurio Registry $APICURIO_VERSION from Maven Central (is the version right? APICURIO_VERSION=$APICURIO_VERSION)"; }
  rm -rf "$tmp/.mvn"
  run=$(find "$tmp" -name quarkus-run.jar -print -quit)
  [ -n "$run" ] || { rm -rf "$tmp"; die "unpacked Apicurio Registry $APICURIO_VERSION but found no quarkus-run.jar in it"; }
  touch "$tmp/.complete"
  rm -rf "$APICURIO_HOME" && mv "$tmp" "$APICURIO_HOME"
}

fetch_zipkin() {
  [ -f "$ZIPKIN_HOME/.complete" ] && return 0
  require_mvn "Zipkin $ZIPKIN_VERSION"
  local tmp="$ZIPKIN_HOME.partial.$$"
  say "fetching Zipkin $ZIPKIN_VERSION (io.zipkin:zipkin-server:jar:exec, ~135 MB) into $ZIPKIN_HOME ..."
  rm -rf "$tmp" && mkdir -p "$tmp"
  run_mvn -f "$HERE/zipkin/pom.xml" -Dzipkin.version="$ZIPKIN_VERSION" -Dfleet.work.dir="$tmp/.mvn" \
    dependency:copy-dependencies -DoutputDirectory="$tmp" ||
    { rm -rf "$tmp"; die "could not fetch Zipkin $ZIPKIN_VERSION from Maven Central (is the version right? ZIPKIN_VERSION=$ZIPKIN_VERSION)"; }
  rm -rf "$tmp/.mvn"
  [ -f "$tmp/zipkin-server-$ZIPKIN_VERSION-exec.jar" ] || { rm -rf "$tmp"; die "fetched Zipkin $ZIPKIN_VERSION but zipkin-server-$ZIPKIN_VERSION-exec.jar is missing in $tmp"; }
  touch "$tmp/.complete"
  rm -rf "$ZIPKIN_HOME" && mv "$tmp" "$ZIPKIN_HOME"
}

# fetch [zipkin]: Kafka and the registry, as always; with `zipkin`, only Zipkin.
cmd_fetch() {
  local t0=$SECONDS
  case ${1:-} in
  "")
    fetch_kafka
    fetch_registry
    say "artifacts ready in $FLEET_CACHE_DIR ($((SECONDS - t0))s): kafka-$KAFKA_VERSION, apicurio-$APICURIO_VERSION"
    ;;
  zipkin)
    fetch_zipkin
    say "artifact ready in $FLEET_CACHE_DIR ($((SECONDS - t0))s): zipkin-$ZIPKIN_VERSION"
    ;;
  *) die "unknown component '$1' for fetch (zipkin, or nothing for Kafka and the registry)" ;;
  esac
}

# ---------------------------------------------------------------------------
# Kafka
# ---------------------------------------------------------------------------
# The JVM command line for Kafka's classes (the broker and its StorageTool): the
# classpath is every jar Maven copied; logging goes to kafka.log through log4j2.xml.
kafka_jvm() {
  local heap
  read -r -a heap <<<"$KAFKA_HEAP" # several options in one variable, on purpose
  KAFKA_JVM=("$KAFKA_JAVA" "${heap[@]}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20
    -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true
    -Dlog4j2.configurationFile="$HERE/kafka/log4j2.xml" -Dkafka.log.file="$(log_file kafka)"
    -cp "$KAFKA_HOME/libs/*")
}

kafka_java() {
  kafka_jvm
  "${KAFKA_JVM[@]}" "$@"
}

# Written on every start, so a change of port settings takes effect at the next `up`.
write_kafka_config() {
  mkdir -p "$(dirname "$KAFKA_CONFIG")" "$KAFKA_DATA_DIR"
  cat >"$KAFKA_CONFIG" <<EOF
# Generated by infra/native/infra.sh on each start; edits are overwritten.
# Single-node KRaft: this process is both the broker and the (only) controller.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$KAFKA_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$KAFKA_DATA_DIR

# One broker: internal topics cannot have more than one replica.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
default.replication.factor=1
min.insync.replicas=1
# Fewer partitions of the internal topics: the first consumer group / transaction starts faster.
offsets.topic.num.partitions=10
transaction.state.log.num.partitions=10

# Dev/test behaviour: topics are created explicitly, groups rebalance at once,
# retention is enforced within seconds (tests check it), topics can be deleted.
auto.create.topics.enable=false
num.partitions=1
group.initial.rebalance.delay.ms=0
log.retention.check.interval.ms=10000
delete.topic.enable=true
EOF
  # Another kind of broker (kafka-secure.sh) adds or overrides properties: the last one wins.
  if [ -n "${KAFKA_EXTRA_CONFIG:-}" ]; then cat "$KAFKA_EXTRA_CONFIG" >>"$KAFKA_CONFIG"; fi
}

# Formats the KRaft metadata/log directory once, with a fresh cluster id; later starts
# reuse it, so topics and messages survive down/up (only `reset` removes them).
format_kafka_storage() {
  [ -f "$KAFKA_DATA_DIR/meta.properties" ] && return 0
  local id out
  out=$(kafka_java kafka.tools.StorageTool random-uuid 2>&1) || format_failed "$out"
  id=$(tail -n 1 <<<"$out")
  # Extra formatter arguments of another kind of broker, e.g. kafka-secure.sh's --add-scram users.
  local extra=()
  read -r -a extra <<<"${KAFKA_FORMAT_ARGS:-}"
  out=$(kafka_java kafka.tools.StorageTool format -t "$id" -c "$KAFKA_CONFIG" ${extra[@]+"${extra[@]}"} 2>&1) ||
    format_failed "$out"
  # The formatter prints to stdout; keep what it said in the broker's log.
  printf '%s\n' "$out" >>"$(log_file kafka)"
  say "formatted Kafka storage in $KAFKA_DATA_DIR (cluster id $id)"
}

format_failed() {
  printf '%s\n' "$1" >>"$(log_file kafka)"
  warn "Kafka's StorageTool failed:"
  printf '%s\n' "$1" | tail -n 30 >&2
  die "could not format Kafka storage in $KAFKA_DATA_DIR (log: $(log_file kafka))"
}

start_kafka() {
  local pid t0=$SECONDS
  pid=$(running_pid kafka)
  if [ -n "$pid" ] && port_answers "$KAFKA_PORT"; then
    say "kafka is already running (pid $pid, $HOST:$KAFKA_PORT)"
    return 0
  fi
  if [ -z "$pid" ]; then
    require_kafka_ports
    mkdir -p "$LOG_DIR" "$RUN_DIR"
    rotate_log kafka
    write_kafka_config
    format_kafka_storage
    say "starting Kafka $KAFKA_VERSION on $HOST:$KAFKA_PORT (Java $(java_major "$KAFKA_JAVA"): $KAFKA_JAVA) ..."
    kafka_jvm
    spawn kafka "${KAFKA_JVM[@]}" kafka.Kafka "$KAFKA_CONFIG"
    pid=$(cat "$(pid_file kafka)")
  else
    say "kafka is starting (pid $pid); waiting for it"
  fi
  # Ready = the port accepts connections AND the broker says it finished starting
  # (the port opens a little before the broker can serve metadata).
  until port_answers "$KAFKA_PORT" && grep -q "Kafka Server started" "$(log_file kafka)"; do
    kill -0 "$pid" 2>/dev/null || died_during_start kafka
    [ $((SECONDS - t0)) -lt "$KAFKA_START_TIMEOUT" ] || timed_out kafka "$KAFKA_START_TIMEOUT" "$pid"
    sleep 0.5
  done
  say "kafka is up (pid $pid, $((SECONDS - t0))s)"
}

# ---------------------------------------------------------------------------
# Apicurio Registry
# ---------------------------------------------------------------------------
registry_ready() {
  [ "$(curl -s -o /dev/null -m 3 -w '%{http_code}' "$REGISTRY_URL/subjects" 2>/dev/null)" = 200 ]
}

start_registry() {
  local pid t0=$SECONDS run_jar
  pid=$(running_pid registry)
  if [ -n "$pid" ] && registry_ready; then
    say "registry is already running (pid $pid, $REGISTRY_URL)"
    return 0
  fi
  if [ -z "$pid" ]; then
    require_registry_ports
    ensure_registry_database
    mkdir -p "$LOG_DIR" "$RUN_DIR" "$REGISTRY_TMP_DIR"
    rotate_log registry
    run_jar=$(find "$APICURIO_HOME" -name quarkus-run.jar -print -quit)
    say "starting Apicurio Registry $APICURIO_VERSION on $HOST:$REGISTRY_PORT (Java $(java_major "$REGISTRY_JAVA"): $REGISTRY_JAVA) ..."
    # Everything is passed as system properties, which override the application's
    # built-in application.properties (property names checked against 3.3.x).
    local heap
    read -r -a heap <<<"$REGISTRY_HEAP"
    # The database password goes through the environment (Quarkus reads APICURIO_DATASOURCE_PASSWORD
    # as apicurio.datasource.password): every user can read a command line (ps), only the process's
    # owner its environment.
    APICURIO_DATASOURCE_PASSWORD=${REGISTRY_DB_PASSWORD:-unused} \
      spawn registry "$REGISTRY_JAVA" "${heap[@]}" -Djava.io.tmpdir="$REGISTRY_TMP_DIR" \
      -Dquarkus.http.host="$HOST" -Dquarkus.http.port="$REGISTRY_PORT" \
      -Dquarkus.management.host="$HOST" -Dquarkus.management.port="$REGISTRY_MANAGEMENT_PORT" \
      -Dapicurio.storage.kind=sql -Dapicurio.storage.sql.kind=postgresql \
      -Dapicurio.datasource.url="jdbc:postgresql://$REGISTRY_DB_HOST:$REGISTRY_DB_PORT/$REGISTRY_DB_NAME" \
      -Dapicurio.datasource.username="$REGISTRY_DB_USER" \
      -Dapicurio.datasource.jdbc.initial-size=2 -Dapicurio.datasource.jdbc.min-size=2 \
      -Dapicurio.datasource.jdbc.max-size=20 \
      -Dapicurio.storage.snapshot.location="$REGISTRY_TMP_DIR" -Dapicurio.import.work-dir="$REGISTRY_TMP_DIR" \
      -Dquarkus.oidc.tenant-enabled=false -Dapicurio.authn.basic-client-credentials.enabled=false \
      -Dapicurio.auth.role-based-authorization=false \
      -Dapicurio.ccompat.use-canonical-hash=true -Dapicurio.ccompat.legacy-id-mode.enabled=false \
      -Dapicurio.ccompat.max-subjects=100000 \
      -Dapicurio.rest.deletion.group.enabled=true -Dapicurio.rest.deletion.artifact.enabled=true \
      -Dapicurio.rest.deletion.artifact-version.enabled=true \
      -Dquarkus.http.access-log.enabled=false -Dquarkus.banner.enabled=false \
      '-Dquarkus.log.category."io.quarkus.config".level=ERROR' \
      '-Dquarkus.log.category."io.apicurio.registry.logging.audit".level=WARN' \
      -Dquarkus.log.console.format='%d{yyyy-MM-dd HH:mm:ss,SSS} %-5p [%c{2.}] (%t) %s%e%n' \
      -jar "$run_jar"
    pid=$(cat "$(pid_file registry)")
  else
    say "registry is starting (pid $pid); waiting for it"
  fi
  until registry_ready; do
    kill -0 "$pid" 2>/dev/null || died_during_start registry
    [ $((SECONDS - t0)) -lt "$REGISTRY_START_TIMEOUT" ] || timed_out registry "$REGISTRY_START_TIMEOUT" "$pid"
    sleep 0.5
  done
  set_global_compatibility
  say "registry is up (pid $pid, $((SECONDS - t0))s)"
}

# Apicurio's global default is NONE. Confluent clients expect BACKWARD (Confluent's
# default), and @kafkajs/confluent-schema-registry's register() refuses to go on when
# the answer differs from the compatibility it asks for.
set_global_compatibility() {
  local code
  code=$(curl -s -o /dev/null -m 10 -w '%{http_code}' -X PUT \
    -H 'Content-Type: application/vnd.schemaregistry.v1+json' \
    -d '{"compatibility":"BACKWARD"}' "$REGISTRY_URL/config") || true
  [ "$code" = 200 ] || die "could not set the registry's global compatibility to BACKWARD (PUT $REGISTRY_URL/config answered ${code:-nothing}); see $(log_file registry)"
}

# ---------------------------------------------------------------------------
# Zipkin (trace backend; only on request)
# ---------------------------------------------------------------------------
zipkin_ready() {
  [ "$(curl -s -o /dev/null -m 3 -w '%{http_code}' "$ZIPKIN_URL/health" 2>/dev/null)" = 200 ]
}

start_zipkin() {
  local pid t0=$SECONDS heap
  pid=$(running_pid zipkin)
  if [ -n "$pid" ] && zipkin_ready; then
    say "zipkin is already running (pid $pid, $ZIPKIN_URL)"
    return 0
  fi
  if [ -z "$pid" ]; then
    require_zipkin_ports
    mkdir -p "$LOG_DIR" "$RUN_DIR"
    rotate_log zipkin
    say "starting Zipkin $ZIPKIN_VERSION on $HOST:$ZIPKIN_PORT, in-memory storage (Java $(java_major "$ZIPKIN_JAVA"): $ZIPKIN_JAVA) ..."
    read -r -a heap <<<"$ZIPKIN_HEAP"
    # Zipkin's own variables for storage and port; Spring Boot properties on the command line:
    # loopback only (Armeria's port list), no banner.
    spawn zipkin env STORAGE_TYPE=mem MEM_MAX_SPANS="$ZIPKIN_MAX_SPANS" QUERY_PORT="$ZIPKIN_PORT" \
      "$ZIPKIN_JAVA" "${heap[@]}" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
      -jar "$ZIPKIN_JAR" \
      --armeria.ports[0].ip="$HOST" --armeria.ports[0].port="$ZIPKIN_PORT" --armeria.ports[0].protocols=http \
      --spring.main.banner-mode=off
    pid=$(cat "$(pid_file zipkin)")
  else
    say "zipkin is starting (pid $pid); waiting for it"
  fi
  until zipkin_ready; do
    kill -0 "$pid" 2>/dev/null || died_during_start zipkin
    [ $((SECONDS - t0)) -lt "$ZIPKIN_START_TIMEOUT" ] || timed_out zipkin "$ZIPKIN_START_TIMEOUT" "$pid"
    sleep 0.5
  done
  say "zipkin is up (pid $pid, $((SECONDS - t0))s): UI $ZIPKIN_URL/zipkin/, spans to $ZIPKIN_URL/api/v2/spans"
}

# ---------------------------------------------------------------------------
# Stop
# ---------------------------------------------------------------------------
# SIGTERM lets Kafka shut down cleanly (no log recovery on the next start) and lets
# the registry close its connections; SIGKILL only when it does not end in time.
stop_component() {
  local name=$1 pid
  pid=$(running_pid "$name")
  if [ -z "$pid" ]; then
    rm -f "$(pid_file "$name")"
    say "$name is not running"
    return 0
  fi
  say "stopping $name (pid $pid) ..."
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((STOP_TIMEOUT * 5))); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    warn "$name (pid $pid) did not stop within ${STOP_TIMEOUT}s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 1 25); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
  fi
  rm -f "$(pid_file "$name")"
  say "$name stopped"
}

# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------
# Serialises up/down/reset/fetch, so two callers (e.g. parallel test runs) cannot start
# two brokers or fetch into the same folder at once.
take_lock() {
  mkdir -p "$FLEET_STATE_DIR"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$FLEET_STATE_DIR/.lock"
    flock -w 300 9 || die "another infra.sh command has held $FLEET_STATE_DIR/.lock for 5 minutes"
  fi
}

print_settings() {
  cat <<EOF

Connection settings:
  KAFKA_BROKERS=$HOST:$KAFKA_PORT
  SCHEMA_REGISTRY_URL=$REGISTRY_URL
  DATABASE_URL=postgres://$REGISTRY_DB_USER@$REGISTRY_DB_HOST:$REGISTRY_DB_PORT/postgres
Logs: $(log_file kafka), $(log_file registry)
EOF
}

# Component names the commands accept ("" = Kafka and the registry; Zipkin only by name).
require_component() {
  case ${1:-} in
  "" | kafka | registry | zipkin) ;;
  *) die "unknown component '$1' (kafka, registry or zipkin)" ;;
  esac
}

print_zipkin_settings() {
  cat <<EOF

Trace settings (for every service):
  OTEL_TRACES_EXPORTER=zipkin
  OTEL_EXPORTER_ZIPKIN_ENDPOINT=$ZIPKIN_URL/api/v2/spans
UI: $ZIPKIN_URL/zipkin/   Log: $(log_file zipkin)
EOF
}

# up [kafka|registry]: without an argument both, as always; with one, only that
# component and only its prerequisites (Kafka alone needs neither Java 21 nor PostgreSQL).
cmd_up() {
  local only=${1:-}
  require_component "$only"
  take_lock
  if [ "$only" = zipkin ]; then
    resolve_zipkin_java
    [ -n "$(running_pid zipkin)" ] || require_zipkin_ports
    fetch_zipkin
    start_zipkin
    print_zipkin_settings
    return
  fi
  # Check every prerequisite before starting anything, so a missing piece fails fast.
  if [ "$only" != registry ]; then resolve_kafka_java; fi
  if [ "$only" != kafka ]; then
    resolve_registry_java
    require_postgres
  fi
  # Ports of components that are not running yet must be free before anything starts.
  if [ "$only" != registry ]; then [ -n "$(running_pid kafka)" ] || require_kafka_ports; fi
  if [ "$only" != kafka ]; then [ -n "$(running_pid registry)" ] || require_registry_ports; fi
  if [ "$only" != registry ]; then fetch_kafka; fi
  if [ "$only" != kafka ]; then fetch_registry; fi
  if [ "$only" != registry ]; then start_kafka; fi
  if [ "$only" != kafka ]; then start_registry; fi
  print_settings
}

# down [kafka|registry|zipkin]: without an argument Zipkin (if it runs), the registry, then Kafka.
cmd_down() {
  local only=${1:-}
  require_component "$only"
  take_lock
  if [ "$only" = zipkin ]; then
    stop_component zipkin
    return
  fi
  if [ -z "$only" ] && [ -n "$(running_pid zipkin)" ]; then stop_component zipkin; fi
  if [ "$only" != kafka ]; then stop_component registry; fi
  if [ "$only" != registry ]; then stop_component kafka; fi
}

# restart [kafka|registry]: down, then up, under one lock (Kafka keeps its data, the
# registry its schemas). Without an argument both.
cmd_restart() {
  local only=${1:-}
  require_component "$only"
  take_lock
  if [ "$only" = zipkin ]; then
    resolve_zipkin_java
    stop_component zipkin
    fetch_zipkin
    start_zipkin
    return
  fi
  if [ "$only" != registry ]; then resolve_kafka_java; fi
  if [ "$only" != kafka ]; then
    resolve_registry_java
    require_postgres
  fi
  if [ "$only" != kafka ]; then stop_component registry; fi
  if [ "$only" != registry ]; then
    stop_component kafka
    fetch_kafka
    start_kafka
  fi
  if [ "$only" != kafka ]; then
    fetch_registry
    start_registry
  fi
}

cmd_reset() {
  take_lock
  if [ -n "$(running_pid zipkin)" ]; then stop_component zipkin; fi
  stop_component registry
  stop_component kafka
  rm -rf "$FLEET_STATE_DIR/kafka" "$FLEET_STATE_DIR/registry"
  say "deleted Kafka data ($FLEET_STATE_DIR/kafka)"
  if command -v psql >/dev/null 2>&1 && registry_psql -Atc 'select 1' >/dev/null 2>&1; then
    registry_psql -c "drop database if exists \"$REGISTRY_DB_NAME\" with (force)" >/dev/null
    say "dropped database $REGISTRY_DB_NAME (registry schemas)"
  else
    warn "PostgreSQL at $REGISTRY_DB_HOST:$REGISTRY_DB_PORT is unreachable: database $REGISTRY_DB_NAME (registry schemas) was NOT dropped"
  fi
  say "clean slate; run '$0 up' to start again"
}

status_line() {
  local name=$1 pid port state
  pid=$(running_pid "$name")
  port=$(port_of "$name")
  if [ -z "$pid" ]; then
    state=stopped
  elif { [ "$name" = kafka ] && port_answers "$port"; } || { [ "$name" = registry ] && registry_ready; } ||
    { [ "$name" = zipkin ] && zipkin_ready; }; then
    state=running
  else
    state=unresponsive
  fi
  printf '%-8s %-12s pid %-7s %s:%-5s log %s\n' "$name" "$state" "${pid:--}" "$HOST" "$port" "$(log_file "$name")"
  [ "$state" = running ]
}

# The exit code speaks for Kafka and the registry; Zipkin is optional and only reported.
cmd_status() {
  local rc=0
  status_line kafka || rc=3
  status_line registry || rc=3
  status_line zipkin || true
  return "$rc"
}

cmd_logs() {
  local files=()
  case ${1:-all} in
  kafka | registry | zipkin) files=("$(log_file "$1")") ;;
  all) files=("$(log_file kafka)" "$(log_file registry)") ;;
  *) die "unknown component '$1' (kafka, registry or zipkin)" ;;
  esac
  mkdir -p "$LOG_DIR"
  exec tail -n 50 -F "${files[@]}"
}

cmd_env() {
  echo "KAFKA_BROKERS=$HOST:$KAFKA_PORT"
  echo "SCHEMA_REGISTRY_URL=$REGISTRY_URL"
  echo "DATABASE_URL=postgres://$REGISTRY_DB_USER@$REGISTRY_DB_HOST:$REGISTRY_DB_PORT/postgres"
}

usage() {
  cat <<EOF
usage: $0 <command>
  up [kafka|registry]    fetch (first time) and start Kafka and the registry (or only one); no-op if running
  up zipkin              fetch (first time) and start Zipkin, the trace backend (in memory, $ZIPKIN_URL)
  down [kafka|registry|zipkin]  stop everything that runs, or one (SIGTERM, then SIGKILL after ${STOP_TIMEOUT}s)
  restart [kafka|registry|zipkin]  down, then up (Kafka and the registry, or one); data and schemas are kept
  status                 one line per component; exit 0 if Kafka and the registry run, 3 otherwise
  logs [kafka|registry|zipkin]  follow the log files
  reset                  down, then delete Kafka's data and the registry's database
  fetch [zipkin]         only download the artifacts (Kafka's and the registry's, or Zipkin's) into $FLEET_CACHE_DIR
  env                    print the connection settings as NAME=value lines
EOF
}

main() {
  case ${1:-} in
  up) cmd_up "${2:-}" ;;
  down) cmd_down "${2:-}" ;;
  restart) cmd_restart "${2:-}" ;;
  status) cmd_status ;;
  logs) cmd_logs "${2:-all}" ;;
  reset) cmd_reset ;;
  fetch) take_lock && cmd_fetch "${2:-}" ;;
  env) cmd_env ;;
  -h | --help | help) usage ;;
  "") usage >&2 && exit 2 ;;
  *) warn "unknown command '$1'" && usage >&2 && exit 2 ;;
  esac
}

main "$@"
