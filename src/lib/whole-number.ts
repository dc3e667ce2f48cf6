import * as v from 'valibot'

/**
 * A whole number written as text (a query parameter, a header, an environment variable):
 * '42' -> 42; anything but digits is refused with "must be a whole number", then the bounds apply.
 * @example v.object({ limit: v.optional(wholeNumber(1, 100), '20') })
 */
export function wholeNumber(min = 0, max = Number.MAX_SAFE_INTEGER) {
  return v.pipe(
    v.string(),
    v.regex(/^\d+$/, 'must be a whole number'),
    v.transform(Number),
    v.minValue(min),
    v.maxValue(max),
  )
}
