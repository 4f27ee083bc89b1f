#!/bin/sh
# Initialises the node on first start, then serves it. Arguments are passed on to `serve`.
set -eu

: "${REFERRAL_NODE_DATA:=/var/lib/referral-node}"

missing() {
  echo "docker-entrypoint: $1 is not set. Set it to $2 so that a new node can be initialised in $REFERRAL_NODE_DATA." >&2
  exit 64
}

if [ ! -e "$REFERRAL_NODE_DATA/node.sqlite" ]; then
  [ -n "${REFERRAL_NODE_URL:-}" ] || missing REFERRAL_NODE_URL "the URL other nodes reach this one at (e.g. https://referrals.example.org)"
  [ -n "${REFERRAL_NODE_NAME:-}" ] || missing REFERRAL_NODE_NAME "the organisation's name"
  [ -n "${REFERRAL_NODE_COUNTRY:-}" ] || missing REFERRAL_NODE_COUNTRY "the organisation's ISO 3166-1 alpha-2 country code (e.g. GR)"
  node /app/bin/referral-node.js init --data "$REFERRAL_NODE_DATA" \
    --url "$REFERRAL_NODE_URL" --name "$REFERRAL_NODE_NAME" \
    --country "$REFERRAL_NODE_COUNTRY" --languages "${REFERRAL_NODE_LANGUAGES:-en}"
fi

exec node /app/bin/referral-node.js serve --data "$REFERRAL_NODE_DATA" --host 0.0.0.0 --port 8080 "$@"
