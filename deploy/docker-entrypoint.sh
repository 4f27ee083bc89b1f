#!/bin/sh
# Initialises the node on first start, then serves it. Arguments are passed on to `serve`.
# SQLite (the default): the node is initialised when the data folder holds no node.sqlite.
# PostgreSQL (DATABASE_URL set): when the database holds no node yet; a worker (`--role worker`)
# never initialises, so that web and worker cannot race: it starts after the web service is up.
set -eu

: "${REFERRAL_NODE_DATA:=/var/lib/referral-node}"

missing() {
  echo "docker-entrypoint: $1 is not set. Set it to $2 so that a new node can be initialised in $REFERRAL_NODE_DATA." >&2
  exit 64
}

init_node() {
  [ -n "${REFERRAL_NODE_URL:-}" ] || missing REFERRAL_NODE_URL "the URL other nodes reach this one at (e.g. https://referrals.example.org)"
  [ -n "${REFERRAL_NODE_NAME:-}" ] || missing REFERRAL_NODE_NAME "the organisation's name"
  [ -n "${REFERRAL_NODE_COUNTRY:-}" ] || missing REFERRAL_NODE_COUNTRY "the organisation's ISO 3166-1 alpha-2 country code (e.g. GR)"
  node /app/bin/referral-node.js init --data "$REFERRAL_NODE_DATA" \
    --url "$REFERRAL_NODE_URL" --name "$REFERRAL_NODE_NAME" \
    --country "$REFERRAL_NODE_COUNTRY" --languages "${REFERRAL_NODE_LANGUAGES:-en}"
}

if [ -n "${DATABASE_URL:-}" ]; then
  # Every process of the node must unwrap the same keys: the KEK cannot be a file in one
  # container's data folder.
  [ -n "${REFERRAL_NODE_KEK:-}${REFERRAL_NODE_KEK_FILE:-}" ] || missing REFERRAL_NODE_KEK "the key-encryption key shared by the node's processes (base64url of 32 random bytes), or REFERRAL_NODE_KEK_FILE to a file that holds it (a Docker secret such as /run/secrets/kek),"
  case " $* " in
    *" --role worker "* | *" --role=worker "*) ;;
    *)
      # `node show` fails when the database holds no node yet. Should it fail for another reason
      # (the database unreachable), init fails too, and refuses outright a database that already
      # holds a node: a node is never initialised twice.
      if ! node /app/bin/referral-node.js node show --data "$REFERRAL_NODE_DATA" >/dev/null 2>&1; then
        init_node
      fi
      ;;
  esac
elif [ ! -e "$REFERRAL_NODE_DATA/node.sqlite" ]; then
  init_node
fi

exec node /app/bin/referral-node.js serve --data "$REFERRAL_NODE_DATA" --host 0.0.0.0 --port 8080 "$@"
