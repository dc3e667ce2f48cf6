/**
 * `npm run api:types`: regenerates src/api/schema.d.ts, the types of the typed client
 * (`liveline/api`), from the document /openapi.json serves. tests/api-client.test.ts fails while
 * the committed file differs from a fresh generation.
 */
import { writeFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import openapiTS, { astToString } from 'openapi-typescript'
import { buildOpenApiDocument } from './openapi-document.js'

export const API_TYPES_FILE = fileURLToPath(new URL('../src/api/schema.d.ts', import.meta.url))

const HEADER = `/**
 * Types of the Liveline HTTP API, generated from its OpenAPI document by openapi-typescript.
 * Do not edit: run \`npm run api:types\`.
 */

`

export async function generateApiTypes(document?: Record<string, unknown>): Promise<string> {
  const ast = await openapiTS((document ?? (await buildOpenApiDocument())) as never)
  return HEADER + astToString(ast)
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeFileSync(API_TYPES_FILE, await generateApiTypes())
}
