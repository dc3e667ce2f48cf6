import { XMLParser, XMLValidator } from 'fast-xml-parser'

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  parseTagValue: false,
  // Atom may repeat link; RSS's channel/item link is one element.
  isArray: (name, jpath) =>
    ['entry', 'item', 'category'].includes(name) || (name === 'link' && String(jpath).startsWith('feed')),
})

/** Parses a feed with a real XML parser; throws with the parser's message if it is not well-formed. */
export function parseXml(text: string): any {
  const valid = XMLValidator.validate(text)
  if (valid !== true) throw new Error(`not well-formed XML: ${JSON.stringify(valid.err)}`)
  return parser.parse(text)
}
