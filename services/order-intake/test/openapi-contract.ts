import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

type OpenApiDoc = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>
  >;
  components: { schemas: Record<string, object> };
};

/**
 * Checks responses against the served OpenAPI 3.1 document: the operation must declare the status,
 * and the JSON body must validate against its schema (components resolved through `$ref`).
 */
export class OpenApiContract {
  readonly #doc: OpenApiDoc;
  readonly #ajv: Ajv2020;

  constructor(doc: unknown) {
    this.#doc = doc as OpenApiDoc;
    this.#ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(this.#ajv);
    // The document is the schema root, so `#/components/schemas/X` refs resolve inside it.
    this.#ajv.addSchema({ $id: 'openapi.json', components: this.#doc.components }, 'openapi.json');
  }

  /** The problems of a response (empty when it matches). */
  check(method: string, path: string, statusCode: number, body: unknown): string[] {
    const operation = this.#doc.paths[path]?.[method.toLowerCase()];
    if (!operation) return [`${method} ${path} is not in the document`];
    const response = operation.responses[String(statusCode)];
    if (!response) return [`${method} ${path} does not declare status ${statusCode}`];
    const schema = response.content?.['application/json']?.schema;
    if (!schema) return [`${method} ${path} ${statusCode} declares no application/json body`];
    const validate = this.#ajv.compile(rebase(schema));
    return validate(body)
      ? []
      : (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message ?? 'invalid'}`);
  }
}

/** Points local refs at the registered document. */
function rebase(schema: object): object {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi.json#/components/'));
}
