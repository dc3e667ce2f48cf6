import * as v from 'valibot'
import { wholeNumber } from '../lib/whole-number.js'

export const DEFAULT_FEED_ENTRIES = 50
export const MAX_FEED_ENTRIES = 200

export const FeedQuery = v.object({
  limit: v.optional(wholeNumber(1, MAX_FEED_ENTRIES), String(DEFAULT_FEED_ENTRIES)),
})
export type FeedQuery = v.InferOutput<typeof FeedQuery>

/** A JSON Feed 1.1 document as these feeds write it (for the OpenAPI document). */
export const JsonFeedDocument = v.object({
  version: v.literal('https://jsonfeed.org/version/1.1'),
  title: v.string(),
  home_page_url: v.string(),
  feed_url: v.string(),
  description: v.optional(v.string()),
  language: v.optional(v.string()),
  items: v.array(
    v.object({
      id: v.string(),
      url: v.string(),
      title: v.string(),
      content_html: v.string(),
      date_published: v.string(),
      date_modified: v.string(),
      authors: v.array(v.object({ name: v.string(), avatar: v.optional(v.string()) })),
      tags: v.optional(v.array(v.string())),
      _liveline: v.object({
        keyEvent: v.boolean(),
        pinned: v.boolean(),
        story: v.optional(v.object({ title: v.string(), url: v.string(), feedUrl: v.string() })),
      }),
    }),
  ),
})
