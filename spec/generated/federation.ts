// Generated from spec/federation.yaml by `npm run gen:spec`. Do not edit.
export interface paths {
    "/.well-known/referral-node": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The node's signed identity document.
         * @description A node SHOULD sign its document again once half its lifetime has passed, so that the one
         *     served always has at least half of it left (this implementation: 24 h, the longest a
         *     peer accepts, so at least 12 h left). Peers that trust this node fetch it again before it expires, with
         *     `If-None-Match` and the ETag they hold; they accept a changed document only when it is
         *     signed with the signing key they pinned (and alert their administrator otherwise).
         */
        get: operations["getIdentityDocument"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/federation/v1/historical-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The keys this node no longer uses, with their validity.
         * @description In the spirit of OpenID Federation's historical keys endpoint: a compact JWS, protected
         *     header `{"alg":"EdDSA","typ":"referral-historical-keys+jwt","kid":<the current signing
         *     kid>}`, payload `HistoricalKeysClaims`, signed with the node's current signing key (the
         *     one in its identity document). It lists every retired key, so that what was signed or
         *     sealed with it (receipts, erasure statements, checkpoints) can still be checked after a
         *     rotation, and every signing key revoked as compromised (`revoked_at`,
         *     `revocation_reason`). Public: it holds public keys only.
         */
        get: operations["getHistoricalKeys"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/federation/v1/envelopes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Deliver one envelope; answers with a signed receipt.
         * @description The URL of this operation is the one a node publishes in its identity document's
         *     `endpoints.envelopes`; a sender posts there (see "Envelope construction"). The receiver
         *     checks the envelope in the order of "Envelope verification (receiver)", each failure
         *     answered with its problem type and changing nothing, then applies the message and its
         *     receipt in one durable transaction. The same bytes posted again are answered with the
         *     stored receipt and no second effect, so a sender may retry whenever it holds no receipt.
         */
        post: operations["postEnvelope"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/federation/v1/log/checkpoint": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The latest checkpoint of this node's audit log, with its witnesses' cosignatures.
         * @description A peer compares it with the checkpoint it cosigned as a witness, and uses its size for the
         *     proofs below. The node's own signature line comes first (key ID with type 0x01), then one
         *     cosignature line per witness (type 0x04); a reader ignores lines by keys it does not know.
         */
        get: operations["getLogCheckpoint"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/federation/v1/log/entries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Entries of the audit log from `start`, at most 1000 per page.
         * @description Every entry's leaf hash, so the tree and its checkpoints can be checked; the entry's text
         *     only when it is about the requesting peer's own dealings with this node (its referrals,
         *     disclosures to it, erasures it owes or confirmed, its peer record, a consent it sent).
         *     The others would tell which organisations dealt with the same case.
         */
        get: operations["getLogEntries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/federation/v1/log/proofs/inclusion": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * RFC 9162 inclusion proof of one entry (by index or by leaf hash) in the tree of a given size.
         * @description Proves that an entry a peer holds (one about its own dealings, from `getLogEntries`) is in
         *     the tree of `tree_size` entries, whose root a checkpoint signs. `tree_size` is at most the
         *     log's current size (`beyond-log-size` otherwise); give `index` or `leaf_hash`, not both.
         */
        get: operations["getLogInclusionProof"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/federation/v1/log/proofs/consistency": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * RFC 9162 consistency proof from the tree of `old_size` to the tree of `new_size`.
         * @description Proves that the log of `new_size` entries extends the one of `old_size` entries without
         *     changing it: what a witness checks before it cosigns a newer checkpoint, and what a peer
         *     checks between two checkpoints it saw. `old_size` ≤ `new_size` ≤ the log's current size.
         */
        get: operations["getLogConsistencyProof"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/federation/v1/witness/add-checkpoint": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Submit a checkpoint of the caller's own log for cosigning (C2SP tlog-witness add-checkpoint).
         * @description Checks, in this order: body size ≤ 64 KiB (`witness-request-too-large`, 413); form
         *     (`malformed-witness-request`, 400); the checkpoint's origin is the caller's log
         *     (`not-log-origin`, 403); a valid signature by the caller's pinned key
         *     (`bad-checkpoint-signature`, 403); old size ≤ checkpoint size (400); a checkpoint of the
         *     size the witness holds with another root (`checkpoint-conflict`, 409, kept as evidence);
         *     old size equal to the size the witness holds (0 if none) — otherwise 409
         *     `text/x.tlog.size` with that size; the consistency proof (`inconsistent-checkpoint`, 422,
         *     kept as evidence when the witness holds a checkpoint). Then the witness stores the
         *     checkpoint as the latest of that log and cosigns it.
         */
        post: operations["addCheckpoint"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/federation/v1/invitations/{id}/redeem": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Redeem an invitation this node made; both nodes then trust each other.
         * @description Called by the node that holds the invitation's code (see "Invitations" above); no
         *     service token, since the caller is not a peer yet: the invitation secret and the caller's
         *     signature authenticate it. The called node (A) checks, in this order, and each failure
         *     changes nothing:
         *     1. Body ≤ 64 KiB → `redeem-request-too-large` (413); `Content-Type: application/jose`
         *        → `unsupported-media-type` (415).
         *     2. Form: `id` is a UUID; the body is a compact JWS whose protected header has `alg`
         *        `EdDSA`, `typ` `referral-invitation-redeem+jwt` and a string `kid`; its payload matches
         *        `InvitationRedeemClaims`; `invitation` equals `id`; `iss` is a node id in its canonical
         *        form (scheme and host in lower case, no default port, no trailing slash) →
         *        `malformed-redeem-request` (400).
         *     3. `aud` is A's node id → `wrong-recipient` (400).
         *     4. `|now − iat|` ≤ the allowed clock skew (default 300 s) → `signature-time-skew` (400).
         *     5. An invitation with this id exists and `SHA-256(b64url-decode(secret))` equals its
         *        stored digest, compared in constant time → `invalid-invitation` (403; the same answer
         *        for an unknown id and a wrong secret).
         *     6. It was not revoked → `invitation-revoked` (410); not used → `invitation-used` (409);
         *        `now` < its expiry → `invitation-expired` (410).
         *     7. `iss` is not A's own id, and A fetches `GET <iss>/.well-known/referral-node` itself:
         *        no answer or not 200 → `identity-unavailable` (422); a document that does not verify,
         *        is not issued by `iss`, or whose signing `kid` is not the JWS header's `kid` →
         *        `identity-mismatch` (403).
         *     8. The JWS signature verifies with that signing key → `bad-signature` (403).
         *     9. A does not know `iss` with another signing key (unless A revoked it) →
         *        `peer-key-conflict` (409); A has not suspended it → `peer-suspended` (409).
         *     10. In one transaction: step 6 again (a concurrent redemption may have won), mark the
         *         invitation used by `iss` with the key pinned, store the identity document with the
         *         signing key pinned and the peer trusted (a revoked peer becomes a peer anew), and write
         *         the audit entries (`invitation.redeemed`, and `peer.added`, `peer.trusted` where the
         *         state changes). Answer 200 with the confirmation signed by A.
         */
        post: operations["redeemInvitation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/federation/v1/key-revocations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Tell this node that a node's signing key was compromised; it revokes that node at once.
         * @description Sent by a node whose administrator ran `referral-node keys revoke` to every peer it
         *     trusts, or by a network's trust anchor operator (`referral-node trustlist revoke-key`) to
         *     the members of its list. No service token: the statement authenticates itself. It is a
         *     compact JWS, protected header `{"alg":"EdDSA","typ":"referral-key-revocation+jwt",
         *     "kid":…}`, payload `KeyRevocationClaims`, signed either by the revoked key itself (`kid`
         *     is the revoked key's, `iss` is the node) or by the trust anchor this node follows (`kid`
         *     is the anchor's thumbprint and the header carries the anchor's public `jwk`; `iss` is
         *     `urn:refnet:trust-anchor:<kid>`). The same statements are carried in the node's identity
         *     document (`key_revocations`), so a peer that was not reached acts on it at its next
         *     identity refresh. The receiving node checks, in this order, each failure changing nothing:
         *     1. Body ≤ 16 KiB → `key-revocation-too-large` (413); `Content-Type: application/jwt`
         *        → `unsupported-media-type` (415).
         *     2. Form: header and payload as above; an anchor's `jwk` is an Ed25519 public key whose
         *        thumbprint is the header's `kid` → `malformed-key-revocation` (400).
         *     3. `sub` is a peer of this node, and `kid` is: for a statement by the node itself, its
         *        pinned signing key or a later key the statement's own `continuity` leads to from the
         *        pinned one (never an earlier key: whoever kept a key the node rotated away from cannot
         *        cut it off with it); for an anchor's statement, its pinned key or an earlier key of its
         *        chain (the list may lag behind), and the anchor is the one this node is configured to
         *        follow → `unknown-key` (403).
         *     4. The signature verifies with the revoked key, or with the anchor's key →
         *        `bad-signature` (403). (For a statement with its own `continuity`, its signature by
         *        the key the chain ends at is checked before the chain.)
         *     5. The statement is kept as evidence, and the peer revoked with reason `key-compromise`
         *        (`peer.revoked` in the audit log; messages still queued for it are cancelled). A peer
         *        already revoked keeps its state, now with reason `key-compromise`, so that the same key
         *        is never pinned again, even by invitation. Answer 200; the same statement again is
         *        answered 200 and changes nothing.
         */
        post: operations["postKeyRevocation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/federation/v1/directory": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * This organisation's services, signed (trusted peers only).
         * @description A compact JWS, protected header `{"alg":"EdDSA","typ":"referral-directory+jwt","kid":<the
         *     signing kid>}`, payload `DirectoryClaims`: the organisation and every service it
         *     describes (paused ones too, marked so). Served only to trusted peers (service token),
         *     with an `ETag`; `If-None-Match` with it is answered 304 while nothing changed. Signed
         *     again when a service changes, and at least every 12 hours (valid 24). A node keeps a
         *     peer's directory only when it is signed with the key pinned for that peer, issued by it,
         *     of this form, unexpired and not older than the one held; otherwise it keeps the one it
         *     has and shows the error (`GET /api/v1/directories`).
         */
        get: operations["getDirectory"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Base64Url: string;
        CompactJws: string;
        /**
         * Format: uri
         * @description The node's base URL, without trailing slash.
         */
        NodeId: string;
        /** @description RFC 7638 JWK thumbprint (SHA-256, base64url). */
        Kid: string;
        OkpPublicJwk: {
            /** @constant */
            kty: "OKP";
            /** @enum {unknown} */
            crv: "Ed25519" | "X25519";
            x: components["schemas"]["Base64Url"];
            kid: components["schemas"]["Kid"];
            /** @enum {unknown} */
            use: "sig" | "enc";
            alg?: string;
        };
        HistoricalKeysClaims: {
            iss: components["schemas"]["NodeId"];
            iat: number;
            /** @description The public JWK of each retired key, with its validity (NumericDates). */
            keys: {
                /** @constant */
                kty: "OKP";
                /** @enum {unknown} */
                crv: "Ed25519" | "X25519";
                x: components["schemas"]["Base64Url"];
                kid: components["schemas"]["Kid"];
                /** @enum {unknown} */
                use: "sig" | "enc";
                alg?: string;
                /** @description When the key was made. */
                iat: number;
                /** @description When it stopped being the current key. */
                retired_at: number;
                /** @description When its private half was destroyed. */
                destroyed_at?: number;
                /** @description When it was declared compromised (`referral-node keys revoke`). */
                revoked_at?: number;
                /** @constant */
                revocation_reason?: "key-compromise";
            }[];
        };
        /** @description A node's signing key declared compromised (see `POST /federation/v1/key-revocations`). */
        KeyRevocationClaims: {
            /** @description The node itself (signed by the revoked key), or `urn:refnet:trust-anchor:<kid>` (signed by the anchor). */
            iss: string;
            sub: components["schemas"]["NodeId"];
            iat: number;
            /** @description The revoked signing key. */
            kid: components["schemas"]["Kid"];
            /** @constant */
            reason: "key-compromise";
            /**
             * @description For a statement by the node itself: the continuity statements that lead to the revoked
             *     key (as in its identity document at the time), so that a peer that had not yet followed
             *     a rotation to that key finds it from the key it pinned (the last four at most).
             */
            continuity?: components["schemas"]["KeyContinuityStatement"][];
        };
        KeyRevocationResponse: {
            node_id: components["schemas"]["NodeId"];
            kid: components["schemas"]["Kid"];
            /** @constant */
            peer_state: "revoked";
        };
        IdentityClaims: {
            iss: components["schemas"]["NodeId"];
            sub: components["schemas"]["NodeId"];
            iat: number;
            exp: number;
            name: string;
            /** @description ISO 3166-1 alpha-2. */
            country: string;
            languages: string[];
            contact?: string;
            protocol_versions: string[];
            message_types?: components["schemas"]["MessageType"][];
            endpoints: {
                /** Format: uri */
                envelopes: string;
            };
            jwks: {
                keys: components["schemas"]["OkpPublicJwk"][];
            };
            /**
             * @description How the node's signing key came to be the one that signs this document: one
             *     KeyContinuityStatement per signing-key rotation, oldest first, each signed by the key it
             *     replaces and by the key it introduces. The chain is linear (each statement's `previous`
             *     is the one before's `next`) and ends at the key that signs this document. A peer that
             *     pinned any key of the chain follows it to the current key; a document whose signing key
             *     is neither the pinned one nor reached from it by this chain is not accepted. Absent (or
             *     empty) when the node never rotated its signing key, or since a key revocation began a new
             *     chain. At most the last 16 rotations: a peer that pinned a key older than that is asked
             *     to trust the node anew.
             */
            continuity?: components["schemas"]["KeyContinuityStatement"][];
            /**
             * @description The node's own key revocation statements (compact JWS, `KeyRevocationClaims`), newest
             *     first: a peer that pinned one of those keys revokes the node when it refreshes this
             *     document, should the statement pushed to it at the time not have reached it.
             */
            key_revocations?: components["schemas"]["CompactJws"][];
        };
        /**
         * @description A signing-key rotation, in JWS General JSON Serialization (RFC 7515 §7.2.1): the payload
         *     (KeyContinuityClaims) signed twice, first by the key it replaces (`previous`), then by the
         *     key it introduces (`next`). Each signature's protected header is `{"alg":"EdDSA",
         *     "typ":"referral-key-continuity+jws","kid":…}` with the kid of its key.
         */
        KeyContinuityStatement: {
            payload: components["schemas"]["Base64Url"];
            signatures: {
                protected: components["schemas"]["Base64Url"];
                signature: components["schemas"]["Base64Url"];
            }[];
        };
        KeyContinuityClaims: {
            iss: components["schemas"]["NodeId"];
            iat: number;
            previous: components["schemas"]["OkpPublicJwk"];
            next: components["schemas"]["OkpPublicJwk"];
        };
        /**
         * @description Message types of protocol v1. This node accepts the referral lifecycle:
         *     `referral.inquiry`, `referral.inquiry-answer`, `referral.offer`, `referral.info-request`, `referral.info-response`, `referral.accept`,
         *     `referral.decline`, `referral.update`, `referral.complete`, `referral.withdraw`,
         *     `referral.onward`, `referral.handover`, and consent withdrawal and erasure: `consent.withdraw`, `erasure.receipt`. A node lists what it accepts in its identity document's `message_types`.
         *
         *     ## Referral lifecycle
         *     Both organisations keep the referral's state; each message moves both in step. The
         *     **sender** is the organisation that made the offer, the **receiver** the one it was made
         *     to. A message from the wrong party, or from a state not listed, is refused with
         *     `illegal-transition` and changes nothing.
         *
         *     | message | sent by | from states | to state |
         *     | --- | --- | --- | --- |
         *     | `referral.inquiry` | sender | (new) | `inquiry` |
         *     | `referral.inquiry-answer` | receiver | `inquiry` | `inquiry-answered` |
         *     | `referral.offer` | sender | (new), `inquiry-answered` | `delivered` |
         *     | `referral.info-request` | receiver | `delivered` | `info-requested` |
         *     | `referral.info-response` | sender | `info-requested` | `delivered` |
         *     | `referral.accept` | receiver | `delivered` | `accepted` |
         *     | `referral.decline` | receiver | `delivered`, `info-requested` | `declined` |
         *     | `referral.update` | receiver | `accepted`, `in-progress` | `in-progress` |
         *     | `referral.complete` | receiver | `accepted`, `in-progress` | `completed` |
         *     | `referral.onward` | receiver | `delivered`, `accepted`, `in-progress` | (unchanged) |
         *     | `referral.handover` | receiver | `accepted`, `in-progress` | (unchanged) |
         *     | `referral.withdraw` | sender | `inquiry`, `inquiry-answered`, `sent`, `delivered`, `info-requested`, `accepted`, `in-progress` | `withdrawn` |
         *
         *     On the sender's side an offer is `sent` until the receiver's receipt arrives; a message
         *     from the receiver that arrives first is applied as if the state were `delivered`.
         *
         *     **Onward referral**: the receiver may refer the case on to a third organisation only when
         *     the offer's consent has `onward_referral.allowed` (and, if it lists `recipients`, names
         *     that organisation). The new referral is an ordinary offer to the third organisation,
         *     carrying `onward_of` and a consent derived from the original (the same categories at most,
         *     the same validity, no further onward referral); `referral.onward` tells the original
         *     sender that it happened and to whom. The referring node MUST check the permission before
         *     it seals the onward offer; the original sender checks it again when the notice arrives and
         *     refuses one the consent does not allow with `consent-onward-not-allowed` (422, final). Like
         *     any final refusal of a message in the middle of a referral, it leaves the referring node's
         *     later messages of that referral refused as `out-of-order` until an administrator there
         *     deals with it; the original sender can still withdraw the referral and the consent (their
         *     messages are its own). The third organisation cannot see the original consent; it checks
         *     the derived one like any other.
         *
         *     An **inquiry** asks whether the receiver can help before anything about the person is
         *     sent: it carries needs, urgency and a coarse profile, never personal data. After the
         *     answer the sender may make the offer on the same referral (its `seq` continues) or
         *     withdraw.
         *
         *     **Expiry** needs no message: when the `reply_by` of the offer (or inquiry) passes while
         *     the referral is `inquiry`, `sent`, `delivered` or `info-requested` (not yet answered), each side moves it
         *     to `expired` by its own clock. A message of the receiver whose `header.created_at` is not
         *     after `reply_by` is still applied when it arrives later (from the state the referral
         *     had before it expired), so clocks and delays cannot split the two sides; any other
         *     message to an expired referral is refused with `illegal-transition`.
         *
         *     `completed`, `declined`, `withdrawn` and `expired` are final for the referral itself;
         *     consent withdrawal and erasure still apply to them.
         *
         *     ## The receiver's caseworker and case reference
         *     So that the sender knows whom to call, the receiver tells it who is responsible for the
         *     referral there: `caseworker` (a `ResponsibleCaseworker`: her name and a work contact, never
         *     anything about the person referred) and its own `case_reference`, both optional, in
         *     `referral.accept`; and later, whenever another caseworker becomes responsible (or nobody
         *     is), in `referral.handover`, which changes no state. The latest one received replaces
         *     what the sender knew. A `referral.handover` without `caseworker` says that nobody is
         *     named at the receiver now. The sender keeps the caseworker's name and contact encrypted,
         *     like a note.
         *
         *     These are additions to protocol version 1, and a node announces that it understands
         *     them by listing `referral.handover` in its identity document's `message_types`. A node
         *     MUST NOT send `referral.handover`, nor `caseworker` or `case_reference` in
         *     `referral.accept`, to a peer whose identity document does not list `referral.handover`
         *     (or has no `message_types`): such a peer refuses them (`unsupported-message-type`,
         *     `invalid-body`). The referral goes on without them.
         *
         *     ## Consent withdrawal and erasure
         *     | message | sent by | from states | to state |
         *     | --- | --- | --- | --- |
         *     | `consent.withdraw` | sender | `inquiry`, `inquiry-answered`, `sent`, `delivered`, `info-requested`, `accepted`, `in-progress`, `completed`, `declined`, `withdrawn`, `expired` | `consent-withdrawn` |
         *     | `erasure.receipt` | receiver | `completed`, `declined`, `withdrawn`, `expired`, `consent-withdrawn` | (unchanged) |
         *
         *     When the client withdraws her consent for a recipient, the sender sends `consent.withdraw`
         *     on every referral made under that consent to it. Before queuing it, the sender cancels
         *     its own messages of the referral still waiting in its outbox (they are never sent: they
         *     may carry client data); an offer that never left is cancelled and nothing is sent at all.
         *     The receiver, in the transaction that applies the message: erases the referral's personal
         *     data (every stored payload and its key, the payloads of every envelope of the referral
         *     both ways, notes and answers), cancels its own queued messages of the referral, keeps the
         *     non-personal metadata (ids, states, dates, codes, receipts), passes `consent.withdraw` on
         *     to every organisation it referred the case on to, and queues `erasure.receipt` with its
         *     signed erasure statement (`ErasureStatementClaims`). When an onward recipient's
         *     `erasure.receipt` arrives, the receiver relays that recipient's statement to the
         *     original sender in another `erasure.receipt` (`relayed`).
         *
         *     **Retention**: a node erases referrals that have been closed (`completed`, `declined`,
         *     `withdrawn`, `expired`, `consent-withdrawn`) for longer than its retention period. A
         *     receiver then sends `erasure.receipt` with reason `retention` on its own, so the sender
         *     knows the data is gone there too.
         *
         *     Because cancelled messages leave gaps in `seq`, `consent.withdraw` and `erasure.receipt`
         *     are applied with any `seq` above the last one applied (not only the next one).
         *
         *     ## Order
         *     `header.seq` numbers each party's own messages within a referral, from 1 (the offer is
         *     the sender's 1). A receiver applies a party's messages in that order: a message whose
         *     `seq` is more than one past the last one applied is refused with `out-of-order` (409),
         *     which a sender retries; one at or below it, under a new envelope id, is an
         *     `envelope-conflict`. The exception is consent withdrawal and erasure (above).
         */
        MessageType: string;
        EnvelopeHeader: {
            /** @constant */
            v: 1;
            /**
             * Format: uuid
             * @description Envelope id, a UUIDv7 (time-ordered), unique per sender.
             */
            id: string;
            type: components["schemas"]["MessageType"];
            from: components["schemas"]["NodeId"];
            to: components["schemas"]["NodeId"];
            /** Format: uuid */
            referral_id: string;
            /** @description The sender's sequence number of this message within the referral. */
            seq: number;
            /** Format: date-time */
            created_at: string;
            recipient_kid: components["schemas"]["Kid"];
            sender_kid: components["schemas"]["Kid"];
        };
        EnvelopePayload: {
            /** @description base64url of the exact UTF-8 JSON bytes of `EnvelopeHeader` (the AEAD associated data). */
            header: components["schemas"]["Base64Url"];
            /** @description base64url of the 24-byte XChaCha20-Poly1305 nonce. */
            nonce: components["schemas"]["Base64Url"];
            /** @description base64url of the AEAD ciphertext including its 16-byte tag; it opens to the body of the header's message type. */
            ciphertext: components["schemas"]["Base64Url"];
            keys: {
                /** @description base64url of crypto_box_seal(content key, recipient X25519 key). */
                recipient: components["schemas"]["Base64Url"];
                /** @description base64url of crypto_box_seal(content key, sender X25519 key). */
                sender: components["schemas"]["Base64Url"];
            };
        };
        ReceiptClaims: {
            iss: components["schemas"]["NodeId"];
            aud: components["schemas"]["NodeId"];
            /** Format: uuid */
            envelope_id: string;
            /** @description base64url(SHA-256(envelope payload bytes)). */
            payload_digest: components["schemas"]["Base64Url"];
            /** Format: date-time */
            received_at: string;
        };
        ServiceTokenClaims: {
            iss: components["schemas"]["NodeId"];
            aud: components["schemas"]["NodeId"];
            htm: string;
            /** Format: uri */
            htu: string;
            iat: number;
            exp: number;
            /** @description Unique per token, e.g. a UUID; kept until the token expires to refuse a replay, so a bounded identifier, not text. */
            jti: string;
        };
        /** @description base64url of the invitation's 32 random bytes. */
        InvitationSecret: string;
        /** @description The payload of the JWS in an invitation code (`refnet-invite:<JWS>`), signed by the inviting node. */
        InvitationCodeClaims: {
            /** @constant */
            v: 1;
            /** @description The inviting node's id; its redeem endpoint is `<iss>/federation/v1/invitations/<id>/redeem`. */
            iss: components["schemas"]["NodeId"];
            /** Format: uuid */
            id: string;
            secret: components["schemas"]["InvitationSecret"];
            /** @description When the invitation expires (NumericDate); the inviting node's own record decides. */
            exp: number;
        };
        /** @description The payload of a redeem request, signed by the redeeming node. */
        InvitationRedeemClaims: {
            /** @description The redeeming node's id; the inviting node fetches its identity document from this URL. */
            iss: components["schemas"]["NodeId"];
            aud: components["schemas"]["NodeId"];
            /** Format: uuid */
            invitation: string;
            secret: components["schemas"]["InvitationSecret"];
            iat: number;
            jti: string;
        };
        /** @description The inviting node's statement that it pinned the redeeming node's signing key and trusts it. */
        InvitationConfirmationClaims: {
            iss: components["schemas"]["NodeId"];
            aud: components["schemas"]["NodeId"];
            /** Format: uuid */
            invitation: string;
            /** @description The redeeming node's signing key, as pinned by the inviting node. */
            signing_kid: components["schemas"]["Kid"];
            iat: number;
        };
        /**
         * @description The payload of a network trust list: a compact JWS by a network's trust anchor, in the
         *     spirit of OpenID Federation 1.0 subordinate statements, listing the member nodes and the
         *     signing key of each. It lists members and keys only, never cases or people.
         *
         *     Protected header: `alg` `EdDSA`; `typ` `referral-trust-list+jwt`; `jwk`, the anchor's
         *     public Ed25519 key (`kty` OKP, `crv` Ed25519, `x`; no private member); `kid`, the RFC 7638
         *     thumbprint (SHA-256, base64url) of that key. A node follows a list only with the anchor's
         *     thumbprint configured out of band (`REFERRAL_NODE_TRUST_ANCHOR_KID`): the list is refused
         *     unless the thumbprint of `jwk` equals both `kid` and the configured value and the
         *     signature verifies with `jwk`. The key in the header only saves a fetch; trust comes from
         *     the configured thumbprint.
         *
         *     A follower refuses, changing nothing, a list that does not verify, does not match this
         *     schema, has `exp` at or before its clock, has `iat` more than the allowed clock skew in
         *     its future, or has an `iat` older than the list it applied last (no roll-back to an
         *     earlier list). It then, for each member other than itself: pins a node it does not know
         *     after fetching its identity document and checking that the document's signing key is
         *     `signing_kid`; trusts a pending peer whose pinned key is `signing_kid`; leaves alone, and
         *     reports, a peer pinned with another key; leaves alone a peer its administrator suspended
         *     or revoked. A peer it trusted because of the list and that the list no longer names is
         *     revoked (`no-longer-partner`); peers trusted otherwise are not touched.
         */
        TrustListClaims: {
            /** @description The network's name as its anchor calls it (shown to administrators; not a URL). */
            iss: string;
            /** @description When the list was signed (NumericDate). */
            iat: number;
            /** @description When it stops being applied (NumericDate); a follower keeps what it applied but applies nothing stale. */
            exp: number;
            members: {
                node_id: components["schemas"]["NodeId"];
                /** @description The member's signing key (the `kid` of its identity document's signing key). */
                signing_kid: components["schemas"]["Kid"];
                /** @description The organisation's name, for people reading the list; the identity document's name is what a node shows. */
                name?: string;
            }[];
        };
        InvitationRedeemResponse: {
            /** @description Compact JWS by the inviting node whose payload is `InvitationConfirmationClaims`. */
            confirmation: components["schemas"]["CompactJws"];
        };
        ReceiptResponse: {
            /** @description Compact JWS whose payload is `ReceiptClaims`. */
            receipt: components["schemas"]["CompactJws"];
            /** Format: uuid */
            envelope_id: string;
            payload_digest: components["schemas"]["Base64Url"];
            /** Format: date-time */
            received_at: string;
        };
        /** @description The body schema of each message type (the encrypted part of an envelope). */
        MessageBodies: {
            "referral.inquiry"?: components["schemas"]["ReferralInquiryBody"];
            "referral.inquiry-answer"?: components["schemas"]["ReferralInquiryAnswerBody"];
            "referral.offer"?: components["schemas"]["ReferralOfferBody"];
            "referral.info-request"?: components["schemas"]["ReferralInfoRequestBody"];
            "referral.info-response"?: components["schemas"]["ReferralInfoResponseBody"];
            "referral.accept"?: components["schemas"]["ReferralAcceptBody"];
            "referral.decline"?: components["schemas"]["ReferralDeclineBody"];
            "referral.update"?: components["schemas"]["ReferralUpdateBody"];
            "referral.complete"?: components["schemas"]["ReferralCompleteBody"];
            "referral.withdraw"?: components["schemas"]["ReferralWithdrawBody"];
            "referral.onward"?: components["schemas"]["ReferralOnwardBody"];
            "referral.handover"?: components["schemas"]["ReferralHandoverBody"];
            "consent.withdraw"?: components["schemas"]["ConsentWithdrawBody"];
            "erasure.receipt"?: components["schemas"]["ErasureReceiptBody"];
        };
        /** @description Free text between caseworkers. May hold personal data; it travels and is stored encrypted. */
        Note: string;
        /**
         * @description What a receiver needs to know to say whether it can help, coarse enough to identify no
         *     one: no names, dates of birth, nationalities, contact details or free text.
         */
        InquiryProfile: {
            /** @enum {unknown} */
            age_group?: "minor" | "adult";
            /** @enum {unknown} */
            legal_status?: "asylum-seeker" | "refugee" | "subsidiary-protection" | "residence-permit" | "eu-citizen" | "undocumented" | "other";
            languages?: string[];
            children?: number;
            /** @description Where the service is wanted (a region or city), not where the person lives. */
            region?: string;
        };
        ReferralInquiryBody: {
            /** Format: uuid */
            referral_id: string;
            needs: components["schemas"]["TaxonomyCode"][];
            urgency: components["schemas"]["Urgency"];
            /** Format: date-time */
            reply_by?: string;
            profile: components["schemas"]["InquiryProfile"];
        };
        /** @enum {unknown} */
        Capacity: "can-help" | "waiting-list" | "cannot-help";
        ReferralInquiryAnswerBody: {
            /** Format: uuid */
            referral_id: string;
            capacity: components["schemas"]["Capacity"];
            /** Format: date */
            available_from?: string;
            reason?: components["schemas"]["DeclineReason"];
            note?: components["schemas"]["Note"];
        };
        ReferralInfoRequestBody: {
            /** Format: uuid */
            referral_id: string;
            questions: components["schemas"]["Note"];
        };
        ReferralInfoResponseBody: {
            /** Format: uuid */
            referral_id: string;
            answer: components["schemas"]["Note"];
            /** @description More client data; only groups within the offer's consent categories. */
            client?: components["schemas"]["ClientData"];
        };
        ReferralAcceptBody: {
            /** Format: uuid */
            referral_id: string;
            note?: components["schemas"]["Note"];
            case_reference?: components["schemas"]["CaseReference"];
            caseworker?: components["schemas"]["ResponsibleCaseworker"];
        };
        /**
         * @description The receiving organisation's own reference for the case (e.g. `AT-2026-0007`), for its
         *     staff and the sender's to name the case to each other. It names the case, never the
         *     person: no name, date of birth or other data about her. Only to peers listing
         *     `referral.handover` in `message_types` (see MessageType).
         */
        CaseReference: string;
        /**
         * @description The receiving organisation's caseworker responsible for the referral: the name she
         *     works under and, if she gave one, a work contact (a phone number or an e-mail address at
         *     work). Nothing about the person referred. Only to peers listing `referral.handover` in
         *     `message_types` (see MessageType).
         */
        ResponsibleCaseworker: {
            name: string;
            contact?: string;
        };
        /**
         * @description Who is responsible for the referral at the receiver from now on (see MessageType). Without
         *     `caseworker`, nobody is named there now. Changes no state.
         */
        ReferralHandoverBody: {
            /** Format: uuid */
            referral_id: string;
            caseworker?: components["schemas"]["ResponsibleCaseworker"];
            case_reference?: components["schemas"]["CaseReference"];
        };
        /** @enum {unknown} */
        DeclineReason: "no-capacity" | "not-eligible" | "out-of-area" | "client-unreachable" | "other";
        ReferralDeclineBody: {
            /** Format: uuid */
            referral_id: string;
            reason: components["schemas"]["DeclineReason"];
            note?: components["schemas"]["Note"];
        };
        /** @enum {unknown} */
        UpdateStatus: "first-contact-made" | "service-started" | "on-hold" | "resumed" | "other";
        ReferralUpdateBody: {
            /** Format: uuid */
            referral_id: string;
            status: components["schemas"]["UpdateStatus"];
            note?: components["schemas"]["Note"];
        };
        /** @enum {unknown} */
        Outcome: "service-completed" | "goals-partly-met" | "client-stopped" | "client-unreachable" | "referred-elsewhere" | "other";
        ReferralCompleteBody: {
            /** Format: uuid */
            referral_id: string;
            outcome: components["schemas"]["Outcome"];
            note?: components["schemas"]["Note"];
        };
        ReferralOnwardBody: {
            /** Format: uuid */
            referral_id: string;
            to: components["schemas"]["NodeId"];
            /** Format: uuid */
            onward_referral_id: string;
            note?: components["schemas"]["Note"];
        };
        /** @enum {unknown} */
        WithdrawReason: "client-request" | "need-met-elsewhere" | "sent-in-error" | "other";
        ReferralWithdrawBody: {
            /** Format: uuid */
            referral_id: string;
            reason: components["schemas"]["WithdrawReason"];
            note?: components["schemas"]["Note"];
        };
        /** @description The client withdrew the consent this referral was made under; erase its personal data. */
        ConsentWithdrawBody: {
            /** Format: uuid */
            referral_id: string;
            /**
             * Format: uuid
             * @description The `consent.id` of the offer; a receiver refuses another with `invalid-body`. A referral
             *     begun by an inquiry and not offered yet carries no consent (and nothing personal): the
             *     sender names the consent it withdraws, which the receiver cannot check and does not,
             *     and the referral moves to `consent-withdrawn` like any other.
             */
            consent_id: string;
        };
        /** @description The receiver erased the referral's personal data (or relays the erasure by an organisation it referred the case on to). */
        ErasureReceiptBody: {
            /** Format: uuid */
            referral_id: string;
            /** @enum {unknown} */
            reason: "consent-withdrawn" | "retention";
            /** @description The receiver's erasure statement, a compact JWS (see `ErasureStatementClaims`). */
            statement: string;
            /** @description The organisations the receiver referred the case on to, each asked to erase in turn. */
            onward?: {
                to: components["schemas"]["NodeId"];
                /** Format: uuid */
                referral_id: string;
                /** @description `false`: the onward offer was cancelled before it left; that organisation holds nothing, and this statement covers it. Absent = `true`. */
                sent?: boolean;
            }[];
            /** @description Erasure statements of onward recipients, passed on unchanged. */
            relayed?: {
                node_id: components["schemas"]["NodeId"];
                /** Format: uuid */
                referral_id: string;
                /**
                 * @description The onward recipient's statement as it signed it. A node that does not know
                 *     that recipient's key keeps it unverified, and only in the form a node signs it:
                 *     the protected header exactly `alg`, `typ` and `kid` (a thumbprint), header and
                 *     claims as compact JSON (no spaces, no repeated or extra members), a 64-byte
                 *     signature; anything else is `invalid-body`.
                 */
                statement: string;
            }[];
        };
        /**
         * @description The claims of an erasure statement: a compact JWS, protected header
         *     `{"alg":"EdDSA","typ":"erasure-statement+jws","kid":<the eraser's signing kid>}`, signed
         *     with the eraser's signing key. It holds no personal data, so the organisation it is
         *     addressed to keeps it as evidence for auditors, beside the referral's metadata.
         */
        ErasureStatementClaims: {
            iss: components["schemas"]["NodeId"];
            /** @description The organisation the referral came from. */
            aud: components["schemas"]["NodeId"];
            /** Format: uuid */
            referral_id: string;
            /** @enum {unknown} */
            reason: "consent-withdrawn" | "retention";
            /** Format: date-time */
            erased_at: string;
            iat: number;
        };
        DirectoryClaims: {
            iss: components["schemas"]["NodeId"];
            iat: number;
            exp: number;
            /** @description The version of the shared taxonomy (spec/taxonomy.yaml) its categories come from. */
            taxonomy_version: number;
            organization: {
                name: string;
                country: string;
                languages: string[];
                contact?: string;
            };
            services: components["schemas"]["DirectoryService"][];
        };
        DirectoryService: components["schemas"]["ServiceFields"] & {
            /** Format: uuid */
            id: string;
            /** @enum {unknown} */
            status: "active" | "paused";
            accepting_referrals: boolean;
            /** Format: date-time */
            updated_at: string;
        };
        /** @description Text in one or more languages, keyed by BCP 47 language tag: `{"en": "…", "el": "…"}`. */
        LocalizedText: {
            [key: string]: string;
        };
        /** @description A region or city: a name, never a street address (no digits), and no control characters. */
        PlaceName: string;
        /**
         * @description A service as its organisation describes it, with Open Referral HSDS 3 names where they fit
         *     (`name`, `description`, `status`, `languages`, `service_areas`, `minimum_age`,
         *     `maximum_age`, `eligibility_description`, `email`, `url`, capacity as `available` and
         *     `maximum`). The location is a country, region and city, never a street address: the
         *     address of a shelter or safe house must not travel between organisations in a directory;
         *     it is given to the person referred, when she is accepted.
         */
        ServiceFields: {
            name: components["schemas"]["LocalizedText"];
            description: components["schemas"]["LocalizedText"];
            categories: components["schemas"]["TaxonomyCode"][];
            /** @description The languages the service works in (BCP 47), interpreters included. */
            languages: string[];
            /** @description How the service is given. */
            modes: ("in-person" | "online" | "phone")[];
            location: components["schemas"]["ServicePlace"];
            /** @description Where else it takes people from (an online service, a whole region); its location counts without saying. */
            service_areas?: components["schemas"]["ServiceArea"][];
            eligibility?: components["schemas"]["ServiceEligibility"];
            /** @description Places free now (`available`) out of how many (`maximum`). */
            capacity?: {
                available: number;
                maximum?: number;
            };
            /** @description Whether it takes referrals now (default true). */
            accepting_referrals?: boolean;
            /**
             * @description `paused`: listed but not offered in matching (HSDS `temporarily closed`); default `active`.
             * @enum {unknown}
             */
            status?: "active" | "paused";
            /** @description How other organisations reach the service (never a client's contact). */
            contact?: {
                /** Format: email */
                email?: string;
                phone?: string;
                /** Format: uri */
                url?: string;
            };
        };
        ServicePlace: {
            /** @description ISO 3166-1 alpha-2. */
            country: string;
            region?: components["schemas"]["PlaceName"];
            city?: components["schemas"]["PlaceName"];
        };
        ServiceArea: {
            country: string;
            region?: components["schemas"]["PlaceName"];
        };
        /** @description Who the service is for; what is not said is open to all. */
        ServiceEligibility: {
            women_only?: boolean;
            minimum_age?: number;
            maximum_age?: number;
            /** @description The residence situations it serves; absent, any. */
            legal_statuses?: components["schemas"]["LegalStatus"][];
            /** @description Whether a woman can come with her children. */
            children_accepted?: boolean;
            eligibility_description?: components["schemas"]["LocalizedText"];
        };
        /** @enum {unknown} */
        LegalStatus: "eu-citizen" | "asylum-seeker" | "international-protection" | "residence-permit" | "undocumented";
        /**
         * @description Service categories of the shared taxonomy (DESIGN.md "Service directory").
         * @enum {unknown}
         */
        TaxonomyCode: "employment" | "vocational-training" | "language-courses" | "formal-education" | "qualification-recognition" | "legal-aid" | "legal-aid-asylum" | "legal-aid-residence" | "legal-aid-labour-rights" | "legal-aid-justice" | "accommodation" | "emergency-shelter" | "safe-housing" | "healthcare" | "sexual-reproductive-health" | "psychological-support" | "childcare" | "financial-support" | "case-management" | "documents-civil-registration" | "return-reintegration" | "online-support";
        /** @enum {unknown} */
        DataCategory: "identity" | "contact" | "situation" | "legal-status" | "health" | "children" | "documents";
        /** @enum {unknown} */
        Urgency: "routine" | "urgent" | "emergency";
        ReferralOfferBody: {
            /** Format: uuid */
            referral_id: string;
            needs: components["schemas"]["TaxonomyCode"][];
            urgency: components["schemas"]["Urgency"];
            /** Format: date-time */
            reply_by?: string;
            /** @description The sending caseworker's note to the receiving organisation. */
            reason: string;
            client: components["schemas"]["ClientData"];
            consent: components["schemas"]["ConsentRecord"];
            /**
             * Format: uuid
             * @description The service of the receiver's directory (`DirectoryService.id`) the referral is for, when the sender chose one.
             */
            service_id?: string;
            /** @description Set when this offer refers on a case the sender received from another organisation. */
            onward_of?: {
                /** Format: uuid */
                referral_id: string;
                from: components["schemas"]["NodeId"];
            };
        };
        /**
         * @description The client's personal data, grouped by data category. A sender includes only the
         *     groups named in `consent.categories`; a receiver refuses a body with a group outside it.
         */
        ClientData: {
            identity?: {
                given_name: string;
                family_name?: string;
                /** Format: date */
                date_of_birth?: string;
                nationality?: string;
            };
            contact?: {
                phone?: string;
                /** Format: email */
                email?: string;
                preferred_language?: string;
                safe_to_contact?: string;
            };
            situation?: {
                summary: string;
                languages_spoken?: string[];
                household_note?: string;
            };
            legal_status?: {
                /** @enum {unknown} */
                status: "asylum-seeker" | "refugee" | "subsidiary-protection" | "residence-permit" | "eu-citizen" | "undocumented" | "other";
                note?: string;
            };
            health?: {
                note: string;
            };
            children?: {
                count: number;
                ages?: number[];
                note?: string;
            };
            documents?: {
                held: string[];
                missing?: string[];
            };
        };
        /**
         * @description The client's consent an offer rests on. A sender MUST NOT seal an offer its consent does
         *     not cover, and a receiver MUST refuse one, keeping nothing, with the problem type of the
         *     first rule broken, checked in this order (each is final: a sender does not retry it):
         *
         *     | rule | problem type |
         *     | --- | --- |
         *     | `valid_until` is later than the receiver's clock | `consent-expired` |
         *     | `obtained_at` is at most the clock skew (300 s by default) ahead of the receiver's clock | `consent-dated-ahead` |
         *     | `recipients` names the receiving node | `consent-recipient-not-named` |
         *     | `purposes` contains `referral` | `consent-purpose-not-covered` |
         *     | every group of `client` is in `categories` | `consent-category-not-covered` |
         *
         *     A body that does not match this schema is refused with `invalid-body`.
         */
        ConsentRecord: {
            /**
             * Format: uuid
             * @description The consent record's id at the sending node; `consent.withdraw` names it.
             */
            id: string;
            categories: components["schemas"]["DataCategory"][];
            purposes: ("referral" | "service-provision" | "follow-up")[];
            /** @description The receiving node, and only it (the consent's other recipients are not its business). */
            recipients: components["schemas"]["NodeId"][];
            /** @enum {unknown} */
            method: "written" | "verbal" | "verbal-with-interpreter";
            language: components["schemas"]["ConsentLanguage"];
            /**
             * @description The id of the sending node's user who recorded the consent: a UUID in lower case, an
             *     opaque reference only the sending organisation can resolve, never a name. The receiver
             *     keeps it in the clear and writes it into its audit log (`consent.recorded`), so
             *     nothing else is accepted (`invalid-body`).
             */
            obtained_by: string;
            /** Format: date-time */
            obtained_at: string;
            /** Format: date-time */
            valid_until: string;
            onward_referral?: components["schemas"]["OnwardPermission"];
        };
        /**
         * @description The language the client was informed in when she gave consent: a BCP 47 tag from a fixed
         *     list, the EU's official languages and those common among the women the network supports.
         *     A fixed list, not any well-formed tag, because it goes to peers and into the audit log in
         *     the clear (`consent.recorded`), where a tag such as `Ana-Popescu-1990` would carry a name
         *     for ever. A node refuses a consent in any other language (`invalid-body` from a peer,
         *     `invalid-request` on the local API); adding one is a protocol change.
         * @enum {unknown}
         */
        ConsentLanguage: "bg" | "cs" | "da" | "de" | "el" | "en" | "es" | "et" | "fi" | "fr" | "ga" | "hr" | "hu" | "it" | "lt" | "lv" | "mt" | "nl" | "pl" | "pt" | "ro" | "sk" | "sl" | "sv" | "am" | "ar" | "bin" | "bn" | "fa" | "ha" | "ig" | "ku" | "mk" | "pa" | "pcm" | "prs" | "ps" | "rom" | "ru" | "so" | "sq" | "sr" | "sw" | "ti" | "tl" | "tr" | "uk" | "ur" | "vi" | "yo" | "zh";
        /** @description Whether the client agreed that the recipient may refer her on to another organisation, and to which (absent = any it trusts). */
        OnwardPermission: {
            allowed: boolean;
            recipients?: components["schemas"]["NodeId"][];
        };
        /** @description A tree size or entry index. */
        LogSize: number;
        /**
         * @description A C2SP signed note over a tlog-checkpoint body: origin line, tree size, base64 root hash,
         *     a blank line, then signature lines (`— <key name> <base64>`), the log's first.
         */
        SignedCheckpoint: string;
        /** @description One or more C2SP note signature lines (tlog-cosignature v1), each ending in a newline. */
        CosignatureLines: string;
        /**
         * @description `old <size>\n`, zero to 63 consistency proof lines (standard base64 of 32 bytes, each
         *     ending in a newline), an empty line, then the signed checkpoint (`SignedCheckpoint`).
         */
        AddCheckpointRequest: string;
        /**
         * @description The JSON text of a log entry (`LogLeaf.entry`), one per event, holding ids, codes, data
         *     categories and times, never personal data. Every entry has `v`, `index` (its leaf
         *     index), `at`, `actor` and `type`; the other fields depend on the type:
         *
         *     | type | fields |
         *     | --- | --- |
         *     | `node.initialised` | node_id, signing_kid, encryption_kid |
         *     | `user.created` | user_id, role |
         *     | `user.token-created` | user_id, token_id |
         *     | `user.token-revoked` | user_id, token_id (an administrator, the actor, revoked the token; it works no more) |
         *     | `user.login` | user_id, token_id (a token used after a pause of 30 minutes or more) |
         *     | `user.signed-in`, `user.signed-out` | user_id (the web interface) |
         *     | `user.password-changed` | user_id (the user changed their own password; never the password) |
         *     | `user.password-reset` | user_id (an administrator, the actor, gave the user a new password; never the password) |
         *     | `user.role-changed` | user_id, role (the new role) |
         *     | `user.display-name-changed` | user_id (the user was given a display name, or it was taken away; never the name) |
         *     | `user.work-contact-changed` | user_id (the user was given a work contact, or it was taken away; never the contact) |
         *     | `user.notifications-changed` | user_id, mail (`off`, `immediate` or `daily`: her choice of notification e-mails), address_changed (whether her address for them changed; never the address) |
         *     | `user.disabled`, `user.enabled` | user_id (a disabled user cannot sign in; their sessions end) |
         *     | `user.sign-in-locked` | user_id (absent when no account has the name tried), minutes (how long): sign-in locked after too many failures; never the name tried or the client's address |
         *     | `user.sign-in-unlocked` | user_id (an administrator, the actor, lifted the lock) |
         *     | `sign-in.address-locked` | minutes (how long): sign-in from one client address locked after too many failures, on any accounts; never the address |
         *     | `sign-in.address-unlocked` | (an administrator, the actor, lifted the lock of a client address; never the address) |
         *     | `user.second-factor-enabled` | user_id (the user confirmed a TOTP second factor with a first code; never the secret or a code) |
         *     | `user.second-factor-removed` | user_id (the second factor was turned off: by the user, or by an administrator or the command line, the actor) |
         *     | `user.recovery-code-used` | user_id, left (the user signed in with a recovery code, never the code; how many unused ones remain) |
         *     | `user.recovery-codes-renewed` | user_id (new recovery codes; the old ones no longer work) |
         *     | `peer.added`, `peer.trusted` | peer_id, signing_kid |
         *     | `peer.suspended`, `peer.restored` | peer_id |
         *     | `peer.revoked` | peer_id, reason (key-compromise, no-longer-partner, other) |
         *     | `peer.identity-updated` | peer_id, signing_kid, encryption_kid (a refreshed document signed with the pinned key) |
         *     | `peer.key-rotated` | peer_id, signing_kid, previous_kid (the peer's new signing key, reached from the pinned one by its continuity chain) |
         *     | `peer.alert` | peer_id, kind (signing-key-changed, invalid-identity-document, quota-exceeded: a trusted peer went beyond one of its quotas; the actor is the system's `peer-quotas`) |
         *     | `peer.alert-resolved` | peer_id, kind (the alert an administrator, the actor, marked as resolved) |
         *     | `key.rotated` | use (enc, sig), kid, previous_kid |
         *     | `key.destroyed` | use, kid (the private half of a retired key) |
         *     | `key.revoked` | use (sig), kid, reason (key-compromise), signing_kid (the new key made in its place) |
         *     | `consent.recorded` | consent_id, origin, origin_consent_id, derived_from?, categories, purposes, recipients, onward_allowed, method, language, obtained_by, obtained_at, valid_until |
         *     | `consent.form-attached` | consent_id, media_type, size |
         *     | `consent.form-erased` | consent_id, reason (the scanned form, after the retention period) |
         *     | `consent.withdrawn` | consent_id, recipients (withdrawn for in this step), whole |
         *     | `data.disclosed` | referral_id, peer_id, envelope_id, message, consent_id, categories (personal data left this node) |
         *     | `disclosure.cancelled` | referral_id, envelope_id (a message never tried was cancelled: its data never left) |
         *     | `referral.event` | referral_id, peer_id, direction, action, from_state, to_state, code?, envelope_id? |
         *     | `referral.opened` | referral_id, user_id (a user read the referral's content) |
         *     | `erasure.requested` | referral_id, node_id, reason, envelope_id? |
         *     | `erasure.performed` | referral_id, reason, payloads, envelopes (counts erased here) |
         *     | `erasure.confirmed` | referral_id, node_id, reason, statement_digest, relayed_by? |
         *     | `witness.inconsistency` | peer_id, old_size, new_size |
         *     | `invitation.created` | invitation_id, expires_at (never the secret) |
         *     | `invitation.redeemed` | invitation_id, peer_id, signing_kid (on the inviting node the actor is the redeeming peer; on the redeeming node, peer_id is the inviter) |
         *     | `invitation.revoked` | invitation_id |
         *     | `service.changed` | service_id, action (created, updated, paused, resumed, availability, deleted: one of the organisation's own services) |
         *     | `trust-list.applied` | network, members, added, removed (the network's name and counts; the peers themselves have their own `peer.*` entries, actor `trust-list`) |
         */
        LogEntry: {
            /** @constant */
            v: 1;
            index: number;
            /** Format: date-time */
            at: string;
            actor: {
                /** @enum {unknown} */
                kind: "user" | "peer" | "system";
                id: string;
            };
            /** @enum {unknown} */
            type: "node.initialised" | "user.created" | "user.token-created" | "user.token-revoked" | "user.login" | "user.signed-in" | "user.signed-out" | "user.password-changed" | "user.password-reset" | "user.role-changed" | "user.display-name-changed" | "user.work-contact-changed" | "user.notifications-changed" | "user.disabled" | "user.enabled" | "user.sign-in-locked" | "user.sign-in-unlocked" | "sign-in.address-locked" | "sign-in.address-unlocked" | "user.second-factor-enabled" | "user.second-factor-removed" | "user.recovery-code-used" | "user.recovery-codes-renewed" | "peer.added" | "peer.trusted" | "peer.suspended" | "peer.restored" | "peer.revoked" | "peer.identity-updated" | "peer.key-rotated" | "peer.alert" | "peer.alert-resolved" | "key.rotated" | "key.destroyed" | "key.revoked" | "consent.recorded" | "consent.form-attached" | "consent.form-erased" | "consent.withdrawn" | "data.disclosed" | "disclosure.cancelled" | "referral.event" | "referral.opened" | "erasure.requested" | "erasure.performed" | "erasure.confirmed" | "witness.inconsistency" | "invitation.created" | "invitation.redeemed" | "invitation.revoked" | "trust-list.applied" | "service.changed";
            node_id?: string;
            signing_kid?: string;
            encryption_kid?: string;
            user_id?: string;
            role?: string;
            token_id?: string;
            peer_id?: string;
            consent_id?: string;
            origin?: string;
            origin_consent_id?: string;
            derived_from?: string;
            categories?: components["schemas"]["DataCategory"][];
            purposes?: string[];
            recipients?: string[];
            onward_allowed?: boolean;
            /** @enum {unknown} */
            method?: "written" | "verbal" | "verbal-with-interpreter";
            language?: string;
            obtained_by?: string;
            /** Format: date-time */
            obtained_at?: string;
            /** Format: date-time */
            valid_until?: string;
            media_type?: string;
            size?: number;
            whole?: boolean;
            referral_id?: string;
            envelope_id?: string;
            message?: string;
            /** @enum {unknown} */
            direction?: "incoming" | "outgoing";
            action?: string;
            from_state?: string | null;
            to_state?: string;
            code?: string;
            /** @enum {unknown} */
            reason?: "consent-withdrawn" | "retention" | "key-compromise" | "no-longer-partner" | "other";
            payloads?: number;
            envelopes?: number;
            statement_digest?: string;
            relayed_by?: string;
            old_size?: number;
            new_size?: number;
            /** @enum {unknown} */
            kind?: "signing-key-changed" | "invalid-identity-document" | "quota-exceeded";
            /** @enum {unknown} */
            mail?: "off" | "immediate" | "daily";
            address_changed?: boolean;
            minutes?: number;
            left?: number;
            /** @enum {unknown} */
            use?: "enc" | "sig";
            kid?: string;
            previous_kid?: string;
            service_id?: string;
            invitation_id?: string;
            /** Format: date-time */
            expires_at?: string;
            network?: string;
            members?: number;
            added?: number;
            removed?: number;
        };
        LogLeaf: {
            index: components["schemas"]["LogSize"];
            /** @description base64url of SHA-256(0x00 || entry bytes). */
            leaf_hash: components["schemas"]["Base64Url"];
            /** @description The entry (`LogEntry`) as the exact UTF-8 JSON text its leaf hash covers (hash these bytes, never a re-serialisation). */
            entry?: string;
        };
        LogEntriesPage: {
            log_size: components["schemas"]["LogSize"];
            start: components["schemas"]["LogSize"];
            entries: components["schemas"]["LogLeaf"][];
        };
        InclusionProof: {
            index: components["schemas"]["LogSize"];
            tree_size: components["schemas"]["LogSize"];
            leaf_hash: components["schemas"]["Base64Url"];
            /** @description The audit path, leaf to root, each hash base64url. */
            proof: components["schemas"]["Base64Url"][];
        };
        ConsistencyProof: {
            old_size: components["schemas"]["LogSize"];
            new_size: components["schemas"]["LogSize"];
            proof: components["schemas"]["Base64Url"][];
        };
        /**
         * @description Stable problem `type` values of the federation API; each with its status, meaning and retry in "Problem types" above.
         * @enum {unknown}
         */
        ProblemType: "urn:refnet:problem:envelope-too-large" | "urn:refnet:problem:unsupported-media-type" | "urn:refnet:problem:malformed-envelope" | "urn:refnet:problem:unknown-sender" | "urn:refnet:problem:untrusted-sender" | "urn:refnet:problem:sender-suspended" | "urn:refnet:problem:sender-revoked" | "urn:refnet:problem:unknown-key" | "urn:refnet:problem:bad-signature" | "urn:refnet:problem:wrong-recipient" | "urn:refnet:problem:sender-mismatch" | "urn:refnet:problem:unknown-recipient-key" | "urn:refnet:problem:signature-time-skew" | "urn:refnet:problem:envelope-conflict" | "urn:refnet:problem:unsupported-message-type" | "urn:refnet:problem:decryption-failed" | "urn:refnet:problem:invalid-body" | "urn:refnet:problem:consent-expired" | "urn:refnet:problem:consent-dated-ahead" | "urn:refnet:problem:consent-recipient-not-named" | "urn:refnet:problem:consent-purpose-not-covered" | "urn:refnet:problem:consent-category-not-covered" | "urn:refnet:problem:consent-onward-not-allowed" | "urn:refnet:problem:unknown-referral" | "urn:refnet:problem:illegal-transition" | "urn:refnet:problem:out-of-order" | "urn:refnet:problem:service-token-required" | "urn:refnet:problem:malformed-service-token" | "urn:refnet:problem:token-not-for-this-request" | "urn:refnet:problem:service-token-expired" | "urn:refnet:problem:service-token-replayed" | "urn:refnet:problem:invalid-parameters" | "urn:refnet:problem:beyond-log-size" | "urn:refnet:problem:no-checkpoint" | "urn:refnet:problem:leaf-not-found" | "urn:refnet:problem:witness-request-too-large" | "urn:refnet:problem:malformed-witness-request" | "urn:refnet:problem:not-log-origin" | "urn:refnet:problem:bad-checkpoint-signature" | "urn:refnet:problem:checkpoint-conflict" | "urn:refnet:problem:inconsistent-checkpoint" | "urn:refnet:problem:redeem-request-too-large" | "urn:refnet:problem:key-revocation-too-large" | "urn:refnet:problem:malformed-key-revocation" | "urn:refnet:problem:malformed-redeem-request" | "urn:refnet:problem:invalid-invitation" | "urn:refnet:problem:invitation-revoked" | "urn:refnet:problem:invitation-used" | "urn:refnet:problem:invitation-expired" | "urn:refnet:problem:identity-unavailable" | "urn:refnet:problem:identity-mismatch" | "urn:refnet:problem:peer-key-conflict" | "urn:refnet:problem:peer-suspended" | "urn:refnet:problem:not-found" | "urn:refnet:problem:malformed-request" | "urn:refnet:problem:headers-too-large" | "urn:refnet:problem:rate-limited" | "urn:refnet:problem:quota-exceeded" | "urn:refnet:problem:request-timeout" | "urn:refnet:problem:expectation-failed" | "urn:refnet:problem:internal-error";
        Problem: {
            /** @description One of `ProblemType` (see "Problem types"), or one a later version adds, which a reader treats as "Problem types" says. */
            type: components["schemas"]["ProblemType"] | string;
            title: string;
            status: number;
            detail?: string;
            instance?: string;
        } & {
            [key: string]: unknown;
        };
    };
    responses: {
        /** @description An RFC 9457 problem. */
        Problem: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description Too many requests (`rate-limited`): from this API token or this peer in the last minute, or from this client address without a valid credential; or, on the web interface's sign-in, too many failed attempts. Try again after `Retry-After` seconds. */
        TooManyRequests: {
            headers: {
                /** @description Seconds to wait before trying again. */
                "Retry-After"?: number;
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getIdentityDocument: {
        parameters: {
            query?: never;
            header?: {
                "If-None-Match"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Compact JWS whose payload is `IdentityClaims`. */
            200: {
                headers: {
                    /** @description As every response (see Conventions). */
                    "Cache-Control"?: "no-store";
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/jwt": components["schemas"]["CompactJws"];
                };
            };
            /** @description The document is the one whose ETag was given. */
            304: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["Problem"];
        };
    };
    getHistoricalKeys: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Compact JWS whose payload is `HistoricalKeysClaims`. */
            200: {
                headers: {
                    /** @description As every response (see Conventions). */
                    "Cache-Control"?: "no-store";
                    [name: string]: unknown;
                };
                content: {
                    "application/jwt": components["schemas"]["CompactJws"];
                };
            };
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["Problem"];
        };
    };
    postEnvelope: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/jose": components["schemas"]["CompactJws"];
            };
        };
        responses: {
            /** @description The envelope is durably stored (or was already); the receipt proves it. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReceiptResponse"];
                };
            };
            400: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            409: components["responses"]["Problem"];
            413: components["responses"]["Problem"];
            415: components["responses"]["Problem"];
            422: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["Problem"];
        };
    };
    getLogCheckpoint: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /**
             * @description The C2SP signed note: the checkpoint body, a blank line, this node's signature line,
             *     then one cosignature line per witness that cosigned this checkpoint.
             */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": components["schemas"]["SignedCheckpoint"];
                };
            };
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            /** @description No checkpoint yet (`no-checkpoint`). */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["Problem"];
        };
    };
    getLogEntries: {
        parameters: {
            query: {
                /** @description The index of the first entry. */
                start: components["schemas"]["LogSize"];
                /** @description One past the last index wanted (capped at start + 1000 and at the log size). */
                end?: components["schemas"]["LogSize"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Entries [start, min(end, start + 1000, log_size)); empty when start is the log size. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LogEntriesPage"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            422: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["Problem"];
        };
    };
    getLogInclusionProof: {
        parameters: {
            query: {
                tree_size: components["schemas"]["LogSize"];
                /** @description The entry's index; give this or `leaf_hash`. */
                index?: components["schemas"]["LogSize"];
                /** @description base64url of the entry's leaf hash; the first entry with it is proved. */
                leaf_hash?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The audit path, leaf to root. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InclusionProof"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            404: components["responses"]["Problem"];
            422: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["Problem"];
        };
    };
    getLogConsistencyProof: {
        parameters: {
            query: {
                old_size: components["schemas"]["LogSize"];
                new_size: components["schemas"]["LogSize"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The proof (empty when old_size is 0 or equals new_size). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConsistencyProof"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            422: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["Problem"];
        };
    };
    addCheckpoint: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "text/plain": components["schemas"]["AddCheckpointRequest"];
            };
        };
        responses: {
            /** @description The witness's cosignature line(s), each ending in a newline. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": components["schemas"]["CosignatureLines"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            /**
             * @description `text/x.tlog.size`: the old size is not the size of the latest checkpoint the witness
             *     holds of this log; the body is that size and a newline. `application/problem+json`
             *     (`checkpoint-conflict`): the log signed another root for the size the witness holds.
             */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/x.tlog.size": string;
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            413: components["responses"]["Problem"];
            422: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["Problem"];
        };
    };
    redeemInvitation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The invitation id from the code. */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/jose": components["schemas"]["CompactJws"];
            };
        };
        responses: {
            /** @description Redeemed; the caller is now a trusted peer of this node. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InvitationRedeemResponse"];
                };
            };
            400: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            409: components["responses"]["Problem"];
            410: components["responses"]["Problem"];
            413: components["responses"]["Problem"];
            415: components["responses"]["Problem"];
            422: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["Problem"];
        };
    };
    postKeyRevocation: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/jwt": components["schemas"]["CompactJws"];
            };
        };
        responses: {
            /** @description The peer is revoked here (or already was). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["KeyRevocationResponse"];
                };
            };
            400: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            413: components["responses"]["Problem"];
            415: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["Problem"];
        };
    };
    getDirectory: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Compact JWS whose payload is `DirectoryClaims`. */
            200: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/jwt": components["schemas"]["CompactJws"];
                };
            };
            /** @description Not modified since the ETag given. */
            304: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["Problem"];
        };
    };
}
