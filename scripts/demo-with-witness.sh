#!/bin/sh
# `make demo`'s last step: this demo's own ledger witness (C2SP tlog-witness) in the background,
# then the web server, with LEDGER_WITNESSES pointing at the witness so every checkpoint the
# demo publishes is cosigned; Ctrl-C (or the server ending) stops both.
#
#   scripts/demo-with-witness.sh BIN ADDRESS      e.g. scripts/demo-with-witness.sh .venv/bin 127.0.0.1:8000
#
# The witness keeps its key and state under $SERENDIP_VAR_DIR (default var/) and listens on a
# free port of 127.0.0.1 picked now. The rest of the environment is the server's (DEMO_ENV).
set -eu
BIN=$1
ADDRESS=$2
VAR=${SERENDIP_VAR_DIR:-var}
mkdir -p "$VAR"
if [ ! -s "$VAR/ledger-witness.key" ]; then
    rm -f "$VAR/ledger-witness.key"
    "$BIN/serendip" ledger keygen --witness --name demo-witness.serendip.invalid/witness \
        --out "$VAR/ledger-witness.key" > "$VAR/ledger-witness.vkey" 2>/dev/null
fi
"$BIN/serendip" ledger key > "$VAR/ledger.vkey"  # the log's verifier key (made on first use)
PORT=$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

"$BIN/serendip" ledger witness --key-file "$VAR/ledger-witness.key" \
    --state-file "$VAR/ledger-witness-state.json" --log-key "$(cat "$VAR/ledger.vkey")" \
    --host 127.0.0.1 --port "$PORT" > "$VAR/ledger-witness.log" 2>&1 &
WITNESS=$!
trap 'kill "$WITNESS" 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM
i=0
until "$BIN/python" -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 0.2)" 2>/dev/null; do
    i=$((i + 1))
    if [ "$i" -ge 600 ] || ! kill -0 "$WITNESS" 2>/dev/null; then
        echo "the ledger witness did not start; see $VAR/ledger-witness.log" >&2
        exit 1
    fi
    sleep 0.1
done
LEDGER_WITNESSES="$(cat "$VAR/ledger-witness.vkey") http://127.0.0.1:$PORT"
export LEDGER_WITNESSES
echo "Ledger witness on http://127.0.0.1:$PORT (key in $VAR/ledger-witness.vkey). Check the log with:"
echo "  $BIN/serendip ledger verify --url http://$ADDRESS/ledger --key \"\$(cat $VAR/ledger.vkey)\" --witness-key \"\$(cat $VAR/ledger-witness.vkey)\""
# The background worker beside the server (scripts/with-worker), with the same LEDGER_WITNESSES.
sh scripts/with-worker "$BIN" "$BIN/serendip" runserver "$ADDRESS"
