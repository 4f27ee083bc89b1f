// Generated from spec/local.yaml by `npm run gen:spec`. Do not edit.
export interface paths {
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Liveness and readiness (database reachable).
         * @description Liveness for a load balancer or process supervisor: 200 while the node answers and its database is reachable, 503 otherwise. No credential; it tells nothing about the node's peers or data. `/readyz` says whether the node is ready to serve.
         */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Readiness (database reachable, migrations current, keys loaded).
         * @description For a load balancer or an orchestrator: 200 when the node can serve, 503 `not-ready`
         *     with a detail naming the check that failed. Holds no personal data.
         */
        get: operations["getReadiness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Metrics in Prometheus' text format, for an admin's API token.
         * @description Request counts and durations by route pattern, outbox depth and oldest age per peer,
         *     delivery attempts by outcome and problem type, erasures not yet confirmed, active web
         *     sessions, and the process's own metrics. Labels are route patterns, peer node URLs,
         *     problem types and fixed words: never a name, a note, an id of a referral or a consent, or
         *     any other personal data. Needs the API token of a user with the role `admin`.
         */
        get: operations["getMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/node": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * This node's identity, as peers see it.
         * @description The node's id, name, country, languages and the readable fingerprints of its signing and encryption keys: what an administrator reads out to a partner organisation before it trusts this node. Any signed-in role.
         */
        get: operations["getNode"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/taxonomy": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The shared service taxonomy, with labels in the network's six languages.
         * @description The categories every node uses in its directory, in referrals (`needs`) and in matching
         *     (`spec/taxonomy.yaml`), for any signed-in user. A category with a `parent` is a narrower
         *     kind of it.
         */
        get: operations["getTaxonomy"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/services": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * This organisation's own services (every state).
         * @description Every service this organisation describes, in every state (open, paused), as its peers receive them in its signed directory. Any signed-in role.
         */
        get: operations["listServices"];
        put?: never;
        /**
         * Describe a new service (administrators).
         * @description Adds a service to this organisation's directory, with its taxonomy codes, places, eligibility and languages; peers receive it with the next signed directory. Administrators only; recorded in the audit log.
         */
        post: operations["createService"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/services/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One of this organisation's services.
         * @description One service of this organisation, as its peers see it. 404 for an id it does not describe.
         */
        get: operations["getService"];
        /**
         * Describe a service anew (administrators); what is left out is removed.
         * @description Replaces the whole description of a service: fields left out are removed. Peers receive the change with the next signed directory. Administrators only; recorded in the audit log.
         */
        put: operations["replaceService"];
        post?: never;
        /**
         * Remove a service for good (administrators).
         * @description Removes the service from the directory for good (referrals made to it keep their history). Administrators only; recorded in the audit log.
         */
        delete: operations["deleteService"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/services/{id}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Pause a service (administrators); it stays listed but is not offered in matching.
         * @description The service stays in the directory, marked paused, and is not offered in matching until it is resumed. Administrators only.
         */
        post: operations["pauseService"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/services/{id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Offer a paused service again (administrators).
         * @description A paused service is offered in matching again. Administrators only.
         */
        post: operations["resumeService"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/services/{id}/availability": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Say whether a service takes referrals now and how many places are free (caseworkers and administrators).
         * @description Whether the service takes referrals now and how many places are free, as caseworkers see it in matching at the partners. Caseworkers and administrators.
         */
        post: operations["setServiceAvailability"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/directories": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * How fresh the directory of each trusted peer is.
         * @description For each trusted peer: whether its signed directory is current, expired or never received, how many services it lists, when it was signed, received and last asked for, and the last error (a directory that does not verify is not kept: the one held stays). Any signed-in role.
         */
        get: operations["listPeerDirectories"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/directories/sync": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Fetch every trusted peer's directory now (caseworkers and administrators).
         * @description Fetches the signed directory of every trusted peer now instead of at the next periodic round, and answers with the same status as `GET /api/v1/directories`. Caseworkers and administrators.
         */
        post: operations["syncPeerDirectories"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/directory/hsds": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The directory in Open Referral HSDS 3.0 form.
         * @description This organisation's services as HSDS organizations with their services (the compiled
         *     shape of HSDS's API); with `peers=true`, the current directories of its trusted peers too.
         *     Categories are HSDS attributes with taxonomy terms of the taxonomy `refnet`; places are
         *     location names (city, region, country), never addresses. `peers=true` is for
         *     administrators: those directories were served to this node as a trusted peer.
         */
        get: operations["exportHsds"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/match": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Services that fit a client's needs, across this node's and its trusted peers' directories (caseworkers and administrators).
         * @description Candidates are the services, in this node's own and its trusted peers' current
         *     directories, with a category that meets a need (the same code, a narrower kind, or the
         *     broader category). Paused services, services of peers not trusted, and services in
         *     another country when `country` is given (unless given online or by phone) are left out.
         *     Every other criterion counts for a service (`reasons`) or against it (`misfits`), and the
         *     results come best first (`score`). A POST, so that what is said about the client never
         *     appears in a URL; nothing of the query is stored or logged. To refer to a result, send a
         *     referral `to` its organisation's node with its `service_id`.
         */
        post: operations["matchServices"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/peers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The peers this node knows, with their trust state.
         * @description Every node this node knows: its id, organisation, country, languages, trust state (pending, trusted, suspended, revoked), the fingerprint of the signing key it pinned, and when it was added and trusted. Any signed-in role; administrators change them with the operations below.
         */
        get: operations["listPeers"];
        put?: never;
        /**
         * Add a peer by URL; it stays pending until trusted.
         * @description Fetches and verifies the peer's identity document and stores it as `pending`. Then compare
         *     its `fingerprint` with the peer's administrator out of band (by phone) and call
         *     `POST /api/v1/peers/trust`. Administrators only.
         */
        post: operations["addPeer"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/peers/alerts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * What the administrator must look at about peers, newest first.
         * @description Raised when a trusted peer's refreshed identity document was not accepted: another
         *     signing key without a continuity statement from the pinned one (`signing-key-changed`),
         *     or a document that does not verify or is not the peer's (`invalid-identity-document`); or a
         *     trusted peer went beyond one of its quotas and its new referrals are refused (`quota-exceeded`).
         *     Nothing about the peer was changed; the document is kept as `evidence`. Call the peer's
         *     administrator. Administrators only.
         */
        get: operations["listPeerAlerts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/peers/alerts/resolve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Mark an alert as dealt with (it stays listed, with the time).
         * @description An administrator marks an alert about a peer (a changed signing key, an identity document that no longer verifies, a witness inconsistency) as dealt with. The alert stays listed with the time it was resolved and by whom. Administrators only.
         */
        post: operations["resolvePeerAlert"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/peers/trust": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Trust a pending peer, pinning its signing key, if its fingerprint is the one given.
         * @description Administrators only. A wrong fingerprint changes nothing (409 `peer-state`).
         */
        post: operations["trustPeer"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/peers/suspend": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Suspend a trusted peer for now.
         * @description Its envelopes and requests are refused with `sender-suspended` (it keeps its messages and
         *     retries); messages to it wait in the outbox until it is restored. Administrators only.
         */
        post: operations["suspendPeer"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/peers/restore": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Trust a suspended peer again; what waited for it is delivered.
         * @description Administrators only.
         */
        post: operations["restorePeer"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/peers/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Revoke a peer for good.
         * @description Its envelopes and requests are refused with `sender-revoked` (final); every message still
         *     queued for it is cancelled and emptied, never sent. A revoked peer is not trusted again:
         *     it can only become a peer anew by invitation. Administrators only.
         */
        post: operations["revokePeer"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/referrals": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Referrals sent and received, newest first.
         * @description The referrals this node sent and received, newest change first, filtered by direction, state, peer, need for action or change time, one page at a time (`next_cursor`). Summaries only: names and case details are read with `GET /api/v1/referrals/{id}`. Caseworkers and administrators.
         */
        get: operations["listReferrals"];
        put?: never;
        /**
         * Send a referral offer to a trusted peer, or save it as a draft.
         * @description Encrypts the referral for the peer, stores it encrypted, and queues the envelope in the
         *     same transaction; delivery is attempted at once and retried in the background. The
         *     client data groups must be within `consent.categories`, and consent must be in force.
         *     Requires the admin or caseworker role.
         */
        post: operations["createReferral"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/referrals/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One referral with its content and messages.
         * @description Decrypts the content; requires the admin or caseworker role.
         */
        get: operations["getReferral"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/referrals/{id}/messages/{envelope}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a message the peer refused for good once more.
         * @description For a message whose delivery is `failed` with the peer's problem type (shown as
         *     `last_error`), once its cause was dealt with. It is queued again and delivered in order;
         *     the messages after it in the referral wait for it. A message cancelled by a withdrawal,
         *     a revocation or an erasure cannot be sent again. Requires the admin or caseworker role.
         */
        post: operations["retryMessage"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/search": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Find a woman's referrals by her name, date of birth, phone number or a case reference.
         * @description `query` is one of: her name, in any order, accents and case ignored ("Ioana Popescu" finds
         *     "POPESCU, Ioana"; every word given must be in her name); a date of birth (2001-03-14,
         *     14.03.2001 or 14/03/2001); a phone number (its last nine digits are compared); or a case
         *     reference of this node (GR-2026-0042). Her data stays encrypted: the node keeps keyed,
         *     truncated blind indexes beside it and opens the candidates to confirm each match. The
         *     referrals found, the latest changed first, each with the consent it rests on. A query of no
         *     usable word, or one that too many referrals match (more than 200 candidates: add a word),
         *     is refused with `invalid-request`. The query is a request body, never an address, so that
         *     it stays out of logs. Requires the admin or caseworker role (auditors never search
         *     personal data).
         */
        post: operations["searchReferrals"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/inquiries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Ask a trusted peer whether it can help, before sending any personal data.
         * @description Starts a referral in state `inquiry` and sends `referral.inquiry` (needs, urgency and a
         *     coarse profile; no personal data). When the answer comes (`inquiry-answered`), make the
         *     offer with `POST /api/v1/referrals/{id}/offer`, or withdraw. Requires the admin or
         *     caseworker role.
         */
        post: operations["createInquiry"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/referrals/{id}/offer": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Make the offer of a referral whose inquiry was answered (sender).
         * @description The same checks as creating a referral (trusted peer, consent in force and covering the data). Requires the admin or caseworker role.
         */
        post: operations["offerAfterInquiry"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/referrals/{id}/inquiry-answer": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Say whether this organisation can help (receiver of an inquiry).
         * @description Moves the referral from `inquiry` to `inquiry-answered` and sends `referral.inquiry-answer`. Requires the admin or caseworker role.
         */
        post: operations["answerInquiry"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/referrals/{id}/refer-onward": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Refer a received case on to a third organisation (receiver), when the consent allows it.
         * @description Creates a new referral to `to` (an offer with a consent derived from the original: its
         *     categories at most, its validity, no further onward referral) and tells the original
         *     sender with `referral.onward`, in one transaction. The original referral keeps its
         *     state. Requires the admin or caseworker role.
         */
        post: operations["referOnward"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/referrals/{id}/send": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a draft (sender).
         * @description Checks again that the peer is trusted and the consent in force, then queues the offer. Requires the admin or caseworker role.
         */
        post: operations["sendReferralDraft"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/referrals/{id}/info-request": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Ask the sender for more information (receiver).
         * @description Moves the referral to its next state and queues the `referral.info-request` message to the
         *     peer in the same transaction (see the lifecycle table in federation.yaml). Requires the
         *     admin or caseworker role.
         */
        post: operations["requestReferralInformation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/referrals/{id}/info-response": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Answer the receiver's information request (sender).
         * @description Moves the referral to its next state and queues the `referral.info-response` message to the
         *     peer in the same transaction (see the lifecycle table in federation.yaml). Requires the
         *     admin or caseworker role.
         */
        post: operations["answerReferralInformation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/referrals/{id}/accept": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Accept the referral (receiver).
         * @description Moves the referral to its next state and queues the `referral.accept` message to the
         *     peer in the same transaction (see the lifecycle table in federation.yaml). Requires the
         *     admin or caseworker role.
         */
        post: operations["acceptReferral"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/referrals/{id}/assign": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Make a user of this node responsible for the referral, or nobody.
         * @description Takes the referral (`user_id` your own), assigns it or hands it over to a colleague (an
         *     active caseworker or administrator), with an optional note for her, kept encrypted; or
         *     with `user_id` null leaves it to nobody. Recorded in the timeline (`assigned`) and the
         *     audit log. On a referral received and accepted, the node also tells the sender who is
         *     responsible now (`referral.handover`), if the sender understands it. Nothing changes,
         *     and 200 is returned, when that user already is responsible. Requires the admin or
         *     caseworker role.
         */
        post: operations["assignReferral"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/referrals/{id}/decline": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Decline the referral, with a reason (receiver).
         * @description Moves the referral to its next state and queues the `referral.decline` message to the
         *     peer in the same transaction (see the lifecycle table in federation.yaml). Requires the
         *     admin or caseworker role.
         */
        post: operations["declineReferral"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/referrals/{id}/update": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Report progress (receiver).
         * @description Moves the referral to its next state and queues the `referral.update` message to the
         *     peer in the same transaction (see the lifecycle table in federation.yaml). Requires the
         *     admin or caseworker role.
         */
        post: operations["updateReferral"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/referrals/{id}/complete": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Report the outcome and close the referral (receiver).
         * @description Moves the referral to its next state and queues the `referral.complete` message to the
         *     peer in the same transaction (see the lifecycle table in federation.yaml). Requires the
         *     admin or caseworker role.
         */
        post: operations["completeReferral"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/referrals/{id}/withdraw": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Withdraw the referral (sender).
         * @description Moves the referral to its next state and queues the `referral.withdraw` message to the
         *     peer in the same transaction (see the lifecycle table in federation.yaml). Requires the
         *     admin or caseworker role.
         */
        post: operations["withdrawReferral"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/consents": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Consent records (metadata only), newest first.
         * @description Readable by admins, caseworkers and auditors.
         */
        get: operations["listConsents"];
        put?: never;
        /**
         * Record a client's consent to share data with named organisations.
         * @description A consent record holds no personal data: which data categories may be shared, with which
         *     recipients, for which purposes, until when, how it was obtained and in which language. The
         *     user making the request is recorded as the one who obtained it. Referrals then name it with
         *     `consent_id`. Requires the admin or caseworker role.
         */
        post: operations["recordConsent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/consents/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One consent record with the referrals made under it and the erasures they owe.
         * @description Metadata only; readable by admins, caseworkers and auditors.
         */
        get: operations["getConsent"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/consents/{id}/withdraw": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Record that the client withdrew her consent, wholly or for some recipients.
         * @description From now on nothing is sent under this consent to the recipients named (all when
         *     `recipients` is absent). Every referral made under it to those recipients gets a
         *     `consent.withdraw` message, queued in the same transaction (a message still waiting in the
         *     outbox that carries client data is cancelled instead of sent); each recipient erases the
         *     data, passes the withdrawal on to any organisation it referred the case to, and answers
         *     with a signed `erasure.receipt`. `erasures` in the answer shows which are still
         *     outstanding. Requires the admin or caseworker role.
         */
        post: operations["withdrawConsent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/consents/{id}/form": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The scanned consent form, decrypted.
         * @description Requires the admin or caseworker role; auditors see only that a form exists (`form` in the record).
         */
        get: operations["getConsentForm"];
        /**
         * Attach the scanned, signed consent form (PDF, JPEG or PNG, at most 10 MiB).
         * @description Stored encrypted under its own key (wrapped by the node's key-encryption key), never sent
         *     to another node. Replaces an earlier form. Requires the admin or caseworker role, and only
         *     for a consent recorded here.
         */
        put: operations["attachConsentForm"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit/entries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The audit log's entries in index order, a page at a time.
         * @description Readable by auditors and administrators (caseworkers get 403). Entries hold ids, codes,
         *     categories and times, never personal data. `entry` is the exact JSON text the leaf hash
         *     covers.
         */
        get: operations["listAuditEntries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit/checkpoints": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * This node's signed checkpoints, newest first, with the cosignatures of its witnesses.
         * @description Readable by auditors and administrators (caseworkers get 403).
         */
        get: operations["listAuditCheckpoints"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit/witness": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * What this node witnessed of its peers' logs, and every inconsistency it flagged.
         * @description Readable by auditors and administrators (caseworkers get 403). `logs` holds the latest
         *     checkpoint of each peer's log that this node verified and cosigned. `inconsistencies`
         *     lists each time a peer submitted a checkpoint that contradicts one it signed before, with
         *     both signed notes as evidence: the peer rewrote its log, lost part of it, or its key is
         *     used by someone else. Call its administrator.
         */
        get: operations["getAuditWitness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit/bundle": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The audit bundle, for checking the log away from the node.
         * @description What `referral-node audit export` writes: every entry, every signed checkpoint with its
         *     cosignatures, this node's identity document and its witnesses'. No personal data.
         *     `referral-node audit verify --url` reads it. Auditors and administrators only.
         */
        get: operations["getAuditBundle"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit/verification": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Verify this node's audit log now, as an auditor would.
         * @description Runs the checks of `referral-node audit verify` over this node's own bundle: entries and
         *     tree, the node's signature on every checkpoint, every cosignature, and the consent rules
         *     (every disclosure covered by a consent in force for its recipient and categories; every
         *     withdrawal followed by erasure requests, confirmed by signed statements within the grace
         *     period). Auditors and administrators only.
         *
         *     The verdict is `status`: `failed` when anything checked is wrong; `not-yet-witnessed` when
         *     nothing is wrong but no witness vouches for the log's latest state yet (entries and no
         *     checkpoint, or a latest checkpoint without a cosignature: a node that has just started);
         *     `passed` otherwise. Entries written after the last checkpoint are the normal tail of a live
         *     log: they are checked for the consent rules, counted in `unsigned_entries`, named in
         *     `warnings`, and do not change the verdict.
         */
        get: operations["verifyAuditLog"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/invitations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The invitations made here, newest first, without their secrets.
         * @description Administrators only.
         */
        get: operations["listInvitations"];
        put?: never;
        /**
         * Make a one-time invitation for another organisation's node; the code is shown once.
         * @description Give the `code` to the other organisation's administrator over a channel you trust (it
         *     works like a password until it is used); their node redeems it with
         *     `POST /api/v1/invitations/redeem` (CLI `referral-node peer redeem CODE`), and both nodes
         *     then trust each other with their signing keys pinned. Only a digest of the secret is
         *     stored: the code cannot be shown again. Administrators only.
         */
        post: operations["createInvitation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/invitations/redeem": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Redeem another organisation's invitation code; both nodes then trust each other.
         * @description Follows "Invitations" in federation.yaml: reads the code, fetches the inviting node's
         *     identity document and checks that its signing key is the one the code names (this is the
         *     fingerprint comparison, made by the nodes), redeems the invitation there, checks its signed
         *     confirmation, and stores the inviting node as a trusted peer. Every refusal changes
         *     nothing here. A refusal by the inviting node is answered with 422 and the same problem
         *     type it gave (`invalid-invitation`, `invitation-used`, `invitation-expired`,
         *     `invitation-revoked`, `identity-mismatch`, ...). Administrators only.
         */
        post: operations["redeemInvitationCode"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/invitations/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Revoke an invitation that was not used, so its code is refused.
         * @description Revoking it again changes nothing. A used invitation cannot be revoked (409 `invitation-used`); suspend or revoke the peer instead. Administrators only.
         */
        delete: operations["revokeInvitation"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** Format: uri */
        NodeId: string;
        NodeInfo: {
            id: components["schemas"]["NodeId"];
            name: string;
            country: string;
            languages: string[];
            contact?: string;
            fingerprint: string;
            signing_kid: string;
            encryption_kid: string;
        };
        /** @enum {unknown} */
        PeerState: "pending" | "trusted" | "suspended" | "revoked";
        Peer: {
            id: components["schemas"]["NodeId"];
            name: string;
            country: string;
            languages: string[];
            state: components["schemas"]["PeerState"];
            fingerprint: string;
            /** Format: date-time */
            added_at: string;
            /** Format: date-time */
            trusted_at?: string;
        };
        CreateInvitationRequest: {
            /** @description How long the code may be redeemed, in hours (default 72). */
            valid_hours?: number;
        };
        Invitation: {
            /** Format: uuid */
            id: string;
            /**
             * @description `open` until it is used, revoked or past `expires_at`.
             * @enum {unknown}
             */
            status: "open" | "used" | "expired" | "revoked";
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            expires_at: string;
            /** @description The user who made it (absent when made with the CLI). */
            created_by?: string;
            /** Format: date-time */
            used_at?: string;
            /** @description The node that redeemed it. */
            used_by?: components["schemas"]["NodeId"];
            /** @description The fingerprint of the signing key pinned for that node. */
            used_fingerprint?: string;
            /** Format: date-time */
            revoked_at?: string;
        };
        CreatedInvitation: {
            /** Format: uuid */
            id: string;
            /** @description `refnet-invite:` and a JWS signed by this node (see "Invitations" in federation.yaml). Shown once. */
            code: string;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            expires_at: string;
        };
        RedeemInvitationRequest: {
            code: string;
        };
        /**
         * @description Lifecycle states; the transitions are the table in federation.yaml (`MessageType`).
         *     An outgoing referral is `sent` until the peer's receipt arrives, then `delivered`; an
         *     incoming one is `delivered` when stored. `consent-withdrawn`: the client withdrew her
         *     consent; the receiver erased the personal data.
         * @enum {unknown}
         */
        ReferralState: "draft" | "inquiry" | "inquiry-answered" | "sent" | "delivered" | "info-requested" | "accepted" | "in-progress" | "completed" | "declined" | "withdrawn" | "expired" | "consent-withdrawn";
        /**
         * @description Service categories of the shared taxonomy (DESIGN.md "Service directory").
         * @enum {unknown}
         */
        TaxonomyCode: "employment" | "vocational-training" | "language-courses" | "formal-education" | "qualification-recognition" | "legal-aid" | "legal-aid-asylum" | "legal-aid-residence" | "legal-aid-labour-rights" | "legal-aid-justice" | "accommodation" | "emergency-shelter" | "safe-housing" | "healthcare" | "sexual-reproductive-health" | "psychological-support" | "childcare" | "financial-support" | "case-management" | "documents-civil-registration" | "return-reintegration" | "online-support";
        /** @enum {unknown} */
        DataCategory: "identity" | "contact" | "situation" | "legal-status" | "health" | "children" | "documents";
        /** @enum {unknown} */
        Urgency: "routine" | "urgent" | "emergency";
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
            recipients: components["schemas"]["schemas-NodeId"][];
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
        /** @description The referral and either `consent_id` (a consent recorded with `POST /api/v1/consents` that names `to` as a recipient) or `consent` (recorded with the referral, for this recipient only); not both. */
        CreateReferralRequest: {
            /** @description `true`: save the referral as a draft (stored encrypted, nothing sent) to send later with `POST /api/v1/referrals/{id}/send`. Absent or `false`: send at once. */
            draft?: boolean;
            /**
             * Format: uri
             * @description The peer's node id (its base URL). Another spelling of the same URL (upper-case host, trailing slash) is accepted.
             */
            to: string;
            needs: components["schemas"]["TaxonomyCode"][];
            urgency: components["schemas"]["Urgency"];
            /** Format: date-time */
            reply_by?: string;
            reason: string;
            client: components["schemas"]["ClientData"];
            /**
             * Format: uuid
             * @description The service of `to`'s directory the referral is for (a match's `service.id`); it must be in `to`'s current directory.
             */
            service_id?: string;
            /**
             * Format: uuid
             * @description A consent record of this node that is in force for `to` and covers every client data group sent.
             */
            consent_id?: string;
            /** @description The consent given for this referral, recorded with it. The recipient is `to`; the user is the one who records it. */
            consent?: {
                categories: components["schemas"]["DataCategory"][];
                purposes: ("referral" | "service-provision" | "follow-up")[];
                /** @enum {unknown} */
                method: "written" | "verbal" | "verbal-with-interpreter";
                language: components["schemas"]["ConsentLanguage"];
                /** Format: date-time */
                obtained_at?: string;
                /** Format: date-time */
                valid_until: string;
                onward_referral?: components["schemas"]["OnwardPermission"];
            };
        };
        PeerRef: {
            id: components["schemas"]["NodeId"];
            name: string;
        };
        /** @description Delivery of an outgoing envelope (in a summary, the offer's). */
        Delivery: {
            /** @enum {unknown} */
            state: "queued" | "delivered" | "failed";
            attempts: number;
            last_error?: string;
            /** Format: date-time */
            next_attempt_at?: string;
            /** Format: date-time */
            delivered_at?: string;
        };
        /** @description What lists show. Holds no personal data. */
        ReferralSummary: {
            /** Format: uuid */
            id: string;
            /**
             * @description This node's own reference for the referral, for people to say and write: the node's country, the year the referral was made here and its number in that year, e.g. GR-2026-0042. Given when the referral is made here (sent, saved as a draft or received), never reused and never changed; the other organisation has its own.
             * @example GR-2026-0042
             */
            case_reference: string;
            /** @enum {unknown} */
            direction: "incoming" | "outgoing";
            peer: components["schemas"]["PeerRef"];
            state: components["schemas"]["ReferralState"];
            urgency: components["schemas"]["Urgency"];
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at: string;
            delivery?: components["schemas"]["Delivery"];
            /**
             * Format: date-time
             * @description When an answer (accept or decline) is wanted.
             */
            reply_by?: string;
            attention?: components["schemas"]["Attention"];
            /**
             * Format: uuid
             * @description The user of this node responsible for the referral (absent while nobody is); the creator of a referral sent, until it is handed over.
             */
            assignee_id?: string;
            /**
             * @description The other organisation's own reference for the referral, when it sent one (with its acceptance or a later hand-over; see federation.yaml, CaseReference).
             * @example AT-2026-0007
             */
            partner_case_reference?: string;
        };
        AssignRequest: {
            /**
             * Format: uuid
             * @description The user responsible from now on (an active caseworker or administrator of this node), or null for nobody.
             */
            user_id: string | null;
            /** @description A note for her, kept encrypted; never sent to the other organisation. */
            note?: string;
        };
        /** @description The other organisation's caseworker responsible for a referral sent from here, as it named her (federation.yaml, ResponsibleCaseworker). */
        PartnerCaseworker: {
            name: string;
            /** @description A phone number or an address at work. */
            contact?: string;
        };
        SearchRequest: {
            query: string;
        };
        SearchResults: {
            items: {
                referral: components["schemas"]["ReferralSummary"];
                /**
                 * Format: uuid
                 * @description The consent record the referral rests on.
                 */
                consent_id?: string;
            }[];
        };
        /**
         * @description What this organisation owes on the referral now (absent when it owes nothing), and why:
         *     `decide` (a referral received: accept, decline or ask for information), `answer-inquiry`
         *     (an inquiry received), `answer-info-request` (the receiver of a referral sent asked for
         *     information), `send-draft`, `make-referral` (an inquiry sent was answered),
         *     `follow-up` (a referral sent still waits for the receiver's decision, and the day an answer
         *     is wanted is less than a day away or past), `delivery-failed` (a message the other
         *     organisation refused for good). `due` is the day an answer is wanted; `overdue`: that
         *     day has passed.
         */
        Attention: {
            /** @enum {unknown} */
            reason: "delivery-failed" | "decide" | "answer-inquiry" | "answer-info-request" | "send-draft" | "make-referral" | "follow-up";
            /** Format: date-time */
            due?: string;
            overdue: boolean;
        };
        ReferralContent: {
            needs: components["schemas"]["TaxonomyCode"][];
            urgency: components["schemas"]["Urgency"];
            /** Format: date-time */
            reply_by?: string;
            reason: string;
            client: components["schemas"]["ClientData"];
            consent: components["schemas"]["ConsentRecord"];
            /**
             * Format: uuid
             * @description The service of the receiver's directory the referral is for.
             */
            service_id?: string;
            onward_of?: {
                /** Format: uuid */
                referral_id: string;
                from: string;
            };
        };
        Message: {
            /** Format: uuid */
            envelope_id: string;
            type: string;
            seq: number;
            /** @enum {unknown} */
            direction: "incoming" | "outgoing";
            /** Format: date-time */
            created_at: string;
            /** @description The peer's signed receipt (compact JWS), once delivered. */
            receipt?: string;
            delivery?: components["schemas"]["Delivery"];
        };
        /** @description One referral with its decrypted content and its messages. */
        ReferralDetail: {
            /** Format: uuid */
            id: string;
            /** @description As in ReferralSummary. */
            case_reference: string;
            /** @enum {unknown} */
            direction: "incoming" | "outgoing";
            peer: components["schemas"]["PeerRef"];
            state: components["schemas"]["ReferralState"];
            urgency: components["schemas"]["Urgency"];
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at: string;
            delivery?: components["schemas"]["Delivery"];
            /**
             * Format: date-time
             * @description When an answer (accept or decline) is wanted.
             */
            reply_by?: string;
            /**
             * Format: uuid
             * @description As in ReferralSummary.
             */
            assignee_id?: string;
            /** @description As in ReferralSummary. */
            partner_case_reference?: string;
            /** @description For a referral sent from here, the caseworker the receiving organisation last named as responsible (with its acceptance or a later hand-over), and since when; absent while it names nobody. */
            partner_caseworker?: {
                name: string;
                /** @description A phone number or an address at work. */
                contact?: string;
                /**
                 * Format: date-time
                 * @description When the message that named her was received.
                 */
                since: string;
            };
            attention?: components["schemas"]["Attention"];
            inquiry?: components["schemas"]["Inquiry"];
            /** @description The offer; absent while the referral is only an inquiry. */
            content?: components["schemas"]["ReferralContent"];
            messages: components["schemas"]["Message"][];
            timeline: components["schemas"]["TimelineEntry"][];
            /**
             * Format: uuid
             * @description The consent record (`GET /api/v1/consents/{id}`) this referral's disclosures rest on.
             */
            consent_id?: string;
            /**
             * Format: date-time
             * @description When the personal data of this referral was erased on this node (content, notes and messages are then absent).
             */
            erased_at?: string;
            /** @enum {unknown} */
            erasure_reason?: "consent-withdrawn" | "retention";
            /** @description Outgoing referrals whose consent was withdrawn, or whose receiver erased the data after its retention period; one per organisation that must erase, including onward recipients. */
            erasures?: components["schemas"]["Erasure"][];
            /** @description The information exchanged after the offer (requests, answers and any further client data), oldest first. */
            information?: {
                /** Format: date-time */
                at: string;
                /** @enum {unknown} */
                action: "referral.info-request" | "referral.info-response";
                text?: string;
                client?: components["schemas"]["ClientData"];
            }[];
        };
        /** @description Free text between caseworkers. May hold personal data; it travels and is stored encrypted. */
        Note: string;
        /** @description A consent as the caseworker records it. The user making the request is `obtained_by`. */
        ConsentInput: {
            categories: components["schemas"]["DataCategory"][];
            purposes: ("referral" | "service-provision" | "follow-up")[];
            /** @description The organisations (node ids) the data may go to. */
            recipients: string[];
            /** @enum {unknown} */
            method: "written" | "verbal" | "verbal-with-interpreter";
            /** @description The language the client was informed in. */
            language: components["schemas"]["ConsentLanguage"];
            /** Format: date-time */
            obtained_at?: string;
            /** Format: date-time */
            valid_until: string;
            onward_referral?: components["schemas"]["OnwardPermission"];
        };
        /**
         * @description `in-force`: valid and not withdrawn for any recipient; `partly-withdrawn`: withdrawn for
         *     some recipients; `withdrawn`: for all; `expired`: `valid_until` has passed.
         * @enum {unknown}
         */
        ConsentStatus: "in-force" | "partly-withdrawn" | "withdrawn" | "expired";
        /** @description A consent record's metadata. Holds no personal data. */
        Consent: {
            /** Format: uuid */
            id: string;
            /** @description `self` for a consent recorded here; otherwise the node that sent it with a referral. */
            origin: string;
            /** @description The consent's id at its origin, for one received from another node. */
            origin_consent_id?: string;
            /**
             * Format: uuid
             * @description For the narrowed consent of an onward referral, the received consent it came from.
             */
            derived_from?: string;
            categories: components["schemas"]["DataCategory"][];
            purposes: string[];
            recipients: string[];
            onward_referral?: components["schemas"]["OnwardPermission"];
            /** @enum {unknown} */
            method: "written" | "verbal" | "verbal-with-interpreter";
            language: string;
            obtained_by: string;
            /** Format: date-time */
            obtained_at: string;
            /** Format: date-time */
            valid_until: string;
            /** Format: date-time */
            recorded_at: string;
            status: components["schemas"]["ConsentStatus"];
            withdrawn_for: string[];
            /** Format: date-time */
            withdrawn_at?: string;
            /** @description The scanned form, if one is attached (its content only through `GET .../form`). */
            form?: {
                media_type: string;
                size: number;
                /** Format: date-time */
                attached_at: string;
            };
            /** @description The referrals whose disclosures rest on this consent. */
            referrals: {
                /** Format: uuid */
                id: string;
                /** @description This node's case reference for the referral (ReferralSummary). */
                case_reference: string;
                /** @enum {unknown} */
                direction: "incoming" | "outgoing";
                peer_id: string;
                state: components["schemas"]["ReferralState"];
                /** Format: date-time */
                erased_at?: string;
            }[];
            erasures: components["schemas"]["Erasure"][];
        };
        /** @description An erasure owed by an organisation that received a referral's data (or one it referred the case on to). */
        Erasure: {
            /** Format: uuid */
            referral_id: string;
            node_id: string;
            /** @description When `node_id` received the case by onward referral, that referral's id. */
            onward_referral_id?: string;
            /** @enum {unknown} */
            reason: "consent-withdrawn" | "retention";
            /** @enum {unknown} */
            status: "outstanding" | "confirmed";
            /** Format: date-time */
            requested_at?: string;
            /** Format: date-time */
            confirmed_at?: string;
            /** @description The eraser's signed statement (compact JWS, `typ` erasure-statement+jws). */
            statement?: string;
            /** @description Whether the statement's signature was checked here with the eraser's pinned key (false when the eraser is not a peer of this node; it was relayed by one). */
            statement_verified?: boolean;
            relayed_by?: string;
        };
        WithdrawConsentRequest: {
            /** @description Withdraw only for these recipients; absent = for all. */
            recipients?: string[];
        };
        MatchQuery: {
            needs: components["schemas"]["TaxonomyCode"][];
            country?: string;
            region?: string;
            city?: string;
            /** @description Languages she speaks (BCP 47). */
            languages?: string[];
            /** @enum {unknown} */
            gender?: "female" | "male" | "other";
            age?: number;
            legal_status?: components["schemas"]["LegalStatus"];
            with_children?: boolean;
            /** @enum {unknown} */
            mode?: "in-person" | "online" | "phone";
            /** @default 20 */
            limit: number;
        };
        MatchResponse: {
            results: components["schemas"]["MatchResult"][];
            /** @description How many services fit a need (before `limit`). */
            total: number;
            searched: {
                /** @description Services offered (not paused) in the directories searched. */
                services: number;
                /** @description Trusted peers whose current directory was searched. */
                peers: number;
            };
        };
        MatchResult: {
            service: components["schemas"]["DirectoryService"];
            organization: {
                node_id: string;
                name: string;
                country: string;
                /** @description The service is this organisation's own. */
                own: boolean;
            };
            score: number;
            /** @description What fits. */
            reasons: components["schemas"]["MatchReason"][];
            /** @description What does not fit. */
            misfits: components["schemas"]["MatchReason"][];
            /** @description A referral can be sent for it now (a peer's service taking referrals). */
            referable: boolean;
        };
        /** @description One reason a service fits (or, among `misfits`, does not). `code` says which kind of reason it is and `values` its parts, for a client to say it in its own words; `detail` is the same in an English sentence (for the command line and for reading), whose wording may change. List values (languages, modes, legal statuses) are codes joined by commas, in order. */
        MatchReason: {
            /** @enum {unknown} */
            criterion: "need" | "place" | "language" | "eligibility" | "children" | "mode" | "availability";
            /**
             * @description The kind of reason, and the `values` it has. need-exact, need-narrower, need-broader: the service offers `category`, the need itself, a narrower kind of `need` or the broader category including `need`; need-unmet: none of its categories meets `need`; place-country: it works in `country`; place-elsewhere: it is in `country`, not in `asked`, but can be given in the `modes` (not in person); place-region, place-city: it works in `place`; place-not-region, place-not-city: it is not in `place`, and `actual` (when known) says where it is; language-shared: it works in `languages` (those asked for that it speaks); language-none: it works in `languages`, none of `asked`; women: for women (she is one); women-only: for women only (she is not); age-within: `age` is within its range; age-below-minimum: only from `age`; age-above-maximum: only up to `age`; status-served: it serves people with legal status `status`; status-not-served: it serves only `statuses`, not `status`; children-welcome, children-not-accepted: whether her children can come; mode-offered: given as `mode`; mode-not-offered: given as `modes`, not `mode`; not-accepting: not taking referrals now; places-free: `count` places free now; no-place-free: no place free now.
             * @enum {unknown}
             */
            code: "need-exact" | "need-narrower" | "need-broader" | "need-unmet" | "place-country" | "place-elsewhere" | "place-region" | "place-not-region" | "place-city" | "place-not-city" | "language-shared" | "language-none" | "women" | "women-only" | "age-within" | "age-below-minimum" | "age-above-maximum" | "status-served" | "status-not-served" | "children-welcome" | "children-not-accepted" | "mode-offered" | "mode-not-offered" | "not-accepting" | "places-free" | "no-place-free";
            /** @description The reason's parts by name (taxonomy codes, ISO 3166 country codes, BCP 47 language tags, place names, numbers written in digits). */
            values: {
                [key: string]: string;
            };
            /** @description The reason in an English sentence. */
            detail: string;
        };
        PeerDirectoryList: {
            items: components["schemas"]["PeerDirectoryStatus"][];
        };
        PeerDirectoryStatus: {
            peer_id: string;
            name: string;
            country: string;
            /**
             * @description `current`: a directory held and unexpired; `expired`: held but past its `exp` (the peer has not been reached for a day); `none`: never received.
             * @enum {unknown}
             */
            freshness: "current" | "expired" | "none";
            services: number;
            /** Format: date-time */
            signed_at?: string;
            /**
             * Format: date-time
             * @description When the directory held was received.
             */
            fetched_at?: string;
            /**
             * Format: date-time
             * @description When the peer was last asked.
             */
            checked_at?: string;
            /** @description Why the last attempt did not bring a new directory. */
            last_error?: string;
        };
        HsdsExport: {
            /** @constant */
            hsds_version: "3.0";
            organizations: {
                /** Format: uuid */
                id: string;
                name: string;
                website?: string;
                services: {
                    id: string;
                    name: string;
                    /** @enum {unknown} */
                    status: "active" | "temporarily closed";
                }[];
            }[];
        };
        /** @description A service as an administrator describes it (see ServiceFields in federation.yaml). */
        ServiceInput: components["schemas"]["ServiceFields"];
        Service: components["schemas"]["ServiceFields"] & {
            /** Format: uuid */
            id: string;
            /** @enum {unknown} */
            status: "active" | "paused";
            accepting_referrals: boolean;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at: string;
        };
        ServiceAvailability: {
            accepting_referrals?: boolean;
            /** @description Places free now. */
            available?: number;
        };
        Taxonomy: {
            /** @description Grows by one whenever a code is added, renamed or removed. */
            version: number;
            languages: components["schemas"]["LabelLanguage"][];
            categories: components["schemas"]["TaxonomyCategory"][];
        };
        TaxonomyCategory: {
            code: components["schemas"]["TaxonomyCode"];
            parent?: components["schemas"]["TaxonomyCode"];
            /** @description The category's name in each language of the network, none missing. */
            labels: {
                en: string;
                de: string;
                el: string;
                it: string;
                ro: string;
                bg: string;
            };
        };
        /**
         * @description The languages of the network's labels (ISO 639-1).
         * @enum {unknown}
         */
        LabelLanguage: "en" | "de" | "el" | "it" | "ro" | "bg";
        AuditBundle: {
            /** @constant */
            format: "refnet-audit-bundle/1";
            node_id: string;
            /** @description The node's identity document (compact JWS), signed at export time. */
            identity: string;
            /** @description The entries' exact JSON texts, in index order (RFC 9162 leaves). */
            entries: string[];
            /** @description Signed checkpoint notes with their cosignatures, oldest first. */
            checkpoints: string[];
            witnesses: components["schemas"]["BundleIdentity"][];
            /** @description The signed erasure statements behind the `erasure.confirmed` entries (compact JWS; no personal data). */
            erasure_statements: string[];
            /** @description The identity documents, as pinned by this node, of the organisations that signed those statements. */
            erasers: components["schemas"]["BundleIdentity"][];
            /**
             * @description The node's historical keys (`GET /federation/v1/historical-keys`: a compact JWS signed
             *     with its current signing key), so that checkpoints signed before a signing-key rotation
             *     or revocation still verify. Bundles exported before it was added lack it.
             */
            historical_keys?: string;
        };
        BundleIdentity: {
            node_id: string;
            /** @description The organisation's identity document (compact JWS). */
            identity: string;
            /**
             * @description Its identity documents from before another signing key replaced them (a rotation
             *     followed, or a new invitation after a key revocation), oldest first: what it signed
             *     with those keys is checked with them.
             */
            earlier?: string[];
        };
        AuditVerification: {
            /** @description True exactly when `status` is `passed`. */
            ok: boolean;
            /**
             * @description `passed`: nothing is wrong and a witness has cosigned the latest checkpoint.
             *     `not-yet-witnessed`: nothing is wrong, but the log has entries and no checkpoint, or its
             *     latest checkpoint has no cosignature (see `warnings`); verified again after the next
             *     checkpoint round, the same log passes. `failed`: a finding in `integrity`, `consent` or
             *     `erasures`. The CLI's exit status is 0, 2 and 1 respectively.
             * @enum {string}
             */
            status: "passed" | "not-yet-witnessed" | "failed";
            /**
             * @description What is not wrong but not yet vouched for: `no-checkpoint` and `not-witnessed` make the
             *     status `not-yet-witnessed`; `entries-after-checkpoint` (the live tail of the log) does not.
             */
            warnings: {
                /** @enum {string} */
                check: "no-checkpoint" | "not-witnessed" | "entries-after-checkpoint";
                message: string;
            }[];
            node_id: string;
            /** @description The readable fingerprint of the node's signing key; compare it with the node's administrator. */
            fingerprint?: string;
            /** Format: date-time */
            checked_at: string;
            /** @description Entries after the last checkpoint (checked for the consent rules, not yet signed). */
            unsigned_entries: number;
            /** @description Cosignatures on the latest checkpoint; none makes the status `not-yet-witnessed` (no witness vouches for the log yet). */
            latest_cosignatures: number;
            /** @description The witnesses in the bundle with their signing keys' fingerprints, to compare with their administrators. */
            witnesses: {
                node_id: string;
                fingerprint?: string;
            }[];
            integrity: {
                ok: boolean;
                findings: {
                    check: string;
                    message: string;
                    entry?: number;
                    checkpoint?: number;
                    witness?: string;
                }[];
                counts: {
                    entries: number;
                    checkpoints: number;
                    cosignatures: number;
                };
            };
            consent: {
                ok: boolean;
                disclosures: number;
                withdrawals: number;
                findings: {
                    /** @enum {unknown} */
                    rule: "disclosure-without-consent" | "consent-not-in-force" | "recipient-not-consented" | "category-not-consented" | "disclosure-after-withdrawal" | "erasure-not-requested" | "erasure-overdue" | "malformed-entry";
                    index: number;
                    referral_id?: string;
                    consent_id?: string;
                    node_id?: string;
                    detail: string;
                }[];
                pending: {
                    referral_id: string;
                    node_id: string;
                    requested_at: string;
                    index: number;
                }[];
            };
            /** @description The signed statements behind confirmed erasures, checked against their entries and, where the signer's identity is in the bundle, its key. */
            erasures: {
                ok: boolean;
                confirmed: number;
                verified: number;
                unverified: number;
                findings: {
                    /** @enum {unknown} */
                    check: "erasure-statement-missing" | "erasure-statement-invalid";
                    message: string;
                    entry: number;
                }[];
            };
        };
        AddPeerRequest: {
            /** Format: uri */
            url: string;
        };
        TrustPeerRequest: {
            /** Format: uri */
            id: string;
            /** @description The fingerprint the peer's administrator read out to you. */
            fingerprint: string;
        };
        PeerStateRequest: {
            /** Format: uri */
            id: string;
        };
        RevokePeerRequest: {
            /** Format: uri */
            id: string;
            /** @enum {unknown} */
            reason: "key-compromise" | "no-longer-partner" | "other";
        };
        PeerAlerts: {
            items: {
                id: number;
                peer_id: string;
                /** @enum {unknown} */
                kind: "signing-key-changed" | "invalid-identity-document" | "quota-exceeded";
                detail: string;
                /** Format: date-time */
                detected_at: string;
                /** @description The identity document as the peer served it (compact JWS; public keys and organisation data only). */
                evidence?: string;
                /** Format: date-time */
                resolved_at?: string;
            }[];
        };
        ResolveAlertRequest: {
            id: number;
        };
        ReferOnwardRequest: {
            /**
             * Format: uri
             * @description The third organisation's node id.
             */
            to: string;
            reason: string;
            /** @description Absent = the original referral's needs. */
            needs?: components["schemas"]["TaxonomyCode"][];
            urgency?: components["schemas"]["Urgency"];
            /** Format: date-time */
            reply_by?: string;
            /** @description Absent = all the client data this node received; otherwise only groups within the original consent. */
            client?: components["schemas"]["ClientData"];
            /** @description A note to the original sender about the onward referral. */
            note?: components["schemas"]["Note"];
            service_id?: components["schemas"]["CreateReferralRequest"]["service_id"];
        };
        CreateInquiryRequest: {
            /**
             * Format: uri
             * @description The peer's node id (its base URL).
             */
            to: string;
            needs: components["schemas"]["TaxonomyCode"][];
            urgency: components["schemas"]["Urgency"];
            /** Format: date-time */
            reply_by?: string;
            profile: components["schemas"]["InquiryProfile"];
        };
        InquiryAnswerRequest: {
            capacity: components["schemas"]["Capacity"];
            /** Format: date */
            available_from?: string;
            reason?: components["schemas"]["DeclineReason"];
            note?: components["schemas"]["Note"];
        };
        /** @description The offer after an answered inquiry; as CreateReferralRequest without `to` and `draft`. */
        OfferRequest: {
            needs: components["schemas"]["TaxonomyCode"][];
            urgency: components["schemas"]["Urgency"];
            /** Format: date-time */
            reply_by?: string;
            reason: string;
            client: components["schemas"]["ClientData"];
            consent: components["schemas"]["CreateReferralRequest"]["consent"];
            service_id?: components["schemas"]["CreateReferralRequest"]["service_id"];
        };
        /** @description The inquiry a referral began with, and its answer once given. */
        Inquiry: {
            needs: components["schemas"]["TaxonomyCode"][];
            urgency: components["schemas"]["Urgency"];
            /** Format: date-time */
            reply_by?: string;
            profile: components["schemas"]["InquiryProfile"];
            answer?: {
                capacity: components["schemas"]["Capacity"];
                /** Format: date */
                available_from?: string;
                reason?: components["schemas"]["DeclineReason"];
                note?: string;
            };
        };
        InfoRequestRequest: {
            questions: components["schemas"]["Note"];
        };
        InfoResponseRequest: {
            answer: components["schemas"]["Note"];
            client?: components["schemas"]["ClientData"];
        };
        AcceptRequest: {
            note?: components["schemas"]["Note"];
        };
        DeclineRequest: {
            reason: components["schemas"]["DeclineReason"];
            note?: components["schemas"]["Note"];
        };
        UpdateRequest: {
            status: components["schemas"]["UpdateStatus"];
            note?: components["schemas"]["Note"];
        };
        CompleteRequest: {
            outcome: components["schemas"]["Outcome"];
            note?: components["schemas"]["Note"];
        };
        WithdrawRequest: {
            reason: components["schemas"]["WithdrawReason"];
            note?: components["schemas"]["Note"];
        };
        /** @description One state change or message of a referral, oldest first. */
        TimelineEntry: {
            /** Format: date-time */
            at: string;
            /** @description The message type that made the change (e.g. `referral.accept`), `receipt` when the peer's receipt for the offer arrived, `expiry` when the reply-by date passed unanswered, or `assigned` when a user of this node took the referral, was made responsible for it or handed it over (`code` is the user now responsible, absent when nobody is; `note` the hand-over note). */
            action: string;
            from_state?: components["schemas"]["ReferralState"];
            to_state: components["schemas"]["ReferralState"];
            by: {
                /** @enum {unknown} */
                kind: "user" | "peer" | "system";
                /** @description The user's id on this node, the peer's node id, or for `system` the rule that acted (`reply-by`). */
                id: string;
            };
            /** @description The capacity, reason, status or outcome code the action carried, if any. */
            code?: string;
            note?: string;
            /** @description For `referral.onward`, where the case was referred on to. */
            onward?: {
                to: string;
                /** Format: uuid */
                referral_id: string;
            };
            /** @description For `referral.accept` and `referral.handover` from the receiver, the caseworker it named as responsible. */
            caseworker?: components["schemas"]["PartnerCaseworker"];
            /** Format: uuid */
            envelope_id?: string;
        };
        AuditEntry: {
            index: number;
            /** Format: date-time */
            at: string;
            type: string;
            /** @description base64url of the RFC 9162 leaf hash, SHA-256(0x00 || entry bytes). */
            leaf_hash: string;
            /** @description The entry, as the exact JSON text its leaf hash covers. */
            entry: string;
        };
        AuditEntriesPage: {
            log_size: number;
            items: components["schemas"]["AuditEntry"][];
            /** @description The start of the next page, when there is one. */
            next_start?: number;
        };
        AuditCheckpoint: {
            size: number;
            /** @description base64url of the tree's root hash. */
            root_hash: string;
            /** Format: date-time */
            created_at: string;
            /** @description The C2SP signed note with this node's signature and every cosignature, as peers get it. */
            note: string;
            cosignatures: {
                witness_id: components["schemas"]["NodeId"];
                /**
                 * Format: date-time
                 * @description When the witness cosigned (its signed timestamp).
                 */
                timestamp: string;
                /** Format: date-time */
                received_at: string;
            }[];
        };
        AuditCheckpoints: {
            latest?: components["schemas"]["AuditCheckpoint"];
            items: components["schemas"]["AuditCheckpoint"][];
            /** @description Pass as `before` for the next (older) page, when there is one. */
            next_before?: number;
        };
        WitnessedCheckpoint: {
            size: number;
            root_hash: string;
            /** @description The peer's signed checkpoint note, as it was submitted. */
            note: string;
        };
        AuditWitness: {
            logs: {
                peer_id: components["schemas"]["NodeId"];
                checkpoint: components["schemas"]["WitnessedCheckpoint"];
                /** Format: date-time */
                cosigned_at: string;
            }[];
            inconsistencies: {
                id: number;
                peer_id: components["schemas"]["NodeId"];
                /**
                 * @description `same-size-different-root`: the peer signed two roots for one size.
                 *     `consistency-proof-failed`: no valid proof leads from the held checkpoint to the submitted one.
                 * @enum {unknown}
                 */
                kind: "same-size-different-root" | "consistency-proof-failed";
                /** Format: date-time */
                detected_at: string;
                /** @description The checkpoint this node held (and had cosigned). */
                held: components["schemas"]["WitnessedCheckpoint"];
                /** @description The checkpoint the peer submitted that contradicts it. */
                submitted: components["schemas"]["WitnessedCheckpoint"];
                /** @description The consistency proof submitted with it (standard base64 hashes). */
                proof: string[];
            }[];
        };
        /**
         * @description Stable problem `type` values of the local API.
         * @enum {unknown}
         */
        ProblemType: "urn:refnet:problem:unauthorized" | "urn:refnet:problem:forbidden" | "urn:refnet:problem:not-found" | "urn:refnet:problem:invalid-request" | "urn:refnet:problem:unsupported-media-type" | "urn:refnet:problem:peer-not-trusted" | "urn:refnet:problem:peer-state" | "urn:refnet:problem:consent-violation" | "urn:refnet:problem:message-type-not-accepted" | "urn:refnet:problem:illegal-transition" | "urn:refnet:problem:not-ready" | "urn:refnet:problem:invalid-invitation-code" | "urn:refnet:problem:invitation-key-mismatch" | "urn:refnet:problem:bad-signature" | "urn:refnet:problem:invalid-confirmation" | "urn:refnet:problem:peer-unreachable" | "urn:refnet:problem:peer-key-conflict" | "urn:refnet:problem:peer-suspended" | "urn:refnet:problem:identity-mismatch" | "urn:refnet:problem:identity-unavailable" | "urn:refnet:problem:invalid-invitation" | "urn:refnet:problem:invitation-used" | "urn:refnet:problem:invitation-expired" | "urn:refnet:problem:invitation-revoked" | "urn:refnet:problem:malformed-request" | "urn:refnet:problem:headers-too-large" | "urn:refnet:problem:rate-limited" | "urn:refnet:problem:quota-exceeded" | "urn:refnet:problem:request-timeout" | "urn:refnet:problem:expectation-failed" | "urn:refnet:problem:internal-error";
        Problem: {
            /** @description One of `ProblemType`, or one a later version adds (treat it by its status). */
            type: components["schemas"]["ProblemType"] | string;
            title: string;
            status: number;
            detail?: string;
            instance?: string;
            /** @description For `invalid-request`, where the request failed its schema (paths and rules only, never values). */
            errors?: {
                path: string;
                message: string;
            }[];
        } & {
            [key: string]: unknown;
        };
        /** @description Text in one or more languages, keyed by BCP 47 language tag: `{"en": "…", "el": "…"}`. */
        LocalizedText: {
            [key: string]: string;
        };
        /** @description A region or city: a name, never a street address (no digits), and no control characters. */
        PlaceName: string;
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
        /** @enum {unknown} */
        LegalStatus: "eu-citizen" | "asylum-seeker" | "international-protection" | "residence-permit" | "undocumented";
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
        DirectoryService: components["schemas"]["ServiceFields"] & {
            /** Format: uuid */
            id: string;
            /** @enum {unknown} */
            status: "active" | "paused";
            accepting_referrals: boolean;
            /** Format: date-time */
            updated_at: string;
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
        /**
         * Format: uri
         * @description The node's base URL, without trailing slash.
         */
        "schemas-NodeId": string;
        /** @description Whether the client agreed that the recipient may refer her on to another organisation, and to which (absent = any it trusts). */
        OnwardPermission: {
            allowed: boolean;
            recipients?: components["schemas"]["schemas-NodeId"][];
        };
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
        /** @enum {unknown} */
        Capacity: "can-help" | "waiting-list" | "cannot-help";
        /** @enum {unknown} */
        DeclineReason: "no-capacity" | "not-eligible" | "out-of-area" | "client-unreachable" | "other";
        /** @enum {unknown} */
        UpdateStatus: "first-contact-made" | "service-started" | "on-hold" | "resumed" | "other";
        /** @enum {unknown} */
        Outcome: "service-completed" | "goals-partly-met" | "client-stopped" | "client-unreachable" | "referred-elsewhere" | "other";
        /** @enum {unknown} */
        WithdrawReason: "client-request" | "need-met-elsewhere" | "sent-in-error" | "other";
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
    parameters: {
        ConsentId: string;
        ReferralId: string;
    };
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The node is up. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        status: "ok";
                    };
                };
            };
            503: components["responses"]["Problem"];
        };
    };
    getReadiness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The node is ready. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        status: "ready";
                    };
                };
            };
            503: components["responses"]["Problem"];
        };
    };
    getMetrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The metrics. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    getNode: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The node. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NodeInfo"];
                };
            };
            401: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    getTaxonomy: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The taxonomy. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Taxonomy"];
                };
            };
            401: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    listServices: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The services, oldest first. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Service"][];
                    };
                };
            };
            401: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    createService: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ServiceInput"];
            };
        };
        responses: {
            /** @description Created. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Service"];
                };
            };
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            415: components["responses"]["Problem"];
            422: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    getService: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The service. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Service"];
                };
            };
            401: components["responses"]["Problem"];
            404: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    replaceService: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ServiceInput"];
            };
        };
        responses: {
            /** @description The service as now described. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Service"];
                };
            };
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            404: components["responses"]["Problem"];
            415: components["responses"]["Problem"];
            422: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    deleteService: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Removed. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            404: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    pauseService: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The service, paused. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Service"];
                };
            };
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            404: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    resumeService: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The service, active. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Service"];
                };
            };
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            404: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    setServiceAvailability: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ServiceAvailability"];
            };
        };
        responses: {
            /** @description The service as now described. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Service"];
                };
            };
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            404: components["responses"]["Problem"];
            415: components["responses"]["Problem"];
            422: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    listPeerDirectories: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One row per trusted peer. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PeerDirectoryList"];
                };
            };
            401: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    syncPeerDirectories: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Each peer's directory after the sync. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PeerDirectoryList"];
                };
            };
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    exportHsds: {
        parameters: {
            query?: {
                peers?: "true" | "false";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The export. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HsdsExport"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    matchServices: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MatchQuery"];
            };
        };
        responses: {
            /** @description The results, best first. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MatchResponse"];
                };
            };
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            415: components["responses"]["Problem"];
            422: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    listPeers: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description All peers. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Peer"][];
                    };
                };
            };
            401: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    addPeer: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AddPeerRequest"];
            };
        };
        responses: {
            /** @description Already known with the same key. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Peer"];
                };
            };
            /** @description Added, pending. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Peer"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            409: components["responses"]["Problem"];
            415: components["responses"]["Problem"];
            422: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    listPeerAlerts: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The alerts. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PeerAlerts"];
                };
            };
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    resolvePeerAlert: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ResolveAlertRequest"];
            };
        };
        responses: {
            /** @description The alerts after the change. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PeerAlerts"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            404: components["responses"]["Problem"];
            415: components["responses"]["Problem"];
            422: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    trustPeer: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TrustPeerRequest"];
            };
        };
        responses: {
            /** @description The peer, trusted. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Peer"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            409: components["responses"]["Problem"];
            415: components["responses"]["Problem"];
            422: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    suspendPeer: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PeerStateRequest"];
            };
        };
        responses: {
            /** @description The peer, suspended. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Peer"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            409: components["responses"]["Problem"];
            415: components["responses"]["Problem"];
            422: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    restorePeer: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PeerStateRequest"];
            };
        };
        responses: {
            /** @description The peer, trusted again. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Peer"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            409: components["responses"]["Problem"];
            415: components["responses"]["Problem"];
            422: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    revokePeer: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RevokePeerRequest"];
            };
        };
        responses: {
            /** @description The peer, revoked. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Peer"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            409: components["responses"]["Problem"];
            415: components["responses"]["Problem"];
            422: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    listReferrals: {
        parameters: {
            query?: {
                direction?: "incoming" | "outgoing";
                state?: components["schemas"]["ReferralState"];
                peer?: components["schemas"]["NodeId"];
                /**
                 * @description `true`: only referrals waiting for this organisation, those with an `attention`
                 *     (see Attention): incoming ones to decide (`delivered`) or inquiries to answer, outgoing
                 *     ones whose receiver asked for information (`info-requested`), drafts, answered
                 *     inquiries, referrals whose answer is due within a day or late, and any with a message
                 *     the peer refused.
                 */
                needs_action?: "true" | "false";
                /** @description Only referrals changed at or after this time. */
                updated_since?: string;
                limit?: number;
                /** @description The `next_cursor` of the previous page. */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["ReferralSummary"][];
                        next_cursor?: string;
                    };
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    createReferral: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateReferralRequest"];
            };
        };
        responses: {
            /** @description Created and queued (and usually already delivered). */
            201: {
                headers: {
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReferralSummary"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            409: components["responses"]["Problem"];
            415: components["responses"]["Problem"];
            422: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    getReferral: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The referral. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReferralDetail"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            404: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    retryMessage: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["ReferralId"];
                envelope: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The referral, its message queued again. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReferralSummary"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            404: components["responses"]["Problem"];
            409: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    searchReferrals: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SearchRequest"];
            };
        };
        responses: {
            /** @description The referrals found (perhaps none). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SearchResults"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            415: components["responses"]["Problem"];
            422: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    createInquiry: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateInquiryRequest"];
            };
        };
        responses: {
            /** @description Created and queued. */
            201: {
                headers: {
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReferralSummary"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            409: components["responses"]["Problem"];
            415: components["responses"]["Problem"];
            422: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    offerAfterInquiry: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["ReferralId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OfferRequest"];
            };
        };
        responses: {
            /** @description The referral, now `sent`. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReferralSummary"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            404: components["responses"]["Problem"];
            409: components["responses"]["Problem"];
            415: components["responses"]["Problem"];
            422: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    answerInquiry: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["ReferralId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["InquiryAnswerRequest"];
            };
        };
        responses: {
            /** @description The referral in its new state. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReferralSummary"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            404: components["responses"]["Problem"];
            409: components["responses"]["Problem"];
            415: components["responses"]["Problem"];
            422: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    referOnward: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["ReferralId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ReferOnwardRequest"];
            };
        };
        responses: {
            /** @description The new referral. */
            201: {
                headers: {
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReferralSummary"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            404: components["responses"]["Problem"];
            409: components["responses"]["Problem"];
            415: components["responses"]["Problem"];
            422: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    sendReferralDraft: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["ReferralId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The referral, now `sent`. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReferralSummary"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            404: components["responses"]["Problem"];
            409: components["responses"]["Problem"];
            422: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    requestReferralInformation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["ReferralId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["InfoRequestRequest"];
            };
        };
        responses: {
            /** @description The referral in its new state. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReferralSummary"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            404: components["responses"]["Problem"];
            409: components["responses"]["Problem"];
            415: components["responses"]["Problem"];
            422: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    answerReferralInformation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["ReferralId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["InfoResponseRequest"];
            };
        };
        responses: {
            /** @description The referral in its new state. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReferralSummary"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            404: components["responses"]["Problem"];
            409: components["responses"]["Problem"];
            415: components["responses"]["Problem"];
            422: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    acceptReferral: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["ReferralId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AcceptRequest"];
            };
        };
        responses: {
            /** @description The referral in its new state. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReferralSummary"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            404: components["responses"]["Problem"];
            409: components["responses"]["Problem"];
            415: components["responses"]["Problem"];
            422: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    assignReferral: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["ReferralId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AssignRequest"];
            };
        };
        responses: {
            /** @description The referral, with whoever is responsible now. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReferralSummary"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            404: components["responses"]["Problem"];
            409: components["responses"]["Problem"];
            415: components["responses"]["Problem"];
            422: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    declineReferral: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["ReferralId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DeclineRequest"];
            };
        };
        responses: {
            /** @description The referral in its new state. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReferralSummary"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            404: components["responses"]["Problem"];
            409: components["responses"]["Problem"];
            415: components["responses"]["Problem"];
            422: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    updateReferral: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["ReferralId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateRequest"];
            };
        };
        responses: {
            /** @description The referral in its new state. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReferralSummary"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            404: components["responses"]["Problem"];
            409: components["responses"]["Problem"];
            415: components["responses"]["Problem"];
            422: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    completeReferral: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["ReferralId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CompleteRequest"];
            };
        };
        responses: {
            /** @description The referral in its new state. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReferralSummary"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            404: components["responses"]["Problem"];
            409: components["responses"]["Problem"];
            415: components["responses"]["Problem"];
            422: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    withdrawReferral: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["ReferralId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WithdrawRequest"];
            };
        };
        responses: {
            /** @description The referral in its new state. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReferralSummary"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            404: components["responses"]["Problem"];
            409: components["responses"]["Problem"];
            415: components["responses"]["Problem"];
            422: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    listConsents: {
        parameters: {
            query?: {
                status?: components["schemas"]["ConsentStatus"];
                limit?: number;
                /** @description The `next_cursor` of the previous page. */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Consent"][];
                        next_cursor?: string;
                    };
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    recordConsent: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ConsentInput"];
            };
        };
        responses: {
            /** @description Recorded. */
            201: {
                headers: {
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Consent"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            415: components["responses"]["Problem"];
            422: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    getConsent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["ConsentId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The consent record. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Consent"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            404: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    withdrawConsent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["ConsentId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WithdrawConsentRequest"];
            };
        };
        responses: {
            /** @description The consent record after the withdrawal. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Consent"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            404: components["responses"]["Problem"];
            409: components["responses"]["Problem"];
            415: components["responses"]["Problem"];
            422: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    getConsentForm: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["ConsentId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The form as it was uploaded, to be saved as a file, never shown as a page. */
            200: {
                headers: {
                    /** @description `attachment; filename="consent-<id>.<pdf|jpg|png>"` */
                    "Content-Disposition"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/pdf": string;
                    "image/jpeg": string;
                    "image/png": string;
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            404: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    attachConsentForm: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: components["parameters"]["ConsentId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/pdf": string;
                "image/jpeg": string;
                "image/png": string;
            };
        };
        responses: {
            /** @description The consent record with its form. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Consent"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            404: components["responses"]["Problem"];
            409: components["responses"]["Problem"];
            413: components["responses"]["Problem"];
            415: components["responses"]["Problem"];
            422: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    listAuditEntries: {
        parameters: {
            query?: {
                /** @description The index of the first entry. */
                start?: number;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditEntriesPage"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    listAuditCheckpoints: {
        parameters: {
            query?: {
                limit?: number;
                /** @description Only checkpoints of a smaller size (the `next_before` of the previous page). */
                before?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The latest checkpoint (absent while none was signed) and one page of the history. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditCheckpoints"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    getAuditWitness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The witness state. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditWitness"];
                };
            };
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    getAuditBundle: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The bundle. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditBundle"];
                };
            };
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    verifyAuditLog: {
        parameters: {
            query?: {
                /** @description How long an erasure may stay unconfirmed before it is a finding rather than pending. */
                erasure_grace_days?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The report (also when it finds problems; see `status`). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditVerification"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    listInvitations: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every invitation. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Invitation"][];
                    };
                };
            };
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    createInvitation: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateInvitationRequest"];
            };
        };
        responses: {
            /** @description The invitation, with its code. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedInvitation"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            415: components["responses"]["Problem"];
            422: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
    redeemInvitationCode: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RedeemInvitationRequest"];
            };
        };
        responses: {
            /** @description The inviting node, now a trusted peer. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Peer"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            409: components["responses"]["Problem"];
            415: components["responses"]["Problem"];
            422: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
            502: components["responses"]["Problem"];
        };
    };
    revokeInvitation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The invitation, revoked. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Invitation"];
                };
            };
            400: components["responses"]["Problem"];
            401: components["responses"]["Problem"];
            403: components["responses"]["Problem"];
            404: components["responses"]["Problem"];
            409: components["responses"]["Problem"];
            429: components["responses"]["TooManyRequests"];
        };
    };
}
