/**
 * Types of the Liveline HTTP API, generated from its OpenAPI document by openapi-typescript.
 * Do not edit: run `npm run api:types`.
 */

export interface paths {
    "/v1/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List API keys (never the keys themselves) */
        get: operations["listKeys"];
        put?: never;
        /**
         * Create an API key
         * @description The `key` is shown only in this response; only its hash is stored.
         */
        post: operations["createKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys/{id}": {
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
         * Revoke an API key
         * @description The key stops working at once; live connections opened with it are closed on every instance.
         */
        delete: operations["revokeKey"];
        options?: never;
        head?: never;
        /**
         * Give a key a person (its byline), or none
         * @description Only an admin may set or change a key’s person. Updates posted before keep their byline.
         */
        patch: operations["editKey"];
        trace?: never;
    };
    "/v1/people": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List the people of the desk, by name
         * @description Bylines are public: the same names, titles and avatars readers see on every update.
         */
        get: operations["listPeople"];
        put?: never;
        /**
         * Add a person of the desk (a byline)
         * @description Give a key the person with `POST /v1/keys {personId}`: what the key posts carries their byline.
         */
        post: operations["createPerson"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/people/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get one person */
        get: operations["getPerson"];
        put?: never;
        post?: never;
        /**
         * Delete a person
         * @description Their keys keep working under the key’s own name; published bylines stay as they were.
         */
        delete: operations["deletePerson"];
        options?: never;
        head?: never;
        /**
         * Edit a person
         * @description Updates published before keep the byline they were published with.
         */
        patch: operations["editPerson"];
        trace?: never;
    };
    "/v1/stories": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List stories, newest first
         * @description Public readers and partners see `live` and `ended` stories only.
         */
        get: operations["listStories"];
        put?: never;
        /**
         * Create a story
         * @description The slug is derived from the title when absent (a derived slug that is taken gets a short suffix); an explicit slug that is taken is 409. Status defaults to `draft`.
         */
        post: operations["createStory"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/stories/{story}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a story by id or slug */
        get: operations["getStory"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Edit a story, change its status or comments setting, or pin an update
         * @description Appends a `story.updated` event. `ended` is final: new updates get 409 and the story cannot be reopened. `pinnedUpdateId: null` unpins. `comments` (`off`, `moderated`, `open`, `closed`) says whether readers may comment (docs/comments.md).
         */
        patch: operations["updateStory"];
        trace?: never;
    };
    "/v1/stories/{story}/updates": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List a story’s updates, newest first
         * @description Published updates. `status=submitted|scheduled` lists the waiting ones instead (newest first by creation): editors see all, a contributor its own.
         */
        get: operations["listUpdates"];
        put?: never;
        /**
         * Post an update to a story
         * @description Appends `update.created` (and `story.updated` when `pinned`). From a contributor the update waits as `submitted` for an editor; with a future `publishAt` (editors) it waits as `scheduled` and is published at that time. Neither appends an event until published. `authorId` (editors) sets the byline to that person; otherwise it is the key’s person, or the key’s name. With `Idempotency-Key`, a retry with the same key and body returns the first update with `Idempotent-Replayed: true`; the same key with another body is 422.
         */
        post: operations["createUpdate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/stories/{story}/updates/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get one update
         * @description A submitted or scheduled update is 404 except to editors and the contributor who posted it.
         */
        get: operations["getUpdate"];
        put?: never;
        post?: never;
        /**
         * Delete an update
         * @description Appends `update.deleted` (and `story.updated` when it was pinned: the story is unpinned). A submitted or scheduled update is discarded without an event. A contributor may withdraw only its own submissions.
         */
        delete: operations["deleteUpdate"];
        options?: never;
        head?: never;
        /**
         * Edit, correct, schedule or publish an update
         * @description On a published update: sets `editedAt` and appends `update.edited`; `correction` appends `{at, note}` to `corrections`, which readers see under the update. Edits are allowed after a story has ended. On a submitted or scheduled update: changes it without an event; `status: "published"` publishes it now and `publishAt` (re)schedules it, appending `update.created` when it is published. A contributor may change only the content of its own submissions (403 otherwise).
         */
        patch: operations["editUpdate"];
        trace?: never;
    };
    "/v1/stories/{story}/comments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List a story’s comments, newest first
         * @description Published comments for everyone (none while the story’s `comments` is `off`). With an editor or admin key, `status=pending|rejected|published` lists those instead; a public `status` other than `published` is 401.
         */
        get: operations["listComments"];
        put?: never;
        /**
         * Post a reader comment
         * @description No key needed. `name` 1-60 and `text` 1-2000 characters (NFC, trimmed; control and bidi-override characters refused). The automatic rules decide it: `status` is `published` (an `open` story, no rule fired), `pending` (a `moderated` story, or a holding rule) or `rejected`, with `reasons`. Limited per client address per story and overall, across instances.
         */
        post: operations["postComment"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/stories/{story}/comments/{id}": {
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
         * Delete a comment
         * @description Deleting a published comment appends `comment.removed`.
         */
        delete: operations["deleteComment"];
        options?: never;
        head?: never;
        /**
         * Publish or reject a comment
         * @description Publishing appends `comment.published`; rejecting a published comment appends `comment.removed`. The same status again changes nothing.
         */
        patch: operations["moderateComment"];
        trace?: never;
    };
    "/v1/stories/{story}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read the story’s ordered change log
         * @description Events with `seq > since`, ascending, at most `limit`. `head` is the story’s newest seq.
         */
        get: operations["listEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/stories/{story}/stream": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Follow a story as server-sent events
         * @description A `text/event-stream` of the story’s events: `id: <seq>`, `event: <type>`, `data: <Event JSON>`. Resume with the `Last-Event-ID` header (EventSource sends it on reconnect) or `?since=<seq>`: the events after it, then live, each seq once, ascending, no gaps. Without either, the stream starts at the head. A reader more than the replay limit behind gets `event: reset` (`id` = head, `data: {"type":"reset","story","seq"}`) and continues from the head. Comment lines (`: ping`) keep quiet streams open. The stream ends when the server shuts down or the reader is too slow to take its events; reconnect with `Last-Event-ID`. Trouble that passes (shutting down, database or bus down, rate limited) is never an HTTP error here: it is a 200 stream with `retry:` that ends, so EventSource comes back; 400, 401, 403 and 404 are final. See docs/live-protocol.md.
         */
        get: operations["streamStory"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/stories/{story}/presence": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * How many read a story right now
         * @description Websocket and server-sent-event readers of the story on every instance, as this instance last heard (instances report every 5 s; one that stops reporting drops out within 30 s). Live readers also get `presence` frames (websocket) or `event: presence` (SSE).
         */
        get: operations["getStoryPresence"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/stories/{story}/feed.atom": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A story’s feed (Atom 1.0)
         * @description Updates newest first (`limit`, default 50, at most 200); deleted updates are absent. Every answer carries a strong `ETag` and `Last-Modified`; send them back as `If-None-Match` / `If-Modified-Since` for a 304. See docs/feeds.md.
         */
        get: operations["getStoryFeedAtom"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/stories/{story}/feed.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A story’s feed (JSON Feed 1.1)
         * @description Updates newest first (`limit`, default 50, at most 200); deleted updates are absent. Every answer carries a strong `ETag` and `Last-Modified`; send them back as `If-None-Match` / `If-Modified-Since` for a 304. See docs/feeds.md.
         */
        get: operations["getStoryFeedJson"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/stories/{story}/feed.rss": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A story’s feed (RSS 2.0)
         * @description Updates newest first (`limit`, default 50, at most 200); deleted updates are absent. Every answer carries a strong `ETag` and `Last-Modified`; send them back as `If-None-Match` / `If-Modified-Since` for a 304. See docs/feeds.md.
         */
        get: operations["getStoryFeedRss"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/feed.atom": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Updates from all live stories (Atom 1.0)
         * @description Updates newest first (`limit`, default 50, at most 200); deleted updates are absent. Every answer carries a strong `ETag` and `Last-Modified`; send them back as `If-None-Match` / `If-Modified-Since` for a 304. See docs/feeds.md.
         */
        get: operations["getLiveFeedAtom"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/feed.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Updates from all live stories (JSON Feed 1.1)
         * @description Updates newest first (`limit`, default 50, at most 200); deleted updates are absent. Every answer carries a strong `ETag` and `Last-Modified`; send them back as `If-None-Match` / `If-Modified-Since` for a 304. See docs/feeds.md.
         */
        get: operations["getLiveFeedJson"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/feed.rss": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Updates from all live stories (RSS 2.0)
         * @description Updates newest first (`limit`, default 50, at most 200); deleted updates are absent. Every answer carries a strong `ETag` and `Last-Modified`; send them back as `If-None-Match` / `If-Modified-Since` for a 304. See docs/feeds.md.
         */
        get: operations["getLiveFeedRss"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List webhooks (a partner’s own; an admin sees all), newest first */
        get: operations["listWebhooks"];
        put?: never;
        /**
         * Register a webhook endpoint
         * @description Each event of the chosen stories (`["*"]`: every story) is POSTed to `url`, one Event per request, signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`). The `secret` is shown only in this response. Partners never receive events of draft stories. See docs/webhooks.md.
         */
        post: operations["createWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get a webhook (never its secret)
         * @description `disabledAt` and `disabledReason` say whether and why deliveries stopped.
         */
        get: operations["getWebhook"];
        put?: never;
        post?: never;
        /** Delete a webhook with its pending deliveries and history */
        delete: operations["deleteWebhook"];
        options?: never;
        head?: never;
        /**
         * Change a webhook, or re-enable (`enabled: true`) or pause (`enabled: false`) it
         * @description Re-enabling clears `disabledAt` and `disabledReason`; deliveries still pending resume in order. Events from while the endpoint was disabled are not queued: catch up with `GET /v1/stories/:story/events?since=`.
         */
        patch: operations["updateWebhook"];
        trace?: never;
    };
    "/v1/webhooks/{id}/secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Rotate the signing secret, with an overlap during which both secrets sign
         * @description Body `{}` or `{"overlapSeconds": n}` (0 to 604800, i.e. 7 days; default 86400). The new `secret` is shown only in this response. Until `previousSecretExpiresAt` every delivery carries two signatures in `webhook-signature` (space-separated, as Standard Webhooks allows): one with the new secret, one with the old; after it, only the new one. Standard Webhooks libraries accept a delivery when any signature matches, so a receiver can switch to the new secret at any time within the overlap. Rotating again drops the older secret at once. See docs/webhooks.md.
         */
        post: operations["rotateWebhookSecret"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{id}/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List deliveries, newest first, with their attempts (status code, latency, error) */
        get: operations["listDeliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{id}/deliveries/{deliveryId}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a delivery again (same webhook-id), with a fresh retry schedule
         * @description Queues the delivery at once whatever its status. A resend of an old event may arrive after newer ones.
         */
        post: operations["retryDelivery"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/media": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Upload an image for image blocks
         * @description The image is the raw body. It is decoded and re-encoded in its real format (read from the bytes, whatever the Content-Type says), turned upright, with its location and camera metadata removed, and resized for `srcset`. The same photo uploaded twice is stored once (same `id`). At most 20971520 bytes and 50000000 pixels; 30 uploads per key per minute. See docs/media.md.
         */
        post: operations["uploadMedia"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/media/{id}/{file}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * An uploaded image or one of its sizes (`<width>.<jpg|png|webp|gif>`)
         * @description The upload’s `url` names the original at its own width; smaller widths (480, 960, 1600) in the original’s format and WebP, and WebP at the original width, sit beside it. Cached for a year, immutable.
         */
        get: operations["getMediaFile"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: 200 while the process runs */
        get: operations["checkLiveness"];
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
        /** Readiness: 200 when the database and the bus are reachable, else 503 */
        get: operations["checkReadiness"];
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
        /** Prometheus metrics */
        get: operations["getMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/s/{slug}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Reader page of a live or ended story: server-rendered HTML, then live */
        get: operations["getStoryPage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/s/{slug}/fragment": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The story's HTML without the page around it (the widget's first render) */
        get: operations["getStoryFragment"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/desk": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Editors' desk: post, edit and delete updates from a browser */
        get: operations["getDesk"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/client.js": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Browser client (ES module): subscribe(story, {since, onEvent, onState}) */
        get: operations["getClientModule"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/embed.js": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Embeddable widget: a script element loading `embed.js`, with `data-story` naming the story */
        get: operations["getEmbedScript"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/assets/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Scripts and styles of the reader page, widget and desk */
        get: operations["getAsset"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/docs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Interactive API reference (Scalar) for this document, served from this server */
        get: operations["getApiReference"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/docs/api-reference.js": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The script of the API reference page (Scalar’s standalone build) */
        get: operations["getApiReferenceScript"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/live": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Live websocket (upgrade): follow stories and receive their events as they happen
         * @description Upgrade to a websocket. Key as `Authorization: Bearer` or `?key=`. Client frames: `{"type":"subscribe","story","since"?}`, `{"type":"unsubscribe","story"}`. Server frames: `subscribed`, `event`, `reset`, `unsubscribed`, `error`. Per story, each seq at most once, ascending, no gaps. Close codes: 1008 policy (revoked key, abuse), 1009 frame over 16 KiB, 1012 server restarting, 1013 reader too slow. See docs/live-protocol.md.
         */
        get: operations["connectLive"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This OpenAPI 3.1 document */
        get: operations["getOpenApiDocument"];
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
        Error: {
            error: {
                /** @description snake_case error code */
                code: string;
                message: string;
                /** @description for invalid_request: each bad field by its path */
                details?: unknown;
            };
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    listKeys: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Keys, newest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            id: string;
                            name: string;
                            /** @enum {string} */
                            role: "admin" | "editor" | "contributor" | "partner";
                            personId: string | null;
                            /** Format: date-time */
                            createdAt: string;
                            revokedAt: string | null;
                        }[];
                    };
                };
            };
            /** @description Missing, invalid or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The key’s role may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    createKey: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    /** @enum {string} */
                    role: "admin" | "editor" | "contributor" | "partner";
                    personId?: string | null;
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        name: string;
                        /** @enum {string} */
                        role: "admin" | "editor" | "contributor" | "partner";
                        personId: string | null;
                        key: string;
                        /** Format: date-time */
                        createdAt: string;
                    };
                };
            };
            /** @description Validation failed (`invalid_request`, `details` names each bad field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The key’s role may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    revokeKey: {
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
            /** @description Revoked */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Missing, invalid or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The key’s role may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such key */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    editKey: {
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
                "application/json": {
                    personId: string | null;
                };
            };
        };
        responses: {
            /** @description The key */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        name: string;
                        /** @enum {string} */
                        role: "admin" | "editor" | "contributor" | "partner";
                        personId: string | null;
                        /** Format: date-time */
                        createdAt: string;
                        revokedAt: string | null;
                    };
                };
            };
            /** @description Validation failed (`invalid_request`, `details` names each bad field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The key’s role may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such key */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listPeople: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description People by name */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            id: string;
                            name: string;
                            title: string | null;
                            avatarUrl: string | null;
                            bio: string | null;
                            /** Format: date-time */
                            createdAt: string;
                        }[];
                    };
                };
            };
        };
    };
    createPerson: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    title?: string | null;
                    avatarUrl?: string | null;
                    bio?: string | null;
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        name: string;
                        title: string | null;
                        avatarUrl: string | null;
                        bio: string | null;
                        /** Format: date-time */
                        createdAt: string;
                    };
                };
            };
            /** @description Validation failed (`invalid_request`, `details` names each bad field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The key’s role may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getPerson: {
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
            /** @description The person */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        name: string;
                        title: string | null;
                        avatarUrl: string | null;
                        bio: string | null;
                        /** Format: date-time */
                        createdAt: string;
                    };
                };
            };
            /** @description No such person */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deletePerson: {
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
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Missing, invalid or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The key’s role may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such person */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    editPerson: {
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
                "application/json": {
                    name?: string;
                    title?: string | null;
                    avatarUrl?: string | null;
                    bio?: string | null;
                };
            };
        };
        responses: {
            /** @description The edited person */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        name: string;
                        title: string | null;
                        avatarUrl: string | null;
                        bio: string | null;
                        /** Format: date-time */
                        createdAt: string;
                    };
                };
            };
            /** @description Validation failed (`invalid_request`, `details` names each bad field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The key’s role may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such person */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listStories: {
        parameters: {
            query?: {
                limit?: string;
                cursor?: string;
                status?: "draft" | "live" | "ended";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of stories */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            id: string;
                            slug: string;
                            title: string;
                            summary: string | null;
                            section: string | null;
                            language: string;
                            /** @enum {string} */
                            status: "draft" | "live" | "ended";
                            /** @enum {string} */
                            comments: "off" | "moderated" | "open" | "closed";
                            /** Format: date-time */
                            createdAt: string;
                            /** Format: date-time */
                            updatedAt: string;
                            lastUpdateAt: string | null;
                            seq: number;
                            updateCount: number;
                            pinnedUpdateId: string | null;
                        }[];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description Validation failed (`invalid_request`, `details` names each bad field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    createStory: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    title: string;
                    slug?: string;
                    summary?: string | null;
                    section?: string | null;
                    /** @default en */
                    language?: string;
                    /**
                     * @default draft
                     * @enum {string}
                     */
                    status?: "draft" | "live" | "ended";
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        slug: string;
                        title: string;
                        summary: string | null;
                        section: string | null;
                        language: string;
                        /** @enum {string} */
                        status: "draft" | "live" | "ended";
                        /** @enum {string} */
                        comments: "off" | "moderated" | "open" | "closed";
                        /** Format: date-time */
                        createdAt: string;
                        /** Format: date-time */
                        updatedAt: string;
                        lastUpdateAt: string | null;
                        seq: number;
                        updateCount: number;
                        pinnedUpdateId: string | null;
                    };
                };
            };
            /** @description Validation failed (`invalid_request`, `details` names each bad field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The key’s role may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The slug is taken (`slug_taken`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Database unavailable; retry after `Retry-After` seconds */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getStory: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Story id or slug */
                story: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The story */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        slug: string;
                        title: string;
                        summary: string | null;
                        section: string | null;
                        language: string;
                        /** @enum {string} */
                        status: "draft" | "live" | "ended";
                        /** @enum {string} */
                        comments: "off" | "moderated" | "open" | "closed";
                        /** Format: date-time */
                        createdAt: string;
                        /** Format: date-time */
                        updatedAt: string;
                        lastUpdateAt: string | null;
                        seq: number;
                        updateCount: number;
                        pinnedUpdateId: string | null;
                    };
                };
            };
            /** @description No such story, or a draft the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    updateStory: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Story id or slug */
                story: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    title?: string;
                    summary?: string | null;
                    section?: string | null;
                    language?: string;
                    /** @enum {string} */
                    status?: "draft" | "live" | "ended";
                    /** @enum {string} */
                    comments?: "off" | "moderated" | "open" | "closed";
                    pinnedUpdateId?: string | null;
                };
            };
        };
        responses: {
            /** @description The story after the change */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        slug: string;
                        title: string;
                        summary: string | null;
                        section: string | null;
                        language: string;
                        /** @enum {string} */
                        status: "draft" | "live" | "ended";
                        /** @enum {string} */
                        comments: "off" | "moderated" | "open" | "closed";
                        /** Format: date-time */
                        createdAt: string;
                        /** Format: date-time */
                        updatedAt: string;
                        lastUpdateAt: string | null;
                        seq: number;
                        updateCount: number;
                        pinnedUpdateId: string | null;
                    };
                };
            };
            /** @description Validation failed (`invalid_request`, `details` names each bad field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The key’s role may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such story, or a draft the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The story has ended (`story_ended`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listUpdates: {
        parameters: {
            query?: {
                limit?: string;
                cursor?: string;
                status?: "published" | "scheduled" | "submitted";
            };
            header?: never;
            path: {
                /** @description Story id or slug */
                story: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of updates */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            id: string;
                            storyId: string;
                            /** @enum {string} */
                            status: "published" | "scheduled" | "submitted";
                            headline: string | null;
                            blocks: ({
                                /** @constant */
                                type: "text";
                                text: string;
                            } | {
                                /** @constant */
                                type: "quote";
                                text: string;
                                attribution?: string;
                            } | {
                                /** @constant */
                                type: "image";
                                /** Format: uri */
                                url: string;
                                caption?: string;
                                credit?: string;
                                alt?: string;
                            } | {
                                /** @constant */
                                type: "embed";
                                /** Format: uri */
                                url: string;
                            })[];
                            html: string;
                            keyEvent: boolean;
                            author: {
                                id: string;
                                name: string;
                                title: string | null;
                                avatarUrl: string | null;
                            };
                            /** Format: date-time */
                            createdAt: string;
                            publishedAt: string | null;
                            publishAt: string | null;
                            editedAt: string | null;
                            corrections: {
                                /** Format: date-time */
                                at: string;
                                note: string;
                            }[];
                            seq: number;
                        }[];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description Validation failed (`invalid_request`, `details` names each bad field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The key’s role may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such story, or a draft the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    createUpdate: {
        parameters: {
            query?: never;
            header?: {
                /** @description Any string up to 255 characters, unique per post */
                "Idempotency-Key"?: string;
            };
            path: {
                /** @description Story id or slug */
                story: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    headline?: string | null;
                    blocks: ({
                        /** @constant */
                        type: "text";
                        text: string;
                    } | {
                        /** @constant */
                        type: "quote";
                        text: string;
                        attribution?: string;
                    } | {
                        /** @constant */
                        type: "image";
                        /** Format: uri */
                        url: string;
                        caption?: string;
                        credit?: string;
                        alt?: string;
                    } | {
                        /** @constant */
                        type: "embed";
                        /** Format: uri */
                        url: string;
                    })[];
                    /** @default false */
                    keyEvent?: boolean;
                    /** @default false */
                    pinned?: boolean;
                    /** Format: date-time */
                    publishAt?: string;
                    authorId?: string;
                };
            };
        };
        responses: {
            /** @description Posted (or replayed) */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        storyId: string;
                        /** @enum {string} */
                        status: "published" | "scheduled" | "submitted";
                        headline: string | null;
                        blocks: ({
                            /** @constant */
                            type: "text";
                            text: string;
                        } | {
                            /** @constant */
                            type: "quote";
                            text: string;
                            attribution?: string;
                        } | {
                            /** @constant */
                            type: "image";
                            /** Format: uri */
                            url: string;
                            caption?: string;
                            credit?: string;
                            alt?: string;
                        } | {
                            /** @constant */
                            type: "embed";
                            /** Format: uri */
                            url: string;
                        })[];
                        html: string;
                        keyEvent: boolean;
                        author: {
                            id: string;
                            name: string;
                            title: string | null;
                            avatarUrl: string | null;
                        };
                        /** Format: date-time */
                        createdAt: string;
                        publishedAt: string | null;
                        publishAt: string | null;
                        editedAt: string | null;
                        corrections: {
                            /** Format: date-time */
                            at: string;
                            note: string;
                        }[];
                        seq: number;
                    };
                };
            };
            /** @description Validation failed (`invalid_request`, `details` names each bad field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The key’s role may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such story, or a draft the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The story has ended (`story_ended`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over the size limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Idempotency-Key reused with a different body (`idempotency_key_reused`) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Database unavailable; retry after `Retry-After` seconds */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getUpdate: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Story id or slug */
                story: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The update */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        storyId: string;
                        /** @enum {string} */
                        status: "published" | "scheduled" | "submitted";
                        headline: string | null;
                        blocks: ({
                            /** @constant */
                            type: "text";
                            text: string;
                        } | {
                            /** @constant */
                            type: "quote";
                            text: string;
                            attribution?: string;
                        } | {
                            /** @constant */
                            type: "image";
                            /** Format: uri */
                            url: string;
                            caption?: string;
                            credit?: string;
                            alt?: string;
                        } | {
                            /** @constant */
                            type: "embed";
                            /** Format: uri */
                            url: string;
                        })[];
                        html: string;
                        keyEvent: boolean;
                        author: {
                            id: string;
                            name: string;
                            title: string | null;
                            avatarUrl: string | null;
                        };
                        /** Format: date-time */
                        createdAt: string;
                        publishedAt: string | null;
                        publishAt: string | null;
                        editedAt: string | null;
                        corrections: {
                            /** Format: date-time */
                            at: string;
                            note: string;
                        }[];
                        seq: number;
                    };
                };
            };
            /** @description No such story or update (deleted updates are gone) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteUpdate: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Story id or slug */
                story: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Missing, invalid or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The key’s role may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such story or update (deleted updates are gone) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    editUpdate: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Story id or slug */
                story: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    headline?: string | null;
                    blocks?: ({
                        /** @constant */
                        type: "text";
                        text: string;
                    } | {
                        /** @constant */
                        type: "quote";
                        text: string;
                        attribution?: string;
                    } | {
                        /** @constant */
                        type: "image";
                        /** Format: uri */
                        url: string;
                        caption?: string;
                        credit?: string;
                        alt?: string;
                    } | {
                        /** @constant */
                        type: "embed";
                        /** Format: uri */
                        url: string;
                    })[];
                    keyEvent?: boolean;
                    /** @constant */
                    status?: "published";
                    /** Format: date-time */
                    publishAt?: string;
                    correction?: string;
                    authorId?: string;
                };
            };
        };
        responses: {
            /** @description The edited update */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        storyId: string;
                        /** @enum {string} */
                        status: "published" | "scheduled" | "submitted";
                        headline: string | null;
                        blocks: ({
                            /** @constant */
                            type: "text";
                            text: string;
                        } | {
                            /** @constant */
                            type: "quote";
                            text: string;
                            attribution?: string;
                        } | {
                            /** @constant */
                            type: "image";
                            /** Format: uri */
                            url: string;
                            caption?: string;
                            credit?: string;
                            alt?: string;
                        } | {
                            /** @constant */
                            type: "embed";
                            /** Format: uri */
                            url: string;
                        })[];
                        html: string;
                        keyEvent: boolean;
                        author: {
                            id: string;
                            name: string;
                            title: string | null;
                            avatarUrl: string | null;
                        };
                        /** Format: date-time */
                        createdAt: string;
                        publishedAt: string | null;
                        publishAt: string | null;
                        editedAt: string | null;
                        corrections: {
                            /** Format: date-time */
                            at: string;
                            note: string;
                        }[];
                        seq: number;
                    };
                };
            };
            /** @description Validation failed (`invalid_request`, `details` names each bad field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The key’s role may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such story or update (deleted updates are gone) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Publishing into a story that has ended (`story_ended`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listComments: {
        parameters: {
            query?: {
                limit?: string;
                cursor?: string;
                status?: "pending" | "published" | "rejected";
            };
            header?: never;
            path: {
                /** @description Story id or slug */
                story: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of comments */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            id: string;
                            storyId: string;
                            name: string;
                            text: string;
                            /** @enum {string} */
                            status: "pending" | "published" | "rejected";
                            reasons: ("all_caps" | "profanity" | "turkish_characters" | "repeat" | "spelling" | "link")[];
                            /** Format: date-time */
                            createdAt: string;
                            decidedAt: string | null;
                        }[];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description Validation failed (`invalid_request`, `details` names each bad field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The key’s role may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such story, or a draft the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postComment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Story id or slug */
                story: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    text: string;
                };
            };
        };
        responses: {
            /** @description Taken, with its status and the rules that fired */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        storyId: string;
                        name: string;
                        text: string;
                        /** @enum {string} */
                        status: "pending" | "published" | "rejected";
                        reasons: ("all_caps" | "profanity" | "turkish_characters" | "repeat" | "spelling" | "link")[];
                        /** Format: date-time */
                        createdAt: string;
                        decidedAt: string | null;
                    };
                };
            };
            /** @description Validation failed (`invalid_request`, `details` names each bad field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such story, or a draft the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The story takes no comments (`comments_closed`: `off` or `closed`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many comments from this address (`rate_limited`); retry after `Retry-After` seconds */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The database is unavailable, or the story has more comments waiting to be published than this instance holds (`LIVELINE_COMMENT_PUBLISH_QUEUE`): nothing was stored, and the same comment may be sent again after `Retry-After` seconds */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteComment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Story id or slug */
                story: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Missing, invalid or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The key’s role may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such story or comment */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    moderateComment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Story id or slug */
                story: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {string} */
                    status: "published" | "rejected";
                };
            };
        };
        responses: {
            /** @description The comment after the decision */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        storyId: string;
                        name: string;
                        text: string;
                        /** @enum {string} */
                        status: "pending" | "published" | "rejected";
                        reasons: ("all_caps" | "profanity" | "turkish_characters" | "repeat" | "spelling" | "link")[];
                        /** Format: date-time */
                        createdAt: string;
                        decidedAt: string | null;
                    };
                };
            };
            /** @description Validation failed (`invalid_request`, `details` names each bad field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The key’s role may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such story or comment */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listEvents: {
        parameters: {
            query?: {
                since?: string;
                limit?: string;
            };
            header?: never;
            path: {
                /** @description Story id or slug */
                story: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Events and the head */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        events: {
                            story: string;
                            seq: number;
                            /** @enum {string} */
                            type: "update.created" | "update.edited" | "update.deleted" | "story.updated" | "comment.published" | "comment.removed";
                            at: string;
                            lastUpdateAt: string | null;
                            update?: {
                                id: string;
                            };
                            updateId?: string;
                            storyState?: {
                                id: string;
                            };
                            comment?: {
                                id: string;
                            };
                            commentId?: string;
                        }[];
                        head: number;
                    };
                };
            };
            /** @description Validation failed (`invalid_request`, `details` names each bad field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such story, or a draft the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    streamStory: {
        parameters: {
            query?: {
                since?: string;
            };
            header?: {
                /** @description Resume after this seq (wins over `since`) */
                "Last-Event-ID"?: string;
            };
            path: {
                /** @description Story id or slug */
                story: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The event stream. When the stream cannot be served for now (shutting down, database or bus down, rate limited) it is still a 200 stream: `retry: <ms>`, a `: closing:` comment, then the end, so EventSource reconnects. Other statuses are final. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": string;
                };
            };
            /** @description Validation failed (`invalid_request`, `details` names each bad field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such story, or a draft the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getStoryPresence: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Story id or slug */
                story: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The count */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        readers: number;
                        /** Format: date-time */
                        at: string;
                    };
                };
            };
            /** @description No such story, or a draft the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getStoryFeedAtom: {
        parameters: {
            query?: {
                limit?: string;
            };
            header?: {
                /** @description An ETag from an earlier answer: 304 while the feed is unchanged */
                "If-None-Match"?: string;
                /** @description A Last-Modified from an earlier answer: 304 while unchanged */
                "If-Modified-Since"?: string;
            };
            path: {
                /** @description Story id or slug */
                story: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The feed as Atom 1.0 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/atom+xml; charset=utf-8": string;
                };
            };
            /** @description Not modified: the reader’s copy is current (no body) */
            304: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Validation failed (`invalid_request`, `details` names each bad field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such story, or a draft the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getStoryFeedJson: {
        parameters: {
            query?: {
                limit?: string;
            };
            header?: {
                /** @description An ETag from an earlier answer: 304 while the feed is unchanged */
                "If-None-Match"?: string;
                /** @description A Last-Modified from an earlier answer: 304 while unchanged */
                "If-Modified-Since"?: string;
            };
            path: {
                /** @description Story id or slug */
                story: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The feed as JSON Feed 1.1 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/feed+json; charset=utf-8": {
                        /** @constant */
                        version: "https://jsonfeed.org/version/1.1";
                        title: string;
                        home_page_url: string;
                        feed_url: string;
                        description?: string;
                        language?: string;
                        items: {
                            id: string;
                            url: string;
                            title: string;
                            content_html: string;
                            date_published: string;
                            date_modified: string;
                            authors: {
                                name: string;
                                avatar?: string;
                            }[];
                            tags?: string[];
                            _liveline: {
                                keyEvent: boolean;
                                pinned: boolean;
                                story?: {
                                    title: string;
                                    url: string;
                                    feedUrl: string;
                                };
                            };
                        }[];
                    };
                };
            };
            /** @description Not modified: the reader’s copy is current (no body) */
            304: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Validation failed (`invalid_request`, `details` names each bad field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such story, or a draft the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getStoryFeedRss: {
        parameters: {
            query?: {
                limit?: string;
            };
            header?: {
                /** @description An ETag from an earlier answer: 304 while the feed is unchanged */
                "If-None-Match"?: string;
                /** @description A Last-Modified from an earlier answer: 304 while unchanged */
                "If-Modified-Since"?: string;
            };
            path: {
                /** @description Story id or slug */
                story: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The feed as RSS 2.0 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/rss+xml; charset=utf-8": string;
                };
            };
            /** @description Not modified: the reader’s copy is current (no body) */
            304: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Validation failed (`invalid_request`, `details` names each bad field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such story, or a draft the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getLiveFeedAtom: {
        parameters: {
            query?: {
                limit?: string;
            };
            header?: {
                /** @description An ETag from an earlier answer: 304 while the feed is unchanged */
                "If-None-Match"?: string;
                /** @description A Last-Modified from an earlier answer: 304 while unchanged */
                "If-Modified-Since"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The feed as Atom 1.0 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/atom+xml; charset=utf-8": string;
                };
            };
            /** @description Not modified: the reader’s copy is current (no body) */
            304: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Validation failed (`invalid_request`, `details` names each bad field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getLiveFeedJson: {
        parameters: {
            query?: {
                limit?: string;
            };
            header?: {
                /** @description An ETag from an earlier answer: 304 while the feed is unchanged */
                "If-None-Match"?: string;
                /** @description A Last-Modified from an earlier answer: 304 while unchanged */
                "If-Modified-Since"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The feed as JSON Feed 1.1 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/feed+json; charset=utf-8": {
                        /** @constant */
                        version: "https://jsonfeed.org/version/1.1";
                        title: string;
                        home_page_url: string;
                        feed_url: string;
                        description?: string;
                        language?: string;
                        items: {
                            id: string;
                            url: string;
                            title: string;
                            content_html: string;
                            date_published: string;
                            date_modified: string;
                            authors: {
                                name: string;
                                avatar?: string;
                            }[];
                            tags?: string[];
                            _liveline: {
                                keyEvent: boolean;
                                pinned: boolean;
                                story?: {
                                    title: string;
                                    url: string;
                                    feedUrl: string;
                                };
                            };
                        }[];
                    };
                };
            };
            /** @description Not modified: the reader’s copy is current (no body) */
            304: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Validation failed (`invalid_request`, `details` names each bad field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getLiveFeedRss: {
        parameters: {
            query?: {
                limit?: string;
            };
            header?: {
                /** @description An ETag from an earlier answer: 304 while the feed is unchanged */
                "If-None-Match"?: string;
                /** @description A Last-Modified from an earlier answer: 304 while unchanged */
                "If-Modified-Since"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The feed as RSS 2.0 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/rss+xml; charset=utf-8": string;
                };
            };
            /** @description Not modified: the reader’s copy is current (no body) */
            304: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Validation failed (`invalid_request`, `details` names each bad field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listWebhooks: {
        parameters: {
            query?: {
                limit?: string;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of webhooks */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            id: string;
                            url: string;
                            stories: string[];
                            events: ("update.created" | "update.edited" | "update.deleted" | "story.updated" | "comment.published" | "comment.removed")[] | null;
                            /** Format: date-time */
                            createdAt: string;
                            /** Format: date-time */
                            updatedAt: string;
                            disabledAt: string | null;
                            disabledReason: string | null;
                        }[];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description Validation failed (`invalid_request`, `details` names each bad field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Editors may not manage webhooks */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    createWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    url: string;
                    stories: string[];
                    /** @default null */
                    events?: ("update.created" | "update.edited" | "update.deleted" | "story.updated" | "comment.published" | "comment.removed")[] | null;
                };
            };
        };
        responses: {
            /** @description Registered */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        url: string;
                        stories: string[];
                        events: ("update.created" | "update.edited" | "update.deleted" | "story.updated" | "comment.published" | "comment.removed")[] | null;
                        /** Format: date-time */
                        createdAt: string;
                        /** Format: date-time */
                        updatedAt: string;
                        disabledAt: string | null;
                        disabledReason: string | null;
                        /** @description whsec_<base64>: shown only in this response */
                        secret: string;
                    };
                };
            };
            /** @description Validation failed (`invalid_request`): a bad field, an unknown story, or a refused URL (only http/https; private, loopback and link-local targets are refused) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Editors may not manage webhooks */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description This key has as many webhooks as allowed (`webhook_limit_reached`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getWebhook: {
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
            /** @description The webhook */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        url: string;
                        stories: string[];
                        events: ("update.created" | "update.edited" | "update.deleted" | "story.updated" | "comment.published" | "comment.removed")[] | null;
                        /** Format: date-time */
                        createdAt: string;
                        /** Format: date-time */
                        updatedAt: string;
                        disabledAt: string | null;
                        disabledReason: string | null;
                    };
                };
            };
            /** @description Missing, invalid or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Editors may not manage webhooks */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such webhook (another partner’s webhooks do not exist for you) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteWebhook: {
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
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Missing, invalid or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Editors may not manage webhooks */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such webhook (another partner’s webhooks do not exist for you) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    updateWebhook: {
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
                "application/json": {
                    url?: string;
                    stories?: string[];
                    events?: ("update.created" | "update.edited" | "update.deleted" | "story.updated" | "comment.published" | "comment.removed")[] | null;
                    enabled?: boolean;
                };
            };
        };
        responses: {
            /** @description The webhook */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        url: string;
                        stories: string[];
                        events: ("update.created" | "update.edited" | "update.deleted" | "story.updated" | "comment.published" | "comment.removed")[] | null;
                        /** Format: date-time */
                        createdAt: string;
                        /** Format: date-time */
                        updatedAt: string;
                        disabledAt: string | null;
                        disabledReason: string | null;
                    };
                };
            };
            /** @description Validation failed (`invalid_request`): a bad field, an unknown story, or a refused URL (only http/https; private, loopback and link-local targets are refused) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Editors may not manage webhooks */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such webhook (another partner’s webhooks do not exist for you) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    rotateWebhookSecret: {
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
                "application/json": {
                    /**
                     * @description How long the old secret keeps signing next to the new one; 0 ends it at once
                     * @default 86400
                     */
                    overlapSeconds?: number;
                };
            };
        };
        responses: {
            /** @description Rotated */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        url: string;
                        stories: string[];
                        events: ("update.created" | "update.edited" | "update.deleted" | "story.updated" | "comment.published" | "comment.removed")[] | null;
                        /** Format: date-time */
                        createdAt: string;
                        /** Format: date-time */
                        updatedAt: string;
                        disabledAt: string | null;
                        disabledReason: string | null;
                        /** @description The new whsec_<base64>: shown only in this response */
                        secret: string;
                        /** @description Until then deliveries carry a signature with the old secret too; null: it stopped at once */
                        previousSecretExpiresAt: string | null;
                    };
                };
            };
            /** @description Validation failed (`invalid_request`, `details` names each bad field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Editors may not manage webhooks */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such webhook (another partner’s webhooks do not exist for you) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listDeliveries: {
        parameters: {
            query?: {
                limit?: string;
                cursor?: string;
                status?: "pending" | "succeeded" | "failed";
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of deliveries */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            /** @description the webhook-id header of every attempt */
                            id: string;
                            webhookId: string;
                            story: string;
                            seq: number;
                            /** @enum {string} */
                            type: "update.created" | "update.edited" | "update.deleted" | "story.updated" | "comment.published" | "comment.removed";
                            /** @enum {string} */
                            status: "pending" | "succeeded" | "failed";
                            /** Format: date-time */
                            createdAt: string;
                            nextAttemptAt: string | null;
                            deliveredAt: string | null;
                            attemptCount: number;
                            /** @description the latest attempts, oldest first */
                            attempts: {
                                /** Format: date-time */
                                at: string;
                                statusCode: number | null;
                                latencyMs: number;
                                error: string | null;
                            }[];
                        }[];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description Validation failed (`invalid_request`, `details` names each bad field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Editors may not manage webhooks */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such webhook (another partner’s webhooks do not exist for you) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    retryDelivery: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                deliveryId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Queued */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description the webhook-id header of every attempt */
                        id: string;
                        webhookId: string;
                        story: string;
                        seq: number;
                        /** @enum {string} */
                        type: "update.created" | "update.edited" | "update.deleted" | "story.updated" | "comment.published" | "comment.removed";
                        /** @enum {string} */
                        status: "pending" | "succeeded" | "failed";
                        /** Format: date-time */
                        createdAt: string;
                        nextAttemptAt: string | null;
                        deliveredAt: string | null;
                        attemptCount: number;
                        /** @description the latest attempts, oldest first */
                        attempts: {
                            /** Format: date-time */
                            at: string;
                            statusCode: number | null;
                            latencyMs: number;
                            error: string | null;
                        }[];
                    };
                };
            };
            /** @description Missing, invalid or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Editors may not manage webhooks */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such webhook or delivery */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The webhook is disabled (`webhook_disabled`): re-enable it first */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    uploadMedia: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description The image file */
        requestBody: {
            content: {
                "image/jpeg": string;
                "image/png": string;
                "image/webp": string;
                "image/gif": string;
            };
        };
        responses: {
            /** @description Stored (or already stored) */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description sha256 (hex) of the stored image: the same photo is one id */
                        id: string;
                        /** @description The original, re-encoded, at its own width; use it in an image block */
                        url: string;
                        width: number;
                        height: number;
                        /** @enum {string} */
                        contentType: "image/jpeg" | "image/png" | "image/webp" | "image/gif";
                        /** @description Size of the stored original */
                        bytes: number;
                    };
                };
            };
            /** @description Validation failed (`invalid_request`, `details` names each bad field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The key’s role may not do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Body over the upload limit (`payload_too_large`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not a JPEG, PNG, WebP or GIF image (`unsupported_media_type`) */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many uploads from this key (`rate_limited`, `Retry-After`) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Database unavailable; retry after `Retry-After` seconds */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getMediaFile: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                file: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The image */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "image/*": string;
                };
            };
            /** @description Not modified: `If-None-Match` matched the ETag (no body) */
            304: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description No such media file (`not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    checkLiveness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Alive */
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
        };
    };
    checkReadiness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Ready */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        status: "ready";
                        database: string;
                        bus: string;
                    };
                };
            };
            /** @description Not ready; `details` says which dependency is down */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
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
            /** @description Prometheus text exposition */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
        };
    };
    getStoryPage: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The story’s slug */
                slug: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Reader page of a live or ended story: server-rendered HTML, then live */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
            /** @description A bad `cursor`: the story from the top */
            302: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description No live or ended story at this address (an HTML page) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
        };
    };
    getStoryFragment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The story’s slug */
                slug: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The story's HTML without the page around it (the widget's first render) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
            /** @description No live or ended story at this address (an HTML fragment) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
        };
    };
    getDesk: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Editors' desk: post, edit and delete updates from a browser */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
        };
    };
    getClientModule: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Browser client (ES module): subscribe(story, {since, onEvent, onState}) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/javascript": string;
                };
            };
            /** @description Not modified: `If-None-Match` matched the ETag (no body) */
            304: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    getEmbedScript: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Embeddable widget: a script element loading `embed.js`, with `data-story` naming the story */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/javascript": string;
                };
            };
            /** @description Not modified: `If-None-Match` matched the ETag (no body) */
            304: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    getAsset: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Scripts and styles of the reader page, widget and desk */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/javascript": string;
                };
            };
            /** @description Not modified: `If-None-Match` matched the ETag (no body) */
            304: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description No such asset (`not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiReference: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description HTML page */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
        };
    };
    getApiReferenceScript: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description JavaScript */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/javascript": string;
                };
            };
            /** @description Not modified: `If-None-Match` matched the ETag (no body) */
            304: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    connectLive: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Switching protocols */
            101: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Invalid or revoked key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A plain HTTP request without an Upgrade (`upgrade_required`) */
            426: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Shutting down, or the key could not be verified */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Any other error, in the contract’s error shape */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getOpenApiDocument: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OpenAPI document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
}
