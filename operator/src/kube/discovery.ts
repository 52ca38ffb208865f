// Finds the plural name and scope of a kind, so generic code (apply, delete)
// can build URLs from an object's apiVersion/kind. One discovery GET per
// group-version, cached; a miss refetches once, since a CRD may be new.
import type { RestClient } from './rest.js';
import { parseApiVersion, type ResourceRef } from './resource-path.js';

export interface ResolvedResource extends ResourceRef {
  namespaced: boolean;
}

interface ApiResourceList {
  resources: { name: string; kind: string; namespaced: boolean }[];
}

export class Discovery {
  private readonly cache = new Map<string, ApiResourceList>();

  constructor(private readonly rest: RestClient) {}

  async resolve(apiVersion: string, kind: string): Promise<ResolvedResource> {
    const found = (await this.find(apiVersion, kind, false)) ?? (await this.find(apiVersion, kind, true));
    if (!found) throw new Error(`no resource for kind ${kind} in ${apiVersion}`);
    return found;
  }

  private async find(apiVersion: string, kind: string, refresh: boolean): Promise<ResolvedResource | undefined> {
    let list = refresh ? undefined : this.cache.get(apiVersion);
    if (!list) {
      const { group } = parseApiVersion(apiVersion);
      list = await this.rest.request<ApiResourceList>({
        method: 'GET',
        path: group ? `/apis/${apiVersion}` : `/api/${apiVersion}`,
      });
      this.cache.set(apiVersion, list);
    }
    // Subresources ("deployments/status") share the kind; skip them.
    const resource = list.resources.find((r) => r.kind === kind && !r.name.includes('/'));
    if (!resource) return undefined;
    return { ...parseApiVersion(apiVersion), plural: resource.name, namespaced: resource.namespaced };
  }
}
