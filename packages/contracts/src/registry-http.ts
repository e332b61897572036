import { RegistryError } from './contract-errors.ts';

/** Compatibility levels of the Confluent Schema Registry API (Apicurio's ccompat speaks the same). */
export type CompatibilityLevel =
  | 'NONE'
  | 'BACKWARD'
  | 'BACKWARD_TRANSITIVE'
  | 'FORWARD'
  | 'FORWARD_TRANSITIVE'
  | 'FULL'
  | 'FULL_TRANSITIVE';

export interface CompatibilityAnswer {
  isCompatible: boolean;
  /** The registry's explanation of each break (verbose mode); empty when compatible. */
  messages: string[];
}

export interface SubjectVersion {
  subject: string;
  version: number;
}

const contentType = 'application/vnd.schemaregistry.v1+json';

/**
 * The few Schema Registry REST calls the schema client does not expose: per-subject config,
 * compatibility tests and reverse lookup of a schema id. Works against Confluent and Apicurio ccompat.
 */
export class RegistryHttp {
  readonly baseUrl: string;
  readonly #headers: Record<string, string>;

  constructor(baseUrl: string, auth?: { username: string; password: string }) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.#headers = { accept: contentType, 'content-type': contentType };
    if (auth)
      this.#headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  }

  /** The subject's own compatibility level; undefined when it has none (the global default applies). */
  async subjectCompatibility(subject: string): Promise<CompatibilityLevel | undefined> {
    const res = await this.#call('GET', `/config/${enc(subject)}`, undefined, [404]);
    if (res.status === 404) return undefined;
    const body = (await res.json()) as { compatibilityLevel?: string; compatibility?: string };
    return (body.compatibilityLevel ?? body.compatibility) as CompatibilityLevel | undefined;
  }

  async setSubjectCompatibility(subject: string, level: CompatibilityLevel): Promise<void> {
    // Apicurio answers 409 when another client created the subject's rule at the same moment;
    // the rule exists then, and a second PUT updates it to the level asked for.
    const first = await this.#call('PUT', `/config/${enc(subject)}`, { compatibility: level }, [409]);
    if (first.status === 409) await this.#call('PUT', `/config/${enc(subject)}`, { compatibility: level });
  }

  /** Registered versions of a subject; empty when the subject does not exist. */
  async versions(subject: string): Promise<number[]> {
    const res = await this.#call('GET', `/subjects/${enc(subject)}/versions`, undefined, [404]);
    if (res.status === 404) return [];
    return (await res.json()) as number[];
  }

  /** The latest registered schema text of a subject; undefined when the subject has no versions. */
  async latestSchema(subject: string): Promise<{ id: number; version: number; schema: string } | undefined> {
    const res = await this.#call('GET', `/subjects/${enc(subject)}/versions/latest`, undefined, [404]);
    if (res.status === 404) return undefined;
    return (await res.json()) as { id: number; version: number; schema: string };
  }

  /**
   * Apicurio only: the reasons a schema would be refused, from its native v3 API (dry-run of a new
   * version), because its ccompat `verbose=true` answers no messages. Undefined when the registry is
   * not Apicurio (the URL does not end in `/apis/ccompat/v7`) or the call fails.
   */
  async apicurioRuleViolations(subject: string, schema: string): Promise<string[] | undefined> {
    const match = /^(.*)\/apis\/ccompat\/v\d+$/.exec(this.baseUrl);
    if (!match) return undefined;
    const url = `${match[1]}/apis/registry/v3/groups/default/artifacts/${enc(subject)}/versions?dryRun=true`;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { ...this.#headers, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ content: { content: schema, contentType: 'application/json' } }),
        signal: AbortSignal.timeout(10_000),
      });
      if (res.ok) return [];
      const body = (await res.json()) as { causes?: { description?: string; context?: string }[] };
      return (body.causes ?? []).map((c) => `${c.description ?? 'incompatible'} at ${c.context ?? '/'}`);
    } catch {
      return undefined;
    }
  }

  /** Asks whether `schema` could be registered next under `subject` at the subject's level. */
  async testCompatibility(
    subject: string,
    schema: string,
    schemaType = 'JSON',
  ): Promise<CompatibilityAnswer> {
    const res = await this.#call(
      'POST',
      `/compatibility/subjects/${enc(subject)}/versions/latest?verbose=true`,
      { schema, schemaType },
      [409, 422],
    );
    const body = (await res.json()) as { is_compatible?: boolean; messages?: unknown; message?: string };
    if (res.status !== 200)
      return { isCompatible: false, messages: [body.message ?? `registry answered ${res.status}`] };
    const messages = Array.isArray(body.messages) ? body.messages.map((m) => String(m)) : [];
    return { isCompatible: body.is_compatible === true, messages };
  }

  /** The subjects and versions that hold a schema id; empty when the registry does not know the id. */
  async subjectsOfSchemaId(id: number): Promise<SubjectVersion[]> {
    const res = await this.#call('GET', `/schemas/ids/${id}/versions`, undefined, [404]);
    if (res.status === 404) return [];
    return (await res.json()) as SubjectVersion[];
  }

  /** Deletes a subject (soft, then hard). For tests and tooling. */
  async deleteSubject(subject: string): Promise<void> {
    await this.#call('DELETE', `/subjects/${enc(subject)}`, undefined, [404]);
    await this.#call('DELETE', `/subjects/${enc(subject)}?permanent=true`, undefined, [404]);
  }

  async #call(method: string, path: string, body?: unknown, accepted: number[] = []): Promise<Response> {
    const url = `${this.baseUrl}${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: this.#headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new RegistryError(
        `Schema Registry at ${this.baseUrl} did not answer ${method} ${path}: ${(error as Error).message}. Check the registry URL (SCHEMA_REGISTRY_URL) and that it runs.`,
        undefined,
        { cause: error },
      );
    }
    if (res.ok || accepted.includes(res.status)) return res;
    const text = await res.text().catch(() => '');
    throw new RegistryError(
      `Schema Registry refused ${method} ${path}: ${res.status} ${text.slice(0, 500)}`,
      res.status,
    );
  }
}

function enc(subject: string): string {
  return encodeURIComponent(subject);
}
