import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

interface MediaType {
  schema?: object;
}
interface ResponseObject {
  content?: Record<string, MediaType>;
}
interface Operation {
  responses?: Record<string, ResponseObject>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
}

/**
 * Checks real answers against the app's own /openapi.json: the route (path template and method),
 * the status (exact, or its `4XX`-style range, or `default`), the content type, and the JSON body
 * against the documented schema. It returns what disagrees, so a test can list every mismatch.
 */
export class OpenApiAnswers {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly templates: { pattern: RegExp; path: string }[];

  private constructor(private readonly doc: OpenApiDocument) {
    addFormats.default(this.ajv);
    this.ajv.addSchema(doc as object, 'openapi.json');
    // Literal paths first, so `/api/imports/preview` wins over `/api/imports/{id}`.
    this.templates = Object.keys(doc.paths)
      .sort((a, b) => a.split('{').length - b.split('{').length)
      .map((path) => ({
        path,
        pattern: new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+')}$`),
      }));
  }

  /** Reads the document the app serves. */
  static async of(app: FastifyInstance): Promise<OpenApiAnswers> {
    const served = await app.inject({ method: 'GET', url: '/openapi.json' });
    return new OpenApiAnswers(served.json());
  }

  /**
   * What in `response` (to `method url`) disagrees with the document; empty when nothing does. A
   * URL no documented route matches is a mismatch, unless `unknownRoutes` is `'pass'` (a test of
   * what unknown paths answer).
   */
  check(
    method: string,
    url: string,
    response: LightMyRequestResponse,
    options: { unknownRoutes?: 'fail' | 'pass' } = {},
  ): string[] {
    const at = `${method} ${url} → ${response.statusCode}`;
    const path = this.templates.find((t) => t.pattern.test(url.split('?')[0]))?.path;
    const operation = path ? this.doc.paths[path][method.toLowerCase()] : undefined;
    if (!path || !operation)
      return options.unknownRoutes === 'pass' ? [] : [`${at}: the route is not documented`];
    const status = String(response.statusCode);
    const responses = operation.responses ?? {};
    const key = [status, `${status[0]}XX`, `${status[0]}xx`, 'default'].find((k) => responses[k]);
    if (!key) return [`${at}: status ${status} of ${method} ${path} is not documented`];
    const content = responses[key].content;
    const body = response.rawPayload;
    if (!content) return body.length === 0 ? [] : [`${at}: a body where the document says none`];
    const mediaType = String(response.headers['content-type'] ?? '')
      .split(';')[0]
      .trim();
    const documented = content[mediaType];
    if (!documented)
      return [`${at}: content type "${mediaType}", documented: ${Object.keys(content).join(', ')}`];
    if (mediaType !== 'application/json' || !documented.schema) return [];
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      return [`${at}: the body is not JSON`];
    }
    const validate = this.validator(path, method.toLowerCase(), key, mediaType);
    if (validate(json)) return [];
    return (validate.errors ?? []).map(
      (e) => `${at}: body${e.instancePath} ${e.message} (documented as ${path} ${key} ${e.schemaPath})`,
    );
  }

  private validator(path: string, method: string, status: string, mediaType: string): ValidateFunction {
    const pointer = ['paths', path, method, 'responses', status, 'content', mediaType, 'schema']
      .map((part) => encodeURIComponent(part.replace(/~/g, '~0').replace(/\//g, '~1')))
      .join('/');
    const ref = `openapi.json#/${pointer}`;
    let validate = this.validators.get(ref);
    if (!validate) {
      validate = this.ajv.compile({ $ref: ref });
      this.validators.set(ref, validate);
    }
    return validate;
  }
}
