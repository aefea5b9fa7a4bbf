#!/usr/bin/env bash
# Apache Kafka 4.x, single node in KRaft mode, from Maven Central jars run on this machine's Java 17+.
SERVICE=kafka; source "$(dirname "$0")/../lib.sh"
PORT=${KAFKA_PORT:-9092}
CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
HERE="$ROOT/scripts/services/kafka"
LIBS="$CACHE/kafka/libs"
DIR="$STATE/kafka"; PID="$DIR/pid"

install() {
  command -v java >/dev/null || die "java not found (Kafka needs Java 17+)"
  [[ -f "$LIBS/.complete" ]] && return 0
  command -v mvn >/dev/null || die "mvn not found (used once to fetch the Kafka jars)"
  log "fetching Kafka jars from Maven Central (once)"
  rm -rf "$LIBS"
  mvn -q -B -f "$HERE/pom.xml" dependency:copy-dependencies -DoutputDirectory="$LIBS" -DincludeScope=runtime >&2 \
    || die "maven could not fetch the Kafka jars"
  touch "$LIBS/.complete"
}

JAVA=(java -Xms256m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true
  -Dkafka.logs.dir="$DIR" -Dlog4j2.configurationFile="$HERE/log4j2.properties" -cp "$LIBS/*")

write_config() {
  cat >"$DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DIR/data
num.partitions=3
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=24
PROPS
}

# Ready = the broker accepts connections and has written its "started" line.
ready() { port_open "$PORT" && grep -q "Kafka Server started" "$DIR/server.log" 2>/dev/null; }

case "${1:-}" in
  up)
    install
    if port_open "$PORT"; then log "already answering on 127.0.0.1:$PORT"; else
      mkdir -p "$DIR"
      write_config
      if [[ ! -f "$DIR/data/meta.properties" ]]; then
        "${JAVA[@]}" kafka.tools.StorageTool format --standalone -t "$(cat /proc/sys/kernel/random/uuid | tr -d - | head -c 22)" \
          -c "$DIR/server.properties" >"$DIR/format.log" 2>&1 || die "storage format failed (log: $DIR/format.log)"
      fi
      : >"$DIR/server.log"
      start_bg "$PID" "$DIR/stdout.log" "${JAVA[@]}" kafka.Kafka "$DIR/server.properties"
      wait_until 120 kafka ready || die "kafka did not start on :$PORT (logs: $DIR/server.log, $DIR/stdout.log)"
      log "up on 127.0.0.1:$PORT (KRaft, single node)"
    fi
    echo "KAFKA_BROKERS=127.0.0.1:$PORT" ;;
  down) stop_pid "$PID"; log "down" ;;
  reset) stop_pid "$PID"; rm -rf "$DIR"; log "data removed" ;;
  status) if port_open "$PORT"; then log "up on 127.0.0.1:$PORT"; else log "down"; exit 1; fi ;;
  *) die "usage: $0 up|down|status|reset" ;;
esac
